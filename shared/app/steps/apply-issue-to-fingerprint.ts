/**
 * The shared Jira -> Backtrace step: given the linked issue as just read from Jira, write the fingerprint's state,
 * the `_backtrace` entry's assignees and our ticket entry (state, key, URL) in one `POST /api/issue`, after reading
 * the ticket list (it is replaced whole; other integrations' entries survive), and record what Backtrace holds
 * afterwards (so a change event showing it is recognised as our echo). Follows a move to another project (same
 * issue id, new key). Used by a Jira webhook delivery (`applyJiraChange`) and by the link-time sync (`syncNewLink`).
 */
import type { IntegrationConfig } from '../../domain/config/index.ts';
import { fingerprintAssignees, type FingerprintRef, type FingerprintState, type TicketAssignee } from '../../domain/model/backtrace.ts';
import type { JiraIssueState, JiraUser } from '../../domain/model/jira.ts';
import type { LinkedLink } from '../../domain/model/link.ts';
import { backtraceStateFor } from '../../domain/sync/state-mapping.ts';
import { pushedToBacktraceRecord, sameTickets, ticketsAfterJiraChange } from '../../domain/sync/sync-decisions.ts';
import { backtraceUserForJira, backtraceUserFromLookup } from '../../domain/sync/user-mapping.ts';
import type { BacktraceUserDirectory } from '../../ports/backtrace-user-directory.ts';
import type { Clock } from '../../ports/clock.ts';
import type { BacktraceIssues } from '../../ports/backtrace-issues.ts';
import type { LinkStore, SyncGuard } from '../../ports/link-store.ts';
import type { Logger } from '../../ports/logger.ts';

export interface ApplyStepDeps {
  backtrace: BacktraceIssues;
  links: Pick<LinkStore, 'updateSync'>;
  users: Pick<BacktraceUserDirectory, 'findByEmail'>;
  clock: Clock;
  log: Logger;
}

export interface ApplyStepInput {
  integration: IntegrationConfig;
  link: LinkedLink;
  /** The issue as Jira has it now. */
  issue: JiraIssueState;
  /** Which of the issue's fields to apply to the fingerprint (what the change touched, or everything at link time). */
  fields: { state: boolean; assignee: boolean };
  /** The issue's `fields.updated`, as the watermark to advance; absent at link time and when checking again. */
  guard?: SyncGuard;
  /** Extra log fields (the delivery's event and key). */
  context?: Record<string, unknown>;
}

export type ApplyStepResult =
  | { outcome: 'applied' | 'unchanged'; detail?: string }
  /** A newer Jira change was recorded while we wrote (`detail`: what we wrote): the caller reads both sides again. */
  | { outcome: 'superseded'; detail: string };

export async function applyIssueToFingerprint(deps: ApplyStepDeps, input: ApplyStepInput): Promise<ApplyStepResult> {
  const { integration, link, issue, fields } = input;
  const ref: FingerprintRef = { universe: link.universe, project: link.project, fingerprint: link.fingerprint };
  const context = { integration: integration.name, fingerprint: link.fingerprint, issueKey: issue.key, ...input.context };
  // The issue's current key, not a delivery's: a late delivery may still carry the key it had before a move.
  const url = `${integration.jira.siteUrl}/browse/${issue.key}`;
  if (issue.key !== link.issueKey) {
    await deps.links.updateSync(integration.name, link.fingerprint, { issueKey: issue.key, issueUrl: url, now: deps.clock.now() });
    deps.log.info(`Jira issue ${link.issueKey} is now ${issue.key}`, context);
  }

  const wantedState: FingerprintState | undefined = fields.state ? backtraceStateFor(issue.status, integration.sync.stateMap) : undefined;
  const wantedAssignees = fields.assignee ? await backtraceAssigneesFor(deps, integration, link, issue.assignee, context) : undefined;

  const row = await deps.backtrace.getIssue(ref);
  const tickets = ticketsAfterJiraChange(row.tickets, integration.name, { issueState: wantedState, assignees: wantedAssignees, key: issue.key, url });
  const stateChanges = wantedState !== undefined && wantedState !== row.state;
  const ticketsChange = !sameTickets(tickets, row.tickets);
  const now = deps.clock.now();
  if (stateChanges || ticketsChange) {
    await deps.backtrace.updateIssue(ref, { ...(stateChanges ? { state: wantedState } : {}), ...(ticketsChange ? { tickets } : {}) });
  }
  if (fields.state || fields.assignee) {
    // `null` (unassigned in Jira) leaves nobody; `undefined` (not synced) leaves Backtrace's assignees as they were.
    const assignees = wantedAssignees === undefined ? fingerprintAssignees(row.tickets) : (wantedAssignees ?? []);
    const after = { state: wantedState ?? row.state, assignees };
    const recorded = await deps.links.updateSync(
      integration.name,
      link.fingerprint,
      // What Backtrace holds after our write (its change event is our echo), and a real Jira change ends the echo
      // window of our last Jira write.
      { sync: { pushedToBacktrace: pushedToBacktraceRecord(after, now), pushedToJira: { at: now } }, now },
      input.guard,
    );
    if (!recorded && input.guard && (stateChanges || ticketsChange)) return { outcome: 'superseded', detail: describeWrite(wantedState, stateChanges, ticketsChange) };
  }
  if (!stateChanges && !ticketsChange) return { outcome: 'unchanged' };
  deps.log.info(`Synced ${issue.key} to the fingerprint`, { ...context, state: wantedState ?? row.state });
  return { outcome: 'applied', detail: describeWrite(wantedState, stateChanges, ticketsChange) };
}

function describeWrite(state: FingerprintState | undefined, stateChanges: boolean, ticketsChange: boolean): string {
  return [stateChanges ? `state ${state}` : '', ticketsChange ? 'tickets' : ''].filter(Boolean).join(', ');
}

/** `null` = unassign; `undefined` = leave Backtrace's assignees alone (the Jira user cannot be told for sure). */
async function backtraceAssigneesFor(
  deps: ApplyStepDeps,
  integration: IntegrationConfig,
  link: LinkedLink,
  assignee: JiraUser | null,
  context: Record<string, unknown>,
): Promise<TicketAssignee[] | null | undefined> {
  if (assignee === null) return null;
  const mapped = backtraceUserForJira(assignee, integration.sync);
  if (mapped.kind === 'user') return [mapped.assignee];
  const found = mapped.kind === 'skip' ? mapped : backtraceUserFromLookup(mapped.email, await deps.users.findByEmail(link.universe, mapped.email));
  if (found.kind === 'skip') {
    deps.log.info(`Assignee not synced to Backtrace: ${found.reason}`, { ...context, jiraUser: assignee.displayName });
    return undefined;
  }
  return [found.assignee];
}
