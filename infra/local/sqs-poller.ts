import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import {
  createLambdaContext,
  defaultLocalLog,
  LambdaTimeoutError,
  withinTimeout,
  type LambdaHandler,
  type LocalLog,
} from './lambda-context.ts';
import { startThreadContainer, type ThreadContainer, type ThreadedHandler } from './thread-container.ts';

/** A handler for an SQS event source, as `functions/` exports it. */
export type SqsLambdaHandler = LambdaHandler<SQSEvent, SQSBatchResponse | void | undefined>;

export interface SqsPollerOptions {
  /** A client on the local SQS engine (explicit endpoint, see `engines.clientConfig('sqs')`). */
  sqs: SQSClient;
  queueUrl: string;
  /** The handler, run in this thread. Give this or `thread`. */
  handler?: SqsLambdaHandler;
  /**
   * Instead of `handler`: run each concurrent invocation slot's handler in its own worker thread, one thread per
   * execution environment (its own module instances, so its own cold start), reused while it lives. `kill()` ends
   * an environment mid-batch with `worker.terminate()`; an invocation past its timeout ends its environment too, as
   * Lambda's does; the next invocation in that slot starts a new thread (a cold start).
   */
  thread?: ThreadedHandler;
  /** For the context, logs and ARNs; default 'local-function'. */
  functionName?: string;
  /** Messages per invocation, 1..10 (the ESM's BatchSize); default 10. */
  batchSize?: number;
  /** Long-poll wait per ReceiveMessage, 0..20 s; default 1 (short, so `stop()` is quick). */
  waitTimeSeconds?: number;
  /**
   * The ESM's MaximumBatchingWindowInSeconds, 0..300: after the first message, keep receiving for up to this long
   * until the batch is full, then invoke. Default 0 (invoke with what the first receive brought: quick feedback for
   * tests); the CDK stack sets 1 s, which the storm bench uses, so a trickle is not one invocation per message.
   */
  maxBatchingWindowSeconds?: number;
  /** Overrides the queue's visibility timeout on each receive; default: the queue's own, as Lambda does. */
  visibilityTimeoutSeconds?: number;
  /** Concurrent invocations (the ESM's maximum concurrency); default 1. */
  concurrency?: number;
  /** The ESM's FunctionResponseTypes includes ReportBatchItemFailures; default true (our stack sets it). */
  reportBatchItemFailures?: boolean;
  /**
   * Function timeout, default 30: `getRemainingTimeInMillis()` counts down from it, and an invocation still running
   * at the end fails its batch.
   */
  timeoutSeconds?: number;
  /** Default 'us-east-1'. */
  region?: string;
  /** Default: console.warn / console.error (info is dropped). */
  log?: LocalLog;
}

/** Counters since start; a snapshot. */
export interface SqsPollerStats {
  invocations: number;
  /** Messages received (each redelivery again), i.e. the records of all invocations. */
  received: number;
  /** Messages the poller deleted after a successful invocation. */
  deleted: number;
  /** Messages left on the queue for redelivery (listed as failed, or the whole batch failed). */
  leftForRetry: number;
  /** Invocations that threw, timed out or answered an invalid batch response. */
  failedInvocations: number;
  /** Threaded mode: environments started (each a cold start); 0 in this thread. */
  coldStarts: number;
  /** Threaded mode: environments killed mid-batch by {@link SqsPoller.kill}. */
  kills: number;
}

/**
 * The poller's ReceiveMessage calls, and how many of them brought nothing (each a signed request for the poller and
 * the queue). Apart from {@link SqsPollerStats}: they grow with every idle long poll, and a stats snapshot must stay
 * the same while nothing is processed.
 */
export interface SqsPollerReceives {
  calls: number;
  empty: number;
}

/** An invocation running now. */
export interface RunningInvocation {
  awsRequestId: string;
  startedAt: number;
  /** Its records' bodies, to choose one to kill by what it works on. */
  bodies: string[];
}

