/**
 * The Backtrace adapter's fingerprint reads and writes for state/assignee sync, against the Backtrace fake: state,
 * tickets, invariants and the reopen count in one read, and one `POST /api/issue` carrying the state, the whole
 * ticket list with `assignee: 'set'` and/or the whole invariants list, without losing other watchers' entries.
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
const versionRule = { type: 'version_gt' as const, field: 'version', version: '2.4.0' };

const fakes: BacktraceFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function world() {
  const fake = await startBacktraceFake();
  fakes.push(fake);
  const backtrace = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: TOKEN }, runner: { sleep: async () => undefined } });
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
      expect(issue).toStrictEqual({ state: 'open', tickets: [], invariants: [], reopenCount: 0 });
    });

    it('reads the state and the whole ticket list in one query', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.setIssue(ref.universe, ref.project, ref.fingerprint, { state: 'muted', tickets: [{ watcher: '_backtrace', assignees: [ana] }, ours, other] });

      // Act
      const issue = await backtrace.getIssue(ref);

      // Assess
      expect(issue).toStrictEqual({ state: 'muted', tickets: [{ watcher: '_backtrace', assignees: [ana] }, ours, other], invariants: [], reopenCount: 0 });
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0]?.body).toEqual({
        table: 'issues',
        filter: [{ fingerprint: [['equal', ref.fingerprint]] }],
        select: ['fingerprint', 'state', 'ticket', 'invariants', 'invariant_reopen_count', 'invariant_reopen_last_time'],
        limit: 1,
      });
    });

    it('reads the invariants, how often they reopened the fingerprint, and when they last did', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.actAs(ana).resolve(ref.universe, ref.project, ref.fingerprint, [versionRule]);
      const reopened = fake.reportError(ref.universe, ref.project, ref.fingerprint, { version: '2.4.1' });
      const row = fake.getIssue(ref.universe, ref.project, ref.fingerprint)!;

      // Act
      const issue = await backtrace.getIssue(ref);

      // Assess
      expect(reopened).toBe(true);
      expect(row.invariantReopenLastTime).toBeGreaterThan(0);
      expect(issue).toStrictEqual({ state: 'open', tickets: [], invariants: [versionRule], reopenCount: 1, reopenLastTime: row.invariantReopenLastTime });
    });

    it('reads an empty invariants list as set but empty, and leaves reopenLastTime out before any reopen', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.setIssue(ref.universe, ref.project, ref.fingerprint, { state: 'resolved', invariants: [], invariantReopenCount: 0 });

      // Act
      const issue = await backtrace.getIssue(ref);

      // Assess
      expect(issue).toStrictEqual({ state: 'resolved', tickets: [], invariants: [], reopenCount: 0 });
    });

    it('decodes the reopen count and time when coroner sends them as strings', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.failNext({
        status: 200,
        body: {
          response: {
            columns_desc: ['fingerprint', 'state', 'ticket', 'invariants', 'invariant_reopen_count', 'invariant_reopen_last_time'].map((name) => ({ name })),
            values: [
              ['*', [ref.fingerprint, 1]],
              ['*', ['open', 1]],
              ['*', [JSON.stringify([ours]), 1]],
              ['*', [JSON.stringify([versionRule]), 1]],
              ['*', ['4', 1]],
              ['*', ['1767225600', 1]],
            ],
          },
        },
      });

      // Act
      const issue = await backtrace.getIssue(ref);

      // Assess
      expect(issue).toStrictEqual({ state: 'open', tickets: [ours], invariants: [versionRule], reopenCount: 4, reopenLastTime: 1_767_225_600 });
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

    it('writes "resolve until" as the state and the whole invariants list, so a matching new error reopens the fingerprint', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const rules = [versionRule, { type: 'and' as const, children: [{ type: 'regular_expression' as const, field: 'error.message', pattern: 'timeout' }, { type: 'timestamp_gt' as const, timestamp: 1_767_225_600 }] }];

      // Act
      await backtrace.updateIssue(ref, { state: 'resolved', invariants: rules });

      // Assess
      expect(writes(fake)).toEqual([{ fingerprint: [ref.fingerprint], project: ref.project, state: 'resolved', invariants: { action: 'set', value: rules } }]);
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)).toMatchObject({ state: 'resolved', invariants: rules });
      expect(fake.reportError(ref.universe, ref.project, ref.fingerprint, { version: '2.3.9' })).toBe(false);
      expect(fake.reportError(ref.universe, ref.project, ref.fingerprint, { version: '2.4.1' })).toBe(true);
      expect(await backtrace.getIssue(ref)).toMatchObject({ state: 'open', invariants: rules, reopenCount: 1 });
    });

    it('clears the invariants with an empty list', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      fake.setIssue(ref.universe, ref.project, ref.fingerprint, { state: 'muted', invariants: [versionRule] });

      // Act
      await backtrace.updateIssue(ref, { invariants: [] });

      // Assess
      expect(writes(fake)).toEqual([{ fingerprint: [ref.fingerprint], project: ref.project, invariants: { action: 'set', value: [] } }]);
      expect(fake.getIssue(ref.universe, ref.project, ref.fingerprint)).toMatchObject({ state: 'muted', invariants: [] });
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
