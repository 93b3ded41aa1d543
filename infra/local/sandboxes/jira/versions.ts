/**
 * Project versions (reference section 5): each project's releases in release order ("sequence"), ids numbered across
 * the site, names unique per project. How a version looks on the project endpoints (`Version`, with `projectId`)
 * and on an issue or in create metadata (without it).
 */
import type { FakeProject, FakeVersion, FakeVersionSpec } from './types.ts';

/** Version ids start here, like a young Jira site (the spec's examples use 10000 and 10010). */
const FIRST_VERSION_ID = 10_000;

/** "The maximum length is 255 characters" (the spec's `Version.name`, reference section 5). */
export const VERSION_NAME_MAX = 255;

/** Refusals of `POST version`: a field error at 400, or the project not found at 404 (the spec's statuses). */
export type VersionRefusal = { status: 400 | 404; errorMessages: string[]; errors: Record<string, string> };

export class VersionCatalogue {
  /** Every version, configured ones first, then in creation order (which is also each project's release order). */
  readonly all: FakeVersion[] = [];
  readonly #configured: FakeVersion[];
  #nextId = FIRST_VERSION_ID;

  constructor(projects: FakeProject[]) {
    const configured: FakeVersion[] = [];
    for (const project of projects) {
      for (const spec of project.versions ?? []) {
        const problem = this.#refusal(project, spec, configured);
        if (problem) throw new Error(`Jira fake: version '${spec.name}' of ${project.key}: ${Object.values(problem.errors)[0]}`);
        configured.push(this.#build(project, spec, configured));
      }
    }
    this.#configured = configured;
    this.reset();
  }

  /** Back to the configured versions: versions added since are forgotten and ids are given out again. */
  reset(): void {
    this.all.length = 0;
    this.all.push(...this.#configured);
    this.#nextId = FIRST_VERSION_ID;
  }

  /** The project's versions in release order. */
  of(project: FakeProject): FakeVersion[] {
    return this.all.filter((v) => v.projectId === project.id);
  }

  /**
   * A version of `project` by id, else by name. Names match case-insensitively [GUESS: Jira keeps names unique
   * regardless of case, so a case-insensitive look-up cannot be ambiguous; the reference does not say].
   */
  find(project: FakeProject, ref: { id?: string; name?: string }): FakeVersion | undefined {
    const versions = this.of(project);
    if (ref.id !== undefined) return versions.find((v) => v.id === ref.id);
    if (ref.name !== undefined) return versions.find((v) => v.name.toLowerCase() === ref.name!.toLowerCase());
    return undefined;
  }

  /** Adds a version at the end of the project's release order, or says why Jira would refuse it. */
  create(project: FakeProject, spec: FakeVersionSpec): { ok: true; version: FakeVersion } | ({ ok: false } & VersionRefusal) {
    const problem = this.#refusal(project, spec, this.all);
    if (problem) return { ok: false, ...problem };
    const version = this.#build(project, spec, this.all);
    this.all.push(version);
    return { ok: true, version };
  }

  /**
   * Sorts versions into their project's release order (Jira shows an issue's versions that way, not in the order
   * they were given [GUESS: the reference does not say; Jira's version lists are ordered by sequence]).
   */
  inReleaseOrder(versions: FakeVersion[]): FakeVersion[] {
    return [...versions].sort((a, b) => this.all.indexOf(a) - this.all.indexOf(b));
  }

  // Messages: the reference says only that names are unique per project and at most 255 characters. The wording
  // is the fake's [GUESS], keyed under `name` as Jira keys field errors.
  #refusal(project: FakeProject, spec: FakeVersionSpec, existing: FakeVersion[]): VersionRefusal | undefined {
    const name = typeof spec.name === 'string' ? spec.name.trim() : '';
    if (name === '') return { status: 400, errorMessages: [], errors: { name: 'You must specify a valid version name' } };
    if (name.length > VERSION_NAME_MAX) return { status: 400, errorMessages: [], errors: { name: `The version name must not be longer than ${VERSION_NAME_MAX} characters.` } };
    if (existing.some((v) => v.projectId === project.id && v.name.toLowerCase() === name.toLowerCase())) {
      return { status: 400, errorMessages: [], errors: { name: 'A version with this name already exists in this project.' } };
    }
    if (spec.id !== undefined && existing.some((v) => v.id === spec.id)) {
      return { status: 400, errorMessages: [], errors: { id: `A version with id '${spec.id}' already exists.` } }; // configuration only
    }
    return undefined;
  }

  #build(project: FakeProject, spec: FakeVersionSpec, existing: FakeVersion[]): FakeVersion {
    let id = spec.id;
    if (id === undefined) {
      while (existing.some((v) => v.id === String(this.#nextId))) this.#nextId++;
      id = String(this.#nextId++);
    }
    return {
      id,
      name: spec.name.trim(),
      projectId: project.id,
      released: spec.released ?? false,
      archived: spec.archived ?? false,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      ...(spec.releaseDate !== undefined ? { releaseDate: spec.releaseDate } : {}),
    };
  }
}

/**
 * A version as an issue field, in create metadata and in webhook bodies show it: `{self, id, description?, name,
 * archived, released, releaseDate?}` (reference section 2.4: "versions (`{id,name,released,archived,self}`)"; a Data
 * Center capture of version-picker allowedValues shows the same members and no `projectId`).
 */
export function renderIssueVersion(version: FakeVersion, apiUrl: string): Record<string, unknown> {
  return {
    self: `${apiUrl}version/${version.id}`,
    id: version.id,
    ...(version.description !== undefined ? { description: version.description } : {}),
    name: version.name,
    archived: version.archived,
    released: version.released,
    ...(version.releaseDate !== undefined ? { releaseDate: version.releaseDate } : {}),
  };
}

/**
 * A version as the project endpoints and `POST version` answer (the spec's `Version`): the issue shape plus
 * `projectId` (a number, int64 in the spec) and, with a release date, `overdue` (unreleased and the date passed).
 */
export function renderVersion(version: FakeVersion, apiUrl: string, now: number): Record<string, unknown> {
  const { releaseDate } = version;
  return {
    ...renderIssueVersion(version, apiUrl),
    ...(releaseDate !== undefined ? { overdue: !version.released && releaseDate < new Date(now).toISOString().slice(0, 10) } : {}),
    projectId: Number(version.projectId),
  };
}
