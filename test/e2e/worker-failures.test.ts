/**
 * End to end: what the sync-to-jira worker does with a group Jira will not take, seen from outside the bridge.
 * One local stack (`npm start`'s code) with `settings.maxReceiveCount: 1`, driven over HTTP as Backtrace's webhook
 * would, with Jira's refusals injected in the Jira sandbox; the queues are read with the real SQS client.
 * - A rate limit (429 + Retry-After) puts a delayed copy of the message back on the queue for as long as Jira asked,
 *   spending no receive, so not to the DLQ.
 * - A permanent refusal (400) is logged with Jira's reason and reaches the DLQ after the configured attempts.
 * The worker's log lines (Powertools writes JSON lines to stdout/stderr) are read through spies on the process
 * streams and the console, which pass everything through.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalStack, EVENTS_QUEUE_NAME, LINKS_TABLE_NAME, type LocalStack } from '../../infra/local/local-stack.ts';
import { pacePartitionKey, paceSortKey } from '../../shared/adapters/dynamodb/link-table.ts';
import { paceEndpoint, paceSite } from '../../shared/domain/pacing/jira-pace.ts';
import { localIntegration, writeStackFiles, type StackFiles } from './support/stack-files.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const CREATE_ISSUE = /\/rest\/api\/2\/issue$/;
const RETRY_AFTER_SECONDS = 120;
/** The worker's wait before a permanently refused message comes back (and, with maxReceiveCount 1, goes to the DLQ). */
const PERMANENT_RETRY_SECONDS = 30;

let files: StackFiles;
let stack: LocalStack;
let sqs: SQSClient;
let webhookAuthorization: string;
const logLines: string[] = [];

/** Every line written to stdout/stderr or the console since the stack started (the spies call through). */
function captureLogs(): void {
  const record = (chunk: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
    logLines.push(...text.split('\n').filter((line) => line.trim() !== ''));
  };
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      record(chunk);
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      record(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
      original(...args);
    });
  }
}

/** The structured (JSON) log lines, parsed. */
const structuredLogs = (): Record<string, unknown>[] =>
  logLines.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as unknown;
      return typeof parsed === 'object' && parsed !== null ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });

const freshFingerprint = () => randomBytes(32).toString('hex');

