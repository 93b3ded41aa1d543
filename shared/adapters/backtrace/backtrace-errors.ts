/**
 * Backtrace's refusals as messages naming the setting that fixes them. Backtrace may report a failure with HTTP 200
 * and `{"error": {"code", "message"}}` (../shared/reference/backtrace.md section 5.0), so both routes end here.
 */
import { PermanentError, RetryableError } from '../../ports/errors.ts';
import type { FingerprintRef } from '../../domain/model/backtrace.ts';
import type { HttpFailure } from '../http/http-failure.ts';

/** Wait before retrying an error Backtrace reported inside a 200 answer; it gives no Retry-After there. */
const EMBEDDED_ERROR_RETRY_MS = 5_000;

/** `message` of a Backtrace error value: `{code, message}`, a string, or anything else. */
export function backtraceWords(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    if (typeof message === 'string') return code === undefined ? message : `${message} (code ${String(code)})`;
  }
  return JSON.stringify(error) ?? 'unknown error';
}

export function explainBacktraceFailure(failure: HttpFailure, ref: FingerprintRef, timeoutMs: number): string {
  const where = `${ref.universe}/${ref.project}`;
  if (failure.kind === 'timeout') return `Backtrace did not answer ${failure.method} ${failure.url} within ${Math.round(timeoutMs / 1000)} s`;
  if (failure.kind === 'network') {
    return `Could not connect to Backtrace for ${failure.method} ${failure.url} (${failure.code ?? 'network error'}): check backtrace.url`;
  }
  const body = failure.body as { error?: unknown } | string | undefined;
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
  const said = error !== undefined ? `; Backtrace said: ${backtraceWords(error)}` : '';
  const status = failure.status ?? 0;
  if (status === 401 || status === 403) return `${tokenHint(where)} (HTTP ${status})${said}`;
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

/**
 * An error inside a 200 answer. Token and project problems cannot heal by themselves; anything else is treated as
 * passing, so the message is retried and, if it keeps failing, lands in the dead-letter queue with these words.
 */
export function embeddedError(error: unknown, ref: FingerprintRef, operation: string): PermanentError | RetryableError {
  const words = backtraceWords(error);
  const where = `${ref.universe}/${ref.project}`;
  if (/token|auth|unauthori[sz]ed|permission|capabilit|forbidden|denied/i.test(words)) {
    return new PermanentError(`${tokenHint(where)}; Backtrace said: ${words}`);
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

function tokenHint(where: string): string {
  return `Backtrace rejected the API token (check backtrace.tokenSecret: the token must belong to ${where} and allow queries and issue updates)`;
}
