/**
 * The small error taxonomy every adapter maps its failures into, so use-cases decide with types, not status codes.
 *
 * - {@link RetryableError}: the same call may succeed later (429, 5xx, timeouts, a busy claim). `retryAfterMs`
 *   is the earliest moment a retry makes sense (Jira's Retry-After, a claim's lease), when known.
 * - {@link PermanentError}: retrying the same input cannot help (400 field errors, 401/403, 404, bad config).
 *   The message is written for the admin: what is wrong and which setting fixes it. Never contains secrets.
 */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
  readonly retryAfterMs?: number;
  /**
   * True when the outside system certainly did not act on the request (429, 503, connection refused): a
   * non-idempotent call such as issue creation can then be repeated without risk of doing the work twice.
   */
  readonly notApplied: boolean;
  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown; notApplied?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.notApplied = options.notApplied ?? false;
  }
}

/**
 * Another worker holds the claim on this fingerprint: not a failure of this message, just a moment to come back.
 * The worker re-enqueues it with a delay instead of failing it, so waiting does not use up its receive count.
 */
export class ClaimBusyError extends RetryableError {
  override readonly name: string = 'ClaimBusyError';
}

/**
 * The outside system's pace leaves no slot for this request within the inline budget (the shared pacing bucket is
 * booked, or a 429's Retry-After outlasts it). Nothing was sent: the worker re-enqueues the message with a delay of
 * `retryAfterMs`, so waiting for a slot does not use up its receive count.
 */
export class RateLimitWaitError extends RetryableError {
  override readonly name: string = 'RateLimitWaitError';
}

export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
  /** HTTP status of the outside system's refusal, when there was one. */
  readonly status?: number;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}

export const isRetryable = (error: unknown): error is RetryableError => error instanceof RetryableError;
export const isPermanent = (error: unknown): error is PermanentError => error instanceof PermanentError;
