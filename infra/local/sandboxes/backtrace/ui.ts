/**
 * A person using Backtrace's UI: state and assignee changes made the way the web app makes them (reference
 * section 3.4: assignees are rewritten on every ticket entry, Backtrace's own `_backtrace` entry kept first). Each
 * action is one transaction that changes the row and nothing else: Backtrace announces no change (sections 3.7
 * and 5); whoever wants to know polls `/api/query`. Resolve/mute/reopen details are guesses: `guesses.ts` G8.
 */
import { parseInvariants } from './invariants.ts';
import { automaticState, type IssueTable, type StoredRow } from './issue-table.ts';
import type { BacktraceUiSession } from './types.ts';
import { BACKTRACE_WATCHER, type IssueInvariant, type TicketAssignee } from './wire.ts';

/** The acting user is not recorded (Backtrace's `blame` is not simulated); it documents the test. */
export function uiSession(table: IssueTable, _user: TicketAssignee): BacktraceUiSession {
  const change = (universe: string, project: string, fingerprint: string, apply: (row: StoredRow) => void): void =>
    table.transaction((tx) => {
      const row = table.getOrCreate(universe, project, fingerprint, tx);
      apply(row);
      row.modifications += 1;
    });

  /** Resolve/mute "until": the given invariants replace the row's; none given clears those set before (G8). */
  const setInvariants = (row: StoredRow, invariants: IssueInvariant[] | undefined): void => {
    if (invariants !== undefined) row.invariants = invariants;
    else if (row.invariants !== undefined) row.invariants = [];
  };

  return {
    setState(universe, project, fingerprint, state) {
      change(universe, project, fingerprint, (row) => {
        row.state = state;
      });
    },

    assign(universe, project, fingerprint, users) {
      change(universe, project, fingerprint, (row) => {
        const others = (row.tickets ?? []).filter((t) => t.watcher !== BACKTRACE_WATCHER);
        const own = row.tickets?.find((t) => t.watcher === BACKTRACE_WATCHER) ?? { watcher: BACKTRACE_WATCHER };
        row.tickets = [{ ...own, assignees: structuredClone(users) }, ...others.map((ticket) => ({ ...ticket, assignees: structuredClone(users) }))];
        row.state = automaticState(row.state, row.tickets);
      });
    },

    resolve(universe, project, fingerprint, invariants) {
      const checked = invariants === undefined ? undefined : parseInvariants(invariants);
      change(universe, project, fingerprint, (row) => {
        row.state = 'resolved';
        setInvariants(row, checked);
      });
    },

    mute(universe, project, fingerprint, invariants) {
      const checked = invariants === undefined ? undefined : parseInvariants(invariants);
      change(universe, project, fingerprint, (row) => {
        row.state = 'muted';
        setInvariants(row, checked);
      });
    },

    reopen(universe, project, fingerprint) {
      change(universe, project, fingerprint, (row) => {
        row.state = automaticState('open', row.tickets ?? []);
      });
    },
  };
}
