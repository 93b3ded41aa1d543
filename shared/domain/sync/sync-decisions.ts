/**
 * Small pure decisions of state/assignee sync: does a field flow this way, which Backtrace assignee Jira can hold,
 * and what the fingerprint's ticket list becomes. Which way a change flows is sync-plan.ts.
 */
import { BACKTRACE_WATCHER, type FingerprintState, type Ticket, type TicketAssignee } from '../model/backtrace.ts';
import type { SyncConfig } from '../config/index.ts';

export type SyncDirection = 'to-jira' | 'to-backtrace';
import type { SyncField } from './sync-plan.ts';

/** Does `sync` ask for this field to flow this way? one-way is Backtrace -> Jira; two-way adds Jira -> Backtrace. */
export function syncEnabled(sync: Pick<SyncConfig, 'mode' | 'state' | 'assignee'>, direction: SyncDirection, field: SyncField): boolean {
  if (sync.mode === 'none' || !sync[field]) return false;
  return direction === 'to-jira' || sync.mode === 'two-way';
}

/** The one Backtrace assignee Jira can hold: the first (Jira has a single assignee); `null` when unassigned. */
export function primaryAssignee(assignees: readonly TicketAssignee[]): TicketAssignee | null {
  return assignees[0] ?? null;
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

