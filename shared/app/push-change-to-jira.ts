/**
 * Backtrace -> Jira: a `fingerprint.updated` event moves and assigns the linked Jira issue (one-way and two-way sync).
 *
 * The event is a trigger, not the truth: events can arrive late, twice or out of order, so the use-case reads the
 * fingerprint's current row from Backtrace and the issue's current state from Jira, and only writes the difference.
 * A delivery older than the link's watermark is dropped; so is the echo of the bridge's own Backtrace write (the
 * fingerprint holds exactly what we last pushed there). Transitions are chosen by their target status (id or
 * category), never by name; the resolution is set only when the transition screen asks for one.
 *
 * Idempotent: repeating it changes nothing in Jira. Retried (through the queue) on {@link RetryableError}.
 * A mapping that cannot be applied (no transition to the target, a Jira user that cannot be identified) is logged
 * and skipped, never guessed.
 */
import type { IntegrationConfig } from '../domain/config/index.ts';
import type { FingerprintUpdatedEvent } from '../domain/sync/fingerprint-event.ts';
import { backtraceStateFor, chooseTransition, describeTarget, jiraTargetFor, resolutionFor, statusMatches } from '../domain/sync/state-mapping.ts';
import { jiraUserForBacktrace, jiraUserKey, pickJiraUserByEmail } from '../domain/sync/user-mapping.ts';
import { BACKTRACE_WATCHER, isOurBacktraceEcho, isStale, primaryAssignee, pushedToJiraRecord, syncEnabled, ticketsAfterJiraChange } from '../domain/sync/sync-decisions.ts';
import type { BacktraceIssues, FingerprintRef, TicketAssignee } from '../ports/backtrace-issues.ts';
import type { IssueTracker, JiraIssueState, JiraUser, JiraUserRef } from '../ports/issue-tracker.ts';
import type { LinkStore } from '../ports/link-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';

export interface PushChangeDeps {
  tracker: IssueTracker;
  backtrace: BacktraceIssues;
  links: LinkStore;
  clock: Clock;
  log: Logger;
}

export type PushChangeResult =
  | { outcome: 'sync-off' | 'not-linked' | 'stale' | 'echo' }
  | { outcome: 'pushed' | 'unchanged'; issueKey: string; actions: string[] };

/** The fingerprint's assignees as Backtrace reads them: the `_backtrace` entry's, else the first ticket's. */
export function fingerprintAssignees(tickets: readonly { watcher: string; assignees?: TicketAssignee[] }[]): TicketAssignee[] {
  return (tickets.find((ticket) => ticket.watcher === BACKTRACE_WATCHER) ?? tickets[0])?.assignees ?? [];
}

/**
 * @param input.event - the change that triggered the push; `atLink` marks the one-off push when a link is made
 *   (no event from Backtrace's clock, so the watermark is left alone).
 */
