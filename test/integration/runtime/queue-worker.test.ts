/**
 * The queue worker over a real SQS engine (fauxqs): one parse per record, the typed message handed to the handler
 * of its kind, and each failure given back to the queue with the delay it calls for.
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupMessage, QueueMessage } from '../../../shared/domain/queue-message.ts';
import { ClaimBusyError, RateLimitWaitError, RetryableError } from '../../../shared/ports/errors.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import { queueWorker, type MessageHandlers } from '../../../shared/runtime/queue-worker.ts';
import { createLambdaContext } from '../../../infra/local/lambda-context.ts';
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

/** Puts the bodies on a new queue, receives them as Lambda's event source would, and runs the worker on the batch. */
async function runBatch(name: string, bodies: string[], handlers: MessageHandlers) {
  const { queueUrl } = server.createQueue(name);
  for (const body of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'] }));
  const event: SQSEvent = {
    Records: (received.Messages ?? []).map((message) => ({
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body!,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody!,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${name}`,
      awsRegion: 'us-east-1',
    })),
  };
  const handler = queueWorker({ sqs, queueUrl, logger: new Logger({ logLevel: 'SILENT' }), handlers });
  const response = (await handler(event, createLambdaContext({ functionName: 'sync-to-jira', timeoutMs: 30_000 }))) as unknown as SQSBatchResponse;
  return { response, event, queue: () => server.inspectQueue(name)! };
}

describe('Function: queueWorker', () => {
  it('hands each record, parsed once, to the handler of its kind', async () => {
    // Prepare
    const seen: QueueMessage[] = [];
    const handlers: MessageHandlers = { 'backtrace.group': async (message) => void seen.push(message) };

    // Act
    const { response } = await runBatch('dispatch', [groupBody('fp-1'), groupBody('fp-2')], handlers);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(seen.map((message) => (message as GroupMessage).group.fingerprint).sort()).toEqual(['fp-1', 'fp-2']);
  });

  it.each([
    ['a body that is no queue message', '{"universe":"u"}'],
    ['a kind this worker does not take', JSON.stringify({ kind: 'jira.webhook', integrations: ['jira-prod'], event: { webhookEvent: 'jira:issue_deleted', issue: { id: '1', key: 'K-1' } } })],
  ])('fails %s for good: reported as a batch item failure, back on the queue in 30 s', async (_case, body) => {
    // Prepare
    const handlers: MessageHandlers = { 'backtrace.group': async () => undefined };

    // Act
    const { response, event, queue } = await runBatch(`refused-${body.length}`, [body], handlers);

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
    const [inflight] = queue().messages.inflight;
    expect(inflight!.visibilityDeadline - Date.now()).toBeGreaterThan(25_000);
    expect(inflight!.visibilityDeadline - Date.now()).toBeLessThanOrEqual(30_000);
  });

  it('gives a retryable failure back after its Retry-After, and the other records of the batch still succeed', async () => {
    // Prepare
    const handlers: MessageHandlers = {
      'backtrace.group': async (message) => {
        if (message.group.fingerprint === 'slow') throw new RetryableError('Jira is rate limiting the bridge', { retryAfterMs: 120_000 });
      },
    };

    // Act
    const { response, event, queue } = await runBatch('retry-after', [groupBody('slow'), groupBody('fine')], handlers);

    // Assess
    const failed = event.Records.find((record) => record.body.includes('"slow"'))!;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failed.messageId }]);
    const [inflight] = queue().messages.inflight;
    expect(inflight!.visibilityDeadline - Date.now()).toBeGreaterThan(110_000);
  });

  it('re-enqueues a record waiting for another worker\'s claim with a delay, and reports no failure (no receive spent)', async () => {
    // Prepare
    const handlers: MessageHandlers = {
      'backtrace.group': async () => {
        throw new ClaimBusyError('being created by another worker', { retryAfterMs: 4_000 });
      },
    };

    // Act
    const { response, queue } = await runBatch('busy', [groupBody('busy')], handlers);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const { delayed } = queue().messages;
    expect(delayed).toHaveLength(1);
    expect(JSON.parse(delayed[0]!.body)).toEqual(JSON.parse(groupBody('busy')));
  });

  it('re-enqueues a record waiting for a Jira slot with DelaySeconds from its wait, as a fresh message (receive count 0), and reports the original done (Lambda deletes it)', async () => {
    // Prepare
    const handlers: MessageHandlers = {
      'backtrace.group': async () => {
        throw new RateLimitWaitError('no slot for POST issue within the inline budget', { retryAfterMs: 7_200, notApplied: true });
      },
    };

    // Act
    const before = Date.now();
    const { response, queue } = await runBatch('paced', [groupBody('paced')], handlers);

    // Assess: ceil(7.2 s) = 8 s of DelaySeconds; the copy has never been received, and no original is left in flight.
    expect(response.batchItemFailures).toEqual([]);
    const { delayed, inflight } = queue().messages;
    expect(delayed).toHaveLength(1);
    expect(delayed[0]!.approximateReceiveCount).toBe(0);
    expect(delayed[0]!.delayUntil! - before).toBeGreaterThanOrEqual(8_000);
    expect(delayed[0]!.delayUntil! - before).toBeLessThan(9_500);
    expect(JSON.parse(delayed[0]!.body)).toEqual(JSON.parse(groupBody('paced')));
    expect(inflight).toHaveLength(1); // the original, which the event source deletes as it was not reported failed
  });
});