export interface SqsPoller {
  readonly functionName: string;
  /** Stops receiving, lets the current invocations finish and their deletes land, then resolves. Idempotent. */
  stop(): Promise<void>;
  /**
   * Resolves when the queue holds no message (visible, in flight or delayed) and no invocation is running.
   * A message that failed waits for its visibility timeout and counts as in flight until then, so a test of
   * retries should use a short visibility timeout. Rejects after `timeoutMs` (default 30 000) with the counts.
   */
  idle(options?: { timeoutMs?: number }): Promise<void>;
  stats(): SqsPollerStats;
  receives(): SqsPollerReceives;
  /** Invocations running now. */
  running(): RunningInvocation[];
  /**
   * Threaded mode: kills the environment running this invocation, mid-batch, as Lambda's sandbox dying does: its
   * remaining work stops, nothing of its batch is deleted, every message comes back after its visibility timeout,
   * and the next invocation in that slot starts cold. Resolves false when no such invocation runs.
   * @throws Error without the `thread` option (a function running in this thread cannot be stopped from outside).
   */
  kill(awsRequestId: string): Promise<boolean>;
}

/**
 * Emulates Lambda's SQS event source mapping for one queue and one handler, in this process.
 *
 * Each of `concurrency` workers long-polls ReceiveMessage (all system and message attributes), builds an `SQSEvent`
 * shaped like Lambda's, invokes the handler with a fake `Context`, then:
 * - handler resolves: deletes every message except those in `batchItemFailures` (when ReportBatchItemFailures is on);
 * - handler throws, times out, or returns an invalid `batchItemFailures` entry: deletes nothing.
 * Messages not deleted come back when their visibility timeout ends (the handler may change it with
 * ChangeMessageVisibility on the record's receipt handle); the queue's RedrivePolicy moves them to the DLQ after
 * maxReceiveCount receives. Unlike Lambda, all invocations share one process and module state, unless the `thread`
 * option gives each invocation slot its own worker thread (own module state, a cold start per thread, `kill()`).
 *
 * @example
 * const poller = await startSqsPoller({
 *   sqs: new SQSClient(engines.clientConfig('sqs')),
 *   queueUrl: engines.sqs.queues['backtrace-events'].url,
 *   handler: syncToJira,
 *   functionName: 'sync-to-jira',
 *   batchSize: 10,
 * });
 * // ...
 * await poller.stop();
 */
