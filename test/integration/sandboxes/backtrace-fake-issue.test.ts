import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BACKTRACE_TOKEN, startBacktraceFake, type BacktraceFake } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { call } from './support/http.ts';

const FP = '8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40';
const ours = { watcher: 'jira-prod', short: 'CRASH-1', url: 'https://acme.atlassian.net/browse/CRASH-1', state: 'open' as const };
const backtraceOwn = { watcher: '_backtrace', assignees: [{ id: 12, username: 'ana', email: 'ana@example.com' }] };

describe('Backtrace fake: POST /api/issue', () => {
  let backtrace: BacktraceFake;
  const post = (body: unknown, options: { token?: string | null; query?: string } = {}) =>
    call(`${backtrace.url}/api/issue?${options.query ?? 'universe=acme&project=game'}`, {
      auth: null,
      body,
      headers: options.token === null ? {} : { 'X-Coroner-Token': options.token ?? DEFAULT_BACKTRACE_TOKEN },
    });

  beforeAll(async () => {
    backtrace = await startBacktraceFake();
  });
  afterAll(() => backtrace.close());
  beforeEach(() => backtrace.reset());

  it('sets the ticket list and answers the row with ticket as a JSON string', async () => {
    // Act
    const answer = await post({ fingerprint: [FP], project: 'game', ticket: { action: 'set', value: [ours] } });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.results).toEqual([
      expect.objectContaining({ id: expect.any(Number), fingerprint: FP, state: 'in-progress', ticket: JSON.stringify([ours]), tags: '', invariant_reopen_count: 0 }),
    ]);
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({ state: 'in-progress', tickets: [ours], modifications: 1 });
  });

  it('replaces the whole list: entries left out are gone', async () => {
    // Prepare
    backtrace.setIssue('acme', 'game', FP, { tickets: [backtraceOwn, ours] });

    // Act
    await post({ fingerprint: [FP], project: 'game', ticket: { action: 'set', assignee: 'set', value: [backtraceOwn] } });

    // Assess
    expect(backtrace.getIssue('acme', 'game', FP)?.tickets).toEqual([backtraceOwn]);
  });

  it('keeps state changes explicit: resolved stays resolved when a ticket is linked, and state can be set', async () => {
    // Prepare
    backtrace.setIssue('acme', 'game', FP, { state: 'resolved' });
    const other = 'f'.repeat(64);

    // Act
    await post({ fingerprint: [FP], ticket: { action: 'set', value: [ours] } });
    await post({ fingerprint: [other], state: 'muted', tags: { action: 'set', value: 'a b' } });

    // Assess
    expect(backtrace.getIssue('acme', 'game', FP)?.state).toBe('resolved');
    expect(backtrace.getIssue('acme', 'game', other)).toMatchObject({ state: 'muted', tickets: [], tags: 'a b' });
  });

  it('stores invariants and answers them as a JSON string; the row keeps its _tx and counts its writes', async () => {
    // Prepare
    const invariants = [{ type: 'version_gt', field: 'version', version: '2.4.0' }, { type: 'and', children: [{ type: 'timestamp_gt', timestamp: 1 }, { type: 'regular_expression', field: 'env', pattern: '^prod' }] }];

    // Act
    const answer = await post({ fingerprint: [FP], state: 'resolved', invariants: { action: 'set', value: invariants } });
    const created = backtrace.getIssue('acme', 'game', FP)!;
    await post({ fingerprint: [FP], tags: { action: 'set', value: 'triaged' } });

    // Assess
    expect(answer.json.results[0]).toMatchObject({ state: 'resolved', invariants: JSON.stringify(invariants), invariant_reopen_count: 0, invariant_reopen_last_time: 0 });
    expect(backtrace.getIssue('acme', 'game', FP)).toEqual({
      state: 'resolved',
      tickets: [],
      tags: 'triaged',
      invariants,
      invariantReopenCount: 0,
      invariantReopenLastTime: 0,
      tx: created.tx,
      modifications: 2,
    });
  });

  it('returns an open fingerprint to open when every ticket is unlinked', async () => {
    // Prepare
    await post({ fingerprint: [FP], ticket: { action: 'set', value: [ours] } });

    // Act
    await post({ fingerprint: [FP], ticket: { action: 'set', value: [] } });

    // Assess
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({ state: 'open', tickets: [] });
  });

  it('keeps universes and projects apart', async () => {
    // Act
    await post({ fingerprint: [FP], ticket: { action: 'set', value: [ours] } }, { query: 'universe=acme&project=other' });

    // Assess
    expect(backtrace.getIssue('acme', 'game', FP)).toBeUndefined();
    expect(backtrace.getIssue('acme', 'other', FP)?.tickets).toEqual([ours]);
  });

  it.each([
    ['a missing token', null, 'authentication required'],
    ['a wrong token', 'old-token', 'invalid token'],
  ])('refuses %s with 401 and changes nothing', async (_case, token, message) => {
    // Act
    const answer = await post({ fingerprint: [FP], ticket: { action: 'set', value: [ours] } }, { token });

    // Assess
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: { code: expect.any(Number), message } });
    expect(backtrace.getIssue('acme', 'game', FP)).toBeUndefined();
  });

  it('accepts morgue\'s ?token= as well', async () => {
    // Act
    const answer = await post({ fingerprint: [FP], state: 'open' }, { token: null, query: `universe=acme&project=game&token=${DEFAULT_BACKTRACE_TOKEN}` });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.results).toHaveLength(1);
  });

  it.each([
    ['no universe', { fingerprint: [FP] }, 'project=game', /universe/],
    ['no project', { fingerprint: [FP] }, 'universe=acme', /project/],
    ['an empty fingerprint list', { fingerprint: [] }, undefined, /fingerprint/],
    ['a fingerprint given as a string', { fingerprint: FP }, undefined, /fingerprint/],
    ['a body project that differs from the query', { fingerprint: [FP], project: 'other' }, undefined, /project 'other'/],
    ['an unknown state', { fingerprint: [FP], state: 'closed' }, undefined, /state 'closed'/],
    ['a ticket list without action', { fingerprint: [FP], ticket: { value: [ours] } }, undefined, /action/],
    ['a ticket without watcher', { fingerprint: [FP], ticket: { action: 'set', value: [{ short: 'CRASH-1' }] } }, undefined, /watcher/],
    ['a ticket assignee without numeric id', { fingerprint: [FP], ticket: { action: 'set', value: [{ watcher: 'w', assignees: [{ email: 'a@b.c' }] }] } }, undefined, /assignees/],
    ['a misspelt key', { fingerprint: [FP], tickets: { action: 'set', value: [ours] } }, undefined, /unknown key 'tickets'/],
    ['an invariant of an unknown type', { fingerprint: [FP], invariants: { action: 'set', value: [{ type: 'version_lt', field: 'version', version: '1' }] } }, undefined, /invariants\[0\]: type must be one of/],
    ['a version invariant without version', { fingerprint: [FP], invariants: { action: 'set', value: [{ type: 'version_gt', field: 'version', value: '1.4.0' }] } }, undefined, /version_gt needs field and version/],
    ['a timestamp invariant with a string', { fingerprint: [FP], invariants: { action: 'set', value: [{ type: 'timestamp_gt', timestamp: '1' }] } }, undefined, /numeric timestamp/],
    ['a nested and', { fingerprint: [FP], invariants: { action: 'set', value: [{ type: 'and', children: [{ type: 'and', children: [] }] }] } }, undefined, /cannot be nested/],
  ])('refuses a request with %s: {error} with HTTP 200, nothing written', async (_case, body, query, message) => {
    // Act
    const answer = await post(body, { query });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.error).toEqual({ code: expect.any(Number), message: expect.stringMatching(message) });
    expect(backtrace.getIssue('acme', 'game', FP)).toBeUndefined();
  });

  it('answers a body that is not JSON with an {error}', async () => {
    // Act
    const answer = await post('{"fingerprint":');

    // Assess
    expect(answer.json.error.message).toMatch(/JSON/);
  });

  it('injects faults: 5xx, a scripted embedded error, and then serves normally', async () => {
    // Prepare
    backtrace.failNext({ status: 503 });
    backtrace.failNext({ status: 200, body: { results: [{ fingerprint: FP, error: 'database is busy' }] } });

    // Act
    const unavailable = await post({ fingerprint: [FP], state: 'open' });
    const busy = await post({ fingerprint: [FP], state: 'open' });
    const fine = await post({ fingerprint: [FP], ticket: { action: 'set', value: [ours] } });

    // Assess
    expect(unavailable.status).toBe(503);
    expect(unavailable.json.error).toEqual({ code: 503, message: expect.any(String) });
    expect(busy.json.results[0].error).toBe('database is busy');
    expect(fine.json.results[0].ticket).toBe(JSON.stringify([ours]));
    expect(backtrace.requests.map((r) => r.path)).toEqual(['/api/issue', '/api/issue', '/api/issue']);
  });

  it('answers unknown endpoints with 404 and other methods with 405', async () => {
    // Act
    const unknown = await call(`${backtrace.url}/api/nothing`, { auth: null, body: {} });
    const get = await call(`${backtrace.url}/api/issue?universe=acme&project=game`, { auth: null, headers: { 'X-Coroner-Token': DEFAULT_BACKTRACE_TOKEN } });

    // Assess
    expect(unknown.status).toBe(404);
    expect(get.status).toBe(405);
  });
});

describe('Backtrace fake: tokens option', () => {
  it('accepts only the configured tokens', async () => {
    // Prepare
    const backtrace = await startBacktraceFake({ tokens: ['t-1'] });
    try {
      const post = (token: string) => call(`${backtrace.url}/api/issue?universe=u&project=p`, { auth: null, body: { fingerprint: [FP], state: 'open' }, headers: { 'X-Coroner-Token': token } });

      // Act
      const [configured, defaultToken] = await Promise.all([post('t-1'), post(DEFAULT_BACKTRACE_TOKEN)]);

      // Assess
      expect(configured.status).toBe(200);
      expect(defaultToken.status).toBe(401);
    } finally {
      await backtrace.close();
    }
  });
});
