/**
 * SQS: the {@link Queue} port over SendMessage, and the visibility change the worker uses to make a message wait
 * (Jira's Retry-After, a busy claim's lease) on its queue instead of sleeping in a Lambda.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { encodeQueueMessage, type QueueMessageInput } from '../../domain/queue-message.ts';
import type { Queue } from '../../ports/queue.ts';
import { toBridgeError } from '../aws/aws-errors.ts';

/** SQS caps a message's visibility timeout at 12 hours. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** SQS caps DelaySeconds at 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

export interface SqsQueueOptions {
  client: SQSClient;
  queueUrl: string;
}

/**
 * Sends queue messages, as ASCII-only JSON ({@link encodeQueueMessage}: any string survives SQS), to one queue.
 * Not idempotent (a standard queue may also deliver twice): consumers
 * dedupe (the link store's claim does, for issue creation). Failures: throttling/5xx/network -> RetryableError,
 * the rest (missing queue, access denied, oversized body) -> PermanentError naming the queue.
 */
export class SqsQueue implements Queue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: SqsQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  send(message: QueueMessageInput, options: { delaySeconds?: number } = {}): Promise<void> {
    return sendMessageBody(this.#client, this.#queueUrl, encodeQueueMessage(message), options.delaySeconds);
  }
}

/**
 * Put one message body on a queue as it is (the worker re-enqueues a record's own body to make it wait), hidden for
 * `delaySeconds` first (clamped to SQS's 0..15 minutes). Failures as for {@link SqsQueue.send}.
 */
export async function sendMessageBody(client: SQSClient, queueUrl: string, body: string, delaySeconds?: number): Promise<void> {
  const delay = delaySeconds === undefined ? undefined : clamp(Math.ceil(delaySeconds), 0, MAX_DELAY_SECONDS);
  try {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, DelaySeconds: delay }));
  } catch (error) {
    throw toBridgeError(error, `SQS SendMessage to ${queueUrl}`);
  }
}


/**
 * Make a received message reappear after `seconds` (clamped to 0..12 h), so its redelivery honours a Retry-After.
 * Returns the timeout actually set. Failures as for {@link SqsQueue.send}; a receipt handle that is no longer valid
 * (message deleted, or its visibility already expired) is a PermanentError: the message is back on the queue anyway.
 */
export async function changeVisibility(client: SQSClient, queueUrl: string, receiptHandle: string, seconds: number): Promise<number> {
  const timeout = clamp(Math.ceil(seconds), 0, MAX_VISIBILITY_TIMEOUT_SECONDS);
  try {
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: timeout }));
  } catch (error) {
    throw toBridgeError(error, `SQS ChangeMessageVisibility on ${queueUrl}`);
  }
  return timeout;
}


function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
