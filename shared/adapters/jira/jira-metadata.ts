/**
 * The admin's reads of Jira's configuration, for `bridge validate`: the issue types of a project and the create
 * screen of one issue type (createmeta), and the statuses. Kept apart from the worker's {@link IssueTracker}: the
 * worker never needs them, and a Lambda should not carry calls it never makes.
 *
 * createmeta (../shared/reference/jira-rest-v2.md section 2): Cloud and Data Center 8.4+ serve
 * `GET issue/createmeta/{project}/issuetypes[/{issueTypeId}]`, paged with `startAt`/`maxResults` (at most 200).
 * Cloud pages hold `issueTypes` / `fields` with `total`; Data Center pages hold `values` with `isLast`. Only when
 * that endpoint is missing (404 on the issue-type list of a Jira older than 8.4) is the old
 * `GET issue/createmeta?projectKeys=&expand=projects.issuetypes.fields` read, which Cloud and Data Center 9 removed.
 */
import { PermanentError } from '../../ports/errors.ts';
import type { JiraStatus } from '../../domain/model/jira.ts';
import type { HttpFailure } from '../http/http-failure.ts';
import { createRequestRunner, DEFAULT_TIMEOUT_MS, type RequestRunner } from '../http/request-runner.ts';
import { describeJiraAuth, jiraAuthHeaders } from './jira-auth.ts';
import { explainCommonJiraFailure, type JiraFailureContext } from './jira-failures.ts';
import type { JiraClientOptions } from './jira-client.ts';

/** Jira's limit on a createmeta page. */
export const CREATEMETA_PAGE_SIZE = 200;
/** A project with more issue types or screen fields than this is not a real one: stop rather than loop. */
const MAX_PAGES = 50;

export interface CreateMetaIssueType {
  id: string;
  name: string;
  subtask: boolean;
}

/** One field of a create screen (`FieldCreateMetadata`). */
export interface CreateMetaField {
  fieldId: string;
  name: string;
  required: boolean;
  hasDefaultValue: boolean;
  schema?: { type: string; items?: string; system?: string; custom?: string };
}

/** Which createmeta form answered: the paged endpoints, or the old expand form (Jira before 8.4). */
export type CreateMetaSource = 'paged' | 'legacy';

export interface JiraMetadata {
  /**
   * The project's issue types (`issuetypes`, every page). Throws PermanentError with status 404 when Jira knows no
   * such project (or the user may not create issues in it).
   */
  issueTypes(projectKey: string): Promise<{ source: CreateMetaSource; issueTypes: CreateMetaIssueType[] }>;
  /** The create screen of one issue type (`issuetypes/{id}`, every page, or the old form's `fields`). */
  createFields(projectKey: string, issueTypeId: string): Promise<CreateMetaField[]>;
  /** `GET status`: every status of the site, with its category. */
  statuses(): Promise<JiraStatus[]>;
}

/** The reads, over the same request runner, credentials and error messages as the worker's Jira client. */
export function createJiraMetadata(options: JiraClientOptions): JiraMetadata {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const context: JiraFailureContext = { credentials: describeJiraAuth(options.auth), apiUrl: options.apiUrl, timeoutMs };
  const http = createRequestRunner({
    system: 'Jira',
    baseUrl: options.apiUrl,
    timeoutMs,
    maxInlineWaitMs: options.maxInlineWaitMs,
    headers: jiraAuthHeaders(options.auth, options.secrets ?? {}),
    explain: (failure) => explainCommonJiraFailure(failure, context),
    ...options.runner,
  });
  const legacy = new Map<string, Promise<LegacyProject>>();
  const sources = new Map<string, CreateMetaSource>();

  const readLegacy = (projectKey: string): Promise<LegacyProject> => {
    let project = legacy.get(projectKey);
    if (!project) {
      project = readLegacyCreateMeta(http, projectKey);
      legacy.set(projectKey, project);
    }
    return project;
  };

  return {
    async issueTypes(projectKey) {
      try {
        const issueTypes = await readPages(http, `issue/createmeta/${encodeURIComponent(projectKey)}/issuetypes`, 'issueTypes', projectNotFound(projectKey));
        sources.set(projectKey, 'paged');
        return { source: 'paged', issueTypes: issueTypes.map(toIssueType).filter((type) => type !== undefined) };
      } catch (error) {
        if (!(error instanceof PermanentError) || error.status !== 404 || !(await pagedFormMissing(http))) throw error;
        const project = await readLegacy(projectKey);
        sources.set(projectKey, 'legacy');
        return { source: 'legacy', issueTypes: project.issueTypes.map(({ id, name, subtask }) => ({ id, name, subtask })) };
      }
    },

    async createFields(projectKey, issueTypeId) {
      if (sources.get(projectKey) === 'legacy') {
        const project = await readLegacy(projectKey);
        return project.issueTypes.find((type) => type.id === issueTypeId)?.fields ?? [];
      }
      const path = `issue/createmeta/${encodeURIComponent(projectKey)}/issuetypes/${encodeURIComponent(issueTypeId)}`;
      const fields = await readPages(http, path, 'fields', (failure) =>
        failure.status === 404 ? `Jira has no issue type ${issueTypeId} in project ${projectKey} (HTTP 404 for ${failure.method} ${failure.url})` : undefined);
      return fields.map(toField).filter((field) => field !== undefined);
    },

    async statuses() {
      const { data } = await http.request<unknown>({ method: 'GET', path: 'status' });
      if (!Array.isArray(data)) throw new PermanentError('Jira answered GET status with something other than a list: check jira.apiUrl');
      return data
        .filter((status): status is { id: string; name: string; statusCategory?: { key?: string } } => typeof status?.id === 'string' && typeof status?.name === 'string')
        .map((status) => ({ id: status.id, name: status.name, categoryKey: status.statusCategory?.key ?? 'undefined' }));
    },
  };
}

