/**
 * The Backtrace adapter's many-fingerprint read (the poller's), against the Backtrace sandbox over real HTTP:
 * batches of at most 100 fingerprints, each one anchored and escaped regular expression; pages of 100 pinned to the
 * first page's `_tx`; the run-length select answer decoded, JSON-string and numbers-as-strings columns included;
 * an `{error}` inside an HTTP 200 answer taken as the failure it is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBacktraceClient } from '../../../shared/adapters/backtrace/backtrace-client.ts';
import { ISSUE_COLUMNS } from '../../../shared/adapters/backtrace/issue-queries.ts';
import type { Ticket } from '../../../shared/domain/model/backtrace.ts';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import { startBacktraceFake, type BacktraceFake, type BacktraceRecordedRequest } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { rejection } from './support/assertions.ts';

const TOKEN = 'sandbox-backtrace-token';
const project = { universe: 'acme', project: 'game' };
const QUERY_PATH = /\/api\/query$/;

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

/** 64-hex fingerprints that sort as they are numbered, as Backtrace's sha256 fingerprints look. */
const hex = (n: number, prefix = 'f') => `${prefix}${n.toString(16).padStart(63, '0')}`;
const hexes = (count: number, prefix = 'f') => Array.from({ length: count }, (_, i) => hex(i, prefix));

const ours = (key: string): Ticket => ({ watcher: 'jira-prod', short: key, url: `https://acme.atlassian.net/browse/${key}`, state: 'open' });
const rule = { type: 'version_gt' as const, field: 'version', version: '2.4.0' };

interface QueryBody {
  filter: [{ fingerprint: [[string, string]]; _tx?: [[string, number]] }];
  limit: number;
  offset: number;
}
const queries = (fake: BacktraceFake) => fake.requestsTo('/api/query', project).map((request) => request.body as QueryBody);
const patternOf = (body: QueryBody) => new RegExp(body.filter[0].fingerprint[0][1]);

/** A select answer as coroner sends it: one run-length encoded `values` entry per column, `_.tx` the snapshot. */
function selectAnswer(rows: Record<string, unknown>[], tx: number, columns: readonly string[] = ISSUE_COLUMNS) {
  const encode = (values: unknown[]) => {
    const runs: [unknown, number][] = [];
    for (const value of values) {
      const last = runs.at(-1);
      if (last && last[0] === value) last[1] += 1;
      else runs.push([value, 1]);
    }
    return ['*', ...runs];
  };
  return {
    response: {
      version: '1.2.0',
      encoding: 'rle',
      columns: columns.map((name) => [name, 'none']),
      columns_desc: columns.map((name) => ({ name, format: 'none', type: 'dictionary' })),
      values: columns.map((name) => encode(rows.map((row) => row[name] ?? ''))),
      pagination: { limit: 100, offset: 0 },
    },
    _: { tx, universe: project.universe, project: project.project, user: 'bridge', latency: '1 us' },
  };
}

