/**
 * The shared Backtrace -> Jira step: given the fingerprint's row as just read, move and assign the linked Jira issue
 * so it matches, keep our ticket entry's state true, and record what Jira holds afterwards (so its webhook echo is
 * recognised). Used by a Backtrace change (`pushFingerprintChange`) and by the link-time sync (`syncNewLink`).
 *
 * Transitions are chosen by their target status (id or category), never by name; the resolution is set only when
 * the transition screen asks for one. A mapping that cannot be applied (no transition to the target, a Jira user
 * that cannot be identified) is logged and skipped, never guessed. Repeating it changes nothing in Jira.
 */
import type { IntegrationConfig } from '../../domain/config/index.ts';
import { fingerprintAssignees, type FingerprintIssue, type FingerprintRef, type TicketAssignee } from '../../domain/model/backtrace.ts';
import type { JiraDeployment, JiraIssueState, JiraUser, JiraUserRef } from '../../domain/model/jira.ts';
import type { LinkedLink } from '../../domain/model/link.ts';
import { backtraceStateFor, chooseTransition, describeTarget, jiraTargetFor, resolutionFor, statusMatches } from '../../domain/sync/state-mapping.ts';
import { primaryAssignee, pushedToJiraRecord, sameTickets, syncEnabled, ticketsAfterJiraChange } from '../../domain/sync/sync-decisions.ts';
import { jiraUserForBacktrace, jiraUserKey, pickJiraUserByEmail } from '../../domain/sync/user-mapping.ts';
import type { Clock } from '../../ports/clock.ts';
import type { IntegrationClients } from '../../ports/integration-clients.ts';
import type { LinkStore, SyncGuard } from '../../ports/link-store.ts';
import type { Logger } from '../../ports/logger.ts';

export interface PushStepDeps extends IntegrationClients {
  links: Pick<LinkStore, 'updateSync'>;
  clock: Clock;
  log: Logger;
}

export interface PushStepInput {
  integration: IntegrationConfig;
  link: LinkedLink;
  /** The fingerprint's row, read just before. */
  row: FingerprintIssue;
  /** The Backtrace change's time, as the watermark to advance; absent at link time and when checking again. */
  guard?: SyncGuard;
}

export type PushStepResult =
  | { outcome: 'pushed' | 'unchanged'; issueKey: string; actions: string[] }
  /** A newer Backtrace change was recorded while we wrote: the caller reads both sides again. */
  | { outcome: 'superseded'; issueKey: string; actions: string[] };

export async function pushFingerprintToIssue(deps: PushStepDeps, input: PushStepInput): Promise<PushStepResult> {
  const { integration, link, row } = input;
  const { sync } = integration;
  const ref: FingerprintRef = { universe: link.universe, project: link.project, fingerprint: link.fingerprint };
  const context = { integration: integration.name, fingerprint: link.fingerprint };
  const current = { state: row.state, assignees: fingerprintAssignees(row.tickets) };

  const [deployment, issue] = await Promise.all([deps.tracker.deploymentType(), deps.tracker.getIssueState(link.issueId)]);
  const after: { status: JiraIssueState['status']; assignee: JiraUser | null } = { status: issue.status, assignee: issue.assignee };
  const actions: string[] = [];

  if (syncEnabled(sync, 'to-jira', 'state')) {
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

  if (syncEnabled(sync, 'to-jira', 'assignee')) {
    const wanted = primaryAssignee(current.assignees);
    const user = wanted === null ? null : await jiraUserFor(deps, wanted, integration, deployment, context);
    if (user !== undefined) {
      const currentKey = issue.assignee === null ? null : (jiraUserKey(issue.assignee, deployment) ?? null);
      const wantedKey = user === null ? null : 'accountId' in user ? user.accountId : user.name;
      if (currentKey !== wantedKey) {
        await deps.tracker.assign(issue.id, user);
        after.assignee = user;
        actions.push(user === null ? 'unassigned' : `assigned to ${wantedKey}`);
      }
    }
  }

  if (after.status.id !== issue.status.id) {
    // Our ticket entry on the fingerprint shows the Jira issue's state: keep it true after moving the issue.
    const ticketState = backtraceStateFor(after.status, sync.stateMap);
    const tickets = ticketState === undefined ? row.tickets : ticketsAfterJiraChange(row.tickets, integration.name, { issueState: ticketState });
    if (!sameTickets(tickets, row.tickets)) await deps.backtrace.updateIssue(ref, { tickets });
  }

  const now = deps.clock.now();
  const recorded = await deps.links.updateSync(
    integration.name,
    link.fingerprint,
    // What Jira holds after our writes: its webhook echo must be recognised. A real Backtrace change also ends the
    // echo window of our last Backtrace write (a later identical human change must not be mistaken for it).
    { sync: { pushedToJira: pushedToJiraRecord(after, deployment, now), pushedToBacktrace: { at: now } }, now },
    input.guard,
  );
  if (!recorded && input.guard && actions.length > 0) return { outcome: 'superseded', issueKey: issue.key, actions };
  if (actions.length > 0) deps.log.info(`Synced Backtrace change to ${issue.key}: ${actions.join(', ')}`, { ...context, state: current.state });
  return { outcome: actions.length > 0 ? 'pushed' : 'unchanged', issueKey: issue.key, actions };
}

/** The Jira user for a Backtrace assignee, `undefined` when it cannot be told for sure (logged, never guessed). */
async function jiraUserFor(
  deps: PushStepDeps,
  assignee: TicketAssignee,
  integration: IntegrationConfig,
  deployment: JiraDeployment,
  context: Record<string, unknown>,
): Promise<JiraUserRef | undefined> {
  const mapped = jiraUserForBacktrace(assignee, integration.sync, deployment);
  if (mapped.kind === 'user') return mapped.ref;
  const picked = mapped.kind === 'skip' ? mapped : pickJiraUserByEmail(await deps.tracker.findUsersByEmail(mapped.email), mapped.email, deployment);
  if (picked.kind === 'skip') {
    deps.log.info(`Assignee not synced to Jira: ${picked.reason}`, { ...context, backtraceUser: assignee.username ?? assignee.id });
    return undefined;
  }
  return picked.ref;
}