export async function startSqsPoller(options: SqsPollerOptions): Promise<SqsPoller> {
  const functionName = options.functionName ?? 'local-function';
  const batchSize = options.batchSize ?? 10;
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const concurrency = options.concurrency ?? 1;
  const reportBatchItemFailures = options.reportBatchItemFailures ?? true;
  const timeoutMs = (options.timeoutSeconds ?? 30) * 1000;
  const region = options.region ?? 'us-east-1';
  const log = options.log ?? defaultLocalLog;
  assertInRange('batchSize', batchSize, 1, 10);
  assertInRange('waitTimeSeconds', waitTimeSeconds, 0, 20);
  const batchingWindowSeconds = options.maxBatchingWindowSeconds ?? 0;
  assertInRange('maxBatchingWindowSeconds', batchingWindowSeconds, 0, 300);
  const batchingWindowMs = batchingWindowSeconds * 1000;
  assertInRange('concurrency', concurrency, 1, 1000);
  if (options.visibilityTimeoutSeconds !== undefined) {
    assertInRange('visibilityTimeoutSeconds', options.visibilityTimeoutSeconds, 0, 43_200);
  }

  const { sqs, queueUrl, handler, thread } = options;
  if ((handler === undefined) === (thread === undefined)) throw new Error(`${functionName}: give startSqsPoller either handler or thread`);
  const eventSourceARN = await getQueueArn(sqs, queueUrl);
  const counters: SqsPollerStats = { invocations: 0, received: 0, deleted: 0, leftForRetry: 0, failedInvocations: 0, coldStarts: 0, kills: 0 };
  const receives: SqsPollerReceives = { calls: 0, empty: 0 };
  /** Threaded mode: each slot's environment, while it lives. */
  const containers: (ThreadContainer | undefined)[] = [];
  const running = new Map<string, RunningInvocation & { slot: number }>();

  const invoke = async (slot: number, event: SQSEvent, context: ReturnType<typeof createLambdaContext>): Promise<unknown> => {
    if (handler) return withinTimeout(async () => handler(event, context), timeoutMs, functionName);
    let container = containers[slot];
    if (!container?.alive) {
      counters.coldStarts++;
      container = await startThreadContainer(thread!, functionName, region);
      containers[slot] = container;
    }
    // The init phase has its own limit in Lambda and does not count against the function timeout.
    const deadline = Date.now() + timeoutMs;
    try {
      return await withinTimeout(() => container.invoke(event, context.awsRequestId, deadline), Math.max(0, deadline - Date.now()), functionName);
    } catch (error) {
      // Lambda ends an environment whose invocation timed out; the next one starts cold.
      if (error instanceof LambdaTimeoutError) await container.kill('timed out');
      throw error;
    }
  };
  let stopping = false;
  /** Batches received and not yet settled (invoked and deleted): the in-process part of "busy". */
  let batchesInHand = 0;
  /** Bumped whenever a receive brings messages, so idle() can tell that something moved while it looked. */
  let receivedBatches = 0;

  const processBatch = async (slot: number, messages: Message[]): Promise<void> => {
    const records = messages.map((message) => toSqsRecord(message, eventSourceARN, region));
    const context = createLambdaContext({ functionName, timeoutMs, region });
    counters.invocations++;
    let result: unknown;
    running.set(context.awsRequestId, { awsRequestId: context.awsRequestId, startedAt: Date.now(), bodies: records.map((record) => record.body), slot });
    try {
      result = await invoke(slot, { Records: records }, context);
    } catch (error) {
      counters.failedInvocations++;
      counters.leftForRetry += records.length;
      log(
        'error',
        `${functionName} invocation ${context.awsRequestId} failed, ` +
          `${records.length} message(s) left for retry: ${describe(error)}`,
      );
      return;
    } finally {
      running.delete(context.awsRequestId);
    }
    const failedIds = reportBatchItemFailures ? failedMessageIds(result, records) : new Set<string>();
    if (failedIds === 'invalid') {
      counters.failedInvocations++;
      counters.leftForRetry += records.length;
      log(
        'error',
        `${functionName} invocation ${context.awsRequestId} returned an invalid batchItemFailures, ` +
          'whole batch left for retry',
      );
      return;
    }
    const toDelete = records.filter((record) => !failedIds.has(record.messageId));
    counters.leftForRetry += records.length - toDelete.length;
    await deleteMessages(toDelete);
  };

  const deleteMessages = async (records: SQSRecord[]): Promise<void> => {
    if (records.length === 0) return;
    const output = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: records.map((record, index) => ({ Id: `m${index}`, ReceiptHandle: record.receiptHandle })),
      }),
    );
    counters.deleted += output.Successful?.length ?? 0;
    for (const failure of output.Failed ?? []) {
      log('warn', `${functionName}: could not delete a processed message (${failure.Code}); it will be redelivered`);
    }
  };

  // Not aborted on stop(): a receive cut short could strand messages it already took off the queue.
  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        VisibilityTimeout: options.visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    receives.calls++;
    if (!output.Messages?.length) receives.empty++;
    return output.Messages ?? [];
  };

  const worker = async (slot: number): Promise<void> => {
    while (!stopping) {
      let messages: Message[];
      try {
        messages = await receive(batchSize, waitTimeSeconds);
        // The batching window: gather up to a full batch before invoking, as the ESM does.
        const windowEnds = Date.now() + batchingWindowMs;
        while (messages.length > 0 && messages.length < batchSize && !stopping) {
          const left = windowEnds - Date.now();
          if (left <= 0) break;
          // Long-poll while a whole second is left (it answers as soon as anything arrives); then one last look.
          if (left < 1_000) await sleep(left);
          messages = mergeReceived(messages, await receive(batchSize - messages.length, left < 1_000 ? 0 : 1));
        }
      } catch (error) {
        if (stopping) return;
        log('warn', `${functionName}: ReceiveMessage failed, retrying in 1 s: ${describe(error)}`);
        await sleep(1_000);
        continue;
      }
      if (messages.length === 0) continue;
      receivedBatches++;
      counters.received += messages.length;
      batchesInHand++;
      try {
        await processBatch(slot, messages);
      } catch (error) {
        log('error', `${functionName}: could not settle a batch: ${describe(error)}`);
      } finally {
        batchesInHand--;
      }
    }
  };

  const workers = Array.from({ length: concurrency }, (_, slot) => worker(slot));
  let stopped: Promise<void> | undefined;

  const queueIsEmpty = async (): Promise<{ empty: boolean; counts: string }> => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const visible = Number(Attributes.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
    const delayed = Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
    return {
      empty: visible + inFlight + delayed === 0,
      counts: `visible ${visible}, in flight ${inFlight}, delayed ${delayed}, batches in hand ${batchesInHand}`,
    };
  };

  return {
    functionName,
    stats: () => ({ ...counters }),
    receives: () => ({ ...receives }),
    running: () => [...running.values()].map(({ slot: _slot, ...invocation }) => ({ ...invocation, bodies: [...invocation.bodies] })),
    kill: async (awsRequestId) => {
      if (!thread) throw new Error(`${functionName}: kill() needs the thread option (a function running in this thread cannot be stopped from outside)`);
      const invocation = running.get(awsRequestId);
      const container = invocation && containers[invocation.slot];
      if (!container?.alive) return false;
      counters.kills++;
      await container.kill('killed mid-batch');
      return true;
    },
    stop: () => {
      stopping = true;
      stopped ??= Promise.all(workers).then(async () => {
        await Promise.all(containers.map((container) => container?.kill('the poller stopped')));
      });
      return stopped;
    },
    idle: async ({ timeoutMs: idleTimeoutMs = 30_000 } = {}) => {
      const deadline = Date.now() + idleTimeoutMs;
      let last = 'not checked';
      while (Date.now() < deadline) {
        if (batchesInHand === 0) {
          const before = receivedBatches;
          const { empty, counts } = await queueIsEmpty();
          last = counts;
          if (empty && batchesInHand === 0 && receivedBatches === before) return;
        }
        await sleep(25);
      }
      throw new Error(`${functionName}: queue not idle after ${idleTimeoutMs} ms (${last})`);
    },
  };
}

