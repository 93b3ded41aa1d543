/**
 * The pacing arithmetic for one Jira bucket (one site, one method and endpoint): a token bucket whose refill rate
 * adapts AIMD-style. Pure: the state is a plain record the rate-limiter adapter stores (shared/ports/rate-limiter.ts).
 *
 * - Refill: `rate` tokens per second, up to a small capacity (a fifth of a second's worth, at least 1), so the
 *   bridge never sends a burst larger than Jira's own bucket absorbs.
 * - Reserve: a request takes a token. When none is left it takes one *in advance* (tokens go negative), and waits
 *   until that token would have been refilled: the reservations of all workers line up one per 1/rate seconds.
 *   A wait longer than the caller's budget reserves nothing (the message goes back to its queue instead).
 * - Decrease on 429 (multiplicative): the rate halves, at most once per {@link PACING.decreaseQuietMs} (ten workers
 *   told 429 by the same burst halve it once, not ten times), never below {@link PACING.minRateFraction} of the
 *   ceiling; the bucket empties and nothing is sent before Retry-After has passed (`holdUntil`).
 * - Increase after (additive): once Retry-After has passed, the rate grows by {@link PACING.increasePerSecondFraction}
 *   of the ceiling per second, back to the ceiling (the configured `maxRequestsPerSecond`), never above.
 */

export const PACING = {
  /** Factor applied to the rate on a 429. */
  decreaseFactor: 0.5,
  /** Rate regained per second after Retry-After, as a fraction of the ceiling: from half to full in 5 s. */
  increasePerSecondFraction: 0.1,
  /** Floor of the rate, as a fraction of the ceiling. */
  minRateFraction: 0.05,
  /** Bucket capacity in seconds of the current rate. */
  capacitySeconds: 0.2,
  /** 429s within this long of the last decrease do not decrease again (they answer requests sent before it). */
  decreaseQuietMs: 1_000,
} as const;

/** One bucket, as stored. Times are epoch ms. */
export interface BucketState {
  /** Tokens left at `at`; negative when requests have reserved tokens not yet refilled. */
  tokens: number;
  /** When `tokens` and `rate` were last brought up to date. */
  at: number;
  /** Current refill rate, tokens per second (at most the ceiling). */
  rate: number;
  /** No request goes out before this moment (the last 429's Retry-After); 0 for none. */
  holdUntil: number;
  /** When the rate was last decreased; 0 for never. */
  decreasedAt: number;
}

export type Reservation =
  /** A token is taken: send after `waitMs`. `state` is what to store. */
  | { granted: true; waitMs: number; state: BucketState }
  /** The wait exceeds the budget: nothing is taken; come back after `waitMs` (the state is left as it was). */
  | { granted: false; waitMs: number };

export const capacity = (rate: number): number => Math.max(1, rate * PACING.capacitySeconds);

/** A fresh bucket: full, at the ceiling rate. */
export function initialBucket(ceiling: number, now: number): BucketState {
  assertCeiling(ceiling);
  return { tokens: capacity(ceiling), at: now, rate: ceiling, holdUntil: 0, decreasedAt: 0 };
}

/** The bucket at `now`: additive increase and refill since `at`, neither during a hold. */
export function advance(state: BucketState, ceiling: number, now: number): BucketState {
  assertCeiling(ceiling);
  // Time runs forward only: another worker's clock may be a little ahead of ours.
  const at = Math.max(state.at, now);
  const from = Math.max(state.at, state.holdUntil);
  const elapsedSeconds = Math.max(0, at - from) / 1000;
  // A lowered ceiling (config change) applies at once; a raised one is reached by the additive increase.
  const startRate = Math.min(state.rate, ceiling);
  const rate = Math.min(ceiling, startRate + ceiling * PACING.increasePerSecondFraction * elapsedSeconds);
  // Refill at the average rate over the interval (the rate rose linearly from startRate to rate).
  const refilled = state.tokens + ((startRate + rate) / 2) * elapsedSeconds;
  return { ...state, at, rate, tokens: Math.min(capacity(rate), refilled) };
}

/** Take one token for a request at `now`, if the wait for it is at most `maxWaitMs`. */
export function reserve(state: BucketState, ceiling: number, now: number, maxWaitMs: number): Reservation {
  const current = advance(state, ceiling, now);
  const tokens = current.tokens - 1;
  const start = Math.max(current.at, current.holdUntil);
  const deficitMs = tokens < 0 ? (-tokens / current.rate) * 1000 : 0;
  const waitMs = Math.ceil(Math.max(0, start - now) + deficitMs);
  if (waitMs > maxWaitMs) return { granted: false, waitMs };
  return { granted: true, waitMs, state: { ...current, tokens } };
}

/** Jira answered 429 at `now`, with `retryAfterMs` when it said how long to wait. */
export function penalize(state: BucketState, ceiling: number, now: number, retryAfterMs?: number): BucketState {
  const current = advance(state, ceiling, now);
  const quiet = current.decreasedAt !== 0 && now - current.decreasedAt < PACING.decreaseQuietMs;
  const rate = quiet ? current.rate : Math.max(ceiling * PACING.minRateFraction, current.rate * PACING.decreaseFactor);
  const hold = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? now + retryAfterMs : 0;
  return {
    ...current,
    rate,
    // Reservations already handed out stay owed (negative tokens); the unspent burst is gone.
    tokens: Math.min(current.tokens, 0),
    holdUntil: Math.max(current.holdUntil, hold),
    decreasedAt: quiet ? current.decreasedAt : now,
  };
}

function assertCeiling(ceiling: number): void {
  if (!(ceiling > 0) || !Number.isFinite(ceiling)) throw new RangeError(`a bucket's ceiling must be a positive rate, got ${ceiling}`);
}
