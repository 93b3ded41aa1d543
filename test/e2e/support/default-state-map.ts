/**
 * The default state maps as a person reads them in the two tools (README "State and assignee sync"), written out
 * here rather than imported from the bridge, so a test states independently what "both sides agree" means.
 */

/** The default `sync.stateMap.toBacktrace`: Jira status category -> fingerprint state. */
export const DEFAULT_TO_BACKTRACE: Readonly<Record<string, string>> = { new: 'open', indeterminate: 'in-progress', done: 'resolved' };

/**
 * Do a fingerprint (its state and ticket list) and a Jira issue (its status category) agree by the default maps?
 * Muted maps to "leave" (it agrees with any status), and Backtrace's automatic in-progress (a linked ticket, nobody
 * assigned on the `_backtrace` entry) agrees with an issue still in its first status.
 */
export function agreeByDefaultMap(state: string, category: string, tickets: readonly { watcher: string; assignees?: readonly unknown[] }[]): boolean {
  if (state === 'muted' || DEFAULT_TO_BACKTRACE[category] === state) return true;
  const assigned = (tickets.find((ticket) => ticket.watcher === '_backtrace')?.assignees?.length ?? 0) > 0;
  return state === 'in-progress' && !assigned && category === 'new';
}
