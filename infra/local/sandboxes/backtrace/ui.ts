/**
 * A person using Backtrace's UI: state and assignee changes made the way the web app makes them (reference
 * section 3.4: assignees are rewritten on every ticket entry, Backtrace's own `_backtrace` entry kept first). Each
 * action changes the row and nothing else: Backtrace announces no change (sections 3.7 and 5); whoever wants to
 * know polls `/api/query`.
 */
import { automaticState, type IssueTable } from './issue-table.ts';
import type { BacktraceUiSession } from './types.ts';
import { BACKTRACE_WATCHER, type TicketAssignee } from './wire.ts';

/** The acting user is not recorded (Backtrace's `blame` is not simulated); it documents the test. */
export function uiSession(table: IssueTable, _user: TicketAssignee): BacktraceUiSession {
  return {
    setState(universe, project, fingerprint, state) {
      const row = table.getOrCreate(universe, project, fingerprint);
      row.state = state;
    },

    assign(universe, project, fingerprint, users) {
      const row = table.getOrCreate(universe, project, fingerprint);
      const assignees = structuredClone(users);
      const others = (row.tickets ?? []).filter((t) => t.watcher !== BACKTRACE_WATCHER);
      const own = row.tickets?.find((t) => t.watcher === BACKTRACE_WATCHER) ?? { watcher: BACKTRACE_WATCHER };
      row.tickets = [
        { ...own, assignees: structuredClone(assignees) },
        ...others.map((ticket) => ({ ...ticket, assignees: structuredClone(assignees) })),
      ];
      row.state = automaticState(row.state, row.tickets);
    },
  };
}
