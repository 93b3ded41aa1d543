/**
 * The REST resources the sandbox serves under `{contextPath}/rest/api/2`, dialect by deployment type. Requests reach
 * this table authenticated and validated; it only decides what Jira would answer.
 */
import type { ServerResponse } from 'node:http';
import { sendEmpty, sendJson } from '../common/http-server.ts';
import type { Principal } from './auth.ts';
import { addComment, listComments } from './comment-routes.ts';
import { CREATEMETA_MAX_RESULTS, fieldsPage, issueTypesPage, legacyCreateMeta, parsePage } from './createmeta.ts';
import { validateCreate } from './create-issue.ts';
import { editIssue } from './edit-issue.ts';
import { renderField, type FieldCatalogue } from './fields.ts';
import type { IssueChanges } from './issue-changes.ts';
import type { IssueLinks } from './issue-links.ts';
import { jiraTime, parseExpandParam, parseFieldsParam, type IssueStore } from './issue-store.ts';
import { linkIssues, listLinkTypes } from './link-routes.ts';
import type { ProjectDirectory } from './projects.ts';
import { sendErrors, sendNoResource } from './responses.ts';
import { searchCloud, searchServer, type SearchParams, type SearchResult } from './search.ts';
import { doTransition, listTransitions } from './transition-routes.ts';
import { assignIssue, myself, searchUsers } from './user-routes.ts';
import type { UserDirectory } from './users.ts';
import { createVersion, listProjectVersions, pageProjectVersions } from './version-routes.ts';
import type { VersionCatalogue } from './versions.ts';
import { renderResolution, renderStatus, type Workflow } from './workflow.ts';
import type { JiraDeploymentType } from './types.ts';

export interface JiraState {
  deployment: JiraDeploymentType;
  /** Server/DC `serverInfo.version`, e.g. '9.12.15'. */
  serverVersion: string;
  siteUrl: string;
  apiUrl: string;
  catalogue: FieldCatalogue;
  projects: ProjectDirectory;
  /** Every project's versions. */
  versions: VersionCatalogue;
  /** Issue links and link types. */
  links: IssueLinks;
  store: IssueStore;
  searchLagMs: number;
  users: UserDirectory;
  workflow: Workflow;
  /** Every change to an existing issue goes through here, so it is announced to webhooks. */
  changes: IssueChanges;
}

export interface ApiRequest {
  method: string;
  /** Path below `/rest/api/2`, e.g. `/issue/CRASH-1`. */
  path: string;
  /** Full URL as received, for Jersey-style 404 messages. */
  url: string;
  query: Record<string, string | string[]>;
  body: unknown;
  principal: Principal;
  now: number;
}

type Handler = (state: JiraState, req: ApiRequest, res: ServerResponse, params: string[]) => void;

interface Route {
  pattern: RegExp;
  methods: Partial<Record<string, Handler>>;
}

const seg = '([^/]+)';
const route = (path: string, methods: Route['methods']): Route => ({ pattern: new RegExp(`^${path.replace(/\{\w+\}/g, seg)}/?$`), methods });

const ROUTES: Route[] = [
  route('/serverInfo', { GET: serverInfo }),
  route('/field', { GET: listFields }),
  route('/myself', { GET: myself }),
  route('/issue', { POST: createIssue }),
  route('/issue/createmeta', { GET: createMetaLegacy }),
  route('/issue/createmeta/{project}/issuetypes', { GET: createMetaIssueTypes }),
  route('/issue/createmeta/{project}/issuetypes/{issueTypeId}', { GET: createMetaFields }),
  route('/issue/{idOrKey}', { GET: getIssue, PUT: editIssue, DELETE: deleteIssue }),
  route('/issue/{idOrKey}/transitions', { GET: listTransitions, POST: doTransition }),
  route('/issue/{idOrKey}/assignee', { PUT: assignIssue }),
  route('/issue/{idOrKey}/comment', { GET: listComments, POST: addComment }),
  route('/issueLink', { POST: linkIssues }),
  route('/issueLinkType', { GET: listLinkTypes }),
  route('/project/{projectIdOrKey}/versions', { GET: listProjectVersions }),
  route('/project/{projectIdOrKey}/version', { GET: pageProjectVersions }),
  route('/version', { POST: createVersion }),
  route('/user/search', { GET: searchUsers }),
  route('/status', { GET: listStatuses }),
  route('/resolution', { GET: listResolutions }),
  route('/search/jql', { GET: enhancedSearch, POST: enhancedSearch }),
  route('/search', { GET: legacySearch, POST: legacySearch }),
];