async function postGroup(fingerprint: string) {
  const response = await fetch(`${stack.url}/backtrace/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: webhookAuthorization },
    body: JSON.stringify({ ...structuredClone(sample), fingerprint }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The create requests Jira received for this fingerprint (the fault answers them, but they are logged). */
const createRequestsFor = (fingerprint: string) =>
  stack.jiraSandbox!.requests.filter((request) => request.method === 'POST' && CREATE_ISSUE.test(request.path) && JSON.stringify(request.body ?? '').includes(fingerprint));

const issuesFor = (fingerprint: string) => stack.jiraSandbox!.issues.filter((issue) => JSON.stringify(issue.fields).includes(fingerprint));

/** Polls `probe` until it returns a value, at a relaxed pace, for at most `timeoutMs`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function queueCounts(queueUrl: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

interface InspectedMessage { body: string; approximateReceiveCount?: number; delayUntil?: number }
interface InspectedQueue { ready: InspectedMessage[]; delayed: InspectedMessage[]; inflight: { message: InspectedMessage; visibilityDeadline: number }[] }

/** fauxqs' documented, read-only inspection endpoint: the one place an in-flight message's visibility deadline shows. */
async function inspectQueue(name: string): Promise<InspectedQueue> {
  const response = await fetch(`${stack.engines.sqs.endpoint}/_fauxqs/queues/${encodeURIComponent(name)}`);
  if (!response.ok) throw new Error(`fauxqs inspection of ${name} answered HTTP ${response.status}`);
  const { messages } = (await response.json()) as { messages: InspectedQueue };
  return messages;
}

/** Deletes the pacing bucket of one Jira endpoint of the sandbox site from the links table. */
async function forgetPace(method: string, path: string): Promise<void> {
  const dynamodb = new DynamoDBClient(stack.engines.clientConfig('dynamodb'));
  try {
    const key = { pk: { S: pacePartitionKey(paceSite(stack.jiraSandbox!.url)) }, sk: { S: paceSortKey(paceEndpoint(method, path)) } };
    await dynamodb.send(new DeleteItemCommand({ TableName: LINKS_TABLE_NAME, Key: key }));
  } finally {
    dynamodb.destroy();
  }
}

/** Reads the DLQ without taking anything from it (visibility 0). */
async function peekDeadLetters(): Promise<Message[]> {
  const output = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: stack.engines.sqs.queues[EVENTS_QUEUE_NAME]!.deadLetterQueue.url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 0,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return output.Messages ?? [];
}

beforeAll(async () => {
  files = writeStackFiles({ integrations: [localIntegration()] });
  // One attempt, then the DLQ: the redrive is what is under test, not the number of retries.
  const config = JSON.parse(readFileSync(files.configFile, 'utf8')) as { settings: Record<string, unknown> };
  writeFileSync(files.configFile, JSON.stringify({ ...config, settings: { ...config.settings, maxReceiveCount: 1 } }, null, 2));
  const credentials = JSON.parse(files.secrets['local/webhook-basic-auth']!) as { username: string; password: string };
  webhookAuthorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  captureLogs();
  stack = await startLocalStack({ configFile: files.configFile, secretsFile: files.secretsFile, log: (line) => logLines.push(line) });
  sqs = new SQSClient(stack.engines.clientConfig('sqs'));
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
  files?.remove();
  vi.restoreAllMocks();
});

describe('Worker failures: what happens to a group Jira does not take', () => {
  it('puts a rate-limited group back on its queue as a delayed copy for as long as Jira\'s Retry-After asks, spending no receive (so not to the DLQ)', async () => {
    // Prepare
    expect(stack.config.settings.maxReceiveCount).toBe(1);
    const jira = stack.jiraSandbox!;
    const fingerprint = freshFingerprint();
    const before = stack.poller.stats();
    jira.failNext({ method: 'POST', path: CREATE_ISSUE, status: 429, retryAfter: String(RETRY_AFTER_SECONDS) });
    const sentAt = Date.now();

    // Act: the worker runs once; the pace holds the create for 2 minutes, longer than the inline budget
    const answer = await postGroup(fingerprint);
    const copy = await eventually('the rate-limited create, and the worker re-enqueueing the message', async () => {
      const stats = stack.poller.stats();
      const delayed = (await inspectQueue(EVENTS_QUEUE_NAME)).delayed.filter((message) => message.body.includes(fingerprint));
      return createRequestsFor(fingerprint).length > 0 && stats.invocations > before.invocations && delayed.length === 1 ? delayed[0] : undefined;
    }, 30_000);

    // Assess: accepted, one create attempt (no inline wait of 2 minutes, no second try), no issue
    expect(answer.status).toBe(202);
    expect(answer.body.accepted).toEqual([{ integration: 'local-jira', fingerprint }]);
    expect(createRequestsFor(fingerprint)).toHaveLength(1);
    expect(issuesFor(fingerprint)).toEqual([]);

    // Assess: a fresh copy, never received, hidden until Retry-After has passed; the original is gone; nothing in the DLQ
    expect(copy.approximateReceiveCount).toBe(0);
    expect(copy.delayUntil).toBeGreaterThanOrEqual(sentAt + RETRY_AFTER_SECONDS * 1000);
    expect(copy.delayUntil).toBeLessThanOrEqual(Date.now() + (RETRY_AFTER_SECONDS + 2) * 1000);
    await eventually('the original deleted', async () => ((await inspectQueue(EVENTS_QUEUE_NAME)).inflight.some((entry) => entry.message.body.includes(fingerprint)) ? undefined : true), 10_000);
    const queue = stack.engines.sqs.queues[EVENTS_QUEUE_NAME]!;
    expect(await queueCounts(queue.deadLetterQueue.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    // Cleanup: forget the site's create bucket (its 2-minute hold), as if Retry-After had passed, for the next test
    await forgetPace('POST', 'issue');
  });

  it('sends a group Jira refuses for good to the DLQ after the configured attempts, with Jira\'s reason logged', { timeout: 90_000 }, async () => {
    // Prepare
    const jira = stack.jiraSandbox!;
    const fingerprint = freshFingerprint();
    const before = stack.poller.stats();
    jira.failNext({
      method: 'POST',
      path: CREATE_ISSUE,
      status: 400,
      body: { errorMessages: [], errors: { customfield_10010: 'Severity is required.' } },
      times: 10,
    });
    const sentAt = Date.now();

    // Act
    const answer = await postGroup(fingerprint);
    await eventually('the refused create, and the worker handing the message back', () => {
      const stats = stack.poller.stats();
      const handedBack = stats.invocations > before.invocations && stats.leftForRetry > before.leftForRetry;
      return createRequestsFor(fingerprint).length > 0 && handedBack ? true : undefined;
    }, 30_000);
    const comesBack = (await inspectQueue(EVENTS_QUEUE_NAME)).inflight.filter((entry) => entry.message.body.includes(fingerprint));
    const handedBackBy = Date.now();
    const deadLetter = await eventually('the message in the DLQ', async () => {
      const found = (await peekDeadLetters()).find((message) => (message.Body ?? '').includes(fingerprint));
      return found ? { message: found, seenAt: Date.now() } : undefined;
    }, (PERMANENT_RETRY_SECONDS + 25) * 1000, 500);

    // Assess: accepted, then handed back for 30 s rather than the queue's 6 minutes
    expect(answer.status).toBe(202);
    expect(comesBack).toHaveLength(1);
    expect(comesBack[0]!.visibilityDeadline).toBeGreaterThanOrEqual(sentAt + PERMANENT_RETRY_SECONDS * 1000);
    expect(comesBack[0]!.visibilityDeadline).toBeLessThanOrEqual(handedBackBy + PERMANENT_RETRY_SECONDS * 1000);

    // Assess: in the DLQ once those 30 s were over, after one attempt (maxReceiveCount 1), and nowhere else
    expect(deadLetter.seenAt).toBeGreaterThanOrEqual(sentAt + PERMANENT_RETRY_SECONDS * 1000);
    expect(deadLetter.message.Body).toContain(fingerprint);
    const source = await inspectQueue(EVENTS_QUEUE_NAME);
    expect([...source.ready, ...source.delayed, ...source.inflight.map((entry) => entry.message)].filter((message) => message.body.includes(fingerprint))).toEqual([]);
    expect(createRequestsFor(fingerprint)).toHaveLength(1);
    expect(issuesFor(fingerprint)).toEqual([]);
    expect(stack.backtraceSandbox!.getIssue('my_universe', 'my_project', fingerprint)?.tickets ?? []).toEqual([]);

    // Assess: the reason is in an error log line, in Jira's words and with the field's id
    const errorLines = structuredLogs().filter((line) => line.level === 'ERROR').map((line) => JSON.stringify(line));
    expect(errorLines.filter((line) => line.includes('customfield_10010') && line.includes('Severity is required.')).length).toBeGreaterThanOrEqual(1);

    // Assess: the Jira token appears in no log line, neither as such nor inside the Basic header
    const token = files.secrets['local/jira-api-token']!;
    const basicHeader = Buffer.from(`bot@example.com:${token}`).toString('base64');
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((line) => line.includes(token) || line.includes(basicHeader))).toEqual([]);
  });
});
