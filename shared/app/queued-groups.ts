/**
 * What an ingest container remembers of the error groups it queued, so that a repeat of one within
 * {@link REPEAT_WINDOW_MS} is answered 202 without queueing it again: in a storm of repeats (Backtrace's *Trace*
 * event posts every error of a group), each container queues a fingerprint at most once a window, and the rest cost
 * no SQS message, no worker receive and no table read.
 *
 * Why it loses nothing: for an integration without Fix Versions, the worker does nothing with a repeat of a linked
 * fingerprint, and a repeat of one still being filed only waits on the filer's claim. What a repeat could add is a
 * second try when the first message fails, and SQS already retries that message itself (and dead-letters it for a
 * replay). Integrations with Fix Versions on are never coalesced: their repeats carry versions a regression check
 * must see. The window counts from the message queued and is not extended by the repeats it absorbs, so a
 * fingerprint is queued again at least once a window while its repeats keep coming.
 *
 * Bounded: at most {@link QUEUED_GROUPS_MAX} entries per container, the least recently looked-up dropped first.
 */
import { ExpiringLru } from '../domain/expiring-lru.ts';

/** How long a queued group absorbs its repeats; the worker trusts a settled link as long (settled-links.ts). */
export const REPEAT_WINDOW_MS = 60_000;
/** Entries kept per container: 10,000 keys are about 1 MB of a Lambda's memory. */
export const QUEUED_GROUPS_MAX = 10_000;

export class QueuedGroups {
  readonly #entries: ExpiringLru<true>;

  constructor(options: { windowMs?: number; max?: number } = {}) {
    this.#entries = new ExpiringLru({ ttlMs: options.windowMs ?? REPEAT_WINDOW_MS, max: options.max ?? QUEUED_GROUPS_MAX });
  }

  /** Did this container queue `fingerprint` for exactly these `integrations` less than the window ago? */
  queuedRecently(integrations: readonly string[], fingerprint: string, now: number): boolean {
    return this.#entries.get(keyOf(integrations, fingerprint), now) === true;
  }

  /** Remember that the group was queued at `now`. */
  remember(integrations: readonly string[], fingerprint: string, now: number): void {
    this.#entries.set(keyOf(integrations, fingerprint), true, now);
  }
}

// NUL cannot occur in a fingerprint (input-limits.ts) nor in an integration name.
const keyOf = (integrations: readonly string[], fingerprint: string) => `${[...integrations].sort().join('\u0000')}\u0000\u0000${fingerprint}`;