export function routeApiRequest(state: JiraState, req: ApiRequest, res: ServerResponse): void {
  for (const { pattern, methods } of ROUTES) {
    const match = pattern.exec(req.path);
    if (!match) continue;
    const handler = methods[req.method];
    if (!handler) {
      res.writeHead(405, { allow: Object.keys(methods).join(', '), 'content-length': '0' }).end();
      return;
    }
    handler(state, req, res, match.slice(1).map(decodeURIComponent));
    return;
  }
  sendNoResource(res, req.url);
}

function serverInfo(state: JiraState, req: ApiRequest, res: ServerResponse): void {
  const cloud = state.deployment === 'Cloud';
  const versionNumbers = cloud ? [1001, 0, 0] : state.serverVersion.split('.').map(Number);
  sendJson(res, 200, {
    baseUrl: state.siteUrl,
    version: cloud ? '1001.0.0-SNAPSHOT' : versionNumbers.join('.'),
    versionNumbers,
    deploymentType: state.deployment,
    buildNumber: cloud ? 100_282 : (versionNumbers[0] ?? 0) * 1_000_000 + (versionNumbers[1] ?? 0) * 10_000 + (versionNumbers[2] ?? 0),
    buildDate: '2025-01-15T00:00:00.000+0000',
    serverTime: jiraTime(req.now),
    scmInfo: '0f4e2fd5e4b5c4a0c1e0bd7a6a0c6c2fbd1d7f5e',
    serverTitle: 'Jira',
  });
}

function listFields(state: JiraState, _req: ApiRequest, res: ServerResponse): void {
  sendJson(res, 200, state.catalogue.all.map((f) => renderField(f, state.deployment)));
}

function createIssue(state: JiraState, req: ApiRequest, res: ServerResponse): void {
  const outcome = validateCreate(req.body, { catalogue: state.catalogue, projects: state.projects, versions: state.versions, deployment: state.deployment });
  if (!outcome.ok) return sendErrors(res, 400, outcome.errorMessages, outcome.errors);
  const issue = state.store.create(outcome.project, outcome.issueType, outcome.fields, req.now);
  state.changes.created(issue, state.users.forPrincipal(req.principal));
  sendJson(res, 201, { id: issue.id, key: issue.key, self: issue.self });
}

/** `GET issue/{idOrKey}`; `expand=changelog` adds the issue's history, most recent first. */
function getIssue(state: JiraState, req: ApiRequest, res: ServerResponse, [idOrKey]: string[]): void {
  const issue = state.store.find(idOrKey!);
  if (!issue) return sendErrors(res, 404, ['Issue does not exist or you do not have permission to see it.']);
  const viewer = state.users.forPrincipal(req.principal);
  sendJson(res, 200, state.store.render(issue, state.catalogue, parseFieldsParam(req.query.fields), viewer, parseExpandParam(req.query.expand)));
}

function deleteIssue(state: JiraState, req: ApiRequest, res: ServerResponse, [idOrKey]: string[]): void {
  const issue = state.store.find(idOrKey!);
  if (!issue) return sendErrors(res, 404, ['Issue does not exist or you do not have permission to see it.']);
  state.changes.delete(issue, state.users.forPrincipal(req.principal), req.now);
  sendEmpty(res, 204);
}

