/**
 * Issue search (reference section 11): Cloud's enhanced `search/jql` (ids only unless `fields` is asked for, a
 * `nextPageToken` cursor, eventually consistent) and Server/DC's `search` (startAt/maxResults/total).
 */
import type { FieldCatalogue } from './fields.ts';
import { parseFieldsParam, type IssueStore } from './issue-store.ts';
import { compareByOrder, JqlError, matchesJql, parseJql } from './jql.ts';
import type { ProjectDirectory } from './projects.ts';
import type { FakeIssue } from './types.ts';

export interface SearchContext {
  store: IssueStore;
  catalogue: FieldCatalogue;
  projects: ProjectDirectory;
  searchLagMs: number;
  now: number;
}

export type SearchResult = { status: 200; body: Record<string, unknown> } | { status: 400; errorMessages: string[] };

const CLOUD_MAX_IDS = 5000;
const CLOUD_MAX_WITH_FIELDS = 100;
const SERVER_MAX = 1000;

/** Parameters of either search, from a POST body or a GET query (same names). */
export interface SearchParams {
  jql?: unknown;
  maxResults?: unknown;
  startAt?: unknown;
  nextPageToken?: unknown;
  fields?: unknown;
  reconcileIssues?: unknown;
}

function run(jql: string, ctx: SearchContext, reconcile: Set<string>): FakeIssue[] | SearchResult {
  let query;
  try {
    query = parseJql(jql);
  } catch (error) {
    if (error instanceof JqlError) return { status: 400, errorMessages: [error.message] };
    throw error;
  }
  for (const clause of query.clauses) {
    if (clause.field !== 'project') continue;
    for (const value of clause.values) {
      if (!ctx.projects.findForJql(value)) return { status: 400, errorMessages: [`The value '${value}' does not exist for the field 'project'.`] };
    }
    clause.values = clause.values.map((value) => ctx.projects.findForJql(value)!.key);
  }
  const visible = ctx.store.issues.filter((issue) => ctx.now >= issue.created + ctx.searchLagMs || reconcile.has(issue.id));
  return visible
    .filter((issue) => {
      const project = ctx.projects.find(issue.projectKey)!;
      const issueTypeName = project.issueTypes.find((t) => t.id === issue.issueTypeId)?.name ?? '';
      return matchesJql(query, { issue, projectId: project.id, issueTypeName });
    })
    .sort(compareByOrder(query.order));
}

const asList = (value: unknown): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).filter((v) => v !== ''));

export function searchCloud(params: SearchParams, ctx: SearchContext): SearchResult {
  const jql = typeof params.jql === 'string' ? params.jql : '';
  if (!/\S/.test(jql.replace(/order\s+by[\s\S]*$/i, ''))) {
    return { status: 400, errorMessages: ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.'] };
  }
  const fields = parseFieldsParam(params.fields);
  const idsOnly = fields === undefined || (fields.length === 1 && fields[0] === 'id');
  const limit = idsOnly ? CLOUD_MAX_IDS : CLOUD_MAX_WITH_FIELDS;
  const maxResults = Math.min(params.maxResults === undefined ? 50 : Number(params.maxResults), limit);
  if (!Number.isInteger(maxResults) || maxResults < 1) return { status: 400, errorMessages: ["The 'maxResults' parameter must be a positive integer."] };
  let offset = 0;
  if (params.nextPageToken !== undefined) {
    const decoded = decodeToken(String(params.nextPageToken));
    if (decoded === undefined) return { status: 400, errorMessages: ['The provided next page token is invalid or expired.'] };
    offset = decoded;
  }
  const found = run(jql, ctx, new Set(asList(params.reconcileIssues)));
  if (!Array.isArray(found)) return found;
  const page = found.slice(offset, offset + maxResults);
  const isLast = offset + page.length >= found.length;
  return {
    status: 200,
    body: {
      issues: page.map((issue) => (idsOnly ? { id: issue.id } : ctx.store.render(issue, ctx.catalogue, fields))),
      isLast,
      // Atlassian omits the token on the last page (JRACLOUD-92184) although the docs say null.
      ...(isLast ? {} : { nextPageToken: encodeToken(offset + page.length) }),
    },
  };
}

export function searchServer(params: SearchParams, ctx: SearchContext): SearchResult {
  const jql = typeof params.jql === 'string' ? params.jql : '';
  const startAt = params.startAt === undefined ? 0 : Number(params.startAt);
  const requested = params.maxResults === undefined ? 50 : Number(params.maxResults);
  if (!Number.isInteger(startAt) || startAt < 0 || !Number.isInteger(requested) || requested < 0) {
    return { status: 400, errorMessages: ["'startAt' and 'maxResults' must be non-negative integers."] };
  }
  const maxResults = Math.min(requested, SERVER_MAX);
  const found = run(jql, ctx, new Set());
  if (!Array.isArray(found)) return found;
  const fields = parseFieldsParam(params.fields) ?? ['*navigable'];
  return {
    status: 200,
    body: {
      expand: 'schema,names',
      startAt,
      maxResults,
      total: found.length,
      issues: found.slice(startAt, startAt + maxResults).map((issue) => ({ ...ctx.store.render(issue, ctx.catalogue, fields), expand: 'operations,versionedRepresentations,editmeta,changelog,renderedFields' })),
    },
  };
}

const encodeToken = (offset: number): string => Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');

function decodeToken(token: string): number | undefined {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 ? offset : undefined;
  } catch {
    return undefined;
  }
}
