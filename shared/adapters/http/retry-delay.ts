/**
 * How long to wait before retrying a refused or failed request, following Atlassian's rate-limit guidance
 * (../shared/reference/jira-rest-v2.md section 8.1): `Retry-After` is the minimum; without it
 * `X-RateLimit-Reset` (a gateway 429 may carry only that); otherwise exponential backoff 2 s, 4 s, 8 s ... with
 * jitter x0.7-1.3, capped.
 */

export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_CAP_MS = 30_000;

export interface RetryDelayInput {
  /** Response headers, lower-cased names (absent for timeouts and connection errors). */
  headers?: Record<string, string>;
  /** 0 for the first retry, 1 for the second, ... */
  retryIndex: number;
  now: number;
  /** A number in [0, 1). */
  random: number;
}

/** Milliseconds to wait before the next attempt. */
export function retryDelayMs({ headers = {}, retryIndex, now, random }: RetryDelayInput): number {
  const fromServer = retryAfterMs(headers['retry-after'], now) ?? rateLimitResetMs(headers['x-ratelimit-reset'], now);
  if (fromServer !== undefined && fromServer > 0) {
    // The server's figure is a minimum: jitter only upwards, so clients told the same moment do not return together.
    return Math.ceil(fromServer * (1 + 0.3 * random));
  }
  const backoff = Math.min(BACKOFF_BASE_MS * 2 ** retryIndex, BACKOFF_CAP_MS);
  return Math.round(backoff * (0.7 + 0.6 * random));
}

/** `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 10.2.3). */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Jira Cloud's `X-RateLimit-Reset` is an ISO-8601 instant. */
function rateLimitResetMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const date = Date.parse(value.trim());
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
