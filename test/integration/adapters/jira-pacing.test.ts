/**
 * Jira pacing shared through the links table: two workers (each its own DynamoDB client, rate limiter and Jira
 * client, as two Lambda containers have) against one rate-limited Jira sandbox site stay under its rate; a 429 one
 * of them meets slows the other down too; a slot beyond the inline budget sends nothing and says how long to wait.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createJiraClient } from '../../../shared/adapters/jira/jira-client.ts';
import { DynamoDbRateLimiter } from '../../../shared/adapters/dynamodb/rate-limiter.ts';
import { RateLimitWaitError } from '../../../shared/ports/errors.ts';
import { systemClock } from '../../../shared/ports/clock.ts';
import type { IssueTracker } from '../../../shared/ports/issue-tracker.ts';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { startLinkTableOnDynalite, type LinkTableOnDynalite } from '../store/link-table-on-dynalite.ts';
import { rejection } from './support/assertions.ts';

let table: LinkTableOnDynalite;
const fakes: JiraFake[] = [];
const clients: DynamoDBClient[] = [];

beforeAll(async () => {
  table = await startLinkTableOnDynalite();
});
afterAll(async () => {
  await table?.close();
});
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
  for (const client of clients.splice(0)) client.destroy();
});

async function jiraSite(perSecond: number): Promise<JiraFake> {
  const fake = await startJiraFake({ rateLimit: { perSecond } });
  fakes.push(fake);
  return fake;
}

/** One worker's Jira adapter: its own DynamoDB client and limiter over the shared table. */
function worker(fake: JiraFake, maxRequestsPerSecond: number, maxInlineWaitMs = 20_000): IssueTracker {
  const client = new DynamoDBClient({ endpoint: table.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  clients.push(client);
  return createJiraClient({
    apiUrl: fake.apiUrl,
    siteUrl: fake.url,
    auth: { type: 'api-token', email: 'bot@example.com', tokenSecret: 'jira-token' },
    secrets: { 'jira-token': 'sandbox-token' },
    maxInlineWaitMs,
    pacing: { limiter: new DynamoDbRateLimiter({ client, tableName: table.tableName, clock: systemClock }), maxRequestsPerSecond },
  });
}

const bug = (n: number) => ({ project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: `Crash ${n}`, labels: [`bt-${String(n).padStart(12, '0')}`] });
const creates = (fake: JiraFake) => fake.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/issue'));

/** Most requests the site received within any one second. */
function busiestSecond(fake: JiraFake): number {
  const times = creates(fake).map((request) => request.at!).sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= 1_000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('Jira pacing shared by two workers', () => {
  it('keeps two workers creating 60 issues at once under the site\'s 20 creates/s: no 429, and no second above the rate', async () => {
    // Prepare
    const fake = await jiraSite(20);
    const [first, second] = [worker(fake, 20), worker(fake, 20)];
    const started = Date.now();

    // Act
    await Promise.all(Array.from({ length: 60 }, (_, n) => (n % 2 === 0 ? first : second).createIssue(bug(n))));

    // Assess: 60 creates at 20/s after a burst of 4 take at least 2.8 s; the site's bucket (20) never ran dry.
    const elapsed = Date.now() - started;
    expect(fake.issues).toHaveLength(60);
    expect(creates(fake).filter((request) => request.status === 429)).toHaveLength(0);
    expect(busiestSecond(fake)).toBeLessThanOrEqual(20 + 4);
    expect(elapsed).toBeGreaterThanOrEqual(2_700);
  });

  it('slows the other worker down after one meets a 429: it waits out Retry-After before its next create', async () => {
    // Prepare
    const fake = await jiraSite(1_000);
    const [first, second] = [worker(fake, 50), worker(fake, 50)];
    fake.failNext({ status: 429, retryAfter: '2', path: /\/issue$/, method: 'POST' });

    // Act
    await first.createIssue(bug(1));
    const secondStarted = Date.now();
    await second.createIssue(bug(2));

    // Assess: the first create was refused, retried after the hold; the second worker also held until it passed.
    expect(creates(fake).map((request) => request.status)).toEqual([429, 201, 201]);
    const refusedAt = creates(fake)[0]!.at!;
    expect(creates(fake)[2]!.at! - refusedAt).toBeGreaterThanOrEqual(1_950);
    expect(Date.now() - secondStarted).toBeLessThan(2_500);
  });

  it('sends nothing when the next slot is beyond the inline budget, and says how long to wait (for the queue)', async () => {
    // Prepare: a 1/s site with five slots already booked by the other worker.
    const fake = await jiraSite(1_000);
    const busy = worker(fake, 1);
    const patient = worker(fake, 1, 1_500);
    const booked = Promise.all(Array.from({ length: 5 }, (_, n) => busy.createIssue(bug(n))));
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Act
    const error = await rejection(patient.createIssue(bug(9)));
    await booked;

    // Assess
    expect(error).toBeInstanceOf(RateLimitWaitError);
    expect((error as RateLimitWaitError).retryAfterMs).toBeGreaterThan(1_500);
    expect((error as RateLimitWaitError).notApplied).toBe(true);
    expect(fake.issues.map((issue) => issue.fields.summary)).not.toContain('Crash 9');
  });
});
