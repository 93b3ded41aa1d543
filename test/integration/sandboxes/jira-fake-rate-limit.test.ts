/** The Jira sandbox's burst limit (reference section 8.1): a token bucket per method and endpoint, 429 when empty. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';

const issueBody = { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash' } };

describe('Jira fake: burst rate limit (rateLimit)', () => {
  let jira: JiraFake;
  beforeAll(async () => {
    jira = await startJiraFake();
  });
  afterAll(() => jira.close());
  beforeEach(() => {
    jira.reset();
    jira.setRateLimit(undefined);
  });

  it('serves a full bucket, then answers 429 with Retry-After, X-RateLimit-* and the burst reason, creating nothing', async () => {
    // Prepare
    jira.setRateLimit({ perSecond: 2, burst: 3 });

    // Act
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call(`${jira.apiUrl}issue`, { body: issueBody }));

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 429]);
    const limited = answers[3]!;
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('ratelimit-reason')).toBe('jira-burst-based');
    expect(Date.parse(limited.headers.get('x-ratelimit-reset')!)).toBeGreaterThan(Date.now());
    expect(jira.issues).toHaveLength(3);
    expect(jira.requests.map((request) => request.status)).toEqual([201, 201, 201, 429]);
  });

  it('keeps one bucket per method and endpoint, issue keys folded together', async () => {
    // Prepare
    jira.setRateLimit({ perSecond: 1, burst: 1 });
    await call(`${jira.apiUrl}issue`, { body: issueBody });
    await call(`${jira.apiUrl}issue`, { body: issueBody });

    // Act
    const firstRead = await call(`${jira.apiUrl}issue/CRASH-1`);
    const otherKey = await call(`${jira.apiUrl}issue/CRASH-2`);
    const otherEndpoint = await call(`${jira.apiUrl}serverInfo`);

    // Assess
    expect([firstRead.status, otherKey.status, otherEndpoint.status]).toEqual([200, 429, 200]);
  });

  it('refills at its rate', async () => {
    // Prepare
    jira.setRateLimit({ perSecond: 20, burst: 1 });
    await call(`${jira.apiUrl}serverInfo`);

    // Act
    const atOnce = await call(`${jira.apiUrl}serverInfo`);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const afterRefill = await call(`${jira.apiUrl}serverInfo`);

    // Assess
    expect([atOnce.status, afterRefill.status]).toEqual([429, 200]);
  });

  it('can limit only matching requests, and answer like a gateway without Retry-After or reset', async () => {
    // Prepare
    jira.setRateLimit({ perSecond: 1, burst: 1, method: 'POST', path: /\/issue$/, retryAfter: false });

    // Act
    const reads = [await call(`${jira.apiUrl}serverInfo`), await call(`${jira.apiUrl}serverInfo`)];
    const creates = [await call(`${jira.apiUrl}issue`, { body: issueBody }), await call(`${jira.apiUrl}issue`, { body: issueBody })];

    // Assess
    expect(reads.map((answer) => answer.status)).toEqual([200, 200]);
    expect(creates.map((answer) => answer.status)).toEqual([201, 429]);
    expect(creates[1]!.headers.get('retry-after')).toBeNull();
    expect(creates[1]!.headers.get('x-ratelimit-reset')).toBeNull();
  });
});
