/**
 * When a failed queue message should be seen again. SQS redelivers a failed message only after its visibility
 * timeout (6 x the worker timeout by default, minutes), so the worker always sets the wait itself:
 * - a known wait (Jira's Retry-After, a busy claim's lease) is honoured, rounded up to whole seconds;
 * - an unknown wait backs off exponentially with the delivery count (5 s, 10 s, 20 s ... capped at 15 min);
 * - a permanent refusal is retried briefly (30 s) so it reaches the DLQ after `maxReceiveCount` attempts with its
 *   reason logged each time, instead of lingering for the default visibility timeout.
 */
export type FailureKind = 'retryable' | 'permanent';

/** SQS's cap on a visibility timeout. */
export const MAX_REDELIVERY_SECONDS = 43_200;
export const PERMANENT_REDELIVERY_SECONDS = 30;
const BACKOFF_BASE_SECONDS = 5;
const BACKOFF_CAP_SECONDS = 900;

export function redeliveryDelaySeconds(failure: { kind: FailureKind; retryAfterMs?: number }, receiveCount: number): number {
  if (failure.kind === 'permanent') return PERMANENT_REDELIVERY_SECONDS;
  if (failure.retryAfterMs !== undefined && Number.isFinite(failure.retryAfterMs) && failure.retryAfterMs >= 0) {
    return Math.min(MAX_REDELIVERY_SECONDS, Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
  }
  const attempt = Math.max(1, Math.floor(receiveCount));
  return Math.min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.min(attempt - 1, 20));
}

/** SQS's cap on DelaySeconds. */
export const MAX_REQUEUE_DELAY_SECONDS = 900;

/**
 * The DelaySeconds of a fresh copy of a message that must wait (Jira's Retry-After, the pacer's next free slot, a
 * busy claim's lease) without spending a receive: whole seconds rounded up, at least 1 (so it does not come straight
 * back), at most SQS's 15 minutes. A longer wait comes back after 15 minutes and is re-queued again, which costs
 * nothing but one receive of the copy, which is deleted at once.
 */
export function requeueDelaySeconds(waitMs: number | undefined): number {
  if (waitMs === undefined || !Number.isFinite(waitMs) || waitMs < 0) return 1;
  return Math.min(MAX_REQUEUE_DELAY_SECONDS, Math.max(1, Math.ceil(waitMs / 1000)));
}
