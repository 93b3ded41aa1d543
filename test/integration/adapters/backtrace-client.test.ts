/**
 * The Backtrace adapter against the Backtrace sandbox over real HTTP: reading the ticket list from the `issues` table,
 * writing it back whole without losing other watchers' entries, and the error taxonomy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBacktraceClient } from '../../../shared/adapters/backtrace/backtrace-client.ts';
import type { Ticket } from '../../../shared/domain/model/backtrace.ts';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import { startBacktraceFake, type BacktraceFake } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { recordingSleep, rejection } from './support/assertions.ts';

const TOKEN = 'sandbox-backtrace-token';
const ref = { universe: 'acme', project: 'game', fingerprint: '8910551e27a3' + '0'.repeat(52) };

const fakes: BacktraceFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function backtraceFake(): Promise<BacktraceFake> {
  const fake = await startBacktraceFake();
  fakes.push(fake);
  return fake;
}

const ours: Ticket = { watcher: 'jira-prod', short: 'CRASH-1', url: 'https://acme.atlassian.net/browse/CRASH-1', state: 'open' };

describe('Function: createBacktraceClient', () => {
  describe('Method: getTickets', () => {
    it('reads no tickets for a fingerprint Backtrace has no workflow row for', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, token: TOKEN });

      // Act
      const tickets = await backtrace.getTickets(ref);

      // Assess
      expect(tickets).toEqual([]);
      const [request] = fake.requests as { method: string; path: string; body?: unknown; headers: Record<string, unknown>; query?: unknown }[];
      expect(request?.path).toBe('/api/query');
      expect(request?.body).toEqual({
        table: 'issues',
        filter: [{ fingerprint: [['equal', ref.fingerprint]] }],
        select: ['fingerprint', 'state', 'ticket'],
        limit: 1,
      });
      expect(request?.headers['x-coroner-token']).toBe(TOKEN);
    });

    it('reads back the tickets that were written', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, token: TOKEN });
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
      const backtrace = createBacktraceClient({ url: fake.url, token: TOKEN });

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
      const backtrace = createBacktraceClient({ url: fake.url, token: 'revoked-token' });

      // Act
      const error = await rejection(backtrace.setTickets(ref, [ours]));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('Backtrace rejected the API token (check backtrace.tokenSecret');
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)).toBeUndefined();
    });
  });

  describe('Errors', () => {
    it('treats an error inside an HTTP 200 answer as a failure, not as no tickets', async () => {
      // Prepare
      const fake = await backtraceFake();
      const backtrace = createBacktraceClient({ url: fake.url, token: TOKEN });
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
      const backtrace = createBacktraceClient({ url: fake.url, token: TOKEN });
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
      const backtrace = createBacktraceClient({ url: fake.url, token: TOKEN, runner: { sleep } });
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
      const backtrace = createBacktraceClient({ url: fake.url, token: TOKEN, runner: { sleep } });
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
      const backtrace = createBacktraceClient({ url: `${fake.url}/not-coroner`, token: TOKEN });

      // Act
      const error = await rejection(backtrace.getTickets(ref));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('check backtrace.url');
    });
  });
});
