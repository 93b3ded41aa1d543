/**
 * Work on one linked pair under its sync lease: one worker at a time, whichever direction started it, so a Jira
 * webhook is never applied while the link-time sync (or a Backtrace change) is between its reads and its writes.
 * A pair another worker is syncing is a {@link ClaimBusyError}: the message goes back to its queue with a delay and
 * spends no receive. The lease is given up with the work's record, in one write.
 */
import { randomUUID } from 'node:crypto';
import type { LinkedLink } from '../../domain/model/link.ts';
import type { Clock } from '../../ports/clock.ts';
import { ClaimBusyError } from '../../ports/errors.ts';
import type { LinkStore, SyncRecord } from '../../ports/link-store.ts';
import type { Logger } from '../../ports/logger.ts';

/** Longer than a worker's run (60 s timeout), so a live holder never loses it; a crashed one blocks at most this. */
export const SYNC_LEASE_MS = 90_000;
/**
 * How long a message for a busy pair waits before it is tried again: syncs take about a second, so a live holder
 * is done by then. (Waiting for the whole lease would hold a person's change back 90 s behind a routine sync; a
 * crashed holder costs a few extra tries instead, each spending no receive.)
 */
const BUSY_RETRY_MS = 2_000;
const MIN_BUSY_RETRY_MS = 1_000;

/** `record`: what to write as the lease is given up; `unlinked`: the link is gone, there is no lease to give up. */
export type LeasedWork<T> = (link: LinkedLink, token: string) => Promise<{ result: T; record?: Pick<SyncRecord, 'sync' | 'issueKey' | 'issueUrl' | 'issueId'>; unlinked?: boolean }>;

export interface LeaseDeps {
  links: Pick<LinkStore, 'acquireSync' | 'recordSync'>;
  clock: Clock;
  log: Logger;
}

/**
 * Runs `work` holding the lease of (`integration`, `fingerprint`); `undefined` when there is no linked item.
 * `token` resumes a lease the caller already holds (the create flow takes it with the link). With `held` too (the
 * link as the caller wrote it, and a time at or before it took the lease), the lease is not written again while at
 * least half of it is left: nobody else writes a leased link, so the caller's copy is the table's.
 */
export async function withSyncLease<T>(
  deps: LeaseDeps,
  target: { integration: string; fingerprint: string; token?: string; held?: { link: LinkedLink; since: number } },
  work: LeasedWork<T>,
): Promise<T | undefined> {
  const token = target.token ?? randomUUID();
  const now = deps.clock.now();
  const held = target.token === undefined ? undefined : target.held;
  const heldFresh = held !== undefined && now >= held.since && now - held.since < SYNC_LEASE_MS / 2;
  const lease = heldFresh
    ? ({ outcome: 'acquired', link: held.link } as const)
    : await deps.links.acquireSync({ integration: target.integration, fingerprint: target.fingerprint, token, now, leaseMs: SYNC_LEASE_MS });
  if (lease.outcome === 'missing') return undefined;
  if (lease.outcome === 'busy') {
    throw new ClaimBusyError(`Fingerprint ${target.fingerprint} (integration ${target.integration}) is being synced by another worker`, {
      retryAfterMs: Math.max(MIN_BUSY_RETRY_MS, Math.min(lease.until - now, BUSY_RETRY_MS)),
    });
  }
  const release = (record?: Pick<SyncRecord, 'sync' | 'issueKey' | 'issueUrl' | 'issueId'>) =>
    deps.links.recordSync({ integration: target.integration, fingerprint: target.fingerprint, token, now: deps.clock.now(), release: true, ...record });
  let done: Awaited<ReturnType<LeasedWork<T>>>;
  try {
    done = await work(lease.link, token);
  } catch (error) {
    // Best effort: a lease we fail to give up simply expires.
    await release().catch(() => undefined);
    throw error;
  }
  if (!done.unlinked && !(await release(done.record))) {
    deps.log.warn('The sync lease expired while syncing; the worker holding it now syncs the pair again from a fresh read', target);
  }
  return done.result;
}
