/**
 * Jira -> Backtrace (two-way sync): a Jira webhook moves, assigns, renames or unlinks the linked fingerprint.
 *
 * The webhook says what changed; the issue's current fields (read from Jira) say what is true now, so deliveries
 * that arrive late, twice or out of order all end in the newest state. Dropped: our own echo (made by the
 * integration's Jira account, or the issue holds exactly what we last pushed) and stale deliveries (older than the
 * link's watermark). Writes the fingerprint's state, the `_backtrace` entry's assignees and our ticket entry's
 * state in one `POST /api/issue`, after reading the ticket list (it is replaced whole; other entries survive).
 *
 * A deleted issue removes our ticket entry and the link; a moved issue (new key, same id) keeps its link and the
 * ticket entry shows the new key. Idempotent; retried through the queue on {@link RetryableError}.
 */
import type { BridgeConfig, IntegrationConfig } from '../domain/config/index.ts';
import { parseJiraWebhook, type JiraIssueEvent } from '../domain/sync/jira-webhook.ts';
import { backtraceStateFor } from '../domain/sync/state-mapping.ts';
import { backtraceUserForJira, backtraceUserFromLookup } from '../domain/sync/user-mapping.ts';
import { isOurJiraEcho, isStale, pushedToBacktraceRecord, syncEnabled, ticketsAfterJiraChange, ticketsWithout } from '../domain/sync/sync-decisions.ts';
import type { BacktraceIssues, FingerprintRef, FingerprintState, TicketAssignee } from '../ports/backtrace-issues.ts';
import type { IssueTracker, JiraUser } from '../ports/issue-tracker.ts';
import type { Link, LinkStore } from '../ports/link-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import { PermanentError } from '../ports/errors.ts';
import { fingerprintAssignees } from './push-change-to-jira.ts';
import type { JiraWebhookMessage } from './queue-messages.ts';

export interface ApplyJiraChangeDeps {
  config: BridgeConfig;
  clientsFor(integration: IntegrationConfig): Promise<{ tracker: IssueTracker; backtrace: BacktraceIssues }>;
  links: LinkStore;
  clock: Clock;
  log: Logger;
}

export type AppliedOutcome = 'ignored' | 'not-linked' | 'unlinked' | 'echo' | 'stale' | 'applied' | 'unchanged';

export interface AppliedChange {
  integration: string;
  fingerprint: string;
  outcome: AppliedOutcome;
  detail?: string;
}

const sameTickets = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function applyJiraChange(deps: ApplyJiraChangeDeps, message: JiraWebhookMessage): Promise<AppliedChange[]> {
  const parsed = parseJiraWebhook(message.event);
  if (parsed.kind === 'invalid') throw new PermanentError(`the queued Jira webhook is malformed: ${parsed.problems.join('; ')}`);
  if (parsed.kind === 'ignored') return [];

  const integrations = deps.config.integrations.filter((integration) => message.integrations.includes(integration.name));
  const links = (await deps.links.findByIssueId(parsed.issueId)).filter(
    (link) => link.status === 'linked' && integrations.some((integration) => integration.name === link.integration),
  );
  if (links.length === 0) {
    deps.log.debug('Jira webhook for an issue no fingerprint is linked to', { issueKey: parsed.issueKey, event: parsed.event });
    return [];
  }
  const results: AppliedChange[] = [];
  for (const link of links) {
    const integration = integrations.find((candidate) => candidate.name === link.integration)!;
    results.push({ integration: integration.name, fingerprint: link.fingerprint, ...(await applyToLink(deps, integration, link, parsed)) });
  }
  return results;
}

/**
 * Apply one Jira change to one linked fingerprint. `everything` (the one-off sync when a link is made) applies the
 * issue's state and assignee whatever the change says; otherwise only the fields the changelog touched are applied,
 * so a comment or a description edit never overwrites a muted state or an assignee Jira cannot represent.
 */
