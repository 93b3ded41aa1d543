/**
 * Pacing of the requests to an outside system, shared by every worker: one token bucket per (site, endpoint),
 * because Jira Cloud's burst limit is a token bucket per tenant, per endpoint and per method, shared by every app
 * and token of the tenant (../shared/reference/jira-rest-v2.md section 8.1). The arithmetic is
 * shared/domain/pacing/token-bucket.ts; the DynamoDB implementation is shared/adapters/dynamodb/rate-limiter.ts.
 */

/** One bucket: `site` is the Jira site (`host[/context]`), `endpoint` the method and path template (`POST issue`). */
export interface PaceKey {
  site: string;
  endpoint: string;
}

export type PaceGrant = { granted: true; waitMs: number } | { granted: false; waitMs: number };

export interface RateLimiter {
  /**
   * Take a slot for one request, if it comes within `maxWaitMs`: granted, send after `waitMs`; refused, nothing
   * is taken and the earliest slot is `waitMs` away. `ceiling` is the configured requests per second. Not
   * idempotent (each call takes a slot). Throws RetryableError when the shared state cannot be read or written.
   */
  reserve(key: PaceKey, ceiling: number, maxWaitMs: number): Promise<PaceGrant>;
  /** The site answered 429: lower the bucket's rate, and hold it for `retryAfterMs` when the answer said so. */
  penalize(key: PaceKey, ceiling: number, retryAfterMs?: number): Promise<void>;
}
