/**
 * The link-time sync: when a fingerprint is linked to a new Jira issue, the two may already disagree (the fingerprint
 * assigned, resolved or muted; the issue moved by a person or an automation rule right after it was created).
 * `sync.onLink` says which side wins: `backtrace-wins` (default) pushes the fingerprint's state and assignee to the
 * issue; `jira-wins` (two-way only) applies the issue's to the fingerprint. A change someone made in Jira after the
 * issue was created (its changelog says so) is newer than the error group and wins either way.
 *
 * Runs once per link, under the sync lease the create flow took with the link (so a webhook about the new issue
 * waits until this has read both sides; `leasedSince`, a time at or before the create flow started, lets the sync
 * use that lease without writing it again); a link whose first sync failed is synced on the next delivery of its group.
 */
import type { IntegrationConfig } from '../domain/config/index.ts';
import type { FingerprintIssue } from '../domain/model/backtrace.ts';
import type { LinkedLink, LinkSyncState } from '../domain/model/link.ts';
import { syncEnabled } from '../domain/sync/sync-decisions.ts';
import type { IntegrationClients } from '../ports/integration-clients.ts';
import { syncLink, type SyncLinkResult, type SyncTrigger } from './steps/sync-link.ts';
import { withSyncLease } from './steps/with-sync-lease.ts';
import type { SyncDeps } from './sync-deps.ts';

/** Does the integration sync anything, in either direction? */
export function syncsAnything(integration: IntegrationConfig): boolean {
  return (['to-jira', 'to-backtrace'] as const).some((direction) =>
    (['state', 'assignee'] as const).some((field) => syncEnabled(integration.sync, direction, field)),
  );
}

export async function syncNewLink(
  deps: Omit<SyncDeps, 'config' | 'clientsFor'>,
  clients: IntegrationClients,
  integration: IntegrationConfig,
  link: LinkedLink,
  options: { token?: string; leasedSince?: number; row?: FingerprintIssue; group?: LinkSyncState['group']; configPath?: string } = {},
): Promise<SyncLinkResult | undefined> {
  const trigger: SyncTrigger = { kind: 'link', ...(options.row ? { row: options.row } : {}), ...(options.group ? { group: options.group } : {}) };
  return syncPair(deps, clients, {
    integration,
    fingerprint: link.fingerprint,
    trigger,
    ...(options.token ? { token: options.token } : { unlessSynced: true }),
    // The create flow's own lease and link: the first sync starts without writing the lease again.
    ...(options.token && options.leasedSince !== undefined ? { held: { link, since: options.leasedSince } } : {}),
    ...(options.configPath ? { configPath: options.configPath } : {}),
  });
}

/** Has the pair had its first sync (both sides recorded)? */
const firstSyncDone = (link: LinkedLink): boolean => link.sync?.backtrace !== undefined && link.sync.jira !== undefined;

/**
 * One sync of a linked pair under its lease (`token`: a lease the caller holds already); `undefined` when the
 * fingerprint is not linked, or, with `unlessSynced`, when the link as leased has had its first sync already. A pair
 * another worker is syncing throws `ClaimBusyError`.
 */
export async function syncPair(
  deps: Omit<SyncDeps, 'config' | 'clientsFor'>,
  clients: IntegrationClients,
  input: { integration: IntegrationConfig; fingerprint: string; trigger: SyncTrigger; token?: string; held?: { link: LinkedLink; since: number }; configPath?: string; unlessSynced?: boolean },
): Promise<SyncLinkResult | undefined> {
  const { integration, trigger } = input;
  const target = { integration: integration.name, fingerprint: input.fingerprint, ...(input.token ? { token: input.token } : {}), ...(input.held ? { held: input.held } : {}) };
  return withSyncLease<SyncLinkResult | undefined>(deps, target, async (leased) => {
    // A repeat delivery read the link before its creator's first sync was recorded: that sync is done now, and the
    // repeat has nothing to add (no Jira or Backtrace read).
    if (input.unlessSynced && firstSyncDone(leased)) return { result: undefined };
    const result = await syncLink({ ...deps, ...clients }, { integration, link: leased, trigger, ...(input.configPath ? { configPath: input.configPath } : {}) });
    return result.outcome === 'issue-gone' ? { result, unlinked: true } : { result, record: result.record };
  });
}
