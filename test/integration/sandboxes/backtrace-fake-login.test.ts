/**
 * Service-user login in the Backtrace sandbox, as backtrace-morgue does it (reference section 3.7, morgue
 * `lib/coroner.ts` `login()`): a form-encoded `POST /api/login`, then the session token as `?token=` or in
 * `X-Coroner-Token`; sessions expire; API tokens may be refused issue writes (`apiTokensMayWriteIssues: false`).
 * Statuses and messages of the refusals are guesses (`guesses.ts`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BACKTRACE_TOKEN, startBacktraceFake, type BacktraceFake, type BacktraceFakeOptions } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { login, postIssue, postQuery } from './support/coroner.ts';
import { call } from './support/http.ts';

const FP = '8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40';
const bridgeUser = { username: 'jira-bridge', password: 's3cret&=%' };
const select = { table: 'issues', select: ['fingerprint'] };

const fakes: BacktraceFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function sandbox(options: BacktraceFakeOptions = {}): Promise<BacktraceFake> {
  const backtrace = await startBacktraceFake({ users: [bridgeUser], ...options });
  fakes.push(backtrace);
  return backtrace;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Backtrace fake: POST /api/login and session tokens', () => {
  it("logs a configured user in with morgue's form body and answers {token, user, universe}", async () => {
    // Prepare
    const backtrace = await sandbox({ users: [{ ...bridgeUser, universe: 'acme' }] });

    // Act
    const answer = await login(backtrace, bridgeUser.username, bridgeUser.password);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ token: expect.stringMatching(/^[0-9a-f]{32}$/), user: { uid: 1, username: 'jira-bridge' }, universe: { id: 1, name: 'acme' } });
    expect(answer.json.token).not.toBe(DEFAULT_BACKTRACE_TOKEN);
    expect(backtrace.requestsTo('/api/login')[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('accepts the session token as ?token= (morgue) and in X-Coroner-Token (forensics), for queries and writes', async () => {
    // Prepare
    const backtrace = await sandbox();
    const { token } = (await login(backtrace, bridgeUser.username, bridgeUser.password)).json;

    // Act
    const queried = await postQuery(backtrace, select, { queryToken: token });
    const written = await postIssue(backtrace, { fingerprint: [FP], state: 'resolved' }, { token });
    const writtenByQueryToken = await postIssue(backtrace, { fingerprint: [FP], state: 'muted' }, { queryToken: token });

    // Assess
    expect(queried.status).toBe(200);
    expect(queried.json.response).toBeDefined();
    expect([written.status, writtenByQueryToken.status]).toEqual([200, 200]);
    expect(backtrace.getIssue('acme', 'game', FP)?.state).toBe('muted');
  });

  it.each([
    ['a wrong password', () => new URLSearchParams({ username: bridgeUser.username, password: 'guess' }).toString(), 'application/x-www-form-urlencoded'],
    ['an unknown user', () => new URLSearchParams({ username: 'nobody', password: bridgeUser.password }).toString(), 'application/x-www-form-urlencoded'],
    ['no password', () => new URLSearchParams({ username: bridgeUser.username }).toString(), 'application/x-www-form-urlencoded'],
    ['credentials as JSON instead of a form', () => JSON.stringify(bridgeUser), 'application/json'],
  ])('refuses %s with 401 and the error envelope', async (_case, body, contentType) => {
    // Prepare
    const backtrace = await sandbox();

    // Act
    const answer = await call(`${backtrace.url}/api/login`, { auth: null, body: body(), headers: { 'content-type': contentType } });

    // Assess
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: { code: expect.any(Number), message: 'invalid username or password' } });
  });

  it('answers GET /api/login with 405', async () => {
    // Prepare
    const backtrace = await sandbox();

    // Act
    const answer = await call(`${backtrace.url}/api/login`, { auth: null });

    // Assess
    expect(answer.status).toBe(405);
  });

  it('refuses an unknown session token with 401 "invalid token"', async () => {
    // Prepare
    const backtrace = await sandbox();

    // Act
    const answer = await postQuery(backtrace, select, { queryToken: 'f'.repeat(32) });

    // Assess
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: { code: expect.any(Number), message: 'invalid token' } });
  });

  it('lets a session expire after sessionTtlMs; logging in again gives a token that works', async () => {
    // Prepare
    const backtrace = await sandbox({ sessionTtlMs: 150 });
    const { token: old } = (await login(backtrace, bridgeUser.username, bridgeUser.password)).json;
    const fresh = await postQuery(backtrace, select, { token: old });
    await sleep(250);

    // Act
    const expired = await postQuery(backtrace, select, { token: old });
    const { token: renewed } = (await login(backtrace, bridgeUser.username, bridgeUser.password)).json;
    const again = await postQuery(backtrace, select, { token: renewed });

    // Assess
    expect(fresh.status).toBe(200);
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ error: { code: expect.any(Number), message: 'invalid token' } });
    expect(renewed).not.toBe(old);
    expect(again.status).toBe(200);
  });

  it('ends every session on expireSessions(), and API tokens keep working', async () => {
    // Prepare
    const backtrace = await sandbox();
    const { token } = (await login(backtrace, bridgeUser.username, bridgeUser.password)).json;

    // Act
    backtrace.expireSessions();
    const [session, apiToken] = await Promise.all([postIssue(backtrace, { fingerprint: [FP], state: 'open' }, { token }), postIssue(backtrace, { fingerprint: [FP], state: 'open' })]);

    // Assess
    expect(session.status).toBe(401);
    expect(session.json.error.message).toBe('invalid token');
    expect(apiToken.status).toBe(200);
  });
});

describe('Backtrace fake: apiTokensMayWriteIssues', () => {
  it('when false, refuses /api/issue with an API token (403, error envelope) and writes nothing; queries still work', async () => {
    // Prepare
    const backtrace = await sandbox({ apiTokensMayWriteIssues: false });

    // Act
    const [headerToken, queryToken, queried] = await Promise.all([
      postIssue(backtrace, { fingerprint: [FP], state: 'resolved' }),
      postIssue(backtrace, { fingerprint: [FP], state: 'resolved' }, { queryToken: DEFAULT_BACKTRACE_TOKEN }),
      postQuery(backtrace, select),
    ]);

    // Assess
    for (const refused of [headerToken, queryToken]) {
      expect(refused.status).toBe(403);
      expect(refused.json).toEqual({ error: { code: expect.any(Number), message: 'token lacks the capability to modify issues' } });
    }
    expect(backtrace.getIssue('acme', 'game', FP)).toBeUndefined();
    expect(queried.status).toBe(200);
    expect(queried.json.error).toBeUndefined();
  });

  it('when false, still lets a logged-in user write', async () => {
    // Prepare
    const backtrace = await sandbox({ apiTokensMayWriteIssues: false });
    const { token } = (await login(backtrace, bridgeUser.username, bridgeUser.password)).json;

    // Act
    const answer = await postIssue(backtrace, { fingerprint: [FP], state: 'resolved' }, { token });

    // Assess
    expect(answer.status).toBe(200);
    expect(backtrace.getIssue('acme', 'game', FP)?.state).toBe('resolved');
  });

  it('is true by default: an API token writes', async () => {
    // Prepare
    const backtrace = await sandbox();

    // Act
    const answer = await postIssue(backtrace, { fingerprint: [FP], state: 'resolved' });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.results).toHaveLength(1);
  });
});
