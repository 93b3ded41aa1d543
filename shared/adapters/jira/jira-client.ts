/**
 * {@link IssueTracker} over Jira REST API v2, Cloud and Server/Data Center. One client per container: server info,
 * the field list and the integration's own account are fetched once and kept.
 *
 * Idempotency (what the request runner may repeat in-process after a timeout or a 5xx): reads, label searches and
 * `PUT assignee` (assigning the same user twice leaves the same issue) are repeated; issue creation and transitions
 * are not. A transition that did go through before its answer was lost cannot be repeated blindly: the same
 * transition is no longer offered from the new status, so Jira would answer 400 and a done change would look
 * failed. Instead the error goes back to the caller as retryable, and the next attempt re-reads the issue (which is
 * then already where it should be) before choosing a transition again. Jira's "Transition id 'X' is not valid for
 * this issue" (the issue moved between reading its transitions and posting one) is retryable for the same reason.
 */
import { PermanentError, RetryableError } from '../../ports/errors.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { IssueRef, JiraDeployment, JiraField, JiraTransition, JiraUser } from '../../domain/model/jira.ts';
import type { IssueTracker } from '../../ports/issue-tracker.ts';
import type { RateLimiter } from '../../ports/rate-limiter.ts';
import { paceEndpoint, paceSite } from '../../domain/pacing/jira-pace.ts';
import type { HttpFailure } from '../http/http-failure.ts';
import { createRequestRunner, DEFAULT_TIMEOUT_MS, type RequestRunnerOptions } from '../http/request-runner.ts';
import { describeJiraAuth, jiraAuthHeaders, type JiraAuthSettings, type ResolvedSecrets } from './jira-auth.ts';
import { explainCreateForbidden, explainCreateRefusal, explainSearchRefusal } from './create-refusals.ts';
import { explainApiRootNotFound, explainCommonJiraFailure, isLoginLockout, type JiraFailureContext } from './jira-failures.ts';
import {
  explainAssignRefusal,
  explainCommentRefusal,
  explainIssueLinkRefusal,
  explainIssueNotFound,
  explainIssueReadForbidden,
  explainTransitionRefusal,
  explainUserSearchRefusal,
  isTransitionNoLongerValid,
} from './workflow-refusals.ts';
import { assigneeBody, describeUserRef, withEmail } from './jira-users.ts';
import { readJiraUser } from '../../domain/jira/jira-json.ts';
import { toComments, toIssueState, toTransitions } from './jira-workflow.ts';

export interface JiraClientOptions {
  /** `https://host[/ctx]/rest/api/2/` (v2 only). */
  apiUrl: string;
  /** `https://host[/ctx]`: browse links are `{siteUrl}/browse/{key}`. */
  siteUrl: string;
  /** `jira.auth` from the config: secrets by name. */
  auth: JiraAuthSettings;
  /** The values of the secrets `auth` names, resolved by the caller. */
  secrets?: ResolvedSecrets;
  /** Per-request deadline; default 10 s. */
  timeoutMs?: number;
  /** `settings.maxInlineRetryWaitSeconds` in ms; default 5 s. */
  maxInlineWaitMs?: number;
  /** Counts failed requests, 429s and in-process retries. @default - none */
  metrics?: Metrics;
  /**
   * Shared pacing of this site (shared/ports/rate-limiter.ts): every request takes a slot from the bucket of its
   * endpoint and method first, at most `maxRequestsPerSecond` per bucket, lowered on a 429. Without it, requests go
   * out at once and a 429 is waited out inline.
   */
  pacing?: { limiter: RateLimiter; maxRequestsPerSecond: number };
  /** Test seams of the request runner (sleep, clock, randomness). */
  runner?: Pick<RequestRunnerOptions, 'sleep' | 'now' | 'random' | 'maxRetries'>;
}

/** Page size of label searches; a dedupe label normally matches one issue. */
const SEARCH_PAGE_SIZE = 50;
/** A label matching more than this many issues is a configuration problem, not something to page through. */
const SEARCH_MAX_PAGES = 20;
/** The fields state/assignee sync reads. */
const ISSUE_STATE_FIELDS = 'status,assignee,resolution,updated,created,project';
/** Comments read to find one the bridge posted before: a regression comment is the issue's newest. */
const COMMENT_PAGE_SIZE = 100;
/** Users matching an e-mail prefix; an exact match is among the first few. */
const USER_SEARCH_PAGE_SIZE = 50;
/** Issues whose last listed transitions are remembered, to name a refused transition in its error message. */
const REMEMBERED_TRANSITION_LISTS = 100;
/** Wait before retrying a transition Jira no longer offers: the issue changed a moment ago. */
const TRANSITION_RACE_RETRY_MS = 1_000;

