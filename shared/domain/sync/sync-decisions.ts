/**
 * The pure decisions of state/assignee sync: does a field flow this way, is a delivery stale, is a change our own
 * echo, what we record after a write, and what the fingerprint's ticket list becomes. Together they make sure
 * neither side ping-pongs and a late or repeated delivery never undoes a newer change.
 */
import { BACKTRACE_WATCHER, type FingerprintState, type Ticket, type TicketAssignee } from '../model/backtrace.ts';
import type { JiraDeployment, JiraStatus, JiraUser } from '../model/jira.ts';
import type { LinkSyncState } from '../model/link.ts';
import type { SyncConfig } from '../config/index.ts';
import { jiraUserKey } from './user-mapping.ts';

export type SyncDirection = 'to-jira' | 'to-backtrace';
export type SyncField = 'state' | 'assignee';

/** Does `sync` ask for this field to flow this way? one-way is Backtrace -> Jira; two-way adds Jira -> Backtrace. */
export function syncEnabled(sync: Pick<SyncConfig, 'mode' | 'state' | 'assignee'>, direction: SyncDirection, field: SyncField): boolean {
  if (sync.mode === 'none' || !sync[field]) return false;
  return direction === 'to-jira' || sync.mode === 'two-way';
}

/**
 * A delivery is stale when the link's watermark is after its time. An equal time is not stale: Backtrace's `at` may
 * be whole seconds, so two different changes can share it; and since both sides are read before writing, handling
 * the same change twice writes nothing. (`LinkStore.updateSync`'s guard stays strict: the bookkeeping is written once.)
 */
export function isStale(watermark: number | undefined, value: number): boolean {
  return watermark !== undefined && value < watermark;
}

/** The one Backtrace assignee Jira can hold: the first (Jira has a single assignee); `null` when unassigned. */
export function primaryAssignee(assignees: readonly TicketAssignee[]): TicketAssignee | null {
  return assignees[0] ?? null;
}

function sameJiraUser(a: JiraUser, b: JiraUser): boolean {
  // accountId decides when both have one (Cloud, where name/key are deprecated leftovers); else key, else username.
  if (a.accountId && b.accountId) return a.accountId === b.accountId;
  if (a.key && b.key) return a.key.toLowerCase() === b.key.toLowerCase();
  if (a.name && b.name) return a.name.toLowerCase() === b.name.toLowerCase();
  return false;
}

export type EchoVerdict = { echo: false } | { echo: true; reason: string };

/** What a Jira change looks like to echo detection; a parsed `JiraIssueEvent` fits. */
export interface JiraChangeView {
  changed: { status: boolean; assignee: boolean };
  /** Current status (the issue's fields). */
  status?: JiraStatus;
  /** Current assignee; `null` = unassigned; absent = unknown. */
  assignee?: JiraUser | null;
}

/**
 * Is this Jira change the webhook echo of our own write? Yes when it was made by the integration's own Jira account
 * (`myself`), or when every synced field it changed now holds what we last pushed (`link.sync.pushedToJira`, which
 * should record the full state after our write: status id and assignee key). A field we did not push must be
 * unchanged for the event to be our echo, so a person's concurrent edit of the other field is never swallowed.
 *
 * After applying a real Jira change to Backtrace, clear `pushedToJira`: otherwise a person moving the issue back to
 * the state we once pushed would be mistaken for our echo.
 */
export function isOurJiraEcho(
  author: JiraUser | undefined,
  self: JiraUser | undefined,
  change: JiraChangeView,
  pushed: LinkSyncState['pushedToJira'] | undefined,
  deployment: JiraDeployment,
): EchoVerdict {
  if (author && self && sameJiraUser(author, self)) return { echo: true, reason: "made by the integration's own Jira account" };
  if (!pushed || (pushed.statusId === undefined && pushed.assignee === undefined)) return { echo: false };
  if (!change.changed.status && !change.changed.assignee) return { echo: false };
  if (pushed.statusId !== undefined) {
    if (change.status?.id !== pushed.statusId) return { echo: false };
  } else if (change.changed.status) {
    return { echo: false };
  }
  if (pushed.assignee !== undefined) {
    if (change.assignee === undefined) return { echo: false };
    const current = change.assignee === null ? null : (jiraUserKey(change.assignee, deployment) ?? undefined);
    if (current === undefined || !sameKey(current, pushed.assignee)) return { echo: false };
  } else if (change.changed.assignee) {
    return { echo: false };
  }
  return { echo: true, reason: 'the issue holds exactly what the bridge last pushed to Jira' };
}

function sameKey(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return a === b || a.toLowerCase() === b.toLowerCase();
}

const sortedIds = (ids: readonly number[]) => [...new Set(ids)].sort((a, b) => a - b);

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  const left = sortedIds(a);
  const right = sortedIds(b);
  return left.length === right.length && left.every((id, index) => id === right[index]);
}