export async function pushChangeToJira(
  deps: PushChangeDeps,
  input: { integration: IntegrationConfig; event: FingerprintUpdatedEvent; atLink?: boolean },
): Promise<PushChangeResult> {
  const { integration, event } = input;
  const { sync } = integration;
  const context = { integration: integration.name, fingerprint: event.fingerprint };
  const stateOn = syncEnabled(sync, 'to-jira', 'state');
  const assigneeOn = syncEnabled(sync, 'to-jira', 'assignee');
  if (!stateOn && !assigneeOn) return { outcome: 'sync-off' };

  // Remember who is who, for mapping Jira users back by e-mail (two-way assignee sync).
  const known = event.assignees.filter((assignee) => assignee.email);
  if (known.length > 0) await deps.links.rememberBacktraceUsers(event.universe, known.map(({ id, username, email }) => ({ id, username, email })), event.at);

  const link = await deps.links.get(integration.name, event.fingerprint);
  if (link?.status !== 'linked' || !link.issueId) {
    deps.log.debug('Fingerprint change for an unlinked fingerprint; nothing to sync', context);
    return { outcome: 'not-linked' };
  }
  const guard = input.atLink ? undefined : ({ watermark: 'backtraceChangeAt', value: event.at } as const);
  if (guard && isStale(link.sync?.backtraceChangeAt, event.at)) {
    deps.log.debug('Stale fingerprint change dropped', { ...context, at: event.at, watermark: link.sync?.backtraceChangeAt });
    return { outcome: 'stale' };
  }

  const ref: FingerprintRef = { universe: event.universe, project: event.project, fingerprint: event.fingerprint };
  const row = await deps.backtrace.getIssue(ref);
  const current = { state: row.state, assignees: fingerprintAssignees(row.tickets) };
  // The event's own time: a person's change made before our last Backtrace write is no echo of it (none at link time).
  const echo = isOurBacktraceEcho({ ...current, ...(input.atLink ? {} : { at: event.at }) }, link.sync?.pushedToBacktrace);
  if (echo.echo) {
    // An echo leaves the watermark alone: a person's change made before our write may still be on its way.
    deps.log.debug('Echo of our own Backtrace write dropped', { ...context, reason: echo.reason });
    return { outcome: 'echo' };
  }

  const [deployment, issue] = await Promise.all([deps.tracker.deploymentType(), deps.tracker.getIssueState(link.issueId)]);
  const after: { status: JiraIssueState['status']; assignee: JiraUser | null } = { status: issue.status, assignee: issue.assignee };
  const actions: string[] = [];

  if (stateOn) {
    const target = jiraTargetFor(current.state, sync.stateMap);
    // Backtrace marks a fingerprint in-progress by itself once a ticket is linked: with nobody assigned that is
    // not a decision anyone made, so a fresh Jira issue is not dragged out of its first status.
    const automaticInProgress = current.state === 'in-progress' && current.assignees.length === 0 && issue.status.categoryKey === 'new';
    if (target.kind !== 'leave' && !automaticInProgress && !statusMatches(issue.status, target)) {
      const choice = chooseTransition(await deps.tracker.listTransitions(issue.id), target);
      if (!choice.ok) {
        deps.log.warn(`Cannot move ${issue.key} to ${describeTarget(target)}: ${choice.reason}`, { ...context, state: current.state });
      } else {
        const resolution = resolutionFor(choice.transition, sync.stateMap.resolution);
        if (resolution.kind === 'problem') {
          deps.log.warn(`Cannot move ${issue.key} with "${choice.transition.name}": ${resolution.reason}`, context);
        } else {
          await deps.tracker.transition(issue.id, choice.transition.id, resolution.kind === 'set' ? { resolution: resolution.resolution } : undefined);
          after.status = choice.transition.to;
          actions.push(`transitioned to ${choice.transition.to.name}`);
        }
      }
    }
  }

  if (assigneeOn) {
    const wanted = primaryAssignee(current.assignees);
    const ref = wanted === null ? null : await jiraUserFor(deps, wanted, integration, deployment, context);
    if (ref !== undefined) {
      const currentKey = issue.assignee === null ? null : (jiraUserKey(issue.assignee, deployment) ?? null);
      const wantedKey = ref === null ? null : 'accountId' in ref ? ref.accountId : ref.name;
      if (currentKey !== wantedKey) {
        await deps.tracker.assign(issue.id, ref);
        after.assignee = ref === null ? null : ref;
        actions.push(ref === null ? 'unassigned' : `assigned to ${wantedKey}`);
      }
    }
  }

  if (after.status.id !== issue.status.id) {
    // Our ticket entry on the fingerprint shows the Jira issue's state: keep it true after moving the issue.
    const ticketState = backtraceStateFor(after.status, sync.stateMap);
    const tickets = ticketState === undefined ? row.tickets : ticketsAfterJiraChange(row.tickets, integration.name, { issueState: ticketState });
    if (JSON.stringify(tickets) !== JSON.stringify(row.tickets)) await deps.backtrace.updateIssue(ref, { tickets });
  }

  const now = deps.clock.now();
  const recorded = await deps.links.updateSync(
    integration.name,
    event.fingerprint,
    // What Jira holds after our writes: its webhook echo must be recognised. A real Backtrace change also ends the
    // echo window of our last Backtrace write (a later identical human change must not be mistaken for it).
    { sync: { pushedToJira: pushedToJiraRecord(after, deployment, now), pushedToBacktrace: { at: now } }, now },
    guard,
  );
  if (!recorded && guard && actions.length > 0) {
    // A newer change was applied while we worked, and our write may have landed after it: look once more at both
    // sides (unguarded, so the newer watermark stands) and write whatever still differs.
    deps.log.info('A newer Backtrace change was applied meanwhile; checking Jira once more', context);
    return pushChangeToJira(deps, { ...input, atLink: true });
  }
  if (actions.length > 0) deps.log.info(`Synced Backtrace change to ${issue.key}: ${actions.join(', ')}`, { ...context, state: current.state });
  return { outcome: actions.length > 0 ? 'pushed' : 'unchanged', issueKey: issue.key, actions };
}

/** The Jira user for a Backtrace assignee, `undefined` when it cannot be told for sure (logged, never guessed). */
async function jiraUserFor(
  deps: PushChangeDeps,
  assignee: TicketAssignee,
  integration: IntegrationConfig,
  deployment: 'Cloud' | 'Server',
  context: Record<string, unknown>,
): Promise<JiraUserRef | undefined> {
  const mapped = jiraUserForBacktrace(assignee, integration.sync, deployment);
  if (mapped.kind === 'user') return mapped.ref;
  if (mapped.kind === 'skip') {
    deps.log.info(`Assignee not synced to Jira: ${mapped.reason}`, { ...context, backtraceUser: assignee.username ?? assignee.id });
    return undefined;
  }
  const picked = pickJiraUserByEmail(await deps.tracker.findUsersByEmail(mapped.email), mapped.email, deployment);
  if (picked.kind === 'skip') {
    deps.log.info(`Assignee not synced to Jira: ${picked.reason}`, { ...context, backtraceUser: assignee.username ?? assignee.id });
    return undefined;
  }
  return picked.ref;
}