/** Builds one record of Lambda's SQS event from a ReceiveMessage result. */
export function toSqsRecord(message: Message, eventSourceARN: string, awsRegion: string): SQSRecord {
  const system = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
    SentTimestamp: system.SentTimestamp ?? String(Date.now()),
    SenderId: system.SenderId ?? '000000000000',
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  for (const optional of ['AWSTraceHeader', 'SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId'] as const) {
    const value = system[optional];
    if (value !== undefined) attributes[optional] = value;
  }
  return {
    messageId: required(message.MessageId, 'MessageId'),
    receiptHandle: required(message.ReceiptHandle, 'ReceiptHandle'),
    body: message.Body ?? '',
    attributes,
    messageAttributes: toLambdaMessageAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes !== undefined && { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion,
  };
}

/** SQS API attribute values (PascalCase, bytes) become Lambda's camelCase with base64 binaries. */
function toLambdaMessageAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  const converted: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    converted[name] = {
      ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
      ...(value.BinaryValue !== undefined && { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((bytes) => Buffer.from(bytes).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return converted;
}

/**
 * Lambda's reading of a ReportBatchItemFailures response: nothing, null or an empty list is full success; an entry
 * whose itemIdentifier is missing, empty or not a message of this batch fails the whole batch.
 */
function failedMessageIds(result: unknown, records: SQSRecord[]): Set<string> | 'invalid' {
  if (result === undefined || result === null) return new Set();
  if (typeof result !== 'object') return 'invalid';
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'invalid';
  const inBatch = new Set(records.map((record) => record.messageId));
  const ids = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !inBatch.has(id)) return 'invalid';
    ids.add(id);
  }
  return ids;
}

async function getQueueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return required(Attributes?.QueueArn, 'QueueArn');
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`SQS returned a message without ${name}`);
  return value;
}

function assertInRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * A batch gathered over several receives: a message received again meanwhile (its visibility timeout ran out while
 * the window was open) is in it once, with its latest receipt handle, the only one that still deletes it.
 */
function mergeReceived(batch: Message[], more: Message[]): Message[] {
  const byId = new Map(batch.map((message) => [message.MessageId, message]));
  for (const message of more) byId.set(message.MessageId, message);
  return [...byId.values()];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