function listStatuses(state: JiraState, _req: ApiRequest, res: ServerResponse): void {
  sendJson(res, 200, state.workflow.statuses.map((status) => renderStatus(status, state.apiUrl, state.siteUrl)));
}

function listResolutions(state: JiraState, _req: ApiRequest, res: ServerResponse): void {
  sendJson(res, 200, state.workflow.resolutions.map((resolution) => renderResolution(resolution, state.apiUrl)));
}

/** Data Center 8.4 brought the paged createmeta; 9.0 removed the bulk form; Cloud serves only the paged one. */
const versionAtLeast = (state: JiraState, major: number, minor: number) => {
  const [actualMajor = 0, actualMinor = 0] = state.serverVersion.split('.').map(Number);
  return state.deployment === 'Cloud' || actualMajor > major || (actualMajor === major && actualMinor >= minor);
};

function createMetaLegacy(state: JiraState, req: ApiRequest, res: ServerResponse): void {
  if (versionAtLeast(state, 9, 0)) return sendNoResource(res, req.url);
  const projects = state.projects.projects.map((project) => ({
    project,
    screens: project.issueTypes.map((type) => state.projects.screen(project, type.id)!).filter(Boolean),
    versions: state.versions.of(project),
  }));
  sendJson(res, 200, legacyCreateMeta(projects, req.query, state.apiUrl, state.siteUrl));
}

function createMetaIssueTypes(state: JiraState, req: ApiRequest, res: ServerResponse, [projectRef]: string[]): void {
  if (!versionAtLeast(state, 8, 4)) return sendNoResource(res, req.url);
  const project = state.projects.find(projectRef!);
  if (!project) return sendErrors(res, 404, [`No project could be found with key '${projectRef}'.`]);
  const page = parsePage(req.query, CREATEMETA_MAX_RESULTS);
  if (typeof page === 'string') return sendErrors(res, 400, [page]);
  sendJson(res, 200, issueTypesPage(project, page, state.deployment, state.apiUrl, state.siteUrl));
}

function createMetaFields(state: JiraState, req: ApiRequest, res: ServerResponse, [projectRef, issueTypeId]: string[]): void {
  if (!versionAtLeast(state, 8, 4)) return sendNoResource(res, req.url);
  const project = state.projects.find(projectRef!);
  if (!project) return sendErrors(res, 404, [`No project could be found with key '${projectRef}'.`]);
  const screen = state.projects.screen(project, issueTypeId!);
  if (!screen) return sendErrors(res, 404, [`The issue type with id '${issueTypeId}' does not exist or is not valid for project '${project.key}'.`]);
  const page = parsePage(req.query, CREATEMETA_MAX_RESULTS);
  if (typeof page === 'string') return sendErrors(res, 400, [page]);
  sendJson(res, 200, fieldsPage(project, screen, page, state.deployment, state.apiUrl, state.siteUrl, state.versions.of(project)));
}

function searchParams(req: ApiRequest): SearchParams {
  if (req.method === 'POST') return typeof req.body === 'object' && req.body !== null ? (req.body as SearchParams) : {};
  return req.query;
}

function answerSearch(res: ServerResponse, result: SearchResult): void {
  if (result.status === 400) sendErrors(res, 400, result.errorMessages);
  else sendJson(res, 200, result.body);
}

/** Cloud only; Data Center has no enhanced search. */
function enhancedSearch(state: JiraState, req: ApiRequest, res: ServerResponse): void {
  if (state.deployment !== 'Cloud') return sendNoResource(res, req.url);
  answerSearch(res, searchCloud(searchParams(req), { ...state, now: req.now }));
}

/** Data Center only; Atlassian removed it from Cloud in 2025 and answers 410 Gone (reference section 11). */
function legacySearch(state: JiraState, req: ApiRequest, res: ServerResponse): void {
  if (state.deployment === 'Cloud') {
    return sendErrors(res, 410, ['The requested API has been removed. Please migrate to the /rest/api/2/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046']);
  }
  answerSearch(res, searchServer(searchParams(req), { ...state, now: req.now }));
}
