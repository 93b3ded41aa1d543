/**
 * Values of version fields (fixVersions, versions, version pickers): references `{id}` or `{name}` (reference
 * sections 1.2 and 5) resolved to versions of the project, or the error Jira keys under the field id.
 */
import { checkVersionRef } from './field-values.ts';
import type { FieldDef } from './fields.ts';
import type { VersionCatalogue } from './versions.ts';
import type { FakeProject, FakeVersion } from './types.ts';

export type VersionResolution = { ok: true; versions: FakeVersion[] } | { ok: false; error: string };

/**
 * Resolves one reference. An unknown name gets the message real Jira answers (`"Version name 'X' is not valid"`,
 * seen in mojira/arisa-kt#429 and alisaifee/jira-cli#64); an unknown id gets the same sentence about the id [GUESS:
 * no capture of it is at hand]. An id wins over a name when both are given [GUESS]. Archived versions resolve
 * like any other [GUESS: the reference does not say whether Jira refuses them].
 */
export function resolveVersionRef(ref: unknown, project: FakeProject, versions: VersionCatalogue): { ok: true; version: FakeVersion } | { ok: false; error: string } {
  const shape = checkVersionRef(ref);
  if (shape) return { ok: false, error: shape };
  const { id, name } = ref as { id?: string; name?: string };
  const version = versions.find(project, id !== undefined && id !== '' ? { id } : { name: name! });
  if (version) return { ok: true, version };
  return { ok: false, error: id !== undefined && id !== '' ? `Version id '${id}' is not valid` : `Version name '${name}' is not valid` };
}

/**
 * A whole field value: an array of references for fixVersions/versions/multiversion, one reference (or null) for a
 * single version picker. Duplicates collapse; the result is in the project's release order.
 */
export function resolveVersionValue(field: FieldDef, value: unknown, project: FakeProject, versions: VersionCatalogue): VersionResolution {
  if (value === null || value === undefined) return { ok: true, versions: [] };
  const refs = field.schema.type === 'array' ? value : [value];
  if (!Array.isArray(refs)) return { ok: false, error: 'data was not an array' };
  const found: FakeVersion[] = [];
  for (const ref of refs) {
    const outcome = resolveVersionRef(ref, project, versions);
    if (!outcome.ok) return outcome;
    if (!found.includes(outcome.version)) found.push(outcome.version);
  }
  return { ok: true, versions: versions.inReleaseOrder(found) };
}

/** What the issue keeps for the field: the list, or a single version picker's one version (null when empty). */
export const storedVersions = (field: FieldDef, list: FakeVersion[]): FakeVersion[] | FakeVersion | null =>
  field.schema.type === 'array' ? list : (list[0] ?? null);

/** The versions a field holds now, as a list (a single picker's one version, or none). */
export function currentVersions(value: unknown): FakeVersion[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as FakeVersion[];
}
