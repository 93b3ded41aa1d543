/**
 * Jira's refusals, rewritten for the admin who has to fix them: which field, Jira's own words, and the config
 * setting that fixes it. Error bodies are `ErrorCollection`s (../shared/reference/jira-rest-v2.md section 1.4).
 */
import type { JiraField } from '../../domain/model/jira.ts';
import { safeUrl, type HttpFailure } from '../http/http-failure.ts';

interface ErrorCollection {
  errorMessages: string[];
  errors: Record<string, string>;
}

export interface JiraFailureContext {
  /** `api-token for bot@example.com`: which credentials were used, without the secret. */
  credentials: string;
  /** The configured API root, for 404 hints. */
  apiUrl: string;
  timeoutMs: number;
}

/** Jira's `errorMessages` and `errors`, tolerant of bodies that are not an ErrorCollection (proxies, HTML pages). */
export function errorCollection(body: unknown): ErrorCollection {
  const result: ErrorCollection = { errorMessages: [], errors: {} };
  if (typeof body !== 'object' || body === null) return result;
  const { errorMessages, errors } = body as { errorMessages?: unknown; errors?: unknown };
  if (Array.isArray(errorMessages)) result.errorMessages = errorMessages.filter((m): m is string => typeof m === 'string');
  if (typeof errors === 'object' && errors !== null) {
    for (const [field, message] of Object.entries(errors)) {
      if (typeof message === 'string') result.errors[field] = message;
    }
  }
  return result;
}

/** Jira's own words from an error body, or '' when it had none. */
export function jiraWords(body: unknown): string {
  const { errorMessages, errors } = errorCollection(body);
  return [...errorMessages, ...Object.entries(errors).map(([field, message]) => `${field}: ${message}`)].join('; ');
}

/**
 * Messages for failures any Jira call can meet: credentials, redirects, a wrong API root, rate limits, outages.
 * `undefined` for a status the caller explains itself.
 */
export function explainCommonJiraFailure(failure: HttpFailure, context: JiraFailureContext): string | undefined {
  if (failure.kind === 'timeout') {
    return `Jira did not answer ${failure.method} ${failure.url} within ${Math.round(context.timeoutMs / 1000)} s`;
  }
  if (failure.kind === 'network') {
    return `Could not connect to Jira for ${failure.method} ${failure.url} (${failure.code ?? 'network error'}): check jira.apiUrl and that Jira is reachable from the bridge`;
  }
  const status = failure.status ?? 0;
  const words = jiraWords(failure.body);
  const said = words ? `; Jira said: ${words}` : '';
  if (status === 401) {
    // An application link names what was wrong with the signature (OAuth Problem Reporting): clock skew, an
    // unknown consumer key, a revoked token.
    const problem = /oauth_problem="?([a-z_]+)/i.exec(failure.headers['www-authenticate'] ?? '')?.[1];
    const oauth = problem ? `; OAuth problem: ${problem}` : '';
    return `Jira rejected the credentials (check jira.auth: e-mail + API token for Cloud; a PAT uses type 'pat'). Sent: ${context.credentials}${oauth}${said}`;
  }
  if (isLoginLockout(failure)) {
    return `Jira locked the login of ${context.credentials} behind a CAPTCHA after failed logins: log in once in a browser to clear it, then check jira.auth`;
  }
  if (status === 403) {
    return `Jira refused ${failure.method} ${failure.url} (HTTP 403): the Jira user (${context.credentials}) lacks a permission it needs${said}`;
  }
  if (status >= 300 && status < 400) {
    const target = failure.headers.location;
    const location = target && URL.canParse(target, failure.url) ? ` to ${safeUrl(new URL(target, failure.url).toString())}` : '';
    return `Jira redirected ${failure.method} ${failure.url}${location} (HTTP ${status}): set jira.apiUrl to the address Jira redirects to`;
  }
  if (status === 429) {
    const reason = failure.headers['ratelimit-reason'] ? ` (${failure.headers['ratelimit-reason']})` : '';
    return `Jira is rate limiting the bridge${reason}: ${failure.method} ${failure.url} answered HTTP 429`;
  }
  if (status >= 500) return `Jira failed on ${failure.method} ${failure.url} with HTTP ${status}${said}`;
  if (status === 409) return `Jira reported a conflict on ${failure.method} ${failure.url} (HTTP 409)${said}`;
  return undefined;
}

/** Jira Server/DC answers 403 with this header once failed logins triggered a CAPTCHA: REST is locked out. */
export function isLoginLockout(failure: HttpFailure): boolean {
  return failure.status === 403 && /AUTHENTICATION_DENIED/i.test(failure.headers['x-seraph-loginreason'] ?? '');
}

