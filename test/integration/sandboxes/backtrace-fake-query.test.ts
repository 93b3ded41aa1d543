import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BACKTRACE_TOKEN, startBacktraceFake, type BacktraceFake } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { pollerQuery, postIssue, rows } from './support/coroner.ts';
import { call } from './support/http.ts';

const fp = (c: string) => c.repeat(64);
const ticket = (key: string) => ({ watcher: 'jira-prod', short: key, url: `https://acme.atlassian.net/browse/${key}`, state: 'open' as const });

describe('Backtrace fake: POST /api/query on the issues table', () => {
  let backtrace: BacktraceFake;
  const query = (body: unknown, token: string = DEFAULT_BACKTRACE_TOKEN) =>
    call(`${backtrace.url}/api/query?universe=acme&project=game`, { auth: null, body, headers: { 'X-Coroner-Token': token } });

  beforeAll(async () => {
    backtrace = await startBacktraceFake();
  });
  afterAll(() => backtrace.close());
  beforeEach(() => backtrace.reset());

  it('reads one fingerprint column-wise with ticket as a JSON string', async () => {
    // Prepare
    backtrace.setIssue('acme', 'game', fp('a'), { state: 'in-progress', tickets: [ticket('CRASH-1')] });

    // Act
    const answer = await query({ table: 'issues', filter: [{ fingerprint: [['equal', fp('a')]] }], select: ['fingerprint', 'state', 'ticket'], limit: 1 });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.error).toBeUndefined();
    expect(answer.json.response).toMatchObject({
      encoding: 'rle',
      columns: [['fingerprint', 'sha256'], ['state', 'none'], ['ticket', 'none']],
      columns_desc: [{ name: 'fingerprint' }, { name: 'state' }, { name: 'ticket' }],
      values: [['*', [fp('a'), 1]], ['*', ['in-progress', 1]], ['*', [JSON.stringify([ticket('CRASH-1')]), 1]]],
    });
    expect(answer.json._).toMatchObject({ universe: 'acme', project: 'game', runtime: { filter: { rows: 1 } } });
  });

  it('shows a fingerprint nobody wrote as open with an empty ticket column', async () => {
    // Act
    const answer = await query({ table: 'issues', filter: [{ fingerprint: [['equal', fp('b')]] }], select: ['fingerprint', 'state', 'ticket'] });

    // Assess
    expect(rows(answer.json.response)).toEqual([{ fingerprint: fp('b'), state: 'open', ticket: '' }]);
  });

  it('run-length encodes equal neighbouring values and filters, orders and pages', async () => {
    // Prepare
    for (const c of ['1', '2', '3']) backtrace.setIssue('acme', 'game', fp(c), { state: 'resolved' });
    backtrace.setIssue('acme', 'game', fp('4'), { state: 'open' });
    backtrace.setIssue('other', 'game', fp('5'), { state: 'resolved' });

    // Act
    const resolved = await query({ table: 'issues', filter: [{ state: [['equal', 'resolved']] }], select: ['state', 'fingerprint'], order: [{ name: 'fingerprint', ordering: 'descending' }] });
    const paged = await query({ table: 'issues', filter: [{ fingerprint: [['regular-expression', `^${fp('1')}$|^${fp('4')}$`]] }], select: ['fingerprint'], order: [{ name: 'fingerprint', ordering: 'ascending' }], offset: 1, limit: 1 });

    // Assess
    expect(resolved.json.response.values[0]).toEqual(['*', ['resolved', 3]]);
    expect(rows(resolved.json.response).map((r) => r.fingerprint)).toEqual([fp('3'), fp('2'), fp('1')]);
    expect(rows(paged.json.response)).toEqual([{ fingerprint: fp('4') }]);
  });

  it('answers no rows as one empty run list per column', async () => {
    // Act
    const answer = await query({ table: 'issues', filter: [{ state: [['equal', 'muted']] }], select: ['fingerprint', 'state'] });

    // Assess
    expect(answer.json.response.values).toEqual([['*'], ['*']]);
    expect(rows(answer.json.response)).toEqual([]);
  });

  it('reads back what /api/issue wrote', async () => {
    // Prepare
    await call(`${backtrace.url}/api/issue?universe=acme&project=game`, {
      auth: null,
      headers: { 'X-Coroner-Token': DEFAULT_BACKTRACE_TOKEN },
      body: { fingerprint: [fp('c')], project: 'game', ticket: { action: 'set', value: [ticket('CRASH-7')] } },
    });

    // Act
    const answer = await query({ table: 'issues', filter: [{ fingerprint: [['equal', fp('c')]] }], select: ['fingerprint', 'state', 'ticket'] });

    // Assess
    const [row] = rows(answer.json.response);
    expect(JSON.parse(row!.ticket as string)).toEqual([ticket('CRASH-7')]);
    expect(row!.state).toBe('in-progress');
  });

  it.each([
    ['an empty body', undefined, /empty body/],
    ['the objects table', { filter: [{ fingerprint: [['equal', fp('a')]] }], select: ['fingerprint'] }, /table 'issues'/],
    ['a group/fold query', { table: 'issues', group: ['fingerprint'], fold: { state: [['head']] } }, /select queries only/],
    ['an unknown column', { table: 'issues', select: ['fingerprint', 'owner'] }, /invalid attribute 'owner'/],
    ['an unknown operator', { table: 'issues', filter: [{ fingerprint: [['is', fp('a')]] }], select: ['fingerprint'] }, /unknown operator 'is'/],
    ['an unknown filter column', { table: 'issues', filter: [{ assignee: [['equal', 'ana']] }], select: ['fingerprint'] }, /invalid attribute 'assignee' in filter/],
    ['a malformed regular expression', { table: 'issues', filter: [{ fingerprint: [['regular-expression', '^(?:aa|bb$']] }], select: ['fingerprint'] }, /invalid regular expression for 'fingerprint'/],
    ['a limit above the maximum', { table: 'issues', select: ['fingerprint'], limit: 10_001 }, /limit 10001 is above the maximum of 10000/],
    ['a negative offset', { table: 'issues', select: ['fingerprint'], offset: -1 }, /non-negative integers/],
    ['a limit given as a string', { table: 'issues', select: ['fingerprint'], limit: '100' }, /non-negative integers/],
    ['an unknown ordering', { table: 'issues', select: ['fingerprint'], order: [{ name: 'fingerprint', ordering: 'up' }] }, /invalid ordering 'up'/],
    ['a set (a write through the query API)', { table: 'issues', filter: [{ fingerprint: [['equal', fp('a')]] }], set: { state: 'resolved' }, select: ['state'] }, /does not implement 'set'/],
    ['a misspelt key', { table: 'issues', select: ['fingerprint'], filters: [] }, /unknown key 'filters'/],
  ])('answers %s with an {error} envelope and HTTP 200', async (_case, body, message) => {
    // Act
    const answer = await call(`${backtrace.url}/api/query?universe=acme&project=game`, { auth: null, headers: { 'X-Coroner-Token': DEFAULT_BACKTRACE_TOKEN, 'content-type': 'application/json' }, ...(body === undefined ? { method: 'POST' } : { body }) });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ error: { code: expect.any(Number), message: expect.stringMatching(message) } });
  });

  it('refuses a wrong token with 401', async () => {
    // Act
    const answer = await query({ table: 'issues', select: ['fingerprint'] }, 'wrong');

    // Assess
    expect(answer.status).toBe(401);
    expect(answer.json.error.message).toBe('invalid token');
  });

  it('fails only the requests whose path matches the fault', async () => {
    // Prepare
    backtrace.failNext({ status: 502, path: /\/api\/query$/, times: 2 });

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await query({ table: 'issues', select: ['fingerprint'] })).status);
    const write = await call(`${backtrace.url}/api/issue?universe=acme&project=game`, { auth: null, headers: { 'X-Coroner-Token': DEFAULT_BACKTRACE_TOKEN }, body: { fingerprint: [fp('d')], state: 'open' } });

    // Assess
    expect(statuses).toEqual([502, 502, 200]);
    expect(write.status).toBe(200);
  });

  it('filters on _tx with the numeric operators, numbers and "<n>." strings alike', async () => {
    // Prepare
    for (const c of ['1', '2', '3']) backtrace.setIssue('acme', 'game', fp(c), { state: 'open' });
    const txOf = (c: string) => backtrace.getIssue('acme', 'game', fp(c))!.tx;
    const select = (condition: unknown[]) => query({ table: 'issues', filter: [{ _tx: [condition] }], select: ['fingerprint', '_tx'], order: [{ name: '_tx', ordering: 'ascending' }] });

    // Act
    const [atMost, lessThan, atLeast, greaterThan, dotted] = await Promise.all([
      select(['at-most', txOf('2')]),
      select(['less-than', txOf('2')]),
      select(['at-least', txOf('2')]),
      select(['greater-than', txOf('2')]),
      select(['at-most', `${txOf('1')}.`]),
    ]);

    // Assess
    const fingerprints = (answer: { json: any }) => rows(answer.json.response).map((r) => r.fingerprint);
    expect(fingerprints(atMost)).toEqual([fp('1'), fp('2')]);
    expect(fingerprints(lessThan)).toEqual([fp('1')]);
    expect(fingerprints(atLeast)).toEqual([fp('2'), fp('3')]);
    expect(fingerprints(greaterThan)).toEqual([fp('3')]);
    expect(fingerprints(dotted)).toEqual([fp('1')]);
    expect(rows(atMost.json.response).map((r) => r._tx)).toEqual([txOf('1'), txOf('2')]);
  });

  it("answers the poller's batch query: several fingerprints by one regular expression, the issue columns, in order", async () => {
    // Prepare
    const invariants = [{ type: 'version_gt', field: 'version', version: '2.4.0' }];
    backtrace.setIssue('acme', 'game', fp('b'), { state: 'resolved', tickets: [ticket('CRASH-2')], invariants: invariants as never, invariantReopenCount: 2, invariantReopenLastTime: 1_767_225_600 });
    backtrace.setIssue('acme', 'game', fp('a'), { state: 'in-progress', tickets: [ticket('CRASH-1')] });
    backtrace.setIssue('acme', 'game', fp('c'), { state: 'muted' }); // not in the batch
    backtrace.setIssue('acme', 'game', `${fp('a')}0`, { state: 'open' }); // a longer fingerprint: the anchors keep it out

    // Act
    const answer = await query(pollerQuery([fp('b'), fp('a'), fp('d')], { offset: 0, limit: 100 }));

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.error).toBeUndefined();
    expect(answer.json.response.columns_desc.map((c: { name: string; type: string }) => [c.name, c.type])).toEqual([
      ['fingerprint', 'dictionary'],
      ['state', 'dictionary'],
      ['ticket', 'dictionary'],
      ['invariants', 'dictionary'],
      ['invariant_reopen_count', 'uint32'],
      ['invariant_reopen_last_time', 'uint64'],
    ]);
    expect(rows(answer.json.response)).toEqual([
      { fingerprint: fp('a'), state: 'in-progress', ticket: JSON.stringify([ticket('CRASH-1')]), invariants: '', invariant_reopen_count: 0, invariant_reopen_last_time: 0 },
      { fingerprint: fp('b'), state: 'resolved', ticket: JSON.stringify([ticket('CRASH-2')]), invariants: JSON.stringify(invariants), invariant_reopen_count: 2, invariant_reopen_last_time: 1_767_225_600 },
    ]);
    expect(answer.json.response.pagination).toEqual({ offset: 0, limit: 100 });
    expect(answer.json._).toMatchObject({ tx: expect.any(Number), runtime: { filter: { rows: 2 } } });
  });

  describe('paging while rows are created between pages', () => {
    const batch = ['1', '3', '5', '7', '9', 'b', 'd'].map(fp);
    // Fingerprints of the batch that do not exist yet; they sort before and among the existing ones.
    const createdLater = ['0', '2', '4'].map(fp);

    async function pageThrough(pin: boolean): Promise<string[]> {
      const seen: string[] = [];
      let tx: number | undefined;
      for (let offset = 0, page = 0; ; offset += 3, page++) {
        const answer = await query(pollerQuery([...batch, ...createdLater], { offset, limit: 3, ...(pin && tx !== undefined ? { tx } : {}) }));
        expect(answer.json.error).toBeUndefined();
        tx ??= answer.json._.tx as number;
        const found = rows(answer.json.response).map((r) => r.fingerprint as string);
        seen.push(...found);
        // Between pages: a new fingerprint arrives, a write creates a row, and an existing row changes.
        const next = createdLater[page];
        if (next && page === 0) backtrace.reportError('acme', 'game', next, { version: '1.0.0' });
        if (next && page === 1) await postIssue(backtrace, { fingerprint: [next], ticket: { action: 'set', value: [ticket('NEW-1')] } });
        if (next && page === 2) backtrace.actAs({ id: 1 }).resolve('acme', 'game', next);
        backtrace.actAs({ id: 1 }).setState('acme', 'game', batch[page]!, 'resolved');
        if (found.length < 3) return seen;
      }
    }

    beforeEach(() => {
      for (const fingerprint of batch) backtrace.setIssue('acme', 'game', fingerprint, { state: 'open' });
    });

    it('with _tx at-most <first page tx> sees every row that existed once, and none created later', async () => {
      // Act
      const seen = await pageThrough(true);

      // Assess
      expect(seen).toEqual([...batch].sort());
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('without the pin, rows created between pages shift the offsets (the pin is what keeps paging stable)', async () => {
      // Act
      const seen = await pageThrough(false);

      // Assess
      expect(new Set(seen).size).toBeLessThan(seen.length);
    });
  });

  it('counts the queries per universe and project, and lists the requests per route', async () => {
    // Act
    await query({ table: 'issues', select: ['fingerprint'] });
    await query({ table: 'objects' }); // refused, still a call
    await call(`${backtrace.url}/api/query?universe=acme&project=other`, { auth: null, headers: { 'X-Coroner-Token': DEFAULT_BACKTRACE_TOKEN }, body: { table: 'issues', select: ['fingerprint'] } });
    await postIssue(backtrace, { fingerprint: [fp('a')], state: 'open' });

    // Assess
    expect(backtrace.queryCount('acme', 'game')).toBe(2);
    expect(backtrace.queryCount('acme', 'other')).toBe(1);
    expect(backtrace.requestsTo('/api/query', { project: 'game' }).map((r) => (r.body as { table: string }).table)).toEqual(['issues', 'objects']);
    expect(backtrace.requestsTo('/api/issue')).toHaveLength(1);
  });
});