describe('Function: createBacktraceClient (polling)', () => {
  describe('Method: readFingerprints', () => {
    it('reads 250 fingerprints in three queries of at most 100, each matching exactly its batch, in the given order', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const all = hexes(250);
      const seeded = all.filter((_, i) => i % 7 !== 3);
      for (const fingerprint of seeded) fake.setIssue('acme', 'game', fingerprint, { state: 'resolved', tickets: [ours('CRASH-1')] });
      for (const fingerprint of all) fake.setIssue('acme', 'other-project', fingerprint, { state: 'muted' });

      // Act
      const rows = await backtrace.readFingerprints(project, [...all, ...all.slice(0, 40)]);

      // Assess
      const sent = queries(fake);
      expect(sent).toHaveLength(3);
      expect(fake.requests).toHaveLength(3);
      sent.forEach((body, i) => {
        expect(body).toMatchObject({ table: 'issues', select: [...ISSUE_COLUMNS], order: [{ name: 'fingerprint', ordering: 'ascending' }], limit: 100, offset: 0 });
        expect(body.filter[0]._tx).toBeUndefined();
        const pattern = patternOf(body);
        expect(all.filter((fingerprint) => pattern.test(fingerprint))).toEqual(all.slice(i * 100, i * 100 + 100));
      });
      expect(rows.map((row) => row.fingerprint)).toEqual(seeded);
      expect(rows.every((row) => row.state === 'resolved')).toBe(true);
      expect(rows[0]).toEqual({ fingerprint: seeded[0], state: 'resolved', tickets: [ours('CRASH-1')], invariants: [], reopenCount: 0 });
      expect(fake.requests.every((request) => request.headers['x-coroner-token'] === TOKEN)).toBe(true);
    });

    it('matches a fingerprint with regular-expression metacharacters only itself', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const wanted = ['a.c', 'p|q', '(x)', 'a+', 'b\\d', '^z$', '[ab]', 'c{2}', 'e?', 'fp-1/2'];
      const lookalikes = ['abc', 'axc', 'p', 'q', 'x', 'aa', 'a', 'b1', 'bd', 'z', 'ab', 'b', 'cc', 'e', '', 'fp-1/2x', 'xfp-1/2'];
      for (const fingerprint of [...wanted, ...lookalikes]) fake.setIssue('acme', 'game', fingerprint, { state: 'in-progress' });

      // Act
      const rows = await backtrace.readFingerprints(project, wanted);

      // Assess
      expect(rows.map((row) => row.fingerprint).sort()).toEqual([...wanted].sort());
      const [body] = queries(fake);
      const pattern = patternOf(body!);
      expect([...wanted, ...lookalikes].filter((fingerprint) => pattern.test(fingerprint)).sort()).toEqual([...wanted].sort());
    });

    it('asks no further page once a full page holds the whole batch', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const batch = hexes(100);
      for (const fingerprint of batch) fake.setIssue('acme', 'game', fingerprint, { state: 'open' });

      // Act
      const rows = await backtrace.readFingerprints(project, batch);

      // Assess
      expect(rows.map((row) => row.fingerprint)).toEqual(batch);
      expect(queries(fake).map((body) => [body.offset, body.filter[0]._tx])).toEqual([[0, undefined]]);
    });

    it('pages on while a full page leaves fingerprints unfound, every later page pinned to the first page\'s _tx', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const batch = hexes(100);
      const strangers = hexes(70, 'e');
      const row = (fingerprint: string, state: string) => ({ fingerprint, state, invariant_reopen_count: 0 });
      // Columns in another order than asked for: coroner's answer is matched by name (reference section 5.2).
      const columns = ['state', 'invariant_reopen_count', 'fingerprint', 'ticket', 'invariants', 'invariant_reopen_last_time'];
      const firstPage = [...batch.slice(0, 50).map((fingerprint) => row(fingerprint, 'resolved')), ...strangers.slice(0, 50).map((fingerprint) => row(fingerprint, 'open'))];
      // Rows 40 to 49 again (with another state): each fingerprint is read once, from the first page that has it.
      const secondPage = [...batch.slice(40, 70).map((fingerprint, i) => row(fingerprint, i < 10 ? 'open' : 'muted')), ...strangers.map((fingerprint) => row(fingerprint, 'open'))];
      fake.failNext({ status: 200, path: QUERY_PATH, body: selectAnswer(firstPage, 4242, columns) });
      fake.failNext({ status: 200, path: QUERY_PATH, body: selectAnswer(secondPage, 9999, columns) });

      // Act
      const rows = await backtrace.readFingerprints(project, batch);

      // Assess
      expect(queries(fake).map((body) => [body.offset, body.filter[0]._tx])).toEqual([
        [0, undefined],
        [100, [['at-most', 4242]]],
        [200, [['at-most', 4242]]],
      ]);
      expect(rows.map((r) => r.fingerprint)).toEqual(batch.slice(0, 70));
      expect(rows.map((r) => r.state)).toEqual([...Array.from({ length: 50 }, () => 'resolved'), ...Array.from({ length: 20 }, () => 'muted')]);
    });

    it('reads every column of a row as Backtrace stores it: ticket and invariants as JSON strings, the reopen count and time', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const [regressed, resolved, fresh] = hexes(3);
      const tickets: Ticket[] = [{ watcher: '_backtrace', assignees: [{ id: 12, username: 'ana', email: 'ana@example.com' }] }, ours('CRASH-7')];
      fake.setIssue('acme', 'game', regressed!, { state: 'open', tickets, invariants: [rule], invariantReopenCount: 3, invariantReopenLastTime: 1_767_225_600 });
      fake.setIssue('acme', 'game', resolved!, { state: 'resolved', invariants: [] });
      fake.setIssue('acme', 'game', fresh!, {});

      // Act
      const rows = await backtrace.readFingerprints(project, [regressed!, resolved!, fresh!]);

      // Assess
      expect(rows).toStrictEqual([
        { fingerprint: regressed, state: 'open', tickets, invariants: [rule], reopenCount: 3, reopenLastTime: 1_767_225_600 },
        { fingerprint: resolved, state: 'resolved', tickets: [], invariants: [], reopenCount: 0 },
        { fingerprint: fresh, state: 'open', tickets: [], invariants: [], reopenCount: 0 },
      ]);
    });

    it('decodes numbers sent as strings, and keeps odd ticket entries as they are', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const [fingerprint] = hexes(1);
      const odd = { watcher: 'other-tool', custom: { nested: [1, 2] } };
      fake.failNext({
        status: 200,
        path: QUERY_PATH,
        body: selectAnswer(
          [{ fingerprint, state: 'muted', ticket: JSON.stringify([ours('CRASH-2'), odd]), invariants: JSON.stringify([rule]), invariant_reopen_count: '2', invariant_reopen_last_time: '1767225600' }],
          77,
        ),
      });

      // Act
      const rows = await backtrace.readFingerprints(project, [fingerprint!]);

      // Assess
      expect(rows).toStrictEqual([{ fingerprint, state: 'muted', tickets: [ours('CRASH-2'), odd], invariants: [rule], reopenCount: 2, reopenLastTime: 1_767_225_600 }]);
    });

    it('leaves out fingerprints Backtrace has no row for, and asks nothing for no fingerprints', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const [known, unknown] = hexes(2);
      fake.setIssue('acme', 'game', known!, { state: 'muted' });

      // Act
      const none = await backtrace.readFingerprints(project, []);
      const rows = await backtrace.readFingerprints(project, [unknown!, known!]);

      // Assess
      expect(none).toEqual([]);
      expect(rows.map((row) => row.fingerprint)).toEqual([known]);
      expect(queries(fake)).toHaveLength(1);
    });

    it('refuses a row it cannot read with PermanentError naming the fingerprint', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const [fine, broken] = hexes(2);
      fake.failNext({ status: 200, path: QUERY_PATH, body: selectAnswer([{ fingerprint: fine, state: 'open' }, { fingerprint: broken, state: 'open', ticket: '[{"watcher":' }], 5) });

      // Act
      const error = await rejection(backtrace.readFingerprints(project, [fine!, broken!]));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain(`ticket list of fingerprint ${broken} in acme/game is not JSON`);
    });

    it.each([
      ['an unknown project', { code: 32769, message: 'invalid project' }, PermanentError, 'check backtrace.universe (acme) and backtrace.project (game)'],
      ['a refused token', { code: 5, message: 'invalid token' }, PermanentError, 'backtrace.tokenSecret'],
      ['a busy server', { code: 7, message: 'database is busy' }, RetryableError, 'database is busy'],
      ['a bare string', 'transaction aborted', RetryableError, 'transaction aborted'],
    ])('takes {"error"} in an HTTP 200 answer for %s as a failure, not as no rows', async (_case, answered, kind, words) => {
      // Prepare
      const { fake, backtrace } = await world();
      const batch = hexes(3);
      for (const fingerprint of batch) fake.setIssue('acme', 'game', fingerprint, { state: 'open' });
      fake.failNext({ status: 200, path: QUERY_PATH, body: { error: answered } });

      // Act
      const error = await rejection(backtrace.readFingerprints(project, batch));

      // Assess
      expect(error).toBeInstanceOf(kind);
      expect(error.message).toContain(words);
      if (error instanceof RetryableError) expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.message).not.toContain(TOKEN);
    });

    it('fails the whole read when a later page answers with an error, rather than returning part of it', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const batch = hexes(100);
      const page = [...batch.slice(0, 50), ...hexes(50, 'e')].map((fingerprint) => ({ fingerprint, state: 'open' }));
      fake.failNext({ status: 200, path: QUERY_PATH, body: selectAnswer(page, 31) });
      fake.failNext({ status: 200, path: QUERY_PATH, body: { error: { code: 7, message: 'snapshot expired' } } });

      // Act
      const error = await rejection(backtrace.readFingerprints(project, batch));

      // Assess
      expect(error).toBeInstanceOf(RetryableError);
      expect(error.message).toContain('snapshot expired');
      expect(queries(fake)).toHaveLength(2);
    });

    it('repeats a query answered 503 and then reads the rows', async () => {
      // Prepare
      const { fake, backtrace } = await world();
      const batch = hexes(2);
      for (const fingerprint of batch) fake.setIssue('acme', 'game', fingerprint, { state: 'resolved' });
      fake.failNext({ status: 503, path: QUERY_PATH });

      // Act
      const rows = await backtrace.readFingerprints(project, batch);

      // Assess
      expect(rows.map((row) => row.fingerprint)).toEqual(batch);
      const sent: BacktraceRecordedRequest[] = fake.requestsTo('/api/query');
      expect(sent).toHaveLength(2);
      expect(sent[1]!.body).toEqual(sent[0]!.body);
    });
  });
});
