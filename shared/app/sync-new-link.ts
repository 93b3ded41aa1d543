/**
 * The link-time sync: when a fingerprint is linked to a new Jira issue, the two may already disagree (the fingerprint
 * assigned, resolved or muted; the issue moved by an automation rule on create). `sync.onLink` says which side wins:
 * `backtrace-wins` (default) pushes the fingerprint's state and assignee to the issue; `jira-wins` (two-way only)
 * applies the issue's to the fingerprint. Runs once per link: a link whose first sync failed is synced again on the
 * next delivery of its group (its `sync` bookkeeping is still absent).
 */
import type { IntegrationConfig } from '../domain/config/index.ts';
import type { FingerprintRef } from '../domain/model/backtrace.ts';
import type { LinkedLink } from '../domain/model/link.ts';
import { syncEnabled } from '../domain/sync/sync-decisions.ts';
import type { IntegrationClients } from '../ports/integration-clients.ts';
import { applyIssueToFingerprint } from './steps/apply-issue-to-fingerprint.ts';
import { pushFingerprintToIssue } from './steps/push-fingerprint-to-issue.ts';
import type { SyncDeps } from './sync-deps.ts';

export type SyncNewLinkResult = { direction: 'none' } | { direction: 'to-jira' | 'to-backtrace'; outcome: string };

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
): Promise<SyncNewLinkResult> {
  const { sync } = integration;
  const toBacktrace = syncEnabled(sync, 'to-backtrace', 'state') || syncEnabled(sync, 'to-backtrace', 'assignee');
  if (sync.onLink === 'jira-wins' && toBacktrace) {
    const issue = await clients.tracker.getIssueState(link.issueId);
    const fields = { state: syncEnabled(sync, 'to-backtrace', 'state'), assignee: syncEnabled(sync, 'to-backtrace', 'assignee') };
    const applied = await applyIssueToFingerprint({ ...deps, backtrace: clients.backtrace }, { integration, link, issue, fields });
    return { direction: 'to-backtrace', outcome: applied.outcome };
  }
  if (syncEnabled(sync, 'to-jira', 'state') || syncEnabled(sync, 'to-jira', 'assignee')) {
    const ref: FingerprintRef = { universe: link.universe, project: link.project, fingerprint: link.fingerprint };
    const row = await clients.backtrace.getIssue(ref);
    const pushed = await pushFingerprintToIssue({ ...deps, ...clients }, { integration, link, row });
    return { direction: 'to-jira', outcome: pushed.outcome };
  }
  return { direction: 'none' };
}
