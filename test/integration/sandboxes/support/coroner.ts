/** Helpers for driving the Backtrace sandbox the way coroner clients do (reference sections 3.5, 3.7, 5). */
import { DEFAULT_BACKTRACE_TOKEN, type BacktraceFake } from '../../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { call, type Answer } from './http.ts';

/** Expands coroner's column-wise RLE select answer into row objects (reference section 5.2). */
export function rows(response: { columns_desc: { name: string }[]; values: [string, ...[unknown, number][]][] }): Record<string, unknown>[] {
  const columns = response.values.map(([, ...runs]) => runs.flatMap(([value, count]) => Array.from({ length: count }, () => value)));
  const count = Math.max(0, ...columns.map((c) => c.length));
  return Array.from({ length: count }, (_, row) => Object.fromEntries(response.columns_desc.map(({ name }, i) => [name, columns[i]![row]])));
}

export interface CoronerCall {
  universe?: string;
  project?: string;
  /** Sent as X-Coroner-Token (forensics); null sends none. Default the sandbox's API token. */
  token?: string | null;
  /** Sent as ?token= (morgue) instead of the header. */
  queryToken?: string;
}

function url(backtrace: BacktraceFake, path: string, options: CoronerCall): string {
  const params = new URLSearchParams({ universe: options.universe ?? 'acme', project: options.project ?? 'game' });
  if (options.queryToken !== undefined) params.set('token', options.queryToken);
  return `${backtrace.url}${path}?${params}`;
}

const headers = (options: CoronerCall): Record<string, string> => {
  const token = options.token === undefined ? (options.queryToken === undefined ? DEFAULT_BACKTRACE_TOKEN : null) : options.token;
  return token === null ? {} : { 'X-Coroner-Token': token };
};

export const postQuery = (backtrace: BacktraceFake, body: unknown, options: CoronerCall = {}): Promise<Answer> =>
  call(url(backtrace, '/api/query', options), { auth: null, body, headers: headers(options) });

export const postIssue = (backtrace: BacktraceFake, body: unknown, options: CoronerCall = {}): Promise<Answer> =>
  call(url(backtrace, '/api/issue', options), { auth: null, body, headers: headers(options) });

/** morgue's `login()`: the credentials form-encoded in the body, no token. */
export const login = (backtrace: BacktraceFake, username: string, password: string): Promise<Answer> =>
  call(`${backtrace.url}/api/login`, {
    auth: null,
    body: new URLSearchParams({ username, password }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

/** The select a reconcile poller sends for a batch of fingerprints (one page). */
export function pollerQuery(fingerprints: string[], page: { offset: number; limit: number; tx?: number }): Record<string, unknown> {
  return {
    table: 'issues',
    filter: [
      {
        fingerprint: [['regular-expression', `^(?:${fingerprints.join('|')})$`]],
        ...(page.tx === undefined ? {} : { _tx: [['at-most', page.tx]] }),
      },
    ],
    select: ['fingerprint', 'state', 'ticket', 'invariants', 'invariant_reopen_count', 'invariant_reopen_last_time'],
    order: [{ name: 'fingerprint', ordering: 'ascending' }],
    limit: page.limit,
    offset: page.offset,
  };
}
