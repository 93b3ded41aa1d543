/**
 * The local stack's Backtrace (coroner) sandbox: a real HTTP server on 127.0.0.1 serving `POST /api/issue`,
 * `POST /api/query` on the `issues` table and `POST /api/login`, with API and session tokens and fault injection,
 * and a page at `/` where a person triages the fingerprints (`site-pages.ts`).
 * Like Backtrace it pushes nothing when a fingerprint changes (reference sections 3.7 and 5): a person's action or
 * a regression just changes the row, and whoever wants to know polls `/api/query`. `npm start` runs it for
 * integrations whose config gives no Backtrace URL; the integration and e2e tests use it too. Its wire types
 * (`wire.ts`) are written from ../shared/reference/backtrace.md, not imported from the bridge, so it witnesses the
 * adapter independently; what the reference leaves open is listed in `guesses.ts`.
 *
 * @example
 * ```ts
 * const backtrace = await startBacktraceFake({ users: [{ username: 'bridge', password: 'secret' }] });
 * // ... the bridge attaches its ticket with X-Coroner-Token: sandbox-backtrace-token ...
 * expect(backtrace.getIssue('acme', 'game', fingerprint)?.tickets).toContainEqual(expect.objectContaining({ short: 'CRASH-1' }));
 * backtrace.actAs({ id: 12, username: 'ana' }).resolve('acme', 'game', fingerprint, [{ type: 'version_gt', field: 'version', version: '2.4.0' }]);
 * backtrace.reportError('acme', 'game', fingerprint, { version: '2.4.1' }); // true: reopened, as Backtrace would
 * // ... the bridge's poller reads the change with POST /api/query ...
 * expect(backtrace.queryCount('acme', 'game')).toBeGreaterThan(0);
 * await backtrace.close();
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultQueue } from '../common/fault-queue.ts';
import { queryToRecord, readBody, sendEmpty, sendJson, sendText, startLoopbackServer } from '../common/http-server.ts';
import { Auth, isRefusal } from './auth.ts';
import { coronerError, CoronerRequestError, MALFORMED } from './coroner-errors.ts';
import { anyInvariantMatches, parseInvariants } from './invariants.ts';
import { applyIssueUpdate } from './issue-route.ts';
import { IssueTable } from './issue-table.ts';
import { runQuery } from './query-route.ts';
import type { BacktraceFake, BacktraceFakeOptions, BacktraceFault, BacktraceRecordedRequest, BacktraceRoute } from './types.ts';
import { uiSession } from './ui.ts';
import { defaultBacktracePeople, handleBacktracePage, type BacktracePagesContext } from './site-pages.ts';

export type * from './types.ts';
export { defaultBacktracePeople } from './site-pages.ts';

export const DEFAULT_BACKTRACE_TOKEN = 'sandbox-backtrace-token';

const ROUTES: readonly string[] = ['/api/issue', '/api/query', '/api/login'] satisfies BacktraceRoute[];

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export async function startBacktraceFake(options: BacktraceFakeOptions = {}): Promise<BacktraceFake> {
  const auth = new Auth(options, DEFAULT_BACKTRACE_TOKEN);
  const table = new IssueTable();
  const faults = new FaultQueue<BacktraceFault>();
  const requests: BacktraceRecordedRequest[] = [];
  const pages: BacktracePagesContext = { table, people: options.people ?? defaultBacktracePeople(), session: (user) => uiSession(table, user) };

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

    // The page a person triages on (no login in the sandbox).
    if (handleBacktracePage(pages, { method, path: url.pathname, query: url.searchParams, body: body.raw }, res)) return;

    const route = url.pathname.replace(/\/+$/, '');
    if (!ROUTES.includes(route)) return sendJson(res, 404, coronerError(404, `no such endpoint: ${url.pathname}`));
    if (method !== 'POST') return sendJson(res, 405, coronerError(405, `${method} is not allowed on ${route}`));

    if (route === '/api/login') {
      const answer = auth.login(req.headers, body.raw);
      return sendJson(res, answer.status, answer.body);
    }

    // Services send X-Coroner-Token; morgue sends ?token= (reference sections 3.5, 3.7, 5.0).
    const caller = auth.identify(first(req.headers['x-coroner-token']) ?? url.searchParams.get('token') ?? undefined);
    if (isRefusal(caller)) return sendJson(res, caller.status, caller.body);
    if (route === '/api/issue') {
      const refusal = auth.refuseIssueWrite(caller);
      if (refusal) return sendJson(res, refusal.status, refusal.body);
    }

    const universe = url.searchParams.get('universe');
    const project = url.searchParams.get('project');
    try {
      if (!universe) throw new CoronerRequestError('universe not specified');
      if (!project) throw new CoronerRequestError('project not specified');
      if (body.jsonError) throw new CoronerRequestError('invalid JSON body');
      if (route === '/api/issue') return sendJson(res, 200, applyIssueUpdate(table, universe, project, body.json));
      return sendJson(res, 200, runQuery(table, universe, project, body.json));
    } catch (error) {
      if (error instanceof CoronerRequestError) return sendJson(res, 200, coronerError(error.code, error.message));
      throw error;
    }
  };

  const server = await startLoopbackServer(handle, (res, error) =>
    sendJson(res, 500, coronerError(500, `Backtrace fake failed: ${error instanceof Error ? error.message : String(error)}`)),
  );

  const requestsTo: BacktraceFake['requestsTo'] = (route, where = {}) =>
    requests.filter(
      (request) =>
        request.path.replace(/\/+$/, '') === route &&
        (where.universe === undefined || first(request.query.universe) === where.universe) &&
        (where.project === undefined || first(request.query.project) === where.project),
    );

  return {
    url: server.origin,
    getIssue: (universe, project, fingerprint) => {
      const row = table.get(universe, project, fingerprint);
      return (
        row && {
          state: row.state,
          tickets: structuredClone(row.tickets ?? []),
          tags: row.tags,
          ...(row.invariants === undefined ? {} : { invariants: structuredClone(row.invariants) }),
          invariantReopenCount: row.invariantReopenCount,
          invariantReopenLastTime: row.invariantReopenLastTime,
          tx: row.tx,
          modifications: row.modifications,
        }
      );
    },
    setIssue: (universe, project, fingerprint, seed) => {
      const invariants = seed.invariants === undefined ? undefined : parseInvariants(seed.invariants);
      const row = table.get(universe, project, fingerprint) ?? table.transaction((tx) => table.getOrCreate(universe, project, fingerprint, tx));
      if (seed.state !== undefined) row.state = seed.state;
      if (seed.tickets !== undefined) row.tickets = structuredClone(seed.tickets);
      if (seed.tags !== undefined) row.tags = seed.tags;
      if (invariants !== undefined) row.invariants = invariants;
      if (seed.invariantReopenCount !== undefined) row.invariantReopenCount = seed.invariantReopenCount;
      if (seed.invariantReopenLastTime !== undefined) row.invariantReopenLastTime = seed.invariantReopenLastTime;
    },
    actAs: (user) => uiSession(table, user),
    reportError: (universe, project, fingerprint, attributes) =>
      table.transaction((tx) => {
        // A new error is a transaction of its own; a fingerprint seen for the first time gets its row (G7).
        const row = table.getOrCreate(universe, project, fingerprint, tx);
        if (row.state !== 'resolved' && row.state !== 'muted') return false;
        const now = nowSeconds();
        if (!row.invariants || !anyInvariantMatches(row.invariants, attributes, now)) return false;
        // Reference section 3.2: state Open, count + 1, last time now (G6).
        row.state = 'open';
        row.invariantReopenCount += 1;
        row.invariantReopenLastTime = now;
        row.modifications += 1;
        return true;
      }),
    requests,
    requestsTo,
    queryCount: (universe, project) => requestsTo('/api/query', { universe, project }).length,
    expireSessions: () => auth.expireSessions(),
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