/**
 * Is this `fingerprint.updated` the echo of our own Backtrace write? Yes when the fingerprint holds what we last pushed
 * (`link.sync.pushedToBacktrace`): the same state and the same assignee ids (order-insensitive). Record both after
 * every write (the state and assignees the fingerprint has afterwards): a field missing from the record is not
 * compared, so a person's concurrent change of it could be taken for an echo.
 *
 * A change made before our write began (`at` earlier than the record's `at`, which is taken before writing) cannot
 * be its echo, even when the fingerprint now looks the same: it is a person's change that reached us late.
 */
export function isOurBacktraceEcho(
  event: { state: FingerprintState; assignees: readonly TicketAssignee[]; at?: number },
  pushed: LinkSyncState['pushedToBacktrace'] | undefined,
): EchoVerdict {
  if (!pushed || (pushed.state === undefined && pushed.assigneeIds === undefined)) return { echo: false };
  if (event.at !== undefined && event.at < pushed.at) return { echo: false };
  if (pushed.state !== undefined && pushed.state !== event.state) return { echo: false };
  if (pushed.assigneeIds !== undefined && !sameIds(pushed.assigneeIds, event.assignees.map((assignee) => assignee.id))) return { echo: false };
  return { echo: true, reason: 'the fingerprint holds exactly what the bridge last pushed to Backtrace' };
}

/** The `pushedToJira` record for the issue's state after our write. */
export function pushedToJiraRecord(after: { status: JiraStatus; assignee: JiraUser | null }, deployment: JiraDeployment, at: number): NonNullable<LinkSyncState['pushedToJira']> {
  const assignee = after.assignee === null ? null : jiraUserKey(after.assignee, deployment);
  return { statusId: after.status.id, ...(assignee === undefined ? {} : { assignee }), at };
}

/** The `pushedToBacktrace` record for the fingerprint's state after our write. */
export function pushedToBacktraceRecord(after: { state: FingerprintState; assignees: readonly TicketAssignee[] }, at: number): NonNullable<LinkSyncState['pushedToBacktrace']> {
  return { state: after.state, assigneeIds: sortedIds(after.assignees.map((assignee) => assignee.id)), at };
}

/** What a Jira change writes into the fingerprint's ticket list. */
export interface TicketChange {
  /** The fingerprint's new state: also the state of a `_backtrace` entry this creates. */
  state?: FingerprintState;
  /** Our ticket entry's state (the Jira issue's state mapped); defaults to `state`. */
  issueState?: FingerprintState;
  /** The fingerprint's assignees, set on the `_backtrace` entry; `null` or `[]` unassigns; absent leaves them. */
  assignees?: TicketAssignee[] | null;
  /** The issue key (changes when the issue moves to another project). */
  key?: string;
  url?: string;
}

/**
 * The ticket list after a Jira change. Backtrace replaces the list whole, so this keeps every other integration's entry
 * untouched and in order. The `_backtrace` entry comes first (Backtrace keeps it there) and receives the assignees
 * (created when absent and assignees are given). Our entry (`watcher`) gets the new state, key and URL; it is appended
 * when missing and a key is known. The input is not modified.
 */
export function ticketsAfterJiraChange(tickets: readonly Ticket[], watcher: string, change: TicketChange): Ticket[] {
  const out: Ticket[] = [];
  let own: Ticket | undefined;
  let backtraceEntry: Ticket | undefined;
  for (const ticket of tickets) {
    if (ticket.watcher === BACKTRACE_WATCHER && !backtraceEntry) {
      backtraceEntry = { ...ticket };
      continue;
    }
    if (ticket.watcher === watcher && !own) {
      own = { ...ticket };
      out.push(own);
      continue;
    }
    out.push(ticket);
  }
  if (change.assignees !== undefined) {
    const assignees = (change.assignees ?? []).map((assignee) => ({ ...assignee }));
    if (backtraceEntry) backtraceEntry.assignees = assignees;
    else backtraceEntry = { watcher: BACKTRACE_WATCHER, assignees, ...(change.state ? { state: change.state } : {}) };
  }
  const ownState = change.issueState ?? change.state;
  if (!own && change.key !== undefined) {
    own = { watcher };
    out.push(own);
  }
  if (own) {
    if (ownState) own.state = ownState;
    if (change.key !== undefined) own.short = change.key;
    if (change.url !== undefined) own.url = change.url;
  }
  return backtraceEntry ? [backtraceEntry, ...out] : out;
}

/**
 * Are two ticket lists the same, entry for entry and in order? Backtrace shows the list in its stored order, so a
 * reordered list is a change worth writing.
 */
export function sameTickets(a: readonly Ticket[], b: readonly Ticket[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The ticket list without our entry (the Jira issue was deleted: unlink). Other entries keep their order. */
export function ticketsWithout(tickets: readonly Ticket[], watcher: string): Ticket[] {
  return tickets.filter((ticket) => ticket.watcher !== watcher);
}

