import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BACKTRACE_TOKEN, startBacktraceFake, type BacktraceFake } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { rows } from './support/coroner.ts';
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
});
