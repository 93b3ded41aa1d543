/**
 * The shared retry policy, driven through the Jira adapter against the Jira fake: what is retried in-process, what
 * goes back to the queue with a retry-after, and what is never repeated because Jira may have acted on it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createJiraClient, type JiraClientOptions } from '../../../shared/adapters/jira/jira-client.ts';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { recordingSleep, rejection } from './support/assertions.ts';

const fakes: JiraFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function jiraFake(): Promise<JiraFake> {
  const fake = await startJiraFake();
  fakes.push(fake);
  return fake;
}

function clientFor(fake: JiraFake, overrides: Partial<JiraClientOptions> = {}) {
  return createJiraClient({
    apiUrl: fake.apiUrl,
    siteUrl: fake.url,
    auth: { type: 'api-token', email: 'bot@example.com', tokenSecret: 'jira-token' },
    secrets: { 'jira-token': 'sandbox-token' },
    maxInlineWaitMs: 5_000,
    ...overrides,
  });
}

const bug = { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash in main', labels: ['bt-0123456789ab'] };

const creates = (fake: JiraFake) => fake.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/issue'));

describe('Jira adapter retry policy', () => {
  it('waits out a short Retry-After on 429 and then creates the issue', async () => {
    // Prepare
    const fake = await jiraFake();
    const jira = clientFor(fake);
    fake.failNext({ status: 429, retryAfter: '1', path: /\/issue$/, method: 'POST', rateLimit: { reason: 'jira-burst-based' } });
    const started = Date.now();

    // Act
    const issue = await jira.createIssue(bug);

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(issue.key).toBe('CRASH-1');
    expect(creates(fake)).toHaveLength(2);
    expect(fake.issues).toHaveLength(1);
  });

  it('hands a long Retry-After back as RetryableError.retryAfterMs instead of sleeping', async () => {
    // Prepare
    const fake = await jiraFake();
    const { waits, sleep } = recordingSleep();
    const jira = clientFor(fake, { runner: { sleep } });
    fake.failNext({ status: 429, retryAfter: '30', path: /\/issue$/ });

    // Act
    const error = await rejection(jira.createIssue(bug));

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBeGreaterThanOrEqual(30_000);
    expect(error.message).toContain('rate limiting');
    expect(waits).toEqual([]);
    expect(creates(fake)).toHaveLength(1);
    expect(fake.issues).toHaveLength(0);
  });

  it('backs off about 2 s (jitter x0.7-1.3) on a 429 without Retry-After, then succeeds', async () => {
    // Prepare
    const fake = await jiraFake();
    const { waits, sleep } = recordingSleep();
    const jira = clientFor(fake, { runner: { sleep } });
    fake.failNext({ status: 429, path: /\/serverInfo$/ });

    // Act
    const deployment = await jira.deploymentType();

    // Assess
    expect(deployment).toBe('Cloud');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1_400);
    expect(waits[0]).toBeLessThanOrEqual(2_600);
  });

  it('uses X-RateLimit-Reset when a gateway 429 has no Retry-After', async () => {
    // Prepare
    const fake = await jiraFake();
    const { waits, sleep } = recordingSleep();
    const jira = clientFor(fake, { runner: { sleep } });
    const reset = new Date(Date.now() + 60_000).toISOString();
    fake.failNext({ status: 429, path: /\/field$/, rateLimit: { reason: 'jira-quota-tenant-based', reset } });

    // Act
    const error = await rejection(jira.listFields());

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBeGreaterThan(30_000);
    expect(waits).toEqual([]);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    // Prepare
    const fake = await jiraFake();
    const { waits, sleep } = recordingSleep();
    const jira = clientFor(fake, { runner: { sleep } });
    fake.failNext({ status: 503, retryAfter: new Date(Date.now() + 40_000).toUTCString(), path: /\/serverInfo$/ });

    // Act
    const error = await rejection(jira.deploymentType());

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterMs).toBeGreaterThanOrEqual(38_000);
    expect(waits).toEqual([]);
  });

  it('retries a 503 with backoff and succeeds', async () => {
    // Prepare
    const fake = await jiraFake();
    const { waits, sleep } = recordingSleep();
    const jira = clientFor(fake, { runner: { sleep } });
    fake.failNext({ status: 503, path: /\/issue$/ });

    // Act
    const issue = await jira.createIssue(bug);

    // Assess
    expect(issue.key).toBe('CRASH-1');
    expect(waits).toHaveLength(1);
    expect(fake.issues).toHaveLength(1);
  });

  it('gives up with RetryableError once the inline wait budget is spent', async () => {
    // Prepare
    const fake = await jiraFake();
    const { waits, sleep } = recordingSleep();
    const jira = clientFor(fake, { runner: { sleep } });
    fake.failNext({ status: 503, times: Infinity, path: /\/serverInfo$/ });

    // Act
    const error = await rejection(jira.deploymentType());

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(5_000);
    expect((error as RetryableError).retryAfterMs).toBeGreaterThan(0);
    expect(error.message).toContain('HTTP 503');
  });

  it('does not repeat a create that got a 502: Jira may have created the issue', async () => {
    // Prepare
    const fake = await jiraFake();
    const { waits, sleep } = recordingSleep();
    const jira = clientFor(fake, { runner: { sleep } });
    fake.failNext({ status: 502, path: /\/issue$/ });

    // Act
    const error = await rejection(jira.createIssue(bug));

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect(waits).toEqual([]);
    expect(creates(fake)).toHaveLength(1);
  });

  it('turns a slow create into RetryableError without sending it twice', async () => {
    // Prepare
    const fake = await jiraFake();
    const { sleep } = recordingSleep();
    const jira = clientFor(fake, { timeoutMs: 1_000, runner: { sleep } });
    fake.failNext({ delayMs: 5_000, path: /\/issue$/ });

    // Act
    const error = await rejection(jira.createIssue(bug));

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('did not answer');
    expect(creates(fake)).toHaveLength(1);
  });

  it('retries a read that timed out and succeeds', async () => {
    // Prepare
    const fake = await jiraFake();
    const { waits, sleep } = recordingSleep();
    const jira = clientFor(fake, { timeoutMs: 1_000, runner: { sleep } });
    fake.failNext({ delayMs: 5_000, path: /\/serverInfo$/ });

    // Act
    const deployment = await jira.deploymentType();

    // Assess
    expect(deployment).toBe('Cloud');
    expect(waits).toHaveLength(1);
  });

  it('maps a 409 to RetryableError and a 422 to PermanentError', async () => {
    // Prepare
    const fake = await jiraFake();
    const { sleep } = recordingSleep();
    const jira = clientFor(fake, { runner: { sleep } });
    fake.failNext({ status: 409, path: /\/issue$/ });
    fake.failNext({ status: 422, path: /\/issue$/, body: { errorMessages: ['The issue type is misconfigured.'], errors: {} } });

    // Act
    const conflict = await rejection(jira.createIssue(bug));
    const misconfigured = await rejection(jira.createIssue(bug));

    // Assess
    expect(conflict).toBeInstanceOf(RetryableError);
    expect(misconfigured).toBeInstanceOf(PermanentError);
    expect(misconfigured.message).toContain('The issue type is misconfigured.');
  });

  it('maps a refused connection to RetryableError', async () => {
    // Prepare
    const fake = await jiraFake();
    const { sleep } = recordingSleep();
    const jira = clientFor(fake, { runner: { sleep } });
    await fake.close();

    // Act
    const error = await rejection(jira.deploymentType());

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('Could not connect to Jira');
  });
});
