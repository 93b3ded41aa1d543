/**
 * The SQS consumer shape both workers share, after Powertools' BatchProcessor with a parser: each record body is
 * parsed once by the queue-message schema and handed, typed, to the handler for its `kind`; each record is
 * processed on its own (partial batch failures). A failed record is given back to the queue after the wait its
 * failure calls for, set as its visibility timeout (Jira's Retry-After, backoff, 30 s on the way to the DLQ for a
 * permanent refusal) instead of sleeping here. A {@link ClaimBusyError} (another worker holds the fingerprint) or a
 * {@link RateLimitWaitError} (no Jira slot within the inline budget) is no failure: a copy of the record is queued
 * with DelaySeconds for the wait (at most 15 min) and the original deleted, so waiting spends no receive count.
 */
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { parseQueueMessage, type QueueMessage, type QueueMessageKind } from '../domain/queue-message.ts';
import { redeliveryDelaySeconds, requeueDelaySeconds } from '../domain/redelivery.ts';
import { changeVisibility, sendMessageBody } from '../adapters/sqs/queue.ts';
import { ClaimBusyError, PermanentError, RateLimitWaitError, RetryableError } from '../ports/errors.ts';
import type { Metrics, QueueName } from '../ports/metrics.ts';
import { correlatedLogger, withCorrelation } from './correlation.ts';
import type { FailureLog } from '../ports/failure-log.ts';
import { describeError } from './logger.ts';

/** The use-case for each kind of message this worker takes; a kind without one is refused for good. */
export type MessageHandlers = { [K in QueueMessageKind]?: (message: Extract<QueueMessage, { kind: K }>) => Promise<unknown> };

export interface QueueWorkerOptions {
  sqs: SQSClient;
  /** The queue the records come from (for ChangeMessageVisibility and re-enqueueing). */
  queueUrl: string;
  logger: Logger;
  handlers: MessageHandlers;
  /**
   * Counts `Retries` (system Queue) for a failed message handed back, and `DeadLetterSends` for one failed for the
   * last time (its `maxReceiveCount`th receive). @default - none
   */
  metrics?: { metrics: Metrics; queue: QueueName; maxReceiveCount: number };
  /** Where each failed delivery's reason is noted, by message id (shown beside the dead letter by `bridge dlq list`). */
  failures?: FailureLog;
}

/** What a message is about, for the log line an operator reads next to the DLQ (never the whole body). */
function aboutMessage(message: QueueMessage | undefined): Record<string, unknown> {
  switch (message?.kind) {
    case undefined:
      return {};
    case 'backtrace.group':
      return { kind: message.kind, ...(message.integrations ? { integrations: message.integrations } : {}), fingerprint: message.group.fingerprint };
    case 'backtrace.fingerprint-updated':
      return { kind: message.kind, integrations: [message.integration], fingerprint: message.event.fingerprint };
    case 'jira.webhook':
      return { kind: message.kind, integrations: message.integrations, issueKey: message.event.issueKey };
  }
}

export function queueWorker(options: QueueWorkerOptions) {
  const { sqs, queueUrl, handlers, failures } = options;
  // Every line about a record names what it is about (integration, fingerprint, Jira key, delivery id).
  const logger = correlatedLogger(options.logger);

  async function dispatch(message: QueueMessage): Promise<void> {
    const handler = handlers[message.kind] as ((message: QueueMessage) => Promise<unknown>) | undefined;
    if (!handler) throw new PermanentError(`this worker does not take "${message.kind}" messages (it takes ${Object.keys(handlers).join(', ')}); was it sent to the wrong queue?`);
    await handler(message);
  }

  async function processRecord(record: SQSRecord): Promise<void> {
    const parsed = parseQueueMessage(record.body);
    const message = parsed.ok ? parsed.message : undefined;
    const { kind: _kind, ...about } = aboutMessage(message);
    const correlation = { ...about, ...(message?.kind === 'jira.webhook' && message.deliveryId ? { deliveryId: message.deliveryId } : {}) };
    return withCorrelation(correlation, () => settle(record, parsed, message));
  }

  async function settle(record: SQSRecord, parsed: ReturnType<typeof parseQueueMessage>, message: QueueMessage | undefined): Promise<void> {
    try {
      if (!parsed.ok) throw new PermanentError(`the message is not one the bridge sends: ${parsed.problems.join('; ')}`);
      await dispatch(parsed.message);
    } catch (error) {
      if (error instanceof ClaimBusyError || error instanceof RateLimitWaitError) {
        // ChangeMessageVisibility would keep the receive count this delivery spent: a fresh copy starts at zero,
        // and the original is deleted when this record is reported done.
        const delaySeconds = requeueDelaySeconds(error.retryAfterMs);
        try {
          await sendMessageBody(sqs, queueUrl, record.body, delaySeconds);
          logger.debug(error instanceof ClaimBusyError ? 'Fingerprint busy; message re-enqueued' : 'Waiting for a Jira slot; message re-enqueued', { messageId: record.messageId, delaySeconds });
          return;
        } catch (requeueError) {
          logger.warn('Could not re-enqueue a busy message; failing it instead', { messageId: record.messageId, error: describeError(requeueError) });
        }
      }
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      const retryable = error instanceof RetryableError;
      const seconds = redeliveryDelaySeconds({ kind: retryable ? 'retryable' : 'permanent', retryAfterMs: retryable ? error.retryAfterMs : undefined }, receiveCount);
      const context = { messageId: record.messageId, ...aboutMessage(message), receiveCount, retryInSeconds: seconds, error: describeError(error) };
      if (retryable) logger.warn('Will retry the message', context);
      else logger.error('Refused for good; the message goes to the DLQ after its last attempt', context);
      if (options.metrics) {
        const { metrics, queue, maxReceiveCount } = options.metrics;
        if (receiveCount >= maxReceiveCount) metrics.count('DeadLetterSends', { queue });
        else metrics.count('Retries', { system: 'Queue' });
      }
      try {
        await failures?.record({ messageId: record.messageId, reason: (error as Error)?.message ?? String(error), retryable, receiveCount, at: Date.now() });
      } catch (noteError) {
        // Only the note is lost: the log line above has the reason too.
        logger.warn('Could not note the failure reason of the message', { messageId: record.messageId, error: describeError(noteError) });
      }
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
    .use(injectLambdaContext(options.logger))
    // Logged above with the reason and the retry delay; the middleware's own logger would print whole records.
    .use(sqsPartialBatchFailure({ logger: () => undefined }));
}
