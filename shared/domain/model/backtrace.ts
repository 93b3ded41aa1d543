/**
 * Backtrace's vocabulary as the bridge speaks it: fingerprint states, the ticket list and its assignees, and the
 * users the bridge has seen. Wire shapes: ../shared/reference/backtrace.md sections 3.1, 3.4 and 3.5.
 */

/** The `watcher` of Backtrace's own entry in a fingerprint's ticket list: it carries the fingerprint's assignees. */
export const BACKTRACE_WATCHER = '_backtrace';

export const FINGERPRINT_STATES = ['open', 'in-progress', 'resolved', 'muted'] as const;
export type FingerprintState = (typeof FINGERPRINT_STATES)[number];

export interface TicketAssignee {
  id: number;
  username?: string;
  email?: string;
}

/** One entry of the fingerprint's `ticket` list. `watcher` is the integration name; `_backtrace` is Backtrace's own. */
export interface Ticket {
  watcher: string;
  assignees?: TicketAssignee[];
  state?: FingerprintState;
  short?: string;
  url?: string;
}

/** Which fingerprint, in which universe and project. */
export interface FingerprintRef {
  universe: string;
  project: string;
  fingerprint: string;
}

/** The fingerprint's workflow row (the `issues` table), as sync reads it. */
export interface FingerprintIssue {
  state: FingerprintState;
  tickets: Ticket[];
  /** The reopen criteria ("resolved until"), section 3.2; absent or empty when none. */
  invariants?: unknown[];
  /** How many times an invariant reopened the fingerprint (a regression), section 3.2; 0 when never. */
  reopenCount?: number;
  /** When the last reopen happened, unix seconds. */
  reopenLastTime?: number;
}

/** One fingerprint's row among many, as the poller reads them. */
export interface FingerprintRow extends FingerprintIssue {
  fingerprint: string;
}

/** A Backtrace user seen on a fingerprint, remembered for mapping Jira users back by e-mail. */
export interface KnownBacktraceUser {
  id: number;
  username?: string;
  email?: string;
}

/**
 * Backtrace's automatic state (section 3.1): a linked ticket or an assignee moves an open fingerprint to
 * in-progress, and unlinking everything moves it back; resolved and muted are sticky. What a ticket-list write
 * leaves the state at, when the write sets no state itself.
 */
export function stateAfterTicketWrite(state: FingerprintState, tickets: readonly Ticket[]): FingerprintState {
  const linked = tickets.some((ticket) => (ticket.watcher !== BACKTRACE_WATCHER && Boolean(ticket.short || ticket.url)) || (ticket.assignees?.length ?? 0) > 0);
  if (state === 'open' && linked) return 'in-progress';
  if (state === 'in-progress' && !linked) return 'open';
  return state;
}

/** The fingerprint's assignees as Backtrace reads them: the `_backtrace` entry's, else the first ticket's (3.4). */
export function fingerprintAssignees(tickets: readonly Pick<Ticket, 'watcher' | 'assignees'>[]): TicketAssignee[] {
  return (tickets.find((ticket) => ticket.watcher === BACKTRACE_WATCHER) ?? tickets[0])?.assignees ?? [];
}
