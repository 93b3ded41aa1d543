/**
 * The SQS side of `bridge dlq`: SQS can only show a message by receiving it, so a listing receives every message
 * with a short hold and hands them back; a replay sends a body to its work queue, then deletes it from the DLQ.
 * Imported on demand (the AWS SDK is slow to load).
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { sendMessageBody } from '../../shared/adapters/sqs/queue.ts';

/** Long enough to finish a listing (or a replay's send) before SQS shows the messages again. */
const HOLD_SECONDS = 30;
/** At most this many receives per DLQ, ten messages each. */
const MAX_BATCHES = 100;

/** Every message of a DLQ, held invisible for {@link HOLD_SECONDS}; the caller releases or deletes each. */
export async function receiveAll(sqs: SQSClient, url: string): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: HOLD_SECONDS,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
    }));
    if (!Messages || Messages.length === 0) break;
    for (const message of Messages) if (message.MessageId) seen.set(message.MessageId, message);
  }
  return [...seen.values()];
}

/** Makes held messages visible again at once. */
export async function release(sqs: SQSClient, url: string, messages: Message[]): Promise<void> {
  await Promise.all(messages.map((message) => sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })).catch(() => undefined)));
}

/** The body, unchanged, back on its work queue. */
export function sendBack(sqs: SQSClient, queueUrl: string, message: Message): Promise<void> {
  return sendMessageBody(sqs, queueUrl, message.Body ?? '');
}

/** Deletes a held message from its DLQ. */
export async function remove(sqs: SQSClient, deadLetterQueueUrl: string, message: Message): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }));
}
