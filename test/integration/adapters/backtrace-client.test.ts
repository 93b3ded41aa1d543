/**
 * The Backtrace adapter against the Backtrace sandbox over real HTTP: reading the ticket list from the `issues` table,
 * writing it back whole without losing other watchers' entries, the error taxonomy, and the two credentials: an API
 * token in `X-Coroner-Token`, or a service user logged in with a form `POST /api/login` whose session token rides
 * as `?token=` (reference section 3.7), neither ever in a message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBacktraceClient } from '../../../shared/adapters/backtrace/backtrace-client.ts';
import type { Ticket } from '../../../shared/domain/model/backtrace.ts';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import type { BacktraceIssues } from '../../../shared/ports/backtrace-issues.ts';
import { startBacktraceFake, type BacktraceFake, type BacktraceFakeOptions } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { recordingSleep, rejection } from './support/assertions.ts';

const TOKEN = 'sandbox-backtrace-token';
const ref = { universe: 'acme', project: 'game', fingerprint: '8910551e27a3' + '0'.repeat(52) };

const fakes: BacktraceFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function backtraceFake(options: BacktraceFakeOptions = {}): Promise<BacktraceFake> {
  const fake = await startBacktraceFake(options);
  fakes.push(fake);
  return fake;
}

/** A service user whose name and password need form encoding. */
const SERVICE_USER = { username: 'jira-bridge+svc@acme', password: 'p&ss=w0rd%+ü 1' };
const noSleep = { sleep: async () => undefined };

function serviceUserClient(fake: BacktraceFake, options: { timeoutMs?: number } = {}): BacktraceIssues {
  return createBacktraceClient({ url: fake.url, credentials: { kind: 'login', ...SERVICE_USER }, runner: noSleep, ...options });
}

const ours: Ticket = { watcher: 'jira-prod', short: 'CRASH-1', url: 'https://acme.atlassian.net/browse/CRASH-1', state: 'open' };

