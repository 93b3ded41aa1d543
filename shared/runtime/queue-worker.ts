/**
 * The SQS consumer shape both workers share: each record is processed on its own (partial batch failures), and a
 * failed record is given back to the queue after the wait its failure calls for, set as its visibility timeout
 * (Jira's Retry-After, backoff, 30 s on the way to the DLQ for a permanent refusal) instead of sleeping here.
 * A {@link ClaimBusyError} is no failure: a delayed copy is queued, so waiting spends no receive count.
 */
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { redeliveryDelaySeconds } from '../domain/redelivery.ts';
import { changeVisibility, SqsQueue } from '../adapters/sqs/queue.ts';
import { ClaimBusyError, RetryableError } from '../ports/errors.ts';
import { describeError } from './environment.ts';

export interface QueueWorkerOptions {
  sqs: SQSClient;
  /** The queue the records come from (for ChangeMessageVisibility and re-enqueueing). */
  queueUrl: string;
  logger: Logger;
  process(body: string): Promise<void>;
}

/** What a message is about, for the log line an operator reads next to the DLQ (never the whole body). */
function aboutMessage(body: string): Record<string, unknown> {
  try {
    const message = JSON.parse(body) as Record<string, any>;
    const group = message.group ?? message.detail ?? message.event ?? message;
    return {
      kind: message.kind ?? message['detail-type'] ?? 'backtrace.group',
      ...(message.integrations ?? message.integration ? { integrations: message.integrations ?? [message.integration] } : {}),
      ...(typeof group?.fingerprint === 'string' ? { fingerprint: group.fingerprint } : {}),
      ...(typeof group?.issue?.key === 'string' ? { issueKey: group.issue.key } : {}),
    };
  } catch {
    return {};
  }
}

export function queueWorker(options: QueueWorkerOptions) {
  const { sqs, queueUrl, logger } = options;
  const requeue = new SqsQueue({ client: sqs, queueUrl });

  async function processRecord(record: SQSRecord): Promise<void> {
    try {
      await options.process(record.body);
    } catch (error) {
      if (error instanceof ClaimBusyError) {
        // SqsQueue.send caps the delay at SQS's 15 minutes.
        const delaySeconds = redeliveryDelaySeconds({ kind: 'retryable', retryAfterMs: error.retryAfterMs }, 1);
        try {
          await requeue.send(JSON.parse(record.body), { delaySeconds });
          logger.debug('Fingerprint busy; message re-enqueued', { messageId: record.messageId, delaySeconds });
          return;
        } catch (requeueError) {
          logger.warn('Could not re-enqueue a busy message; failing it instead', { messageId: record.messageId, error: describeError(requeueError) });
        }
      }
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      const retryable = error instanceof RetryableError;
      const seconds = redeliveryDelaySeconds({ kind: retryable ? 'retryable' : 'permanent', retryAfterMs: retryable ? error.retryAfterMs : undefined }, receiveCount);
      const context = { messageId: record.messageId, ...aboutMessage(record.body), receiveCount, retryInSeconds: seconds, error: describeError(error) };
      if (retryable) logger.warn('Will retry the message', context);
      else logger.error('Refused for good; the message goes to the DLQ after its last attempt', context);
      try {
        await changeVisibility(sqs, queueUrl, record.receiptHandle, seconds);
      } catch (visibilityError) {
        // The message still comes back, after the queue's default visibility timeout.
        logger.warn('Could not set the retry delay of the message', { messageId: record.messageId, error: describeError(visibilityError) });
      }
      throw error;
    }
  }

  return middy(async (event: SQSEvent) => Promise.allSettled(event.Records.map(processRecord)))
    .use(injectLambdaContext(logger))
    // Logged above with the reason and the retry delay; the middleware's own logger would print whole records.
    .use(sqsPartialBatchFailure({ logger: () => undefined }));
}