/** A 404 on a path that exists on every Jira means the API root is wrong. */
export function explainApiRootNotFound(failure: HttpFailure, context: JiraFailureContext): string | undefined {
  if (failure.status !== 404) return undefined;
  return `Jira answered HTTP 404 for ${failure.method} ${failure.url}: check jira.apiUrl (it is ${context.apiUrl}; it must be the site address plus /rest/api/2/, including the context path on Data Center, e.g. https://jira.example.com/jira/rest/api/2/)`;
}

/**
 * A 400 on create lists each refused field as `<field id> (<field name>): <Jira's words>` with the setting that
 * fixes it. Jira keys `errors` by field id; names come from `GET /field`.
 */
export function explainCreateRefusal(body: unknown, fields: JiraField[], projectKey: string, status: number): string {
  const { errorMessages, errors } = errorCollection(body);
  const names = new Map(fields.map((field) => [field.id, field.name]));
  const problems = [
    ...Object.entries(errors).map(([id, words]) => {
      const name = names.get(id);
      return `${id}${name ? ` (${name})` : ''}: ${words} -> ${fieldHint(id, name, words, projectKey)}`;
    }),
    ...errorMessages.map((words) => `${words} -> ${messageHint(words, projectKey)}`),
  ];
  const listed = problems.length > 0 ? problems.join('; ') : 'no reason given';
  const kind = status === 422 ? 'the project configuration (HTTP 422)' : `HTTP ${status}`;
  return `Jira refused to create the issue in project ${projectKey} (${kind}): ${listed}`;
}

export function explainCreateForbidden(projectKey: string, context: JiraFailureContext, body: unknown): string {
  const words = jiraWords(body);
  return `Jira refused to create the issue (HTTP 403): the Jira user (${context.credentials}) needs Browse Projects + Create Issues in ${projectKey}${words ? `; Jira said: ${words}` : ''}`;
}

export function explainSearchRefusal(failure: HttpFailure, projectKey: string, jql: string, context: JiraFailureContext): string | undefined {
  const words = jiraWords(failure.body);
  const said = words ? `; Jira said: ${words}` : '';
  if (failure.status === 400) {
    return `Jira refused the search ${jql} (HTTP 400): check jira.projectKey (${projectKey} must exist and be visible to the Jira user) and jira.dedupeLabel${said}`;
  }
  if (failure.status === 403 && !isLoginLockout(failure)) {
    return `Jira refused the search (HTTP 403): the Jira user (${context.credentials}) needs Browse Projects in ${projectKey}${said}`;
  }
  if (failure.status === 410) {
    return `Jira no longer serves ${failure.url} (HTTP 410): this site behaves like Jira Cloud; check jira.apiUrl${said}`;
  }
  return undefined;
}

function fieldHint(id: string, name: string | undefined, words: string, projectKey: string): string {
  const label = name ?? id;
  if (/not on the appropriate screen|cannot be set/i.test(words)) {
    const screen = `add "${label}" to the create screen of ${projectKey} in Jira`;
    if (id === 'labels') return `${screen}, or point jira.fieldMapping.labels at a labels field on that screen`;
    if (id === 'description') return `${screen}, or point jira.fieldMapping.mainBody at a text field on that screen`;
    return `${screen}, or remove it from jira.customFields (or point jira.fieldMapping at a field on that screen)`;
  }
  switch (id) {
    case 'project':
      return `check jira.projectKey (${projectKey} must exist and the Jira user must be able to create issues in it)`;
    case 'issuetype':
      return `check jira.issueType (it must be an issue type of project ${projectKey})`;
    case 'summary':
      return 'check jira.subject (the template must render a non-empty single line under 255 characters)';
    case 'labels':
      return 'check jira.fieldMapping.labels and jira.labels (labels cannot contain spaces)';
    case 'description':
      return 'check jira.fieldMapping.mainBody';
  }
  if (/required/i.test(words)) return `give "${label}" a value in jira.customFields, e.g. "${label}": "$attribute"`;
  if (/unknown/i.test(words)) return `remove "${label}" from jira.customFields, or create the field in Jira`;
  return `check the template for "${label}" in jira.customFields (or jira.fieldMapping): its value does not suit the field`;
}

function messageHint(words: string, projectKey: string): string {
  const required = /Field '([^']+)' is required/i.exec(words);
  if (required) return `give "${required[1]}" a value in jira.customFields`;
  // Jira also answers a create with 400 when the user may not create issues there (reference section 1.4).
  if (/permission/i.test(words)) return `the Jira user of jira.auth needs the Browse Projects and Create Issues permissions in ${projectKey}`;
  return `check jira.projectKey (${projectKey}), jira.issueType and jira.customFields`;
}