const projectNotFound = (projectKey: string) => (failure: HttpFailure) =>
  failure.status === 404
    ? `Jira knows no project ${JSON.stringify(projectKey)} the integration's user may create issues in (HTTP 404 for ${failure.method} ${failure.url}): set jira.projectKey to the project's key (not its name), and give the user Browse Projects + Create Issues`
    : undefined;

/**
 * Every item of a createmeta listing: Data Center pages say `isLast`; Cloud pages give `total`; an empty page ends
 * it either way. The list is under `values` (Data Center), or `key` (`issueTypes` / `fields` on Cloud).
 */
async function readPages(http: RequestRunner, path: string, key: string, explain: (failure: HttpFailure) => string | undefined): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const { data } = await http.request<Record<string, unknown> | undefined>({
      method: 'GET',
      path,
      query: { startAt: String(items.length), maxResults: String(CREATEMETA_PAGE_SIZE) },
      explain,
    });
    const list = [data?.values, data?.[key], data?.results].find(Array.isArray) as unknown[] | undefined;
    if (!list) throw new PermanentError(`Jira answered GET ${path} without a list of ${key}: check jira.apiUrl points at Jira`);
    items.push(...list);
    if (list.length === 0 || data?.isLast === true) return items;
    if (data?.isLast === undefined && typeof data?.total === 'number' && items.length >= data.total) return items;
  }
  return items;
}

/**
 * A 404 on the issue-type list means "no such project" on a Jira that has the paged form, and "no such endpoint" on
 * one older than 8.4: the JAX-RS 404 of a missing resource has no ErrorCollection about a project, but the safest
 * tell is the version, so ask serverInfo.
 */
async function pagedFormMissing(http: RequestRunner): Promise<boolean> {
  const { data } = await http.request<{ deploymentType?: string; versionNumbers?: unknown }>({ method: 'GET', path: 'serverInfo' });
  if (data?.deploymentType === 'Cloud' || !Array.isArray(data?.versionNumbers)) return false;
  const [major = 0, minor = 0] = data.versionNumbers as number[];
  return major < 8 || (major === 8 && minor < 4);
}

interface LegacyProject {
  issueTypes: (CreateMetaIssueType & { fields: CreateMetaField[] })[];
}

async function readLegacyCreateMeta(http: RequestRunner, projectKey: string): Promise<LegacyProject> {
  const { data } = await http.request<{ projects?: { key?: string; issuetypes?: Record<string, unknown>[] }[] }>({
    method: 'GET',
    path: 'issue/createmeta',
    query: { projectKeys: projectKey, expand: 'projects.issuetypes.fields' },
  });
  const project = data?.projects?.find((candidate) => candidate.key === projectKey);
  if (!project) {
    throw new PermanentError(
      `Jira knows no project ${JSON.stringify(projectKey)} the integration's user may create issues in (GET issue/createmeta lists none): set jira.projectKey to the project's key, and give the user Browse Projects + Create Issues`,
      { status: 404 },
    );
  }
  return {
    issueTypes: (project.issuetypes ?? []).flatMap((raw) => {
      const type = toIssueType(raw);
      if (!type) return [];
      const fields = Object.entries((raw.fields ?? {}) as Record<string, Record<string, unknown>>)
        .map(([fieldId, meta]) => toField({ fieldId, ...meta }))
        .filter((field) => field !== undefined);
      return [{ ...type, fields }];
    }),
  };
}

function toIssueType(raw: unknown): CreateMetaIssueType | undefined {
  const type = raw as { id?: unknown; name?: unknown; subtask?: unknown } | null;
  if (typeof type?.id !== 'string' || typeof type.name !== 'string') return undefined;
  return { id: type.id, name: type.name, subtask: type.subtask === true };
}

function toField(raw: unknown): CreateMetaField | undefined {
  const field = raw as { fieldId?: unknown; key?: unknown; name?: unknown; required?: unknown; hasDefaultValue?: unknown; schema?: CreateMetaField['schema'] } | null;
  const fieldId = typeof field?.fieldId === 'string' ? field.fieldId : typeof field?.key === 'string' ? field.key : undefined;
  if (fieldId === undefined || typeof field?.name !== 'string') return undefined;
  return {
    fieldId,
    name: field.name,
    required: field.required === true,
    hasDefaultValue: field.hasDefaultValue === true,
    ...(field.schema && typeof field.schema.type === 'string' ? { schema: field.schema } : {}),
  };
}