interface CreatedIssue {
  id: string;
  key: string;
}

interface SearchedIssue {
  id: string;
  key: string;
}

/**
 * @example
 * const jira = createJiraClient({ apiUrl: 'https://acme.atlassian.net/rest/api/2/', siteUrl: 'https://acme.atlassian.net',
 *   auth: { type: 'api-token', email: 'bot@acme.com', tokenSecret: 'jira-token' }, secrets: { 'jira-token': token } });
 * const issue = await jira.createIssue({ project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash in main' });
 */
export function createJiraClient(options: JiraClientOptions): IssueTracker {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const siteUrl = options.siteUrl.replace(/\/+$/, '');
  const context: JiraFailureContext = { credentials: describeJiraAuth(options.auth), apiUrl: options.apiUrl, timeoutMs };
  assertAbsoluteUrl(options.apiUrl, 'jira.apiUrl');
  assertAbsoluteUrl(siteUrl, 'jira.siteUrl');
  const http = createRequestRunner({
    system: 'Jira',
    baseUrl: options.apiUrl,
    timeoutMs,
    maxInlineWaitMs: options.maxInlineWaitMs,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    headers: jiraAuthHeaders(options.auth, options.secrets ?? {}),
    explain: (failure) => explainCommonJiraFailure(failure, context),
    ...(options.pacing ? { pacing: pacingOf(options.pacing, siteUrl) } : {}),
    ...options.runner,
  });
  const explainRoot = (failure: HttpFailure) => explainApiRootNotFound(failure, context);

  let deployment: Promise<JiraDeployment> | undefined;
  let fields: Promise<JiraField[]> | undefined;
  let ownAccount: Promise<JiraUser> | undefined;
  const listedTransitions = new Map<string, JiraTransition[]>();
  const issuePath = (idOrKey: string, rest = '') => `issue/${encodeURIComponent(idOrKey)}${rest}`;
  const explainIssue = (idOrKey: string) => (failure: HttpFailure) =>
    explainIssueNotFound(failure, idOrKey, context) ?? explainIssueReadForbidden(failure, idOrKey, context) ?? explainRoot(failure);

  const client: IssueTracker = {
    deploymentType() {
      deployment ??= forgetOnFailure(
        http.request<{ deploymentType?: string }>({ method: 'GET', path: 'serverInfo', explain: explainRoot }).then(({ data }) =>
          // Data Center reports "Server" as well; anything not Cloud speaks the Server dialect.
          data?.deploymentType === 'Cloud' ? 'Cloud' : 'Server',
        ),
        () => (deployment = undefined),
      );
      return deployment;
    },

    listFields() {
      fields ??= forgetOnFailure(
        http.request<unknown>({ method: 'GET', path: 'field', explain: explainRoot }).then(({ data }) => toFields(data)),
        () => (fields = undefined),
      );
      return fields;
    },

    async createIssue(issueFields) {
      const projectKey = projectOf(issueFields);
      const { data } = await http.request<CreatedIssue>({
        method: 'POST',
        path: 'issue',
        body: { fields: issueFields },
        explain: async (failure) => {
          if (failure.status === 400 || failure.status === 422) {
            const known = await client.listFields().catch(() => []);
            return explainCreateRefusal(failure.body, known, projectKey, failure.status);
          }
          if (failure.status === 403 && !isLoginLockout(failure)) return explainCreateForbidden(projectKey, context, failure.body);
          return explainRoot(failure);
        },
      });
      if (typeof data?.id !== 'string' || typeof data.key !== 'string') {
        throw new PermanentError(`Jira answered the issue creation in ${projectKey} without an issue id and key: check jira.apiUrl points at Jira`);
      }
      return issueRef(siteUrl, data);
    },

    async findIssuesByLabel(projectKey, label, labelsFieldId = 'labels') {
      const jql = `project = ${jqlString(projectKey)} AND ${labelsClause(labelsFieldId)} = ${jqlString(label)} ORDER BY created ASC`;
      const explain = (failure: HttpFailure) => explainSearchRefusal(failure, projectKey, jql, context) ?? explainRoot(failure);
      const found = (await client.deploymentType()) === 'Cloud'
        ? await searchCloud(jql, explain)
        : await searchServer(jql, explain);
      return found.map((issue) => issueRef(siteUrl, issue));
    },

    myself() {
      ownAccount ??= forgetOnFailure(
        http.request<unknown>({ method: 'GET', path: 'myself', explain: explainRoot }).then(({ data }) => {
          const user = readJiraUser(data);
          if (!user) throw new PermanentError('Jira answered GET myself without an accountId or username: check jira.apiUrl points at Jira');
          return user;
        }),
        () => (ownAccount = undefined),
      );
      return ownAccount;
    },

    async getIssueState(idOrKey, options) {
      const { data } = await http.request<unknown>({
        method: 'GET',
        path: issuePath(idOrKey),
        query: {
          fields: options?.versionField ? `${ISSUE_STATE_FIELDS},summary,${options.versionField}` : ISSUE_STATE_FIELDS,
          ...(options?.changelog ? { expand: 'changelog' } : {}),
        },
        explain: explainIssue(idOrKey),
      });
      return toIssueState(data, idOrKey, options?.versionField);
    },

    async addComment(idOrKey, body) {
      await http.request<unknown>({
        method: 'POST',
        path: issuePath(idOrKey, '/comment'),
        body: { body },
        idempotent: false,
        explain: (failure) => explainCommentRefusal(failure, idOrKey, context) ?? explainIssue(idOrKey)(failure),
      });
    },

    async listComments(idOrKey) {
      // Newest first would be `orderBy=-created`; Data Center lacks it, so read the last page of the oldest-first list.
      const first = await http.request<{ total?: number }>({
        method: 'GET',
        path: issuePath(idOrKey, '/comment'),
        query: { maxResults: String(COMMENT_PAGE_SIZE) },
        explain: explainIssue(idOrKey),
      });
      const total = typeof first.data?.total === 'number' ? first.data.total : 0;
      if (total <= COMMENT_PAGE_SIZE) return toComments(first.data);
      const { data } = await http.request<unknown>({
        method: 'GET',
        path: issuePath(idOrKey, '/comment'),
        query: { startAt: String(total - COMMENT_PAGE_SIZE), maxResults: String(COMMENT_PAGE_SIZE) },
        explain: explainIssue(idOrKey),
      });
      return toComments(data);
    },

    async linkIssues(type, outwardKey, inwardKey) {
      await http.request<unknown>({
        method: 'POST',
        path: 'issueLink',
        body: { type: { name: type }, outwardIssue: { key: outwardKey }, inwardIssue: { key: inwardKey } },
        idempotent: false,
        explain: (failure) => explainIssueLinkRefusal(failure, type, outwardKey, inwardKey, context) ?? explainRoot(failure),
      });
    },

    async listTransitions(idOrKey) {
      const { data } = await http.request<unknown>({
        method: 'GET',
        path: issuePath(idOrKey, '/transitions'),
        query: { expand: 'transitions.fields' },
        explain: explainIssue(idOrKey),
      });
      const transitions = toTransitions(data);
      remember(listedTransitions, idOrKey.toUpperCase(), transitions);
      return transitions;
    },

    async transition(idOrKey, transitionId, options = {}) {
      const known = listedTransitions.get(idOrKey.toUpperCase())?.find((transition) => transition.id === transitionId);
      let raced = false;
      try {
        await http.request<unknown>({
          method: 'POST',
          path: issuePath(idOrKey, '/transitions'),
          body: { transition: { id: transitionId }, ...(options.resolution ? { fields: { resolution: options.resolution } } : {}) },
          idempotent: false,
          explain: (failure) => {
            raced = isTransitionNoLongerValid(failure);
            return explainTransitionRefusal(failure, idOrKey, transitionId, known, context) ?? explainRoot(failure);
          },
        });
      } catch (error) {
        if (raced && error instanceof PermanentError) {
          throw new RetryableError(error.message, { retryAfterMs: TRANSITION_RACE_RETRY_MS, cause: error.cause, notApplied: true });
        }
        throw error;
      }
    },

    async assign(idOrKey, user) {
      const body = assigneeBody(user, await client.deploymentType());
      await http.request<unknown>({
        method: 'PUT',
        path: issuePath(idOrKey, '/assignee'),
        body,
        // Assigning the same user (or nobody) twice leaves the same issue.
        idempotent: true,
        explain: (failure) => explainAssignRefusal(failure, idOrKey, describeUserRef(user), context) ?? explainRoot(failure),
      });
    },

    async findUsersByEmail(email) {
      const wanted = email.trim();
      if (wanted === '') return [];
      // Cloud matches `query` against display names and e-mails (hidden ones too, without showing them); Data
      // Center's `username` matches usernames, names and e-mails. Either way only exact visible e-mails count.
      const parameter = (await client.deploymentType()) === 'Cloud' ? 'query' : 'username';
      const { data } = await http.request<unknown>({
        method: 'GET',
        path: 'user/search',
        query: { [parameter]: wanted, maxResults: String(USER_SEARCH_PAGE_SIZE) },
        explain: (failure) => explainUserSearchRefusal(failure, context) ?? explainRoot(failure),
      });
      return withEmail(data, wanted);
    },
  };

  /** Cloud's enhanced search: cursor paging with `nextPageToken`, no totals (reference section 11). */
  async function searchCloud(jql: string, explain: (failure: HttpFailure) => string | undefined): Promise<SearchedIssue[]> {
    const found: SearchedIssue[] = [];
    let nextPageToken: string | undefined;
    for (let page = 0; page < SEARCH_MAX_PAGES; page++) {
      const { data } = await http.request<{ issues?: SearchedIssue[]; nextPageToken?: string; isLast?: boolean }>({
        method: 'POST',
        path: 'search/jql',
        body: { jql, fields: ['created'], maxResults: SEARCH_PAGE_SIZE, ...(nextPageToken ? { nextPageToken } : {}) },
        idempotent: true,
        explain,
      });
      found.push(...issuesOf(data?.issues));
      nextPageToken = data?.nextPageToken;
      if (!nextPageToken || data?.isLast === true) return found;
    }
    return found;
  }

  /** Data Center keeps the classic search with `startAt`/`total`. */
  async function searchServer(jql: string, explain: (failure: HttpFailure) => string | undefined): Promise<SearchedIssue[]> {
    const found: SearchedIssue[] = [];
    for (let page = 0; page < SEARCH_MAX_PAGES; page++) {
      const { data } = await http.request<{ issues?: SearchedIssue[]; total?: number }>({
        method: 'POST',
        path: 'search',
        body: { jql, startAt: found.length, maxResults: SEARCH_PAGE_SIZE, fields: ['created'] },
        idempotent: true,
        explain,
      });
      const issues = issuesOf(data?.issues);
      found.push(...issues);
      if (issues.length === 0 || typeof data?.total !== 'number' || found.length >= data.total) return found;
    }
    return found;
  }

  return client;
}

