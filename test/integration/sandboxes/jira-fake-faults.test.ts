import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';

const issueBody = { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash' } };

describe('Jira fake: injected faults (failNext)', () => {
  let jira: JiraFake;
  beforeAll(async () => {
    jira = await startJiraFake();
  });
  afterAll(() => jira.close());
  beforeEach(() => jira.reset());

  it('answers a burst 429 with Retry-After and the Cloud rate-limit headers, then serves normally', async () => {
    // Prepare
    jira.failNext({ status: 429, retryAfter: '2', rateLimit: { reason: 'jira-burst-based', limit: 350, remaining: 0, reset: '2026-01-01T01:01:01Z', nearLimit: true } });

    // Act
    const limited = await call(`${jira.apiUrl}issue`, { body: issueBody });
    const next = await call(`${jira.apiUrl}issue`, { body: issueBody });

    // Assess
    expect(limited.status).toBe(429);
    expect(Object.fromEntries(['retry-after', 'ratelimit-reason', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-nearlimit'].map((h) => [h, limited.headers.get(h)]))).toEqual({
      'retry-after': '2',
      'ratelimit-reason': 'jira-burst-based',
      'x-ratelimit-limit': '350',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '2026-01-01T01:01:01Z',
      'x-ratelimit-nearlimit': 'true',
    });
    expect(next.status).toBe(201);
    expect(jira.issues).toHaveLength(1);
  });

  it('can answer a gateway 429 with no Retry-After and no body', async () => {
    // Prepare
    jira.failNext({ status: 429, body: null });

    // Act
    const answer = await call(`${jira.apiUrl}serverInfo`);

    // Assess
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBeNull();
    expect(answer.text).toBe('');
  });

  it('repeats a fault `times` times, in queue order, only for matching method and path', async () => {
    // Prepare
    jira.failNext({ status: 503, retryAfter: '1', times: 2, method: 'POST', path: /\/issue$/ });
    jira.failNext({ status: 500, path: /\/issue$/ });

    // Act
    const unrelated = await call(`${jira.apiUrl}serverInfo`);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(`${jira.apiUrl}issue`, { body: issueBody })).status);

    // Assess
    expect(unrelated.status).toBe(200);
    expect(statuses).toEqual([503, 503, 500, 201]);
  });

  it.each([400, 401, 403, 404, 502])('injects a %i with a Jira ErrorCollection body', async (status) => {
    // Prepare
    jira.failNext({ status });

    // Act
    const answer = await call(`${jira.apiUrl}myself`);

    // Assess
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual({ errorMessages: [expect.any(String)], errors: {} });
  });

  it('sends a custom body and headers when asked', async () => {
    // Prepare
    jira.failNext({ status: 400, body: { errorMessages: [], errors: { customfield_10010: 'Severity is required.' } }, headers: { 'x-arequestid': 'abc' } });

    // Act
    const answer = await call(`${jira.apiUrl}issue`, { body: issueBody });

    // Assess
    expect(answer.json.errors).toEqual({ customfield_10010: 'Severity is required.' });
    expect(answer.headers.get('x-arequestid')).toBe('abc');
    expect(jira.issues).toEqual([]);
  });

  it('answers slowly so the client times out, yet still creates the issue (a lost response)', async () => {
    // Prepare
    jira.failNext({ delayMs: 2_000, path: /\/issue$/ });

    // Act
    const attempt = call(`${jira.apiUrl}issue`, { body: issueBody, signal: AbortSignal.timeout(200) });

    // Assess
    await expect(attempt).rejects.toThrow();
    await vi.waitFor(() => expect(jira.issues.map((i) => i.key)).toEqual(['CRASH-1']), { timeout: 20_000, interval: 100 });
  });

  it('forgets pending faults, issues and requests on reset', async () => {
    // Prepare
    jira.failNext({ status: 500, times: Infinity });
    await call(`${jira.apiUrl}serverInfo`);

    // Act
    jira.reset();
    const answer = await call(`${jira.apiUrl}issue`, { body: issueBody });

    // Assess
    expect(answer.status).toBe(201);
    expect(answer.json.key).toBe('CRASH-1');
    expect(jira.requests).toHaveLength(1);
  });

  it('closes promptly even while a slow response is pending', async () => {
    // Prepare
    const slow = await startJiraFake();
    slow.failNext({ delayMs: 60_000 });
    const pending = call(`${slow.apiUrl}serverInfo`).catch((error: unknown) => error);
    await vi.waitFor(() => expect(slow.requests).toHaveLength(1));

    // Act
    const started = Date.now();
    await slow.close();

    // Assess
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await pending).toBeDefined();
  });
});
