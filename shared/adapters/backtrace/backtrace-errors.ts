/**
 * Backtrace's refusals as messages naming the setting that fixes them. Backtrace may report a failure with HTTP 200
 * and `{"error": {"code", "message"}}` (../shared/reference/backtrace.md section 5.0), so both routes end here.
 * A refused write says which credential to try (section 3.7: the documented API-token scopes name no issue write).
 */
import { PermanentError, RetryableError } from '../../ports/errors.ts';
import type { HttpFailure } from '../http/http-failure.ts';

/** Wait before retrying an error Backtrace reported inside a 200 answer; it gives no Retry-After there. */
const EMBEDDED_ERROR_RETRY_MS = 5_000;

/** Which credential the client signs in with. */
export type BacktraceCredentialKind = 'api-token' | 'login';

interface Where {
  universe: string;
  project: string;
  fingerprint: string;
}

/** `message` of a Backtrace error value: `{code, message}`, a string, or anything else. */
export function backtraceWords(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    if (typeof message === 'string') return code === undefined ? message : `${message} (code ${String(code)})`;
  }
  return JSON.stringify(error) ?? 'unknown error';
}

/** What to check when Backtrace refuses the credentials, for the credential in use. */
function credentialHint(where: string, kind: BacktraceCredentialKind, operation: string): string {
  if (kind === 'login') {
    return `Backtrace refused the service user's session to ${operation} (check backtrace.login: the user must be a member of ${where} allowed to change issues)`;
  }
  const write = /update|write/.test(operation);
  return write
    ? `Backtrace refused the API token to ${operation} (backtrace.tokenSecret: the token must belong to ${where}; API tokens may lack the right to modify issues: give backtrace.login, a service user, instead)`
    : `Backtrace rejected the API token (check backtrace.tokenSecret: the token must belong to ${where} and allow queries)`;
}

export function explainBacktraceFailure(failure: HttpFailure, ref: Where, timeoutMs: number, kind: BacktraceCredentialKind, operation: string): string {
  const where = `${ref.universe}/${ref.project}`;
  if (failure.kind === 'timeout') return `Backtrace did not answer ${failure.method} ${failure.url} within ${Math.round(timeoutMs / 1000)} s`;
  if (failure.kind === 'network') {
    return `Could not connect to Backtrace for ${failure.method} ${failure.url} (${failure.code ?? 'network error'}): check backtrace.url`;
  }
  const body = failure.body as { error?: unknown } | string | undefined;
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
  const said = error !== undefined ? `; Backtrace said: ${backtraceWords(error)}` : '';
  const status = failure.status ?? 0;
  if (status === 401 || status === 403) return `${credentialHint(where, kind, operation)} (HTTP ${status})${said}`;
  if (status === 404) {
    return `Backtrace answered HTTP 404 for ${failure.method} ${failure.url}: check backtrace.url (the instance address, e.g. https://acme.sp.backtrace.io), backtrace.universe (${ref.universe}) and backtrace.project (${ref.project})${said}`;
  }
  if (status >= 300 && status < 400) {
    return `Backtrace redirected ${failure.method} ${failure.url}${failure.headers.location ? ` to ${failure.headers.location}` : ''}: set backtrace.url to that address`;
  }
  if (status === 429) return `Backtrace is rate limiting the bridge: ${failure.method} ${failure.url} answered HTTP 429`;
  if (status >= 500) return `Backtrace failed on ${failure.method} ${failure.url} with HTTP ${status}${said}`;
  return `Backtrace refused ${failure.method} ${failure.url} for fingerprint ${ref.fingerprint} in ${where} (HTTP ${status})${said}`;
}

/** A refused `POST /api/login`: the username is named, the password never. */
export function explainLoginFailure(failure: HttpFailure, username: string): string | undefined {
  if (failure.kind !== 'status') return undefined;
  const status = failure.status ?? 0;
  if (status === 401 || status === 403 || status === 400) {
    return `Backtrace refused the login of service user "${username}" (HTTP ${status}): check backtrace.login.username and the password in the secret named by backtrace.login.passwordSecret`;
  }
  return undefined;
}

/**
 * An error inside a 200 answer. Token and project problems cannot heal by themselves (a token problem carries
 * status 401, so a service user's expired session is renewed once); anything else is treated as passing, so the
 * message is retried and, if it keeps failing, lands in the dead-letter queue with these words.
 */
export function embeddedError(error: unknown, ref: Where, operation: string, kind: BacktraceCredentialKind): PermanentError | RetryableError {
  const words = backtraceWords(error);
  const where = `${ref.universe}/${ref.project}`;
  if (/token|auth|unauthori[sz]ed|permission|capabilit|forbidden|denied|session/i.test(words)) {
    return new PermanentError(`${credentialHint(where, kind, operation)}; Backtrace said: ${words}`, { status: 401 });
  }
  if (/universe|project|no such table|not found|unknown/i.test(words)) {
    return new PermanentError(
      `Backtrace refused to ${operation} for fingerprint ${ref.fingerprint}: check backtrace.universe (${ref.universe}) and backtrace.project (${ref.project}); Backtrace said: ${words}`,
    );
  }
  return new RetryableError(`Backtrace failed to ${operation} for fingerprint ${ref.fingerprint} in ${where}: ${words}`, {
    retryAfterMs: EMBEDDED_ERROR_RETRY_MS,
  });
}