function issueRef(siteUrl: string, issue: { id: string; key: string }): IssueRef {
  return { id: String(issue.id), key: issue.key, url: `${siteUrl}/browse/${encodeURIComponent(issue.key)}` };
}

function issuesOf(issues: unknown): SearchedIssue[] {
  if (!Array.isArray(issues)) return [];
  return issues.filter((issue): issue is SearchedIssue => typeof issue?.key === 'string' && issue?.id !== undefined);
}

function toFields(data: unknown): JiraField[] {
  if (!Array.isArray(data)) throw new PermanentError('Jira answered GET field with something other than a field list: check jira.apiUrl');
  return data
    .filter((field): field is { id: string; name: string; custom?: boolean; schema?: JiraField['schema'] } =>
      typeof field?.id === 'string' && typeof field?.name === 'string')
    .map((field) => ({
      id: field.id,
      name: field.name,
      custom: field.custom === true,
      ...(field.schema ? { schema: field.schema } : {}),
    }));
}

/** The project as the caller shaped it (`{key}` or `{id}`), for messages. */
function projectOf(fields: Record<string, unknown>): string {
  const project = fields.project as { key?: unknown; id?: unknown } | undefined;
  return String(project?.key ?? project?.id ?? '(no project)');
}

/** JQL string literal: double quotes, with `"` and `\` escaped. */
function jqlString(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

/** Keeps the newest lists only: a container lives long and links many issues. */
function remember(lists: Map<string, JiraTransition[]>, key: string, transitions: JiraTransition[]): void {
  lists.delete(key);
  lists.set(key, transitions);
  if (lists.size > REMEMBERED_TRANSITION_LISTS) lists.delete(lists.keys().next().value!);
}

/** A cached lookup that failed must be tried again next time, not remembered as failed for the container's life. */
function forgetOnFailure<T>(promise: Promise<T>, forget: () => void): Promise<T> {
  promise.catch(forget);
  return promise;
}

function assertAbsoluteUrl(url: string, setting: string): void {
  if (!URL.canParse(url)) throw new PermanentError(`${setting} is not an absolute URL: ${JSON.stringify(url)}`);
}

/** JQL names a custom field `cf[NNNNN]`; the system labels field is `labels`. */
function labelsClause(fieldId: string): string {
  const custom = /^customfield_(\d+)$/.exec(fieldId);
  return custom ? `cf[${custom[1]}]` : 'labels';
}

function pacingOf(pacing: NonNullable<JiraClientOptions['pacing']>, siteUrl: string): NonNullable<RequestRunnerOptions['pacing']> {
  const site = paceSite(siteUrl);
  return { limiter: pacing.limiter, ceiling: pacing.maxRequestsPerSecond, bucket: (method, path) => ({ site, endpoint: paceEndpoint(method, path) }) };
}
