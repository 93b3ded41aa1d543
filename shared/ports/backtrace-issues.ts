/**
 * Backtrace's fingerprint workflow data (the `issues` table), as the bridge reads and writes it.
 * Implemented by `shared/adapters/backtrace/` over `POST /api/query` (read) and `POST /api/issue` (write).
 * See ../shared/reference/backtrace.md sections 3.4, 3.5 and 5.
 */
import type { FingerprintIssue, FingerprintRef, FingerprintRow, FingerprintState, Ticket } from '../domain/model/backtrace.ts';

export interface BacktraceIssues {
  /** Current ticket list of the fingerprint (empty when it has none). */
  getTickets(ref: FingerprintRef): Promise<Ticket[]>;
  /** Replace the fingerprint's whole ticket list (Backtrace's `ticket` is a whole-value replacement). */
  setTickets(ref: FingerprintRef, tickets: Ticket[]): Promise<void>;
  /** The fingerprint's row in one read (state, tickets, invariants, reopen count); unknown fingerprint -> open, []. */
  getIssue(ref: FingerprintRef): Promise<FingerprintIssue>;
  /**
   * The rows of many fingerprints of one project (`/api/query` on the `issues` table, at most 100 fingerprints per
   * query, paged and pinned to one snapshot). Fingerprints Backtrace has no row for are left out.
   */
  readFingerprints(project: { universe: string; project: string }, fingerprints: readonly string[]): Promise<FingerprintRow[]>;
  /**
   * One `POST /api/issue` with the state, the whole ticket list (with `assignee: 'set'` so the `_backtrace` entry's
   * assignees are applied) and/or the whole invariants list. Read first: `ticket` and `invariants` replace the
   * whole value.
   */
  updateIssue(ref: FingerprintRef, change: { state?: FingerprintState; tickets?: Ticket[]; invariants?: unknown[] }): Promise<void>;
}