describe('Function: createBacktraceClient', () => {
  describe('Method: getTickets', () => {
    it('reads no tickets for a fingerprint Backtrace has no workflow row for', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN } });

      // Act
      const tickets = await backtrace.getTickets(ref);

      // Assess
      expect(tickets).toEqual([]);
      const [request] = fake.requests as { method: string; path: string; body?: unknown; headers: Record<string, unknown>; query?: unknown }[];
      expect(request?.path).toBe('/api/query');
      expect(request?.body).toEqual({
        table: 'issues',
        filter: [{ fingerprint: [['equal', ref.fingerprint]] }],
        select: ['fingerprint', 'state', 'ticket', 'invariants', 'invariant_reopen_count', 'invariant_reopen_last_time'],
        limit: 1,
      });
      expect(request?.headers['x-coroner-token']).toBe(TOKEN);
    });

    it('reads back the tickets that were written', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN } });
      await backtrace.setTickets(ref, [ours]);

      // Act
      const tickets = await backtrace.getTickets(ref);

      // Assess
      expect(tickets).toEqual([ours]);
    });
  });

  describe('Method: setTickets', () => {
    it('keeps other watchers\' entries through a read-modify-write', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtraceOwn: Ticket = { watcher: '_backtrace', assignees: [{ id: 12, username: 'alice', email: 'alice@acme.com' }] };
      const other: Ticket = { watcher: 'jira-mobile', short: 'MOB-7', url: 'https://acme.atlassian.net/browse/MOB-7', state: 'in-progress' };
      fake.setIssue(ref.universe, ref.project, ref.fingerprint, { state: 'in-progress', tickets: [backtraceOwn, other] });
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN } });

      // Act
      const current = await backtrace.getTickets(ref);
      await backtrace.setTickets(ref, [...current.filter((ticket) => ticket.watcher !== ours.watcher), ours]);

      // Assess
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)?.tickets).toEqual([backtraceOwn, other, ours]);
      const write = fake.requests.at(-1) as { path: string; body?: unknown };
      expect(write.path).toBe('/api/issue');
      expect(write.body).toEqual({
        fingerprint: [ref.fingerprint],
        project: ref.project,
        ticket: { action: 'set', value: [backtraceOwn, other, ours] },
      });
    });

    it('explains a refused token with the setting to fix', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: 'revoked-token' } });

      // Act
      const error = await rejection(backtrace.setTickets(ref, [ours]));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('Backtrace refused the API token to write the tickets (backtrace.tokenSecret: the token must belong to acme/game');
      expect(error.message).toContain('(HTTP 401)');
      expect(error.message).not.toContain('revoked-token');
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)).toBeUndefined();
    });

    it('explains a refused token on a read with the setting to fix', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: 'revoked-token' } });

      // Act
      const error = await rejection(backtrace.getTickets(ref));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).status).toBe(401);
      expect(error.message).toContain('Backtrace rejected the API token (check backtrace.tokenSecret: the token must belong to acme/game and allow queries) (HTTP 401)');
      expect(error.message).not.toContain('revoked-token');
    });
  });

  describe('Errors', () => {
    it('treats an error inside an HTTP 200 answer as a failure, not as no tickets', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN } });
      fake.failNext({ status: 200, body: { error: { code: 32769, message: 'invalid project' } } });

      // Act
      const error = await rejection(backtrace.getTickets(ref));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('invalid project');
      expect(error.message).toContain('backtrace.project (game)');
    });

    it('treats a per-fingerprint error in results[] as a failed write', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN } });
      fake.failNext({ status: 200, body: { results: [{ fingerprint: ref.fingerprint, error: 'database is busy' }] } });

      // Act
      const error = await rejection(backtrace.setTickets(ref, [ours]));

      // Assess
      expect(error).toBeInstanceOf(RetryableError);
      expect(error.message).toContain('database is busy');
    });

    it('retries a 503 and then reads the tickets', async () => {
      // Prepare
      const fake = await backtraceFake();
      const { waits, sleep } = recordingSleep();
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN }, runner: { sleep } });
      await backtrace.setTickets(ref, [ours]);
      fake.failNext({ status: 503 });

      // Act
      const tickets = await backtrace.getTickets(ref);

      // Assess
      expect(tickets).toEqual([ours]);
      expect(waits).toHaveLength(1);
    });

    it('hands a lasting outage back as RetryableError with a retry-after', async () => {
      // Prepare
      const fake = await backtraceFake();
      const { sleep } = recordingSleep();
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN }, runner: { sleep } });
      fake.failNext({ status: 502, times: Infinity });

      // Act
      const error = await rejection(backtrace.setTickets(ref, [ours]));

      // Assess
      expect(error).toBeInstanceOf(RetryableError);
      expect((error as RetryableError).retryAfterMs).toBeGreaterThan(0);
      expect(error.message).toContain('HTTP 502');
    });

    it('points at backtrace.url when the address is not a Backtrace API', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: `${fake.url}/not-coroner`, credentials: { kind: 'api-token', token: TOKEN } });

      // Act
      const error = await rejection(backtrace.getTickets(ref));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('check backtrace.url');
    });
  });

  describe('Credentials: API token', () => {
    it('sends the token in X-Coroner-Token only, never in the URL, and never logs in', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN } });

      // Act
      await backtrace.getIssue(ref);
      await backtrace.readFingerprints(ref, [ref.fingerprint]);
      await backtrace.updateIssue(ref, { state: 'resolved' });

      // Assess
      expect(fake.requests.map((r) => r.path)).toEqual(['/api/query', '/api/query', '/api/issue']);
      for (const request of fake.requests) {
        expect(request.headers['x-coroner-token']).toBe(TOKEN);
        expect(request.query).toEqual({ universe: 'acme', project: 'game' });
      }
    });

    it.each([
      ['setTickets', (backtrace: BacktraceIssues) => backtrace.setTickets(ref, [ours]), 'write the tickets'],
      ['updateIssue', (backtrace: BacktraceIssues) => backtrace.updateIssue(ref, { state: 'resolved', tickets: [ours] }), 'update the state and tickets'],
    ])('says to give backtrace.login when Backtrace refuses the API token a write (%s)', async (_method, write, operation) => {
      // Prepare
      const fake = await backtraceFake({ apiTokensMayWriteIssues: false });
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN } });
      const before = await backtrace.getIssue(ref);

      // Act
      const error = await rejection(write(backtrace));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).status).toBe(403);
      expect(error.message).toContain(`Backtrace refused the API token to ${operation}`);
      expect(error.message).toContain('give backtrace.login, a service user, instead');
      expect(error.message).toContain('(HTTP 403)');
      expect(error.message).not.toContain(TOKEN);
      expect(before.state).toBe('open');
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)).toBeUndefined();
    });

    it.each([
      ['an empty API token', { kind: 'api-token', token: '' }, 'check the secret named by backtrace.tokenSecret'],
      ['an empty service user password', { kind: 'login', username: 'jira-bridge', password: '' }, 'check the secret named by backtrace.login.passwordSecret'],
    ] as const)('refuses %s before asking Backtrace', async (_case, credentials, words) => {
      // Prepare
      const fake = await backtraceFake();

      // Act
      const create = () => createBacktraceClient({ url: fake.url, credentials });

      // Assess
      expect(create).toThrow(PermanentError);
      expect(create).toThrow(words);
      expect(fake.requests).toEqual([]);
    });
  });

  describe('Credentials: service user (backtrace.login)', () => {
    it('logs in with the username and password in a form body only, then sends the session token as ?token= on every call', async () => {
      // Prepare
      const fake = await backtraceFake({ users: [SERVICE_USER], apiTokensMayWriteIssues: false });
      const backtrace = serviceUserClient(fake);

      // Act
      await backtrace.getIssue(ref);
      await backtrace.readFingerprints(ref, [ref.fingerprint]);
      await backtrace.updateIssue(ref, { state: 'resolved', tickets: [ours] });

      // Assess
      const [login, ...calls] = fake.requests;
      expect(login).toMatchObject({ method: 'POST', path: '/api/login', query: {}, body: new URLSearchParams(SERVICE_USER).toString() });
      expect(login!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(login!.headers['x-coroner-token']).toBeUndefined();
      expect(calls.map((r) => r.path)).toEqual(['/api/query', '/api/query', '/api/issue']);
      const session = calls[0]!.query.token as string;
      expect(session).toMatch(/^[0-9a-f]{32}$/);
      for (const request of calls) {
        expect(request.query).toEqual({ universe: 'acme', project: 'game', token: session });
        expect(request.headers['x-coroner-token']).toBeUndefined();
        expect(JSON.stringify([request.headers, request.body])).not.toContain(SERVICE_USER.password);
      }
      expect(JSON.stringify([login!.query, login!.headers])).not.toContain(SERVICE_USER.password);
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)).toMatchObject({ state: 'resolved', tickets: [ours] });
    });

    it('repeats each call refused for an expired session once, also when they run concurrently', async () => {
      // Prepare
      const fake = await backtraceFake({ users: [SERVICE_USER] });
      const backtrace = serviceUserClient(fake);
      await backtrace.getIssue(ref);
      fake.expireSessions();

      // Act
      const issues = await Promise.all(Array.from({ length: 5 }, (_, i) => backtrace.getIssue({ ...ref, fingerprint: `fp-${i}` })));

      // Assess
      expect(issues.map((issue) => issue.state)).toEqual(['open', 'open', 'open', 'open', 'open']);
      const [first, ...others] = fake.requestsTo('/api/query');
      const byFingerprint = (i: number) => others.filter((r) => JSON.stringify(r.body).includes(`fp-${i}`)).map((r) => r.query.token);
      for (let i = 0; i < 5; i++) {
        const [expired, renewed] = byFingerprint(i);
        expect(byFingerprint(i)).toHaveLength(2);
        expect(expired).toBe(first!.query.token);
        expect(renewed).not.toBe(first!.query.token);
      }
    });

    it('shares one login among concurrent calls', async () => {
      // Prepare
      const fake = await backtraceFake({ users: [SERVICE_USER] });
      const backtrace = serviceUserClient(fake);

      // Act
      const issues = await Promise.all(Array.from({ length: 10 }, () => backtrace.getIssue(ref)));

      // Assess
      expect(issues.every((issue) => issue.state === 'open')).toBe(true);
      expect(fake.requestsTo('/api/login')).toHaveLength(1);
      expect(new Set(fake.requestsTo('/api/query').map((r) => r.query.token)).size).toBe(1);
    });

    it('logs in again once its session expired, repeats the call with the new token, and keeps that token', async () => {
      // Prepare
      const fake = await backtraceFake({ users: [SERVICE_USER] });
      const backtrace = serviceUserClient(fake);
      await backtrace.getIssue(ref);
      fake.expireSessions();

      // Act
      await backtrace.updateIssue(ref, { state: 'muted' });
      await backtrace.getIssue(ref);

      // Assess
      expect(fake.requestsTo('/api/login')).toHaveLength(2);
      const [first, expired, renewed] = [fake.requestsTo('/api/query')[0]!, ...fake.requestsTo('/api/issue')].map((r) => r.query.token);
      expect(fake.requestsTo('/api/issue')).toHaveLength(2);
      expect(expired).toBe(first);
      expect(renewed).not.toBe(first);
      expect(fake.requestsTo('/api/query')[1]?.query.token).toBe(renewed);
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)).toMatchObject({ state: 'muted', modifications: 1 });
    });

    it('fails permanently, naming backtrace.login, when Backtrace refuses the fresh session too (one re-login, no loop)', async () => {
      // Prepare
      const fake = await backtraceFake({ users: [SERVICE_USER] });
      const backtrace = serviceUserClient(fake);
      fake.failNext({ status: 401, path: /\/api\/query$/, times: 2 });

      // Act
      const error = await rejection(backtrace.getIssue(ref));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain("Backtrace refused the service user's session to read the state and tickets (check backtrace.login");
      expect(fake.requestsTo('/api/login')).toHaveLength(2);
      expect(fake.requestsTo('/api/query')).toHaveLength(2);
    });

    it.each([
      ['a wrong password', { ...SERVICE_USER, password: 'not-the-password-42' }],
      ['an unknown user', { ...SERVICE_USER, username: 'nobody' }],
    ])('refuses %s permanently, naming backtrace.login and the user, never the password', async (_case, user) => {
      // Prepare
      const fake = await backtraceFake({ users: [SERVICE_USER] });
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'login', ...user }, runner: noSleep });

      // Act
      const error = await rejection(backtrace.getIssue(ref));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain(`Backtrace refused the login of service user "${user.username}" (HTTP 401)`);
      expect(error.message).toContain('backtrace.login.username');
      expect(error.message).toContain('backtrace.login.passwordSecret');
      const told = [error.message, JSON.stringify(error.cause ?? {})].join('\n');
      expect(told).not.toContain(user.password);
      expect(told).not.toContain(SERVICE_USER.password);
      expect(fake.requestsTo('/api/login')).toHaveLength(1);
      expect(fake.requestsTo('/api/query')).toEqual([]);
    });

    it('does not keep a failed login: the next call logs in afresh', async () => {
      // Prepare
      const fake = await backtraceFake({ users: [SERVICE_USER] });
      const backtrace = serviceUserClient(fake);
      fake.failNext({ status: 401, path: /\/api\/login$/ });
      const failed = await rejection(backtrace.getIssue(ref));

      // Act
      const issue = await backtrace.getIssue(ref);

      // Assess
      expect(failed).toBeInstanceOf(PermanentError);
      expect(issue.state).toBe('open');
      expect(fake.requestsTo('/api/login')).toHaveLength(2);
    });

    it('repeats a login answered 503, then proceeds', async () => {
      // Prepare
      const fake = await backtraceFake({ users: [SERVICE_USER] });
      const backtrace = serviceUserClient(fake);
      fake.failNext({ status: 503, path: /\/api\/login$/ });

      // Act
      const issue = await backtrace.getIssue(ref);

      // Assess
      expect(issue.state).toBe('open');
      expect(fake.requestsTo('/api/login')).toHaveLength(2);
      expect(fake.requestsTo('/api/query')).toHaveLength(1);
    });

    it('refuses a login answer without a session token, naming backtrace.login', async () => {
      // Prepare
      const fake = await backtraceFake({ users: [SERVICE_USER] });
      const backtrace = serviceUserClient(fake);
      fake.failNext({ status: 200, path: /\/api\/login$/, body: { user: { uid: 1, username: SERVICE_USER.username } } });

      // Act
      const error = await rejection(backtrace.getIssue(ref));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain(`Backtrace answered the login of service user "${SERVICE_USER.username}" without a session token`);
      expect(error.message).toContain('backtrace.login');
      expect(fake.requestsTo('/api/query')).toEqual([]);
    });
  });

  describe('Errors: secrets', () => {
    const loginFailures: [string, (fake: BacktraceFake) => void, (backtrace: BacktraceIssues) => Promise<unknown>][] = [
      ['a 404 on a query', (fake) => fake.failNext({ status: 404, path: /\/api\/query$/ }), (backtrace) => backtrace.getIssue(ref)],
      ['a lasting 500 on a write', (fake) => fake.failNext({ status: 500, path: /\/api\/issue$/, times: Infinity }), (backtrace) => backtrace.updateIssue(ref, { state: 'resolved' })],
      ['a redirect', (fake) => fake.failNext({ status: 302, path: /\/api\/query$/, headers: { location: 'https://elsewhere.example.com/api/query' } }), (backtrace) => backtrace.readFingerprints(ref, [ref.fingerprint])],
      ['an error inside a 200 answer', (fake) => fake.failNext({ status: 200, path: /\/api\/query$/, body: { error: { code: 7, message: 'database is busy' } } }), (backtrace) => backtrace.getTickets(ref)],
      ['a refused write', (fake) => fake.failNext({ status: 403, path: /\/api\/issue$/ }), (backtrace) => backtrace.setTickets(ref, [ours])],
      ['a timeout', (fake) => fake.failNext({ delayMs: 500, path: /\/api\/query$/, times: Infinity }), (backtrace) => backtrace.getIssue(ref)],
    ];

    it.each(loginFailures)('names neither the password nor the session token for %s', async (_case, fail, act) => {
      // Prepare
      const fake = await backtraceFake({ users: [SERVICE_USER] });
      const backtrace = serviceUserClient(fake, { timeoutMs: 100 });
      await backtrace.getIssue({ ...ref, fingerprint: 'warm-up' });
      fail(fake);

      // Act
      const error = await rejection(act(backtrace));

      // Assess
      const session = fake.requestsTo('/api/query')[0]!.query.token as string;
      const told = [error.message, String((error as { cause?: unknown }).cause ?? ''), JSON.stringify(error.cause ?? {})].join('\n');
      expect(error).toMatchObject({ name: expect.stringMatching(/^(Permanent|Retryable)Error$/) });
      expect(session).toMatch(/^[0-9a-f]{32}$/);
      expect(told).not.toContain(session);
      expect(told).not.toContain(SERVICE_USER.password);
      expect(told).not.toContain('token=');
    });

    it.each(loginFailures)('names no API token for %s', async (_case, fail, act) => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN }, runner: noSleep, timeoutMs: 100 });
      fail(fake);

      // Act
      const error = await rejection(act(backtrace));

      // Assess
      const told = [error.message, String((error as { cause?: unknown }).cause ?? ''), JSON.stringify(error.cause ?? {})].join('\n');
      expect(told).not.toContain(TOKEN);
    });
  });
});