export async function applyToLink(
  deps: ApplyJiraChangeDeps,
  integration: IntegrationConfig,
  link: Link,
  change: JiraIssueEvent,
  options: { everything?: boolean; recheck?: boolean } = {},
): Promise<{ outcome: AppliedOutcome; detail?: string }> {
  const { tracker, backtrace } = await deps.clientsFor(integration);
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

  // No early "older than the watermark" drop here: the watermark covers every field, and a late status change must
  // not be lost because an assignee change made after it was applied first. The issue's current fields are read
  // instead, and only when Jira has not changed since the last applied change is the delivery stale.

  const [deployment, self, issue] = await Promise.all([tracker.deploymentType(), tracker.myself(), tracker.getIssueState(change.issueId)]);
  // The issue's current key, not the delivery's: a late delivery may still carry the key it had before a move.
  const moved = link.issueKey !== undefined && issue.key !== link.issueKey;
  const url = `${integration.jira.siteUrl}/browse/${issue.key}`;
  if (moved) {
    await deps.links.updateSync(integration.name, link.fingerprint, { issueKey: issue.key, issueUrl: url, now: deps.clock.now() });
    deps.log.info(`Jira issue ${link.issueKey} is now ${issue.key}`, context);
  }

  // An echo leaves the watermark alone: a person's change made just before ours may still be on its way.
  const echo = options.everything ? { echo: false as const } : isOurJiraEcho(change.author, self, { ...change, status: issue.status, assignee: issue.assignee }, link.sync?.pushedToJira, deployment);
  if (echo.echo) deps.log.debug('Echo of our own Jira write dropped', { ...context, reason: echo.reason });
  const stateOn = !echo.echo && syncEnabled(integration.sync, 'to-backtrace', 'state') && (options.everything || change.changed.status || change.changed.resolution);
  const assigneeOn = !echo.echo && syncEnabled(integration.sync, 'to-backtrace', 'assignee') && (options.everything || change.changed.assignee);
  if (!stateOn && !assigneeOn && !moved) return echo.echo ? { outcome: 'echo', detail: echo.reason } : { outcome: 'ignored', detail: 'no synced field changed' };
  if (!options.recheck && (stateOn || assigneeOn) && isStale(link.sync?.jiraUpdatedAt, issue.updatedAt)) return { outcome: 'stale' };

  const wantedState: FingerprintState | undefined = stateOn ? backtraceStateFor(issue.status, integration.sync.stateMap) : undefined;
  const wantedAssignees = assigneeOn ? await backtraceAssigneesFor(deps, integration, link, issue.assignee, context) : undefined;

  const row = await backtrace.getIssue(ref);
  const tickets = ticketsAfterJiraChange(row.tickets, integration.name, { issueState: wantedState, assignees: wantedAssignees, key: issue.key, url });
  const stateChanges = wantedState !== undefined && wantedState !== row.state;
  const ticketsChange = !sameTickets(tickets, row.tickets);
  const now = deps.clock.now();
  if (stateChanges || ticketsChange) {
    await backtrace.updateIssue(ref, { ...(stateChanges ? { state: wantedState } : {}), ...(ticketsChange ? { tickets } : {}) });
  }
  if (stateOn || assigneeOn) {
    const after = { state: wantedState ?? row.state, assignees: wantedAssignees ?? fingerprintAssignees(row.tickets) };
    const guarded = !options.everything && !options.recheck;
    const recorded = await deps.links.updateSync(
      integration.name,
      link.fingerprint,
      // What Backtrace holds after our write (its change event is our echo), and a real Jira change ends the echo
      // window of our last Jira write.
      { sync: { pushedToBacktrace: pushedToBacktraceRecord(after, now), pushedToJira: { at: now } }, now },
      guarded ? { watermark: 'jiraUpdatedAt', value: issue.updatedAt } : undefined,
    );
    if (!recorded && guarded && (stateChanges || ticketsChange)) {
      // A newer Jira change was applied while we worked, and our write may have landed after it: read both sides
      // once more (unguarded, the newer watermark stands) and write whatever still differs.
      deps.log.info('A newer Jira change was applied meanwhile; checking the fingerprint once more', context);
      return applyToLink(deps, integration, link, change, { ...options, recheck: true });
    }
  }
  if (!stateChanges && !ticketsChange) return { outcome: 'unchanged' };
  deps.log.info(`Synced ${issue.key} to the fingerprint`, { ...context, state: wantedState ?? row.state });
  return { outcome: 'applied', detail: [stateChanges ? `state ${wantedState}` : '', ticketsChange ? 'tickets' : ''].filter(Boolean).join(', ') };
}

/** `null` = unassign; `undefined` = leave Backtrace's assignees alone (the Jira user cannot be told for sure). */
async function backtraceAssigneesFor(
  deps: ApplyJiraChangeDeps,
  integration: IntegrationConfig,
  link: Link,
  assignee: JiraUser | null,
  context: Record<string, unknown>,
): Promise<TicketAssignee[] | null | undefined> {
  if (assignee === null) return null;
  const mapped = backtraceUserForJira(assignee, integration.sync);
  if (mapped.kind === 'user') return [mapped.assignee];
  if (mapped.kind === 'skip') {
    deps.log.info(`Assignee not synced to Backtrace: ${mapped.reason}`, { ...context, jiraUser: assignee.displayName });
    return undefined;
  }
  const found = backtraceUserFromLookup(mapped.email, await deps.links.findBacktraceUserByEmail(link.universe, mapped.email));
  if (found.kind === 'skip') {
    deps.log.info(`Assignee not synced to Backtrace: ${found.reason}`, { ...context, jiraUser: assignee.displayName });
    return undefined;
  }
  return [found.assignee];
}
