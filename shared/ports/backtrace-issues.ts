/**
 * Backtrace's fingerprint workflow data (the `issues` table), as the bridge reads and writes it.
 * Implemented by `shared/adapters/backtrace/` over `POST /api/query` (read) and `POST /api/issue` (write).
 * See ../shared/reference/backtrace.md sections 3.4, 3.5 and 5.
 */
import type { FingerprintIssue, FingerprintRef, FingerprintState, Ticket } from '../domain/model/backtrace.ts';

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
