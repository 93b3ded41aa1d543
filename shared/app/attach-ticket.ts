/**
 * Attach a Jira issue to its Backtrace fingerprint: our entry in the fingerprint's ticket list, then the link's
 * `ticketAttached` flag.
 *
 * Idempotent: Backtrace's `ticket` is a whole-value replacement (../shared/reference/backtrace.md section 3.5), so the list
 * is read (or taken as the caller just read it), our entry (watcher = integration name) replaced or inserted, and
 * written back; a list that already holds
 * our entry is not rewritten. Other watchers' entries are kept as they are. Not retried here: failures propagate
 * (Retryable/Permanent from the Backtrace adapter) and the next delivery, finding the link without
 * `ticketAttached`, attaches again without calling Jira.
 */
import { BACKTRACE_WATCHER, type FingerprintRef, type FingerprintState, type Ticket } from '../domain/model/backtrace.ts';
import type { BacktraceIssues } from '../ports/backtrace-issues.ts';
import { sameTickets } from '../domain/sync/sync-decisions.ts';
import type { Clock } from '../ports/clock.ts';
import type { LinkStore } from '../ports/link-store.ts';

export interface AttachTicketDeps {
  backtrace: BacktraceIssues;
  links: Pick<LinkStore, 'markTicketAttached'>;
  clock: Clock;
}

export interface AttachTicketInput {
  /** The integration name: the `watcher` of our entry and the link's integration. */
  integration: string;
  ref: FingerprintRef;
  issue: { key: string; url: string };
  /** State for a new entry (or one that pointed at another issue); an entry already for this issue keeps its own. */
  state: FingerprintState;
  /** The ticket list as just read, sparing a read; absent: it is read first. */
  current?: Ticket[];
}

/** @returns the ticket list as it is now, and whether it had to be written (false: it already carried our entry). */
export async function attachTicket(deps: AttachTicketDeps, input: AttachTicketInput): Promise<{ tickets: Ticket[]; written: boolean }> {
  const current = input.current ?? (await deps.backtrace.getTickets(input.ref));
  const next = withTicket(current, { watcher: input.integration, short: input.issue.key, url: input.issue.url, state: input.state });
  const written = !sameTickets(next, current);
  if (written) await deps.backtrace.setTickets(input.ref, next);
  await deps.links.markTicketAttached(input.integration, input.ref.fingerprint, deps.clock.now());
  return { tickets: next, written };
}

/**
 * The ticket list with `ticket` as its watcher's entry. An entry of the same watcher for the same issue keeps its
 * state and assignees (synced since); for another issue it is replaced. Other watchers' entries are untouched, and
 * `_backtrace` entries come first.
 */
export function withTicket(tickets: readonly Ticket[], ticket: Ticket & { short: string; url: string }): Ticket[] {
  let found = false;
  const merged = tickets.map((existing) => {
    if (existing.watcher !== ticket.watcher) return existing;
    if (found) return undefined; // a second entry of ours is a leftover: one entry per watcher
    found = true;
    if (existing.short === ticket.short) return { ...existing, url: ticket.url, state: existing.state ?? ticket.state };
    return { ...ticket, ...(existing.assignees ? { assignees: existing.assignees } : {}) };
  });
  const list = merged.filter((entry): entry is Ticket => entry !== undefined);
  if (!found) list.push({ ...ticket });
  return [...list.filter((entry) => entry.watcher === BACKTRACE_WATCHER), ...list.filter((entry) => entry.watcher !== BACKTRACE_WATCHER)];
}
