/**
 * The sandbox's `issues` table: one row per universe/project/fingerprint, created on first write. A fingerprint nobody
 * wrote reads as Backtrace shows a fresh one: state 'open', no tickets, an empty `ticket` column.
 */
import { BACKTRACE_WATCHER, type Ticket } from './wire.ts';

export interface StoredRow {
  id: number;
  fingerprint: string;
  state: string;
  /** Undefined until a ticket list was ever set: the `ticket` column is then empty, not `[]`. */
  tickets?: Ticket[];
  tags: string;
  invariants?: unknown[];
  invariantReopenCount: number;
  invariantReopenLastTime: number;
}

export class IssueTable {
  readonly #rows = new Map<string, StoredRow>();
  #nextId = 1;

  static key(universe: string, project: string, fingerprint: string): string {
    return JSON.stringify([universe, project, fingerprint]);
  }

  get(universe: string, project: string, fingerprint: string): StoredRow | undefined {
    return this.#rows.get(IssueTable.key(universe, project, fingerprint));
  }

  getOrCreate(universe: string, project: string, fingerprint: string): StoredRow {
    const key = IssueTable.key(universe, project, fingerprint);
    let row = this.#rows.get(key);
    if (!row) {
      row = { id: this.#nextId++, fingerprint, state: 'open', tags: '', invariantReopenCount: 0, invariantReopenLastTime: 0 };
      this.#rows.set(key, row);
    }
    return row;
  }

  /** Rows of one project, plus unwritten rows for the given fingerprints (they exist in Backtrace, just untouched). */
  rowsOf(universe: string, project: string, alsoFingerprints: Iterable<string>): StoredRow[] {
    const prefix = JSON.stringify([universe, project]).slice(0, -1) + ',';
    const rows = [...this.#rows.entries()].filter(([key]) => key.startsWith(prefix)).map(([, row]) => row);
    for (const fingerprint of alsoFingerprints) {
      if (!rows.some((row) => row.fingerprint === fingerprint)) {
        rows.push({ id: 0, fingerprint, state: 'open', tags: '', invariantReopenCount: 0, invariantReopenLastTime: 0 });
      }
    }
    return rows;
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

/** A row as `/api/issue` answers it (forensics `OkCoronerIssueResponse`): JSON columns as strings. */
export function renderIssueResult(row: StoredRow): Record<string, unknown> {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    state: row.state,
    invariants: row.invariants === undefined ? '' : JSON.stringify(row.invariants),
    invariant_reopen_count: row.invariantReopenCount,
    invariant_reopen_last_time: row.invariantReopenLastTime,
    tags: row.tags,
    ticket: row.tickets === undefined ? '' : JSON.stringify(row.tickets),
    blame_last_modified: 0,
    blame: '',
  };
}
