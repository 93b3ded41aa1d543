/**
 * The sandbox's `issues` table: one row per universe/project/fingerprint, created on first write. A fingerprint nobody
 * wrote reads as Backtrace shows a fresh one: state 'open', no tickets, an empty `ticket` column.
 *
 * Transactions (`guesses.ts` G3): every change is one transaction with the next number; a row remembers the
 * transaction that created it (its `_tx`) and counts the changes made to it since.
 */
import { BACKTRACE_WATCHER, type IssueInvariant, type Ticket } from './wire.ts';

export interface StoredRow {
  id: number;
  fingerprint: string;
  state: string;
  /** Undefined until a ticket list was ever set: the `ticket` column is then empty, not `[]`. */
  tickets?: Ticket[];
  tags: string;
  /** Undefined until invariants were ever set: the `invariants` column is then empty (G4). */
  invariants?: IssueInvariant[];
  invariantReopenCount: number;
  /** Unix seconds of the last reopen by an invariant; 0 before the first (G5). */
  invariantReopenLastTime: number;
  /** The `_tx` column: the transaction that created the row. */
  tx: number;
  /** Writes to the row: `/api/issue` writes, a person's actions, reopens by an invariant (seeding does not count). */
  modifications: number;
}

const freshRow = (id: number, fingerprint: string, tx: number): StoredRow => ({
  id,
  fingerprint,
  state: 'open',
  tags: '',
  invariantReopenCount: 0,
  invariantReopenLastTime: 0,
  tx,
  modifications: 0,
});

export class IssueTable {
  readonly #rows = new Map<string, StoredRow>();
  #nextId = 1;
  /** The last committed transaction: what a query answers as `_.tx`. Never goes back, not even on `clear()`. */
  #tx = 1;

  static key(universe: string, project: string, fingerprint: string): string {
    return JSON.stringify([universe, project, fingerprint]);
  }

  get tx(): number {
    return this.#tx;
  }

  /**
   * Runs one change as a transaction: `write` gets the transaction's number (for the rows it creates), and the
   * number is committed only when `write` returns; a refused request (it throws) commits nothing.
   */
  transaction<T>(write: (tx: number) => T): T {
    const result = write(this.#tx + 1);
    this.#tx += 1;
    return result;
  }

  get(universe: string, project: string, fingerprint: string): StoredRow | undefined {
    return this.#rows.get(IssueTable.key(universe, project, fingerprint));
  }

  /** The row, created in transaction `tx` when missing. */
  getOrCreate(universe: string, project: string, fingerprint: string, tx: number): StoredRow {
    const key = IssueTable.key(universe, project, fingerprint);
    let row = this.#rows.get(key);
    if (!row) {
      row = freshRow(this.#nextId++, fingerprint, tx);
      this.#rows.set(key, row);
    }
    return row;
  }

  /** Rows of one project, plus unwritten rows for the given fingerprints (they exist in Backtrace, just untouched). */
  rowsOf(universe: string, project: string, alsoFingerprints: Iterable<string>): StoredRow[] {
    const prefix = JSON.stringify([universe, project]).slice(0, -1) + ',';
    const rows = [...this.#rows.entries()].filter(([key]) => key.startsWith(prefix)).map(([, row]) => row);
    for (const fingerprint of alsoFingerprints) {
      if (!rows.some((row) => row.fingerprint === fingerprint)) rows.push(freshRow(0, fingerprint, 0));
    }
    return rows;
  }

  /** Every written row with its universe and project, ordered by universe, project, then creation. */
  allRows(): { universe: string; project: string; row: StoredRow }[] {
    return [...this.#rows.entries()]
      .map(([key, row]) => {
        const [universe, project] = JSON.parse(key) as [string, string];
        return { universe, project, row };
      })
      .sort((a, b) => a.universe.localeCompare(b.universe) || a.project.localeCompare(b.project) || a.row.id - b.row.id);
  }

  clear(): void {
    this.#rows.clear();
    this.#nextId = 1;
  }
}

/**
 * Backtrace's automatic state (reference section 3.1): linking a ticket or assigning someone moves an open
 * fingerprint to in-progress; unlinking everything moves it back. Resolved and muted are sticky.
 */
export function automaticState(current: string, tickets: Ticket[]): string {
  const linked = tickets.some((t) => (t.watcher !== BACKTRACE_WATCHER && (t.short || t.url)) || (t.assignees?.length ?? 0) > 0);
  if (current === 'open' && linked) return 'in-progress';
  if (current === 'in-progress' && !linked) return 'open';
  return current;
}

/** The `ticket` and `invariants` columns: JSON strings, empty when never set (G4). */
export const ticketColumn = (row: StoredRow): string => (row.tickets === undefined ? '' : JSON.stringify(row.tickets));
export const invariantsColumn = (row: StoredRow): string => (row.invariants === undefined ? '' : JSON.stringify(row.invariants));

/** A row as `/api/issue` answers it (forensics `OkCoronerIssueResponse`): JSON columns as strings. */
export function renderIssueResult(row: StoredRow): Record<string, unknown> {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    state: row.state,
    invariants: invariantsColumn(row),
    invariant_reopen_count: row.invariantReopenCount,
    invariant_reopen_last_time: row.invariantReopenLastTime,
    tags: row.tags,
    ticket: ticketColumn(row),
    blame_last_modified: 0,
    blame: '',
  };
}
