/**
 * Jira Cloud's burst limit, as ../shared/reference/jira-rest-v2.md section 8.1 describes it: a token bucket per
 * tenant, per endpoint and per method, shared by every client of the site. A request finding its bucket empty is
 * answered 429 with `Retry-After` (whole seconds until the next token, at least 1, as the documented example's `1`),
 * `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0`, `X-RateLimit-Reset` (ISO-8601) and
 * `RateLimit-Reason: jira-burst-based`. The published defaults are 100/s for GET and POST, 50/s for PUT and DELETE;
 * the bucket size is not published [GUESS: one second's worth]. `retryAfter: false` leaves out Retry-After and the
 * reset, as a gateway 429 may.
 */
import type { FaultFilter } from '../common/fault-queue.ts';

export interface FakeRateLimit extends Omit<FaultFilter, 'times'> {
  /** Tokens per second of each (method, endpoint) bucket. */
  perSecond: number;
  /** Bucket size; default `perSecond` (one second's worth). */
  burst?: number;
  /** Send Retry-After and X-RateLimit-Reset on the 429; default true. */
  retryAfter?: boolean;
}

export interface RateLimitVerdict {
  headers: Record<string, string>;
}

export class BurstLimiter {
  #limit: FakeRateLimit | undefined;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(limit?: FakeRateLimit) {
    this.set(limit);
  }

  /** Replace the limit (undefined: none); every bucket starts full. */
  set(limit: FakeRateLimit | undefined): void {
    if (limit && !(limit.perSecond > 0)) throw new Error(`rateLimit.perSecond must be > 0, got ${limit.perSecond}`);
    this.#limit = limit;
    this.#buckets.clear();
  }

  /** Undefined when the request may go on; the 429's headers when its bucket is empty. */
  check(method: string, path: string, now: number): RateLimitVerdict | undefined {
    const limit = this.#limit;
    if (!limit) return undefined;
    if (limit.method !== undefined && limit.method.toUpperCase() !== method.toUpperCase()) return undefined;
    if (limit.path !== undefined) {
      limit.path.lastIndex = 0;
      if (!limit.path.test(path)) return undefined;
    }
    const size = limit.burst ?? limit.perSecond;
    const key = `${method.toUpperCase()} ${endpointOf(path)}`;
    const bucket = this.#buckets.get(key) ?? { tokens: size, at: now };
    bucket.tokens = Math.min(size, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    const untilTokenMs = ((1 - bucket.tokens) / limit.perSecond) * 1000;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(Math.floor(size)),
      'x-ratelimit-remaining': '0',
      'ratelimit-reason': 'jira-burst-based',
    };
    if (limit.retryAfter !== false) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(untilTokenMs / 1000)));
      // Whole seconds, as the documented example; rounded up so the reset is never before the token.
      headers['x-ratelimit-reset'] = new Date(Math.ceil((now + untilTokenMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    }
    return { headers };
  }
}

/** `/rest/api/2/issue/CRASH-12/transitions` -> `/rest/api/2/issue/{key}/transitions`: one bucket per endpoint. */
function endpointOf(path: string): string {
  return path
    .split('/')
    .map((segment) => (/^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(segment) || /^\d+$/.test(segment) ? '{key}' : segment))
    .join('/');
}
