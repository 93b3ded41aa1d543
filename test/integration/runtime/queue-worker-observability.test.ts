/**
 * What an operator sees of the queue worker, over a real SQS engine (fauxqs): every log line written while a record
 * is processed names what it is about (integration, fingerprint, Jira key, delivery id), even with the records of a
 * batch processed concurrently; a failed message counts a retry, or a dead-letter send on its last receive.
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import { correlatedLogger } from '../../../shared/runtime/correlation.ts';
import { queueWorker, type MessageHandlers } from '../../../shared/runtime/queue-worker.ts';
import { createLambdaContext } from '../../../infra/local/lambda-context.ts';
import { InMemoryMetrics } from '../../support/in-memory/metrics.ts';
import { sampleBody } from '../../unit/domain-factories.ts';

let server: FauxqsServer;
let sqs: SQSClient;

beforeAll(async () => {
  server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  sqs = new SQSClient({ endpoint: server.address, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});

afterAll(async () => {
  sqs?.destroy();
  await server?.stop();
});

const groupBody = (fingerprint: string) => JSON.stringify({ kind: 'backtrace.group', integrations: ['jira-prod'], group: { ...sampleBody(), fingerprint } });
const jiraBody = (issueKey: string, deliveryId: string) =>
  JSON.stringify({ kind: 'jira.webhook', integrations: ['jira-prod'], deliveryId, event: { webhookEvent: 'jira:issue_deleted', issue: { id: '10001', key: issueKey } } });

/** Queues the bodies, receives them (each at `receiveCount`), runs the worker, and returns its JSON log lines. */
async function runBatch(name: string, bodies: string[], handlers: (log: ReturnType<typeof correlatedLogger>) => MessageHandlers, receiveCount = 1) {
  const { queueUrl } = server.createQueue(name);
  for (const body of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
  const event: SQSEvent = {
    Records: (received.Messages ?? []).map((message) => ({
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body!,
      attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody!,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${name}`,
      awsRegion: 'us-east-1',
    })),
  };
  vi.stubEnv('POWERTOOLS_DEV', '');
  const logger = new Logger({ serviceName: 'sync-to-jira', logLevel: 'DEBUG' });
  const metrics = new InMemoryMetrics();
  const handler = queueWorker({ sqs, queueUrl, logger, handlers: handlers(correlatedLogger(logger)), metrics: { metrics, queue: 'backtrace-events', maxReceiveCount: 5 } });
  // Powertools writes info and debug lines to stdout, warnings and errors to stderr: the log group gets both.
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await handler(event, createLambdaContext({ functionName: 'sync-to-jira', timeoutMs: 30_000 }));
  } finally {
    for (const spy of spies) spy.mockRestore();
    vi.unstubAllEnvs();
  }
  const lines = written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, metrics };
}

describe('Function: queueWorker (observability)', () => {
  it('names the fingerprint and integration of its record on every line the use-case writes, records running concurrently', async () => {
    // Prepare: each handler waits for the other, so their lines interleave.
    let release: () => void = () => undefined;
    const bothStarted = new Promise<void>((resolve) => {
      let started = 0;
      release = () => (++started === 2 ? resolve() : undefined);
    });
    const handlers = (log: ReturnType<typeof correlatedLogger>): MessageHandlers => ({
      'backtrace.group': async () => {
        log.info('Claimed the fingerprint');
        release();
        await bothStarted;
        log.info('Created Jira issue', { issueKey: 'CRASH-1' });
      },
    });

    // Act
    const { lines } = await runBatch('correlated', [groupBody('fp-a'), groupBody('fp-b')], handlers);

    // Assess
    const ours = lines.filter((line) => line.message === 'Claimed the fingerprint' || line.message === 'Created Jira issue');
    expect(ours).toHaveLength(4);
    expect(ours.map((line) => line.message)).toEqual(['Claimed the fingerprint', 'Claimed the fingerprint', 'Created Jira issue', 'Created Jira issue']);
    expect(ours.map((line) => line.fingerprint).sort()).toEqual(['fp-a', 'fp-a', 'fp-b', 'fp-b']);
    for (const line of ours) expect(line.integrations).toEqual(['jira-prod']);
    expect(ours.filter((line) => line.message === 'Created Jira issue').every((line) => line.issueKey === 'CRASH-1')).toBe(true);
  });

  it('names the Jira key and the delivery id on the lines about a Jira change, its failure included', async () => {
    // Prepare
    const handlers = (log: ReturnType<typeof correlatedLogger>): MessageHandlers => ({
      'jira.webhook': async () => {
        log.warn('Backtrace is slow');
        throw new RetryableError('Backtrace answered 503', { retryAfterMs: 2000 });
      },
    });

    // Act
    const { lines } = await runBatch('correlated-jira', [jiraBody('CRASH-7', 'delivery-1')], handlers);

    // Assess
    const about = lines.filter((line) => line.message === 'Backtrace is slow' || line.message === 'Will retry the message');
    expect(about).toHaveLength(2);
    for (const line of about) expect(line).toMatchObject({ issueKey: 'CRASH-7', deliveryId: 'delivery-1', integrations: ['jira-prod'] });
  });

  it.each([
    ['a retryable failure before the last receive', new RetryableError('Jira answered 503'), 1, ['Retries{system=Queue}']],
    ['a permanent failure before the last receive', new PermanentError('Jira refused a field'), 4, ['Retries{system=Queue}']],
    ['any failure on the last receive (maxReceiveCount 5)', new RetryableError('Jira answered 503'), 5, ['DeadLetterSends{queue=backtrace-events}']],
  ])('counts %s', async (_case, error, receiveCount, expected) => {
    // Prepare
    const handlers = (): MessageHandlers => ({
      'backtrace.group': async () => {
        throw error;
      },
    });

    // Act
    const { metrics } = await runBatch(`counted-${receiveCount}-${error.name}`, [groupBody('fp-c')], handlers, receiveCount);

    // Assess
    expect(metrics.names()).toEqual(expected);
  });

  it('counts nothing for a message handled', async () => {
    // Act
    const { metrics } = await runBatch('counted-ok', [groupBody('fp-d')], () => ({ 'backtrace.group': async () => undefined }));

    // Assess
    expect(metrics.counted).toEqual([]);
  });
});
