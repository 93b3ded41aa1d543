/**
 * Jira -> Backtrace (two-way sync): a Jira webhook delivery (a `jira.webhook` message) moves, assigns, renames or
 * unlinks the linked fingerprint.
 *
 * The webhook says what changed; the issue's current fields (read from Jira) say what is true now, so deliveries
 * that arrive late, twice or out of order all end in the newest state. Dropped: our own echo (made by the
 * integration's Jira account, or the issue holds exactly what we last pushed) and stale deliveries (Jira has not
 * changed since the last change applied). Only the fields the changelog touched are applied, so a comment or a
 * description edit never overwrites a muted state or an assignee Jira cannot represent.
 *
 * A deleted issue removes our ticket entry and the link; a moved issue (new key, same id) keeps its link and the
 * ticket entry shows the new key. Idempotent; retried through the queue on a `RetryableError`.
 */
import type { IntegrationConfig } from '../domain/config/index.ts';
import type { JiraIssueEvent } from '../domain/jira/jira-webhook.ts';
import type { FingerprintRef } from '../domain/model/backtrace.ts';
import { isLinked, type LinkedLink } from '../domain/model/link.ts';
import type { JiraChangeMessage } from '../domain/queue-message.ts';
import { isOurJiraEcho, isStale, sameTickets, syncEnabled, ticketsWithout } from '../domain/sync/sync-decisions.ts';
import type { IntegrationClients } from '../ports/integration-clients.ts';
import { applyIssueToFingerprint, type ApplyStepInput, type ApplyStepResult } from './steps/apply-issue-to-fingerprint.ts';
import type { SyncDeps } from './sync-deps.ts';

export type AppliedOutcome = 'ignored' | 'unlinked' | 'echo' | 'stale' | 'applied' | 'unchanged';

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
    const clients = await deps.clientsFor(integration);
    results.push({ integration: integration.name, fingerprint: link.fingerprint, ...(await applyToLink(deps, clients, integration, link, change)) });
  }
  return results;
}

async function applyToLink(
  deps: SyncDeps,
  { tracker, backtrace }: IntegrationClients,
  integration: IntegrationConfig,
  link: LinkedLink,
  change: JiraIssueEvent,
): Promise<{ outcome: AppliedOutcome; detail?: string }> {
  const ref: FingerprintRef = { universe: link.universe, project: link.project, fingerprint: link.fingerprint };
  const context = { integration: integration.name, fingerprint: link.fingerprint, issueKey: change.issueKey, event: change.event };

  if (change.event === 'deleted') {
    const row = await backtrace.getIssue(ref);
    const tickets = ticketsWithout(row.tickets, integration.name);
    if (!sameTickets(tickets, row.tickets)) await backtrace.updateIssue(ref, { tickets });
    await deps.links.unlink(integration.name, link.fingerprint, change.issueId);
    deps.log.info(`Jira issue ${change.issueKey} was deleted: unlinked from the fingerprint`, context);
    return { outcome: 'unlinked' };
  }

  // No early "older than the watermark" drop: the watermark covers every field, and a late status change must not
  // be lost because an assignee change made after it was applied first. The issue's current fields are read
  // instead, and only when Jira has not changed since the last applied change is the delivery stale.
  const [deployment, self, issue] = await Promise.all([tracker.deploymentType(), tracker.myself(), tracker.getIssueState(change.issueId)]);
  const moved = issue.key !== link.issueKey;
  // An echo leaves the watermark alone: a person's change made just before ours may still be on its way.
  const echo = isOurJiraEcho(change.author, self, { ...change, status: issue.status, assignee: issue.assignee }, link.sync?.pushedToJira, deployment);
  if (echo.echo) deps.log.debug('Echo of our own Jira write dropped', { ...context, reason: echo.reason });
  const fields = {
    state: !echo.echo && syncEnabled(integration.sync, 'to-backtrace', 'state') && (change.changed.status || change.changed.resolution),
    assignee: !echo.echo && syncEnabled(integration.sync, 'to-backtrace', 'assignee') && change.changed.assignee,
  };
  const stepDeps = { backtrace, links: deps.links, users: deps.users, clock: deps.clock, log: deps.log };
  const step = (input: Pick<ApplyStepInput, 'link' | 'issue' | 'fields' | 'guard'>) => applyIssueToFingerprint(stepDeps, { integration, context, ...input });
  if (!fields.state && !fields.assignee) {
    if (moved) return unguarded(await step({ link, issue, fields }));
    return echo.echo ? { outcome: 'echo', detail: echo.reason } : { outcome: 'ignored', detail: 'no synced field changed' };
  }
  if (isStale(link.sync?.jiraUpdatedAt, issue.updatedAt)) {
    // Still follow a move: the ticket entry shows the issue's current key.
    if (moved) await step({ link, issue, fields: { state: false, assignee: false } });
    return { outcome: 'stale' };
  }

  const applied = await step({ link, issue, fields, guard: { watermark: 'jiraUpdatedAt', value: issue.updatedAt } });
  if (applied.outcome !== 'superseded') return applied;
  // A newer Jira change was applied while we worked, and our write may have landed after it: read both sides once
  // more (unguarded, the newer watermark stands) and write whatever still differs.
  deps.log.info('A newer Jira change was applied meanwhile; checking the fingerprint once more', context);
  const current = await deps.links.get(integration.name, link.fingerprint);
  const again = unguarded(await step({ link: isLinked(current) ? current : link, issue: await tracker.getIssueState(change.issueId), fields }));
  // The first pass did write: nothing left to write on the second look still means the change was applied.
  return again.outcome === 'unchanged' ? { outcome: 'applied', detail: applied.detail } : again;
}

/** Without a guard the step is never superseded; this only narrows its result. */
const unguarded = (result: ApplyStepResult): { outcome: AppliedOutcome; detail?: string } => (result.outcome === 'superseded' ? { outcome: 'applied', detail: result.detail } : result);
