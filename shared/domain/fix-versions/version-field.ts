/**
 * The Jira field the Fix Versions are read from (`fixVersions.jiraField`): the system `fixVersions`, or a
 * version-picker custom field named by id or name. Anything else is refused with the config path and the fix, at
 * first use (and by the admin CLI's `validate`).
 */
import type { JiraField } from '../model/jira.ts';
import { resolveField } from '../resolve-field.ts';

export type VersionFieldResult = { ok: true; field: JiraField } | { ok: false; problem: string };

/** Jira's version picker: `schema.type` "array" of "version" (the system `fixVersions` and the multiversion custom type). */
export function isVersionField(field: JiraField): boolean {
  return field.schema?.type === 'array' && field.schema.items === 'version';
}

/**
 * Resolves `jiraField` among `GET /rest/api/2/field` and checks that it holds versions. `configPath` is the
 * integration's path (e.g. `integrations[0]`), prefixed to the problem.
 */
export function versionFieldFor(fields: readonly JiraField[], jiraField: string, configPath: string): VersionFieldResult {
  const path = `${configPath}.fixVersions.jiraField`;
  const resolved = resolveField(jiraField, fields);
  if (!resolved.ok) {
    // The system field is there on every Jira, even when this account's field list leaves it out.
    if (jiraField.trim().toLowerCase() === 'fixversions') return { ok: true, field: { id: 'fixVersions', name: 'Fix versions', custom: false, schema: { type: 'array', items: 'version', system: 'fixVersions' } } };
    return { ok: false, problem: `${path}: ${resolved.problem}` };
  }
  const { field } = resolved;
  if (!isVersionField(field)) {
    const type = field.schema === undefined ? 'untyped' : field.schema.type === 'array' ? `array of ${field.schema.items ?? 'unknown'}` : field.schema.type;
    return {
      ok: false,
      problem: `${path}: ${field.id} (${JSON.stringify(field.name)}) is a ${type} field, not a version field; use "fixVersions" or a version-picker custom field (type "Version Picker (multiple versions)")`,
    };
  }
  return { ok: true, field };
}
