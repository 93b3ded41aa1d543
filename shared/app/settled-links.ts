/**
 * What a worker container remembers of the fingerprints it found settled: linked to their Jira issue, the ticket
 * attached in Backtrace and (when the integration syncs) their first sync done. A repeat delivery of such a
 * fingerprint's error group changes nothing, so within {@link SETTLED_LINK_TTL_MS} of the last look the worker
 * answers it from here: no DynamoDB read, no call of any kind (issue 11: "0 calls of any kind for repeats").
 *
 * Why it is safe: for a settled link the table read decides only "already linked, nothing to do". The one change
 * another container can make meanwhile is unlinking (the Jira issue was deleted: shared/app/steps/sync-link.ts);
 * a repeat inside the window is then dropped, and the first delivery after it files the new issue. Integrations
 * with Fix Versions on are never remembered: their repeats carry versions a regression check must see against the
 * link's current resolved-until version.
 *
 * Bounded: at most {@link SETTLED_LINKS_MAX} entries per container, the least recently looked-up dropped first.
 */
import { ExpiringLru } from '../domain/expiring-lru.ts';
import type { LinkedLink } from '../domain/model/link.ts';

/** How long a settled link is trusted without reading the table again. */
export const SETTLED_LINK_TTL_MS = 60_000;
/** Entries kept per container: 10,000 links are ~2 MB of a Lambda's memory. */
export const SETTLED_LINKS_MAX = 10_000;

export class SettledLinks {
  readonly #entries: ExpiringLru<LinkedLink>;

  constructor(options: { ttlMs?: number; max?: number } = {}) {
    this.#entries = new ExpiringLru({ ttlMs: options.ttlMs ?? SETTLED_LINK_TTL_MS, max: options.max ?? SETTLED_LINKS_MAX });
  }

  /** The link remembered for (integration, fingerprint), when it was seen settled less than the TTL ago. */
  get(integration: string, fingerprint: string, now: number): LinkedLink | undefined {
    return this.#entries.get(keyOf(integration, fingerprint), now);
  }

  /** Remember `link` as read from the table at `now`; ignored unless it is settled for an integration that `syncs` (or not). */
  remember(integration: string, link: LinkedLink, syncs: boolean, now: number): void {
    if (!isSettled(link, syncs)) return;
    this.#entries.set(keyOf(integration, link.fingerprint), link, now);
  }

  /** Forget (integration, fingerprint): this container changed its link. */
  forget(integration: string, fingerprint: string): void {
    this.#entries.delete(keyOf(integration, fingerprint));
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** Linked, ticket attached, and synced once when the integration syncs: a repeat delivery has nothing to do. */
export function isSettled(link: LinkedLink, syncs: boolean): boolean {
  return link.ticketAttached === true && (!syncs || link.sync !== undefined);
}

const keyOf = (integration: string, fingerprint: string) => `${integration}\u0000${fingerprint}`;
