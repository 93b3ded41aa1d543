/**
 * Jira -> Backtrace (two-way sync): a Jira webhook delivery (a `jira.webhook` message) syncs each fingerprint linked
 * to the issue.
 *
 * The delivery is a trigger: the pair is synced from both sides as they are now (`syncLink`), under its sync lease,
 * so deliveries that arrive late, twice or out of order all end in the newest state, and a comment or a description
 * edit changes nothing (nothing synced differs from what the bridge last saw). Dropped at once, without a read of
 * either side: the echoes of our own create and writes, recognised from the delivery and the link alone
 * (`recognizeEcho`: the linked issue's creation, a delivery by the integration's own account, or one that sets what
 * our recorded last write set). A person's change that our write overwrote is put back.
 *
 * A delivered deletion is believed only when Jira answers 404 for the issue: then our ticket entry and the link go.
 * A moved issue (new key, same id) keeps its link, and the ticket entry shows the new key. Idempotent; retried
 * through the queue on a `RetryableError`.
 */
import type { IntegrationConfig } from '../domain/config/index.ts';
import type { JiraIssueEvent } from '../domain/jira/jira-webhook.ts';
import { isLinked, type LinkedLink } from '../domain/model/link.ts';
import type { JiraChangeMessage } from '../domain/queue-message.ts';
import type { JiraUser } from '../domain/model/jira.ts';
import { needsOwnAccount, recognizeEcho, type EchoReason, type EchoVerdict } from '../domain/sync/echo.ts';
import { jiraUserKey } from '../domain/sync/user-mapping.ts';
import { PermanentError } from '../ports/errors.ts';
import type { IntegrationClients } from '../ports/integration-clients.ts';
import { syncLink, type SyncLinkResult } from './steps/sync-link.ts';
import { withSyncLease } from './steps/with-sync-lease.ts';
import type { SyncDeps } from './sync-deps.ts';

export type AppliedOutcome = 'sync-off' | 'echo' | 'synced' | 'unchanged' | 'unlinked' | 'kept' | 'not-linked';

export interface AppliedChange {
  integration: string;
  fingerprint: string;
  outcome: AppliedOutcome;
  detail?: string;
}

/** @see the module comment for what is idempotent and what is dropped. */
export async function applyJiraChange(deps: SyncDeps, message: JiraChangeMessage): Promise<AppliedChange[]> {
  const change = message.event;
  const integrations = deps.config.integrations.filter((integration) => message.integrations.includes(integration.name));
  const links = (await deps.links.findByIssueId(change.issueId)).filter(
    (link): link is LinkedLink => isLinked(link) && integrations.some((integration) => integration.name === link.integration),
  );
  if (links.length === 0) {
    deps.log.debug('Jira webhook for an issue no fingerprint is linked to', { issueKey: change.issueKey, event: change.event });
    return [];
  }
  const results: AppliedChange[] = [];
  for (const link of links) {
    const integration = integrations.find((candidate) => candidate.name === link.integration)!;
    if (integration.sync.mode === 'none') {
      results.push({ integration: integration.name, fingerprint: link.fingerprint, outcome: 'sync-off', detail: 'sync.mode is "none"' });
      continue;
    }
    const clients = await deps.clientsFor(integration);
    results.push({ integration: integration.name, fingerprint: link.fingerprint, ...(await applyToLink(deps, clients, integration, link, change)) });
  }
  return results;
}

async function applyToLink(
  deps: SyncDeps,
  clients: IntegrationClients,
  integration: IntegrationConfig,
  link: LinkedLink,
  change: JiraIssueEvent,
): Promise<{ outcome: AppliedOutcome; detail?: string }> {
  const context = { integration: integration.name, fingerprint: link.fingerprint, issueKey: change.issueKey, event: change.event };
  const echo = await echoOf(clients, link, change);
  if (echo.echo) {
    deps.log.debug('Echo of our own Jira write dropped', { ...context, reason: echo.reason });
    deps.metrics?.count('EchoesDropped');
    return { outcome: 'echo', detail: ECHO_DETAILS[echo.reason] };
  }
  if (change.event === 'deleted' && (await stillInJira(clients, change.issueId))) {
    // A signed deletion is believed only when Jira agrees: a replayed or mistaken one must not unlink a live issue.
    deps.log.warn(`Jira sent a deletion of ${change.issueKey}, but Jira still has the issue: the link stays`, context);
    return { outcome: 'kept', detail: 'Jira still has the issue' };
  }
  const done = await withSyncLease<SyncLinkResult>(deps, { integration: integration.name, fingerprint: link.fingerprint }, async (leased) => {
    // After a deletion Jira answered 404 for, the sync finds the issue gone and unlinks.
    const configPath = `integrations[${deps.config.integrations.indexOf(integration)}]`;
    const synced = await syncLink({ ...deps, ...clients }, { integration, configPath, link: leased, trigger: { kind: 'jira', delivery: change } });
    return synced.outcome === 'issue-gone' ? { result: synced, unlinked: true } : { result: synced, record: synced.record };
  });
  if (done === undefined) return { outcome: 'not-linked' };
  if (done.outcome === 'issue-gone') return { outcome: 'unlinked' };
  const detail = [...done.toJira.map((action) => `Jira: ${action}`), ...done.toBacktrace.map((action) => `Backtrace: ${action}`)].join(', ');
  return { outcome: done.outcome, ...(detail ? { detail } : {}) };
}

const ECHO_DETAILS: Record<EchoReason, string> = {
  'our-create': 'the creation of the linked issue (made by the bridge, read at link time)',
  'our-account': "made by the integration's own Jira account",
  'our-recorded-write': "sets what the bridge's last recorded write set, at its time",
};

/**
 * Echo recognition from the delivery and the link alone; the integration's own account (`myself`, kept per
 * container) is asked for only when the author could make it ours.
 */
async function echoOf(clients: IntegrationClients, link: LinkedLink, change: JiraIssueEvent): Promise<EchoVerdict> {
  // The deployment names an assignee's key, for the recorded-write rule only (no author, an assignee set).
  const deployment = change.author === undefined && change.changed.assignee && change.assignee ? await clients.tracker.deploymentType() : undefined;
  const self = needsOwnAccount(change) ? await clients.tracker.myself() : undefined;
  return recognizeEcho({
    delivery: change,
    ...(self ? { self } : {}),
    ...(link.sync ? { sync: link.sync } : {}),
    ...(deployment ? { assigneeKey: (user: JiraUser) => jiraUserKey(user, deployment) } : {}),
  });
}

/** Does Jira still have the issue? 404 says no; any other answer (or failure) is not a "no". */
async function stillInJira(clients: IntegrationClients, issueId: string): Promise<boolean> {
  try {
    await clients.tracker.getIssueState(issueId);
    return true;
  } catch (error) {
    if (error instanceof PermanentError && error.status === 404) return false;
    throw error;
  }
}
