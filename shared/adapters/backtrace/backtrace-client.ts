/**
 * {@link BacktraceIssues} over Backtrace's coroner API: tickets are read from the `issues` table with
 * `POST /api/query` and written whole with `POST /api/issue` (../../../shared/reference/backtrace.md 3.4, 3.5, 5).
 */
import { PermanentError } from '../../ports/errors.ts';
import type { BacktraceIssues, FingerprintRef, Ticket } from '../../ports/backtrace-issues.ts';
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

  return {
    async getTickets(ref) {
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
      if (data?.error != null) throw embeddedError(data.error, ref, 'read the tickets');
      const rows = decodeSelectRows(data ?? {});
      const row = rows.find((candidate) => candidate.fingerprint === ref.fingerprint) ?? rows[0];
      return row ? parseTickets(row.ticket, ref) : [];
    },

    async setTickets(ref, tickets) {
      const { data } = await http.request<IssueUpdateAnswer>({
        method: 'POST',
        path: 'api/issue',
        query: { universe: ref.universe, project: ref.project },
        body: { fingerprint: [ref.fingerprint], project: ref.project, ticket: { action: 'set', value: tickets } },
        // Setting the whole list to the same value twice leaves the same list.
        idempotent: true,
        explain: (failure) => explainBacktraceFailure(failure, ref, timeoutMs),
      });
      if (data?.error != null) throw embeddedError(data.error, ref, 'write the tickets');
      const refused = (data?.results ?? []).find((result) => result?.error != null);
      if (refused) throw embeddedError(refused.error, ref, 'write the tickets');
    },
  };
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
