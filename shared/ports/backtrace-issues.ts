/**
 * Backtrace's fingerprint workflow data (the `issues` table), as the bridge reads and writes it.
 * Implemented by `shared/adapters/backtrace/` over `POST /api/query` (read) and `POST /api/issue` (write).
 * See ../shared/reference/backtrace.md sections 3.4, 3.5 and 5.
 */

/** The `watcher` of Backtrace's own entry in a fingerprint's ticket list: it carries the fingerprint's assignees. */
export const BACKTRACE_WATCHER = '_backtrace';

export type FingerprintState = 'open' | 'in-progress' | 'resolved' | 'muted';

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

export interface FingerprintRef {
  universe: string;
  project: string;
  fingerprint: string;
}

/** The fingerprint's workflow row, as sync reads it. */
export interface FingerprintIssue {
  state: FingerprintState;
  tickets: Ticket[];
}

export interface BacktraceIssues {
  /** Current ticket list of the fingerprint (empty when it has none). */
  getTickets(ref: FingerprintRef): Promise<Ticket[]>;
  /** Replace the fingerprint's whole ticket list (Backtrace's `ticket` is a whole-value replacement). */
  setTickets(ref: FingerprintRef, tickets: Ticket[]): Promise<void>;
  /** State and ticket list in one read (`/api/query` select `state`, `ticket`); unknown fingerprint -> open, []. */
  getIssue(ref: FingerprintRef): Promise<FingerprintIssue>;
  /**
   * One `POST /api/issue` with the state and/or the whole ticket list (with `assignee: 'set'` so the `_backtrace`
   * entry's assignees are applied). Read first: `ticket` replaces the whole list.
   */
  updateIssue(ref: FingerprintRef, change: { state?: FingerprintState; tickets?: Ticket[] }): Promise<void>;
}
