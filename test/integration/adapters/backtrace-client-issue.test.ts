/**
 * The Backtrace adapter's fingerprint reads and writes for state/assignee sync, against the Backtrace fake: state and
 * tickets in one read, and one `POST /api/issue` carrying the state and/or the whole ticket list with
 * `assignee: 'set'`, without losing other watchers' entries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBacktraceClient } from '../../../shared/adapters/backtrace/backtrace-client.ts';
import type { Ticket } from '../../../shared/domain/model/backtrace.ts';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import { startBacktraceFake, type BacktraceFake } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { rejection } from './support/assertions.ts';

const TOKEN = 'sandbox-backtrace-token';
const ref = { universe: 'acme', project: 'game', fingerprint: '8910551e27a3' + '0'.repeat(52) };
const ours: Ticket = { watcher: 'jira-prod', short: 'CRASH-1', url: 'https://acme.atlassian.net/browse/CRASH-1', state: 'open' };
const other: Ticket = { watcher: 'jira-mobile', short: 'MOB-7', url: 'https://acme.atlassian.net/browse/MOB-7', state: 'in-progress' };
const ana = { id: 12, username: 'ana', email: 'ana@example.com' };

const fakes: BacktraceFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function world() {
  const fake = await startBacktraceFake();
  fakes.push(fake);
  const backtrace = createBacktraceClient({ url: fake.url, token: TOKEN, runner: { sleep: async () => undefined } });
  return { fake, backtrace };
}

const writes = (fake: BacktraceFake) => fake.requests.filter((r) => r.path === '/api/issue').map((r) => r.body);

describe('Function: createBacktraceClient (state and assignee sync)', () => {
  describe('Method: getIssue', () => {
    it('reads a fingerprint Backtrace never changed as open with no tickets', async () => {
      // Prepare
      const { backtrace } = await world();

      // Act
      const issue = await backtrace.getIssue(ref);

      // Assess
      expect(issue).toEqual({ state: 'open', tickets: [] });
    });

    it('reads the state and the whole ticket list in one query', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.setIssue(ref.universe, ref.project, ref.fingerprint, { state: 'muted', tickets: [{ watcher: '_backtrace', assignees: [ana] }, ours, other] });

      // Act
      const issue = await backtrace.getIssue(ref);

      // Assess
      expect(issue).toEqual({ state: 'muted', tickets: [{ watcher: '_backtrace', assignees: [ana] }, ours, other] });
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0]?.body).toMatchObject({ table: 'issues', select: ['fingerprint', 'state', 'ticket'] });
    });

    it('refuses a state the bridge does not know rather than guessing', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.failNext({
        status: 200,
        body: {
          response: { columns_desc: [{ name: 'fingerprint' }, { name: 'state' }, { name: 'ticket' }], values: [['*', [ref.fingerprint, 1]], ['*', ['ignored', 1]], ['*', ['', 1]]] },
        },
      });

      // Act
      const error = await rejection(backtrace.getIssue(ref));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('state "ignored"');
    });
  });

  describe('Method: updateIssue', () => {
    it('writes the state and the whole ticket list with assignee "set" in one POST /api/issue', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.setIssue(ref.universe, ref.project, ref.fingerprint, { state: 'in-progress', tickets: [{ watcher: '_backtrace', assignees: [] }, other, ours] });
      const current = await backtrace.getIssue(ref);
      const tickets = current.tickets.map((t) => (t.watcher === '_backtrace' ? { ...t, assignees: [ana] } : t.watcher === ours.watcher ? { ...t, state: 'resolved' as const } : t));

      // Act
      await backtrace.updateIssue(ref, { state: 'resolved', tickets });

      // Assess
      expect(writes(fake)).toEqual([
        { fingerprint: [ref.fingerprint], project: ref.project, state: 'resolved', ticket: { action: 'set', assignee: 'set', value: tickets } },
      ]);
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)).toEqual(
        expect.objectContaining({ state: 'resolved', tickets: [{ watcher: '_backtrace', assignees: [ana] }, other, { ...ours, state: 'resolved' }] }),
      );
    });

    it('writes only the state when no tickets are given, leaving the list alone', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.setIssue(ref.universe, ref.project, ref.fingerprint, { state: 'in-progress', tickets: [ours, other] });

      // Act
      await backtrace.updateIssue(ref, { state: 'muted' });

      // Assess
      expect(writes(fake)).toEqual([{ fingerprint: [ref.fingerprint], project: ref.project, state: 'muted' }]);
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)).toEqual(expect.objectContaining({ state: 'muted', tickets: [ours, other] }));
    });

    it('writes only the tickets when no state is given', async () => {
      // Prepare
      const { fake, backtrace } = await world();

      // Act
      await backtrace.updateIssue(ref, { tickets: [{ watcher: '_backtrace', assignees: [ana] }] });

      // Assess
      expect(writes(fake)).toEqual([{ fingerprint: [ref.fingerprint], project: ref.project, ticket: { action: 'set', assignee: 'set', value: [{ watcher: '_backtrace', assignees: [ana] }] } }]);
    });

    it('sends nothing when there is nothing to change', async () => {
      // Prepare
      const { fake, backtrace } = await world();

      // Act
      await backtrace.updateIssue(ref, {});

      // Assess
      expect(fake.requests).toEqual([]);
    });

    it('repeats the write after a 503 (writing the same whole value twice is harmless)', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.failNext({ status: 503, path: /\/api\/issue$/ });

      // Act
      await backtrace.updateIssue(ref, { state: 'resolved' });

      // Assess
      expect(writes(fake)).toHaveLength(2);
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)?.state).toBe('resolved');
    });

    it('treats a per-fingerprint error as a failed write', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.failNext({ status: 200, body: { results: [{ fingerprint: ref.fingerprint, error: 'database is busy' }] } });

      // Act
      const error = await rejection(backtrace.updateIssue(ref, { state: 'resolved' }));

      // Assess
      expect(error).toBeInstanceOf(RetryableError);
      expect(error.message).toContain('update the state and tickets');
      expect(error.message).toContain('database is busy');
    });
  });
});
