/**
 * The local stack's Backtrace (coroner) sandbox: a real HTTP server on 127.0.0.1 serving `POST /api/issue` and
 * `POST /api/query` on the `issues` table, with token checks and fault injection. Like Backtrace it pushes nothing
 * when a fingerprint changes (reference sections 3.7 and 5): a person's action just changes the row, and whoever
 * wants to know polls `/api/query`. `npm start` runs it for
 * integrations whose config gives no Backtrace URL; the integration and e2e tests use it too. Its wire types
 * (`wire.ts`) are written from ../shared/reference/backtrace.md, not imported from the bridge, so it witnesses the
 * adapter independently.
 *
 * @example
 * ```ts
 * const backtrace = await startBacktraceFake();
 * // ... the bridge attaches its ticket with X-Coroner-Token: sandbox-backtrace-token ...
 * expect(backtrace.getIssue('acme', 'game', fingerprint)?.tickets).toContainEqual(expect.objectContaining({ short: 'CRASH-1' }));
 * backtrace.actAs({ id: 12, username: 'ana' }).setState('acme', 'game', fingerprint, 'resolved'); // the row changes, nothing is sent
 * // ... the bridge reads the change with POST /api/query ...
 * await backtrace.close();
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultQueue } from '../common/fault-queue.ts';
import { queryToRecord, readBody, sendEmpty, sendJson, sendText, startLoopbackServer } from '../common/http-server.ts';
import { coronerError, CoronerRequestError, MALFORMED, UNAUTHORIZED } from './coroner-errors.ts';
import { applyIssueUpdate } from './issue-route.ts';
import { IssueTable } from './issue-table.ts';
import { uiSession } from './ui.ts';
import { runQuery } from './query-route.ts';
import type { BacktraceFake, BacktraceFakeOptions, BacktraceFault, BacktraceRecordedRequest } from './types.ts';

export type * from './types.ts';

export const DEFAULT_BACKTRACE_TOKEN = 'sandbox-backtrace-token';

export async function startBacktraceFake(options: BacktraceFakeOptions = {}): Promise<BacktraceFake> {
  const tokens = options.tokens ?? [DEFAULT_BACKTRACE_TOKEN];
  const table = new IssueTable();
  const faults = new FaultQueue<BacktraceFault>();
  const requests: BacktraceRecordedRequest[] = [];
  let tx = 1;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', server.origin);
    const query = queryToRecord(url.searchParams);
    const body = await readBody(req);
    const bodyValue = body.json ?? (body.raw === '' ? undefined : body.raw);
    requests.push({ method, path: url.pathname, query, headers: req.headers, ...(bodyValue === undefined ? {} : { body: bodyValue }) });

    const fault = faults.take(method, url.pathname);
    if (fault?.delayMs) await server.sleep(fault.delayMs);
    if (fault?.status !== undefined) return sendFault(res, { ...fault, status: fault.status });

    const route = url.pathname.replace(/\/+$/, '');
    if (route !== '/api/issue' && route !== '/api/query') return sendJson(res, 404, coronerError(404, `no such endpoint: ${url.pathname}`));
    if (method !== 'POST') return sendJson(res, 405, coronerError(405, `${method} is not allowed on ${route}`));

    // Services send X-Coroner-Token; morgue sends ?token= (reference section 3.5).
    const header = req.headers['x-coroner-token'];
    const token = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('token') ?? undefined;
    if (!token || !tokens.includes(token)) return sendJson(res, 401, coronerError(UNAUTHORIZED, token ? 'invalid token' : 'authentication required'));

    const universe = url.searchParams.get('universe');
    const project = url.searchParams.get('project');
    try {
      if (!universe) throw new CoronerRequestError('universe not specified');
      if (!project) throw new CoronerRequestError('project not specified');
      if (body.jsonError) throw new CoronerRequestError('invalid JSON body');
      if (route === '/api/issue') {
        const answer = applyIssueUpdate(table, universe, project, body.json);
        tx += 1;
        return sendJson(res, 200, answer);
      }
      return sendJson(res, 200, runQuery(table, universe, project, body.json, tx));
    } catch (error) {
      if (error instanceof CoronerRequestError) return sendJson(res, 200, coronerError(error.code, error.message));
      throw error;
    }
  };

  const server = await startLoopbackServer(handle, (res, error) =>
    sendJson(res, 500, coronerError(500, `Backtrace fake failed: ${error instanceof Error ? error.message : String(error)}`)),
  );

  return {
    url: server.origin,
    getIssue: (universe, project, fingerprint) => {
      const row = table.get(universe, project, fingerprint);
      return row && { state: row.state, tickets: structuredClone(row.tickets ?? []) };
    },
    setIssue: (universe, project, fingerprint, seed) => {
      const row = table.getOrCreate(universe, project, fingerprint);
      if (seed.state !== undefined) row.state = seed.state;
      if (seed.tickets !== undefined) row.tickets = structuredClone(seed.tickets);
      if (seed.tags !== undefined) row.tags = seed.tags;
    },
    actAs: (user) => uiSession(table, user),
    requests,
    failNext: (spec) => faults.add(spec),
    reset: () => {
      table.clear();
      requests.length = 0;
      faults.clear();
    },
    close: () => server.close(),
  };
}

function sendFault(res: ServerResponse, fault: BacktraceFault & { status: number }): void {
  const headers = fault.headers ?? {};
  if (fault.body === null) return sendEmpty(res, fault.status, headers);
  if (typeof fault.body === 'string') return sendText(res, fault.status, fault.body, 'text/plain;charset=UTF-8', headers);
  sendJson(res, fault.status, fault.body ?? coronerError(fault.status === 200 ? MALFORMED : fault.status, `HTTP ${fault.status} (injected by the Backtrace fake)`), headers);
}
