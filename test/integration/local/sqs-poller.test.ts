import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { startLocalEngines, type LocalEngines, type LocalQueue } from '../../../infra/local/engines.ts';
import { startSqsPoller, type SqsPoller, type SqsPollerOptions } from '../../../infra/local/sqs-poller.ts';

/** One queue per test: visibility 1 s and 3 receives before the DLQ keep retry tests short. */
const QUEUE = { name: 'work', maxReceiveCount: 3, visibilityTimeoutSeconds: 1 };

interface Delivery {
  body: string;
  receiveCount: string;
  firstReceivedAt: number;
  handledAt: number;
}

describe('Function: startSqsPoller', () => {
  let engines: LocalEngines;
  let sqs: SQSClient;
  let queue: LocalQueue;
  let poller: SqsPoller | undefined;
  let logs: string[];

  beforeEach(async () => {
    engines = await startLocalEngines({ linksTableName: 'links', queues: [QUEUE] });
    sqs = new SQSClient(engines.clientConfig('sqs'));
    queue = engines.sqs.queues[QUEUE.name] as LocalQueue;
    logs = [];
  });

  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    sqs.destroy();
    await engines.stop();
  });

  const start = async (options: Omit<SqsPollerOptions, 'sqs' | 'queueUrl'>): Promise<SqsPoller> => {
    poller = await startSqsPoller({
      sqs,
      queueUrl: queue.url,
      log: (level, message) => logs.push(`${level}: ${message}`),
      ...options,
    });
    return poller;
  };

  const send = async (...bodies: string[]): Promise<void> => {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.map((body, index) => ({ Id: `e${index}`, MessageBody: body })),
      }),
    );
  };

  const record = (deliveries: Delivery[], event: SQSEvent): void => {
    for (const { body, attributes } of event.Records) {
      deliveries.push({
        body,
        receiveCount: attributes.ApproximateReceiveCount,
        firstReceivedAt: Number(attributes.ApproximateFirstReceiveTimestamp),
        handledAt: Date.now(),
      });
    }
  };

  const failuresFor = (event: SQSEvent, failing: (record: SQSRecord) => boolean) => ({
    batchItemFailures: event.Records.filter(failing).map((failed) => ({ itemIdentifier: failed.messageId })),
  });

  const receiveFromDlq = async (timeoutMs: number): Promise<Message[]> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.deadLetterQueue.url,
          WaitTimeSeconds: 1,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages?.length) return Messages;
    }
    return [];
  };

  const queueCounts = async (): Promise<Record<string, string>> => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Attributes;
  };

  it('delivers waiting messages as one SQSEvent shaped like Lambda\'s, with a Lambda context', async () => {
    // Prepare
    await send('{"n":1}', '{"n":2}');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: '{"n":3}',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'group' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    const invocations: { event: SQSEvent; context: Context; remainingMs: number }[] = [];

    // Act
    await start({
      functionName: 'sync-to-jira',
      timeoutSeconds: 20,
      handler: async (event, context) => {
        invocations.push({ event, context, remainingMs: context.getRemainingTimeInMillis() });
      },
    });
    await poller?.idle();

    // Assess
    expect(invocations).toHaveLength(1);
    const [{ event, context, remainingMs }] = invocations as [(typeof invocations)[number]];
    expect(event.Records.map((r) => r.body)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    for (const r of event.Records) {
      expect(r).toMatchObject({
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: 'us-east-1',
        md5OfBody: createHash('md5').update(r.body).digest('hex'),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: expect.stringMatching(/^\d{13}$/),
          ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
          SenderId: expect.any(String),
        },
      });
      expect(r.messageId).toMatch(/\S/);
      expect(r.receiptHandle).toMatch(/\S/);
    }
    expect(event.Records[0]?.messageAttributes).toEqual({});
    expect(event.Records[2]?.messageAttributes).toEqual({
      kind: { stringValue: 'group', stringListValues: [], binaryListValues: [], dataType: 'String' },
      blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    expect(event.Records[2]?.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(context).toMatchObject({
      functionName: 'sync-to-jira',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:sync-to-jira',
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(remainingMs).toBeGreaterThan(0);
    expect(remainingMs).toBeLessThanOrEqual(20_000);
    expect(poller?.stats()).toMatchObject({ invocations: 1, deleted: 3, leftForRetry: 0 });
    expect(await queueCounts()).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('deletes the successes of a partial batch failure and redelivers the failure until the DLQ takes it', async () => {
    // Prepare
    await send('ok-1', 'poison', 'ok-2');
    const deliveries: Delivery[] = [];

    // Act
    await start({
      handler: async (event) => {
        record(deliveries, event);
        return failuresFor(event, (r) => r.body === 'poison');
      },
    });
    const deadLettered = await receiveFromDlq(30_000);
    await poller?.idle();

    // Assess
    expect(deadLettered.map((m) => m.Body)).toEqual(['poison']);
    expect(deliveries.filter((d) => d.body === 'poison').map((d) => d.receiveCount)).toEqual(['1', '2', '3']);
    expect(deliveries.filter((d) => d.body !== 'poison').map((d) => d.body).sort()).toEqual(['ok-1', 'ok-2']);
    expect(poller?.stats()).toMatchObject({ deleted: 2, leftForRetry: 3 });
  });

  it('deletes nothing when the handler throws, so the whole batch comes back', async () => {
    // Prepare
    await send('a', 'b');
    const deliveries: Delivery[] = [];
    let calls = 0;

    // Act
    await start({
      functionName: 'flaky',
      handler: async (event) => {
        record(deliveries, event);
        calls++;
        if (calls === 1) throw new Error('Jira is down');
      },
    });
    await poller?.idle();

    // Assess
    expect(deliveries.map((d) => `${d.body}:${d.receiveCount}`).sort()).toEqual(['a:1', 'a:2', 'b:1', 'b:2']);
    expect(logs).toEqual([
      expect.stringMatching(/^error: flaky invocation .* failed, 2 message\(s\) left for retry: Error: Jira is down$/),
    ]);
  });

  it('treats a batchItemFailures entry naming no message of the batch as a failure of the whole batch', async () => {
    // Prepare
    await send('a', 'b');
    const deliveries: Delivery[] = [];

    // Act
    await start({
      handler: async (event) => {
        record(deliveries, event);
        return deliveries.length <= 2 ? { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] } : undefined;
      },
    });
    await poller?.idle();

    // Assess
    expect(deliveries.map((d) => `${d.body}:${d.receiveCount}`).sort()).toEqual(['a:1', 'a:2', 'b:1', 'b:2']);
  });

  it('redelivers a failed message only after the visibility timeout it was received with', async () => {
    // Prepare: the queue's own timeout is 1 s; the poller receives with 3 s, as a mapping would on a slower queue.
    await send('retry-me');
    const deliveries: Delivery[] = [];

    // Act
    await start({
      visibilityTimeoutSeconds: 3,
      handler: async (event) => {
        record(deliveries, event);
        return deliveries.length === 1 ? failuresFor(event, () => true) : undefined;
      },
    });
    await poller?.idle();

    // Assess
    expect(deliveries.map((d) => d.receiveCount)).toEqual(['1', '2']);
    const [, second] = deliveries as [Delivery, Delivery];
    expect(second.handledAt - second.firstReceivedAt).toBeGreaterThanOrEqual(3_000);
  });

  it('honours a ChangeMessageVisibility made by the handler on a message it reports as failed', async () => {
    // Prepare: as the worker does to wait out a Jira Retry-After instead of sleeping.
    await send('rate-limited');
    const deliveries: Delivery[] = [];
    const workerSqs = new SQSClient(engines.clientConfig('sqs'));

    // Act
    await start({
      handler: async (event) => {
        record(deliveries, event);
        if (deliveries.length > 1) return undefined;
        for (const r of event.Records) {
          await workerSqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queue.url,
              ReceiptHandle: r.receiptHandle,
              VisibilityTimeout: 4,
            }),
          );
        }
        return failuresFor(event, () => true);
      },
    });
    await poller?.idle();
    workerSqs.destroy();

    // Assess: without the change the queue's 1 s timeout would have brought it back much sooner.
    expect(deliveries.map((d) => d.receiveCount)).toEqual(['1', '2']);
    const [, second] = deliveries as [Delivery, Delivery];
    expect(second.handledAt - second.firstReceivedAt).toBeGreaterThanOrEqual(4_000);
  });

  it('fails the batch of an invocation that runs past the function timeout', async () => {
    // Prepare
    await send('slow');
    const deliveries: Delivery[] = [];

    // Act
    await start({
      functionName: 'slowpoke',
      timeoutSeconds: 0.3,
      handler: async (event) => {
        record(deliveries, event);
        if (deliveries.length === 1) await new Promise((resolve) => setTimeout(resolve, 1_500));
      },
    });
    await poller?.idle();

    // Assess
    expect(deliveries.map((d) => d.receiveCount)).toEqual(['1', '2']);
    expect(logs).toEqual([expect.stringContaining('slowpoke timed out after 300 ms')]);
  });

  it('runs up to `concurrency` invocations at once', async () => {
    // Prepare
    await send('1', '2', '3', '4', '5', '6');
    let active = 0;
    let maxActive = 0;
    let firstWave = 0;
    let releaseFirstWave: () => void = () => undefined;
    const firstWaveFull = new Promise<void>((resolve) => {
      releaseFirstWave = resolve;
      setTimeout(resolve, 10_000);
    });

    // Act
    await start({
      concurrency: 3,
      batchSize: 1,
      handler: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        firstWave++;
        if (firstWave === 3) releaseFirstWave();
        if (firstWave <= 3) await firstWaveFull;
        active--;
      },
    });
    await poller?.idle();

    // Assess
    expect(maxActive).toBe(3);
    expect(poller?.stats()).toMatchObject({ invocations: 6, deleted: 6 });
  });

  it('with a batching window, gathers a trickle of messages into one batch, as the deployed event source does', async () => {
    // Prepare
    const batches: string[][] = [];
    await start({ batchSize: 10, maxBatchingWindowSeconds: 1, handler: async (event: SQSEvent) => void batches.push(event.Records.map((r) => r.body)) });

    // Act: five messages 150 ms apart, all within one second of the first; the queue's 1 s visibility brings the
    // first back as the window closes, and the batch still has it once
    for (const body of ['1', '2', '3', '4', '5']) {
      await send(body);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await poller?.idle();

    // Assess: one invocation with all five (SQS does not promise their order)
    expect(batches.map((bodies) => [...bodies].sort())).toEqual([['1', '2', '3', '4', '5']]);
  });

  it('without a batching window, invokes with whatever the first receive brings', async () => {
    // Prepare
    const batches: string[][] = [];
    await start({ batchSize: 10, handler: async (event: SQSEvent) => void batches.push(event.Records.map((r) => r.body)) });

    // Act
    for (const body of ['1', '2', '3']) {
      await send(body);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await poller?.idle();

    // Assess: and the poller counts the receives that brought them apart from the empty long polls between
    expect(batches).toEqual([['1'], ['2'], ['3']]);
    const { calls, empty } = poller!.receives();
    expect(calls - empty).toBe(3);
  });

  it('with a batching window, invokes as soon as the batch is full', async () => {
    // Prepare
    const batches: { bodies: string[]; at: number }[] = [];
    const started = Date.now();
    await start({ batchSize: 3, maxBatchingWindowSeconds: 20, handler: async (event: SQSEvent) => void batches.push({ bodies: event.Records.map((r) => r.body), at: Date.now() - started }) });

    // Act
    await send('1', '2', '3');
    await poller?.idle();

    // Assess: full at once, long before the 20 s window
    expect(batches.map((batch) => batch.bodies.sort())).toEqual([['1', '2', '3']]);
    expect(batches[0]!.at).toBeLessThan(5_000);
  });

  it('stop() lets the running invocation finish and settle, then receives nothing more', async () => {
    // Prepare
    await send('in-progress');
    let finished = false;
    let started: () => void = () => undefined;
    const invocationStarted = new Promise<void>((resolve) => (started = resolve));
    const running = await start({
      handler: async () => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 500));
        finished = true;
      },
    });
    await invocationStarted;

    // Act
    await running.stop();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'after-stop' }));
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Assess
    expect(finished).toBe(true);
    expect(running.stats()).toMatchObject({ invocations: 1, deleted: 1 });
    expect(await queueCounts()).toEqual({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('idle() rejects with the queue counts when the queue does not drain in time', async () => {
    // Prepare
    await send('stuck');
    await start({ handler: async (event) => failuresFor(event, () => true) });

    // Act
    const idle = poller?.idle({ timeoutMs: 300 });

    // Assess
    await expect(idle).rejects.toThrow(/not idle after 300 ms \(visible \d, in flight \d/);
  });

  describe('Option: thread (each invocation slot in its own worker thread)', () => {
    const journalHandler = { moduleUrl: new URL('../../support/threaded/journal-handler.ts', import.meta.url).href };
    let dir: string;
    let journal: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'poller-threads-'));
      journal = join(dir, 'journal.txt');
      writeFileSync(journal, '');
      process.env.THREAD_JOURNAL = journal;
    });

    afterEach(() => {
      delete process.env.THREAD_JOURNAL;
      rmSync(dir, { recursive: true, force: true });
    });

    const lines = () => readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    const waitFor = async (predicate: () => boolean, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out; journal: ${lines().join(' | ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    it('runs the handler in a worker thread that stays warm across invocations, and deletes its batches', async () => {
      // Prepare
      const { threadId } = await import('node:worker_threads');

      // Act
      const running = await start({ functionName: 'threaded', thread: journalHandler, batchSize: 1, concurrency: 1 });
      await send('a');
      await running.idle({ timeoutMs: 20_000 });
      await send('b');
      await running.idle({ timeoutMs: 20_000 });

      // Assess
      const started = lines().filter((line) => line.includes('started'));
      expect(started).toEqual([expect.stringMatching(/invocation 1 started a receive 1$/), expect.stringMatching(/invocation 2 started b receive 1$/)]);
      const threads = new Set(lines().map((line) => line.split(' ')[1]));
      expect(threads.size).toBe(1);
      expect(threads.has(String(threadId))).toBe(false);
      expect(running.stats()).toMatchObject({ invocations: 2, deleted: 2, coldStarts: 1, kills: 0, failedInvocations: 0 });
      expect(await queueCounts()).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    }, 40_000);

    it('kill() ends the environment mid-batch: the rest of the batch never runs, nothing is deleted, all of it comes back to a cold environment', async () => {
      // Prepare
      const running = await start({ functionName: 'threaded', thread: journalHandler, batchSize: 10, concurrency: 1 });
      await send('first', 'hang', 'after-hang');
      await waitFor(() => lines().some((line) => line.includes('started hang receive 1')));
      const [invocation] = running.running();

      // Act
      const killed = await running.kill(invocation!.awsRequestId);
      await running.idle({ timeoutMs: 20_000 });

      // Assess
      expect(killed).toBe(true);
      expect(invocation!.bodies).toEqual(['first', 'hang', 'after-hang']);
      const journalLines = lines();
      expect(journalLines.some((line) => / finished hang receive 1$/.test(line))).toBe(false);
      expect(journalLines.some((line) => / started after-hang receive 1$/.test(line))).toBe(false);
      // The whole batch came back (visibility 1 s), "first" too, though it had finished: it was never deleted.
      for (const body of ['first', 'hang', 'after-hang']) expect(journalLines).toContainEqual(expect.stringMatching(new RegExp(`started ${body} receive 2$`)));
      const threadOf = (pattern: RegExp) => journalLines.find((line) => pattern.test(line))!.split(' ')[1];
      expect(threadOf(/started hang receive 2$/)).not.toBe(threadOf(/started hang receive 1$/));
      expect(journalLines).toContainEqual(expect.stringMatching(/invocation 1 started first receive 2$/));
      expect(running.stats()).toMatchObject({ kills: 1, coldStarts: 2, failedInvocations: 1, leftForRetry: 3, deleted: 3, received: 6 });
      expect(logs).toContainEqual(expect.stringMatching(/^error: threaded invocation .* failed, 3 message\(s\) left for retry: LambdaEnvironmentEndedError/));
    }, 40_000);

    it('refuses kill() for a handler running in this thread, which nothing can stop from outside', async () => {
      // Prepare
      const running = await start({ functionName: 'in-process', handler: async () => undefined });

      // Act / Assess
      await expect(running.kill('any')).rejects.toThrow(/kill\(\) needs the thread option/);
    });
  });
});
