/**
 * Backtrace -> Jira: a fingerprint change (a `backtrace.fingerprint-updated` message: from the poller, which reads
 * Backtrace because Backtrace pushes nothing, or from the optional push route for scripts) syncs the linked pair.
 *
 * The message is a trigger, not the truth: the pair is synced from both sides as they are now (`syncLink`), under
 * its sync lease. Dropped: a change older than what the bridge last saw of the fingerprint. Idempotent; retried
 * through the queue on a `RetryableError`; a pair another worker is syncing comes back later (`ClaimBusyError`).
 */
import type { FingerprintChangeMessage } from '../domain/queue-message.ts';
import { integrationNamed } from '../domain/routing.ts';
import { syncEnabled } from '../domain/sync/sync-decisions.ts';
import { PermanentError } from '../ports/errors.ts';
import { syncLink, type SyncLinkResult } from './steps/sync-link.ts';
import { withSyncLease } from './steps/with-sync-lease.ts';
import type { SyncDeps } from './sync-deps.ts';

export type PushChangeResult =
  | { outcome: 'sync-off' | 'not-linked' | 'stale' | 'issue-gone' }
  | { outcome: 'synced' | 'unchanged'; issueKey: string; toJira: string[]; toBacktrace: string[] };

/** @see the module comment for what is idempotent and what is dropped. */
export async function pushFingerprintChange(deps: SyncDeps, message: FingerprintChangeMessage): Promise<PushChangeResult> {
  const integration = integrationNamed(deps.config, message.integration);
  if (!integration) throw new PermanentError(`the message names integration "${message.integration}", which is not in the config (was it renamed or removed?)`);
  const { event } = message;
  const context = { integration: integration.name, fingerprint: event.fingerprint };
  // Whatever flows to Backtrace flows to Jira too (two-way includes one-way): nothing to Jira, nothing at all.
  if (!syncEnabled(integration.sync, 'to-jira', 'state') && !syncEnabled(integration.sync, 'to-jira', 'assignee')) return { outcome: 'sync-off' };

  const clients = await deps.clientsFor(integration);
  const result = await withSyncLease<SyncLinkResult | { outcome: 'stale' }>(deps, { integration: integration.name, fingerprint: event.fingerprint }, async (link) => {
    if (!message.reconcile && link.sync?.backtrace && event.at < link.sync.backtrace.at) {
      deps.log.debug('Fingerprint change older than what the bridge last saw; dropped', { ...context, at: event.at, seenAt: link.sync.backtrace.at });
      return { result: { outcome: 'stale' } };
    }
    const configPath = `integrations[${deps.config.integrations.indexOf(integration)}]`;
    const synced = await syncLink({ ...deps, ...clients }, { integration, configPath, link, trigger: { kind: 'backtrace', observedAt: event.at, reconcile: message.reconcile === true } });
    return synced.outcome === 'issue-gone' ? { result: synced, unlinked: true } : { result: synced, record: synced.record };
  });
  if (result === undefined) {
    deps.log.debug('Fingerprint change for an unlinked fingerprint; nothing to sync', context);
    return { outcome: 'not-linked' };
  }
  if (result.outcome === 'synced' || result.outcome === 'unchanged') {
    const { record: _record, ...rest } = result;
    return rest;
  }
  return result;
}

