/**
 * The Jira -> Backtrace write: the fingerprint's state, the `_backtrace` entry's assignees and our ticket entry
 * (state, key, URL) in one `POST /api/issue`, computed from the ticket list just read (it is replaced whole; other
 * integrations' entries survive). Nothing is written when nothing differs.
 */
import type { IntegrationConfig } from '../../domain/config/index.ts';
import { stateAfterTicketWrite, type FingerprintIssue, type FingerprintRef, type FingerprintState, type TicketAssignee } from '../../domain/model/backtrace.ts';
import { sameTickets, ticketsAfterJiraChange } from '../../domain/sync/sync-decisions.ts';
import type { BacktraceIssues } from '../../ports/backtrace-issues.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';

export interface WriteToFingerprintInput {
  integration: IntegrationConfig;
  ref: FingerprintRef;
  /** The row as just read. */
  row: FingerprintIssue;
  /** The fingerprint's new state; absent: leave it. */
  state?: FingerprintState;
  /** The fingerprint's new assignees (`[]`: nobody); absent: leave them. */
  assignees?: TicketAssignee[];
  /** The fingerprint's new reopen criteria, the whole list (`[]`: none); absent: leave them. */
  invariants?: unknown[];
  /** Our ticket entry: the issue's state mapped (absent: leave), key and URL. */
  ticket: { state?: FingerprintState; key: string; url: string };
  context: Record<string, unknown>;
}

export interface WriteToFingerprintResult {
  /** The row after the write, as Backtrace will hold it (its automatic in-progress applied, section 3.1). */
  after: FingerprintIssue;
  actions: string[];
}

export async function writeToFingerprint(deps: { backtrace: BacktraceIssues; log: Logger; metrics?: Metrics }, input: WriteToFingerprintInput): Promise<WriteToFingerprintResult> {
  const { row, state, assignees, ticket } = input;
  const tickets = ticketsAfterJiraChange(row.tickets, input.integration.name, {
    issueState: ticket.state,
    ...(assignees === undefined ? {} : { assignees }),
    key: ticket.key,
    url: ticket.url,
  });
  const stateChanges = state !== undefined && state !== row.state;
  const ticketsChange = !sameTickets(tickets, row.tickets);
  const invariantsChange = input.invariants !== undefined && JSON.stringify(input.invariants) !== JSON.stringify(row.invariants ?? []);
  const actions = [
    stateChanges ? `state ${state}` : '',
    ticketsChange ? 'tickets' : '',
    invariantsChange ? (input.invariants!.length === 0 ? 'invariants cleared' : `invariants ${describeInvariants(input.invariants!)}`) : '',
  ].filter(Boolean);
  if (actions.length === 0) return { after: row, actions };
  await deps.backtrace.updateIssue(input.ref, {
    ...(stateChanges ? { state } : {}),
    ...(ticketsChange ? { tickets } : {}),
    ...(invariantsChange ? { invariants: input.invariants } : {}),
  });
  deps.metrics?.count('SyncWrites', { direction: 'ToBacktrace' });
  const after = {
    ...row,
    tickets,
    state: stateChanges ? state : stateAfterTicketWrite(row.state, tickets),
    ...(invariantsChange ? { invariants: input.invariants } : {}),
  };
  return { after, actions };
}

/** `version_gt 2.4.0` for the log and the result. */
function describeInvariants(invariants: unknown[]): string {
  return invariants
    .map((entry) => {
      const { type, version } = (entry ?? {}) as { type?: unknown; version?: unknown };
      return typeof version === 'string' ? `${String(type)} ${version}` : String(type);
    })
    .join(', ');
}
