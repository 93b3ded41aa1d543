/**
 * {@link BacktraceIssues} over Backtrace's coroner API: rows are read from the `issues` table with `POST /api/query`
 * and written with `POST /api/issue`, the ticket list always whole (../shared/reference/backtrace.md sections 3.4,
 * 3.5 and 5). Every call is safe to repeat: reads, and writes of a whole value.
 *
 * Credentials (section 3.7): an API token in `X-Coroner-Token` (the default; backtrace-forensics' way), or a service
 * user: `POST /api/login` with the username and password as a form (backtrace-morgue's `login()`), then the session
 * token as the `token` query parameter on every request (morgue's way). The session is renewed once when Backtrace
 * answers 401, and kept for the life of the client otherwise. Neither the password nor a token ever reaches a
 * message: URLs in messages carry no query string.
 *
 * What each wire shape rests on (no official reference for `/api/query` exists; README "Backtrace's API"):
 *
 * | shape the bridge relies on                                              | source                                       |
 * |-------------------------------------------------------------------------|----------------------------------------------|
 * | `POST /api/query?universe&project`, `X-Coroner-Token` + `X-Coroner-Location` | proven: backtrace-forensics                 |
 * | `{"error":{"code","message"}}` answered with HTTP 200                   | proven: backtrace-android fixture, morgue    |
 * | select answers column-wise, run-length encoded                          | proven: backtrace-forensics tests            |
 * | `table: "issues"` with bare column names (no `fingerprint;issues;`)     | proven: backtrace-forensics                  |
 * | several fingerprints by one anchored `regular-expression`               | proven: morgue (`^fp1$\|^fp2$`)              |
 * | paging with `limit`/`offset`, pinned by `_tx at-most <tx>`              | proven: backtrace-forensics `nextPage()`     |
 * | `ticket` column a JSON string of `{watcher, assignees, state, short, url}` | proven: backtrace-forensics              |
 * | `invariant_reopen_count`, `invariant_reopen_last_time` selectable       | documented (invariants.md), no client seen   |
 * | `invariants` column a JSON string in query answers                      | GUESS (the `/api/issue` answer types it so)  |
 * | `POST /api/issue` body and `{results:[...]}` answer                     | proven: backtrace-forensics issues plugin    |
 * | `POST /api/login` form, `{token}`, then `?token=`                       | proven: morgue `login()`                     |
 * | an API token may write issues                                           | UNKNOWN: scopes name no issue write          |
 * | an expired session answers 401                                          | GUESS                                        |
 */
import type { FingerprintRow, FingerprintState, Ticket } from '../../domain/model/backtrace.ts';
import type { BacktraceIssues } from '../../ports/backtrace-issues.ts';
import { PermanentError } from '../../ports/errors.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { createRequestRunner, DEFAULT_TIMEOUT_MS, type HttpRequest, type RequestRunnerOptions } from '../http/request-runner.ts';
import { embeddedError, explainBacktraceFailure, explainLoginFailure, type BacktraceCredentialKind } from './backtrace-errors.ts';
import { batchQuery, fingerprintBatches, PAGE_SIZE, singleQuery } from './issue-queries.ts';
import { parseIssueRow } from './issue-row.ts';
import { decodeSelectRows, type QueryEnvelope } from './select-response.ts';

/** How the client signs in: `backtrace.tokenSecret`'s value, or `backtrace.login` with its password resolved. */
export type BacktraceCredentials = { kind: 'api-token'; token: string } | { kind: 'login'; username: string; password: string };

export interface BacktraceClientOptions {
  /** `backtrace.url`: the instance address, e.g. `https://acme.sp.backtrace.io`. */
  url: string;
  credentials: BacktraceCredentials;
  /** Per-request deadline; default 10 s. */
  timeoutMs?: number;
  /** `settings.maxInlineRetryWaitSeconds` in ms; default 5 s. */
  maxInlineWaitMs?: number;
  /** Counts failed requests, 429s and in-process retries. @default - none */
  metrics?: Metrics;
  /** Test seams of the request runner (sleep, clock, randomness). */
  runner?: Pick<RequestRunnerOptions, 'sleep' | 'now' | 'random' | 'maxRetries'>;
}

