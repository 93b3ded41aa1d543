/**
 * {@link BacktraceIssues} over Backtrace's coroner API: state and tickets are read from the `issues` table with
 * `POST /api/query` and written with `POST /api/issue`, the ticket list always whole
 * (../shared/reference/backtrace.md sections 3.4, 3.5, 5). Every call is safe to repeat: reads, and writes of a whole
 * value.
 */
import { PermanentError } from '../../ports/errors.ts';
import type { BacktraceIssues } from '../../ports/backtrace-issues.ts';
import type { FingerprintRef, FingerprintState, Ticket } from '../../domain/model/backtrace.ts';
import { createRequestRunner, DEFAULT_TIMEOUT_MS, type RequestRunnerOptions } from '../http/request-runner.ts';
import { embeddedError, explainBacktraceFailure } from './backtrace-errors.ts';
import { decodeSelectRows, type QueryEnvelope } from './select-response.ts';

export interface BacktraceClientOptions {
  /** `backtrace.url`: the instance address, e.g. `https://acme.sp.backtrace.io`. */
  url: string;
  /** The resolved value of `backtrace.tokenSecret`. */
  token: string;
  /** Per-request deadline; default 10 s. */
  timeoutMs?: number;
  /** `settings.maxInlineRetryWaitSeconds` in ms; default 5 s. */
  maxInlineWaitMs?: number;
  /** Test seams of the request runner (sleep, clock, randomness). */
  runner?: Pick<RequestRunnerOptions, 'sleep' | 'now' | 'random' | 'maxRetries'>;
}

interface IssueUpdateAnswer {
  results?: { fingerprint?: string; error?: unknown }[];
  error?: unknown;
}

/**
 * @example
 * const backtrace = createBacktraceClient({ url: 'https://acme.sp.backtrace.io', token });
 * const ref = { universe: 'acme', project: 'game', fingerprint: '8910551e...' };
 * const tickets = await backtrace.getTickets(ref);
 * await backtrace.setTickets(ref, [...tickets.filter((t) => t.watcher !== 'jira-prod'), ours]);
 */
export function createBacktraceClient(options: BacktraceClientOptions): BacktraceIssues {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!URL.canParse(options.url)) throw new PermanentError(`backtrace.url is not an absolute URL: ${JSON.stringify(options.url)}`);
  if (!options.token) throw new PermanentError('Backtrace API token is empty: check the secret named by backtrace.tokenSecret');
  const location = options.url.replace(/\/+$/, '');
  const http = createRequestRunner({
    system: 'Backtrace',
    baseUrl: `${location}/`,
    timeoutMs,
    maxInlineWaitMs: options.maxInlineWaitMs,
    headers: () => ({ 'X-Coroner-Token': options.token, 'X-Coroner-Location': location }),
    ...options.runner,
  });

  /** The fingerprint's `issues` row (state + ticket columns); undefined when Backtrace has none. */
  async function readRow(ref: FingerprintRef, operation: string): Promise<Record<string, unknown> | undefined> {
    const { data } = await http.request<QueryEnvelope>({
      method: 'POST',
      path: 'api/query',
      query: { universe: ref.universe, project: ref.project },
      body: {
        table: 'issues',
        filter: [{ fingerprint: [['equal', ref.fingerprint]] }],
        select: ['fingerprint', 'state', 'ticket'],
        limit: 1,
      },
      idempotent: true,
      explain: (failure) => explainBacktraceFailure(failure, ref, timeoutMs),
    });
    if (data?.error != null) throw embeddedError(data.error, ref, operation);
    const rows = decodeSelectRows(data ?? {});
    return rows.find((candidate) => candidate.fingerprint === ref.fingerprint) ?? rows[0];
  }

  /** One `POST /api/issue`; the body's `ticket` (when given) replaces the whole list. */
  async function writeIssue(ref: FingerprintRef, change: Record<string, unknown>, operation: string): Promise<void> {
    const { data } = await http.request<IssueUpdateAnswer>({
      method: 'POST',
      path: 'api/issue',
      query: { universe: ref.universe, project: ref.project },
      body: { fingerprint: [ref.fingerprint], project: ref.project, ...change },
      // Setting the same state and the same whole list twice leaves the same row.
      idempotent: true,
      explain: (failure) => explainBacktraceFailure(failure, ref, timeoutMs),
    });
    if (data?.error != null) throw embeddedError(data.error, ref, operation);
    const refused = (data?.results ?? []).find((result) => result?.error != null);
    if (refused) throw embeddedError(refused.error, ref, operation);
  }

  return {
    async getTickets(ref) {
      const row = await readRow(ref, 'read the tickets');
      return row ? parseTickets(row.ticket, ref) : [];
    },

    async setTickets(ref, tickets) {
      await writeIssue(ref, { ticket: { action: 'set', value: tickets } }, 'write the tickets');
    },

    async getIssue(ref) {
      const row = await readRow(ref, 'read the state and tickets');
      if (!row) return { state: 'open', tickets: [] };
      return { state: parseState(row.state, ref), tickets: parseTickets(row.ticket, ref) };
    },

    async updateIssue(ref, change) {
      if (change.state === undefined && change.tickets === undefined) return;
      await writeIssue(
        ref,
        {
          ...(change.state === undefined ? {} : { state: change.state }),
          // `assignee: 'set'` asks Backtrace to apply the assignees in the list (the `_backtrace` entry's are the
          // fingerprint's own), as Backtrace's own web app sends it with every assignee change (../shared/reference/backtrace.md section 3.5).
          ...(change.tickets === undefined ? {} : { ticket: { action: 'set', assignee: 'set', value: change.tickets } }),
        },
        'update the state and tickets',
      );
    },
  };
}

const STATES: readonly FingerprintState[] = ['open', 'in-progress', 'resolved', 'muted'];

/** A row never written reads as an empty state column: Backtrace shows such a fingerprint as open. */
function parseState(value: unknown, ref: FingerprintRef): FingerprintState {
  if (value === undefined || value === null || value === '') return 'open';
  if (typeof value === 'string' && (STATES as readonly string[]).includes(value)) return value as FingerprintState;
  throw new PermanentError(
    `Backtrace reports state ${JSON.stringify(value)} for fingerprint ${ref.fingerprint} in ${ref.universe}/${ref.project}; the bridge knows ${STATES.join(', ')}`,
  );
}

/** The `ticket` column is a JSON string holding `Ticket[]`; an unset column reads as no tickets. */
function parseTickets(value: unknown, ref: FingerprintRef): Ticket[] {
  if (value === undefined || value === null || value === '') return [];
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new PermanentError(`Backtrace's ticket list of fingerprint ${ref.fingerprint} in ${ref.universe}/${ref.project} is not JSON`);
    }
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) {
    throw new PermanentError(`Backtrace's ticket list of fingerprint ${ref.fingerprint} in ${ref.universe}/${ref.project} is not a list`);
  }
  // Entries are kept as they are, even odd ones: the list is written back whole and must not lose others' data.
  return parsed.filter((ticket): ticket is Ticket => typeof ticket === 'object' && ticket !== null);
}
