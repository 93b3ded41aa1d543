/**
 * `GET project/{projectIdOrKey}/versions` (every version, unpaginated), `GET project/{projectIdOrKey}/version` (a
 * `PageBeanVersion`) and `POST version` (reference section 5).
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../common/http-server.ts';
import { sendErrors } from './responses.ts';
import type { ApiRequest, JiraState } from './routes.ts';
import { renderVersion } from './versions.ts';
import type { FakeProject, FakeVersion, FakeVersionSpec } from './types.ts';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The project's 404, worded as Jira's createmeta answers it. */
const noProject = (res: ServerResponse, ref: string): void => sendErrors(res, 404, [`No project could be found with key '${ref}'.`]);

export function listProjectVersions(state: JiraState, req: ApiRequest, res: ServerResponse, [projectRef]: string[]): void {
  const project = state.projects.find(projectRef!);
  if (!project) return noProject(res, projectRef!);
  sendJson(res, 200, state.versions.of(project).map((v) => renderVersion(v, state.apiUrl, req.now)));
}

const ORDER_KEYS: Record<string, (v: FakeVersion) => string> = {
  name: (v) => v.name.toLowerCase(),
  description: (v) => (v.description ?? '').toLowerCase(),
  releaseDate: (v) => v.releaseDate ?? '',
  // The fake keeps no start dates; those versions stay in release order.
  startDate: () => '',
};

/**
 * The paginated variant: `startAt`/`maxResults` (default 50), `query` (case-insensitive, in the name or
 * description), `status` (comma-separated `released`, `unreleased`, `archived`) and `orderBy` (`[+-]sequence|name|
 * description|releaseDate|startDate`; the OpenAPI validator has already refused anything else).
 */
export function pageProjectVersions(state: JiraState, req: ApiRequest, res: ServerResponse, [projectRef]: string[]): void {
  const project = state.projects.find(projectRef!);
  if (!project) return noProject(res, projectRef!);
  const one = (name: string): string | undefined => {
    const value = req.query[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const startAt = Number(one('startAt') ?? 0);
  const maxResults = Number(one('maxResults') ?? 50);
  if (!Number.isInteger(startAt) || startAt < 0 || !Number.isInteger(maxResults) || maxResults < 0) {
    return sendErrors(res, 400, ["'startAt' and 'maxResults' must be non-negative integers."]); // message chosen by the fake
  }
  let versions = state.versions.of(project);
  const query = one('query')?.toLowerCase();
  if (query) versions = versions.filter((v) => v.name.toLowerCase().includes(query) || (v.description ?? '').toLowerCase().includes(query));
  const statuses = (one('status') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  // An archived version counts as archived only, not also as released or unreleased [GUESS: the reference lists the
  // three values without saying whether they overlap].
  if (statuses.length > 0) {
    versions = versions.filter((v) => statuses.some((s) => (s === 'archived' ? v.archived : s === 'released' ? v.released && !v.archived : s === 'unreleased' && !v.released && !v.archived)));
  }
  const orderBy = one('orderBy');
  if (orderBy) {
    const descending = orderBy.startsWith('-');
    const key = ORDER_KEYS[orderBy.replace(/^[+-]/, '')];
    if (key) versions = [...versions].sort((a, b) => key(a).localeCompare(key(b)));
    if (descending) versions = [...versions].reverse();
  }
  const values = versions.slice(startAt, startAt + maxResults);
  const isLast = startAt + values.length >= versions.length;
  const self = `${state.apiUrl}project/${project.key}/version?startAt=${startAt}&maxResults=${maxResults}`;
  sendJson(res, 200, {
    self,
    ...(isLast ? {} : { nextPage: `${state.apiUrl}project/${project.key}/version?startAt=${startAt + values.length}&maxResults=${maxResults}` }),
    maxResults,
    startAt,
    total: versions.length,
    isLast,
    values: values.map((v) => renderVersion(v, state.apiUrl, req.now)),
  });
}

/**
 * `POST version`: `name` and the project (`projectId`, or the deprecated `project` key) are required; the version
 * goes last in the project's release order. No project given is a 400 on `project`; a project that does not exist
 * is the spec's 404 (both messages chosen by the fake [GUESS]).
 */
export function createVersion(state: JiraState, req: ApiRequest, res: ServerResponse): void {
  const body = isObject(req.body) ? req.body : {};
  const projectRef = body.projectId ?? body.project;
  if (projectRef === undefined || projectRef === null || projectRef === '') {
    return sendErrors(res, 400, [], { project: 'Project must be specified to create a version.' });
  }
  const project: FakeProject | undefined =
    body.projectId !== undefined ? state.projects.projects.find((p) => p.id === String(body.projectId)) : state.projects.find(String(body.project));
  if (!project) return sendErrors(res, 404, [`No project could be found with ${body.projectId !== undefined ? 'id' : 'key'} '${String(projectRef)}'.`]);
  const spec: FakeVersionSpec = {
    name: typeof body.name === 'string' ? body.name : '',
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
    ...(typeof body.releaseDate === 'string' ? { releaseDate: body.releaseDate } : {}),
    ...(typeof body.released === 'boolean' ? { released: body.released } : {}),
    ...(typeof body.archived === 'boolean' ? { archived: body.archived } : {}),
  };
  const outcome = state.versions.create(project, spec);
  if (!outcome.ok) return sendErrors(res, outcome.status, outcome.errorMessages, outcome.errors);
  sendJson(res, 201, renderVersion(outcome.version, state.apiUrl, req.now));
}
