/**
 * The failures any Jira call can meet (credentials, redirects, a wrong API root, rate limits, outages), rewritten
 * for the admin who has to fix them, and the readers of Jira's error bodies (`ErrorCollection`s,
 * ../shared/reference/jira-rest-v2.md section 1.4). Refusals of particular calls: create-refusals.ts (creating and
 * finding issues), workflow-refusals.ts (reading, moving and assigning them).
 */
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

/** `; Jira said: <its words>`, or '' when the body had none: the tail of every refusal message. */
export const jiraSaid = (body: unknown): string => {
  const words = jiraWords(body);
  return words ? `; Jira said: ${words}` : '';
};

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
  const said = jiraSaid(failure.body);
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