interface IssueUpdateAnswer {
  results?: { fingerprint?: string; error?: unknown }[];
  error?: unknown;
}

type Ref = { universe: string; project: string; fingerprint: string };

/**
 * @example
 * const backtrace = createBacktraceClient({ url: 'https://acme.sp.backtrace.io', credentials: { kind: 'api-token', token } });
 * const ref = { universe: 'acme', project: 'game', fingerprint: '8910551e...' };
 * const tickets = await backtrace.getTickets(ref);
 * await backtrace.setTickets(ref, [...tickets.filter((t) => t.watcher !== 'jira-prod'), ours]);
 */
export function createBacktraceClient(options: BacktraceClientOptions): BacktraceIssues {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!URL.canParse(options.url)) throw new PermanentError(`backtrace.url is not an absolute URL: ${JSON.stringify(options.url)}`);
  const { credentials } = options;
  if (credentials.kind === 'api-token' && !credentials.token) throw new PermanentError('Backtrace API token is empty: check the secret named by backtrace.tokenSecret');
  if (credentials.kind === 'login' && !credentials.password) throw new PermanentError('Backtrace service user password is empty: check the secret named by backtrace.login.passwordSecret');
  const credentialKind: BacktraceCredentialKind = credentials.kind;
  const location = options.url.replace(/\/+$/, '');
  const http = createRequestRunner({
    system: 'Backtrace',
    baseUrl: `${location}/`,
    timeoutMs,
    maxInlineWaitMs: options.maxInlineWaitMs,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    headers: () => ({ ...(credentials.kind === 'api-token' ? { 'X-Coroner-Token': credentials.token } : {}), 'X-Coroner-Location': location }),
    ...options.runner,
  });

  let session: Promise<string> | undefined;
  /** The service user's session token, logging in on first use (one login shared by concurrent calls). */
  function sessionToken(): Promise<string> {
    if (credentials.kind !== 'login') throw new Error('no service user configured');
    session ??= (async () => {
      const { data } = await http.request<{ token?: unknown; error?: unknown }>({
        method: 'POST',
        path: 'api/login',
        form: { username: credentials.username, password: credentials.password },
        idempotent: true,
        explain: (failure) => explainLoginFailure(failure, credentials.username),
      });
      if (typeof data?.token !== 'string' || data.token === '') {
        throw new PermanentError(`Backtrace answered the login of service user "${credentials.username}" without a session token: check backtrace.url and backtrace.login`);
      }
      return data.token;
    })();
    session.catch(() => (session = undefined));
    return session;
  }

  /** A coroner call with the configured credentials; a service user's expired session is renewed once. */
  async function call<T>(request: HttpRequest, ref: Ref, operation: string): Promise<T> {
    const explain = (failure: Parameters<typeof explainBacktraceFailure>[0]) => explainBacktraceFailure(failure, ref, timeoutMs, credentialKind, operation);
    for (let attempt = 0; ; attempt++) {
      const current = credentials.kind === 'login' ? sessionToken() : undefined;
      const query = current ? { ...request.query, token: await current } : request.query;
      try {
        const { data } = await http.request<T & { error?: unknown }>({ ...request, query, explain });
        if (data?.error != null) throw embeddedError(data.error, ref, operation, credentialKind);
        return data;
      } catch (error) {
        const expired = current !== undefined && attempt === 0 && error instanceof PermanentError && error.status === 401;
        if (!expired) throw error;
        // Only the refused session is dropped: a concurrent call may have logged in again already.
        if (session === current) session = undefined;
      }
    }
  }

  async function query(ref: Ref, body: Record<string, unknown>, operation: string): Promise<QueryEnvelope & { _?: { tx?: unknown } }> {
    return call<QueryEnvelope & { _?: { tx?: unknown } }>(
      { method: 'POST', path: 'api/query', query: { universe: ref.universe, project: ref.project }, body, idempotent: true },
      ref,
      operation,
    );
  }

  /** One `POST /api/issue`; the body's `ticket` (when given) replaces the whole list. */
  async function writeIssue(ref: Ref, change: Record<string, unknown>, operation: string): Promise<void> {
    const data = await call<IssueUpdateAnswer>(
      {
        method: 'POST',
        path: 'api/issue',
        query: { universe: ref.universe, project: ref.project },
        body: { fingerprint: [ref.fingerprint], project: ref.project, ...change },
        // Setting the same state and the same whole list twice leaves the same row.
        idempotent: true,
      },
      ref,
      operation,
    );
    const refused = (data?.results ?? []).find((result) => result?.error != null);
    if (refused) throw embeddedError(refused.error, ref, operation, credentialKind);
  }

  async function readRow(ref: Ref, operation: string): Promise<Record<string, unknown> | undefined> {
    const rows = decodeSelectRows(await query(ref, singleQuery(ref.fingerprint), operation));
    return rows.find((candidate) => candidate.fingerprint === ref.fingerprint) ?? rows[0];
  }

  return {
    async getTickets(ref) {
      const row = await readRow(ref, 'read the tickets');
      return row ? parseIssueRow(row, ref).tickets : [];
    },

    async setTickets(ref, tickets) {
      await writeIssue(ref, { ticket: { action: 'set', value: tickets } }, 'write the tickets');
    },

    async getIssue(ref) {
      const row = await readRow(ref, 'read the state and tickets');
      return row ? parseIssueRow(row, ref) : { state: 'open', tickets: [], invariants: [], reopenCount: 0 };
    },

    async readFingerprints(project, fingerprints) {
      const rows: FingerprintRow[] = [];
      for (const batch of fingerprintBatches(fingerprints)) {
        const wanted = new Set(batch);
        // Messages name the batch by its first fingerprint and its size.
        const ref = { ...project, fingerprint: batch.length > 1 ? `${batch[0]} (and ${batch.length - 1} more)` : (batch[0] ?? '') };
        let tx: number | undefined;
        for (let offset = 0; ; offset += PAGE_SIZE) {
          const answer = await query(ref, batchQuery(batch, { offset, tx }), `read ${batch.length} fingerprints`);
          tx ??= typeof answer._?.tx === 'number' ? answer._.tx : undefined;
          const page = decodeSelectRows(answer);
          for (const record of page) {
            const fingerprint = record.fingerprint;
            if (typeof fingerprint !== 'string' || !wanted.delete(fingerprint)) continue;
            rows.push({ fingerprint, ...parseIssueRow(record, { ...project, fingerprint }) });
          }
          // A batch matches at most its own fingerprints: all found, or a short page, is the end.
          if (wanted.size === 0 || page.length < PAGE_SIZE) break;
        }
      }
      return rows;
    },

    async updateIssue(ref, change: { state?: FingerprintState; tickets?: Ticket[]; invariants?: unknown[] }) {
      if (change.state === undefined && change.tickets === undefined && change.invariants === undefined) return;
      await writeIssue(
        ref,
        {
          ...(change.state === undefined ? {} : { state: change.state }),
          // `assignee: 'set'` asks Backtrace to apply the assignees in the list (the `_backtrace` entry's are the
          // fingerprint's own), as Backtrace's own web app sends it with every assignee change (section 3.5).
          ...(change.tickets === undefined ? {} : { ticket: { action: 'set', assignee: 'set', value: change.tickets } }),
          ...(change.invariants === undefined ? {} : { invariants: { action: 'set', value: change.invariants } }),
        },
        'update the state and tickets',
      );
    },
  };
}
