/**
 * Jira pacing when its bucket's DynamoDB table is throttled: the create is not sent (or was answered 429), so the
 * failure says "not applied", and the create use-case hands its claim back instead of waiting out the whole lease
 * for an issue that was never made. Real parts: dynalite behind the throttling endpoint, the DynamoDB rate
 * limiter, the Jira adapter and the Jira sandbox.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createJiraClient } from '../../../shared/adapters/jira/jira-client.ts';
import { DynamoDbRateLimiter } from '../../../shared/adapters/dynamodb/rate-limiter.ts';
import { RetryableError } from '../../../shared/ports/errors.ts';
import { systemClock } from '../../../shared/ports/clock.ts';
import type { RateLimiter } from '../../../shared/ports/rate-limiter.ts';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { startDynamoDbThrottle, type DynamoDbThrottle } from '../../../infra/local/dynamodb-throttle.ts';
import { startLinkTableOnDynalite, type LinkTableOnDynalite } from '../store/link-table-on-dynalite.ts';

let table: LinkTableOnDynalite;
let throttle: DynamoDbThrottle;
let fake: JiraFake;
let client: DynamoDBClient;

beforeAll(async () => {
  table = await startLinkTableOnDynalite();
});
afterAll(async () => {
  await table?.close();
});
afterEach(async () => {
  client?.destroy();
  await fake?.close();
  await throttle?.stop();
});

async function start(): Promise<RateLimiter> {
  throttle = await startDynamoDbThrottle({ target: table.endpoint, probability: 1 });
  fake = await startJiraFake();
  // One attempt: the SDK's own retries of a throttle are the SDK's business; this is about what comes after.
  client = new DynamoDBClient({ endpoint: throttle.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  return new DynamoDbRateLimiter({ client, tableName: table.tableName, clock: systemClock });
}

const jira = (limiter: RateLimiter) =>
  createJiraClient({
    apiUrl: fake.apiUrl,
    siteUrl: fake.url,
    auth: { type: 'api-token', email: 'bot@example.com', tokenSecret: 'jira-token' },
    secrets: { 'jira-token': 'sandbox-token' },
    pacing: { limiter, maxRequestsPerSecond: 10 },
  });
const bug = { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash', labels: ['bt-000000000001'] };
const creates = () => fake.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/issue'));

describe('Jira pacing with its DynamoDB table throttled', () => {
  it('fails a create whose slot could not be reserved as retryable and not applied, having sent nothing', async () => {
    // Prepare
    const limiter = await start();

    // Act
    const failure = await jira(limiter).createIssue(bug).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(RetryableError);
    expect(failure).toMatchObject({ notApplied: true, message: expect.stringMatching(/ProvisionedThroughputExceededException|ThrottlingException/) });
    expect(creates()).toHaveLength(0);
    expect(fake.issues).toHaveLength(0);
  });

  it('fails a create answered 429 whose bucket hold could not be written as not applied, the issue not made', async () => {
    // Prepare: the reservation passes, then the table is throttled for the hold the 429 calls for
    const real = await start();
    throttle.setEnabled(false);
    const limiter: RateLimiter = {
      reserve: async (...args) => {
        const slot = await real.reserve(...args);
        throttle.setEnabled(true);
        return slot;
      },
      penalize: (...args) => real.penalize(...args),
    };
    fake.failNext({ status: 429, retryAfter: '1', method: 'POST', path: /\/issue$/ });

    // Act
    const failure = await jira(limiter).createIssue(bug).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(RetryableError);
    expect(failure).toMatchObject({ notApplied: true });
    expect(creates().map((request) => request.status)).toEqual([429]);
    expect(fake.issues).toHaveLength(0);
  });
});
