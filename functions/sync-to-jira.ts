/**
 * SQS backtrace-events -> one Jira issue per (integration, fingerprint) -> ticket link on the Backtrace fingerprint.
 * Partial batch failures: a failed record is retried alone, after the wait its failure calls for (Jira's
 * Retry-After, a claim's lease, backoff), set as the record's visibility timeout instead of sleeping here.
 * Thin: the rules live in shared/app/sync-group-message.ts and shared/app/create-issue-for-group.ts.
 */
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { configWarnings } from '../shared/domain/config/index.ts';
import { redeliveryDelaySeconds } from '../shared/domain/redelivery.ts';
import { syncGroupMessage } from '../shared/app/sync-group-message.ts';
import { DynamoDbLinkStore } from '../shared/adapters/dynamodb/link-store.ts';
import { changeVisibility, SqsQueue } from '../shared/adapters/sqs/queue.ts';
import { ClaimBusyError, RetryableError } from '../shared/ports/errors.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { integrationClientsFactory } from '../shared/runtime/integration-clients.ts';
import { createLogger, createSecretSource, describeError, loadRuntimeConfig, requiredEnv } from '../shared/runtime/environment.ts';

const logger = createLogger('sync-to-jira');
const config = loadRuntimeConfig();
for (const warning of configWarnings(config)) logger.warn(warning);
const queueUrl = requiredEnv('EVENTS_QUEUE_URL');
const sqs = new SQSClient({});
const requeue = new SqsQueue({ client: sqs, queueUrl });
const deps = {
  config,
  clientsFor: integrationClientsFactory(createSecretSource(), { maxInlineWaitMs: config.settings.maxInlineRetryWaitSeconds * 1000 }),
  links: new DynamoDbLinkStore({ client: new DynamoDBClient({}), tableName: requiredEnv('LINKS_TABLE_NAME') }),
  clock: systemClock,
  log: logger,
};

/** SQS caps a message's DelaySeconds at 15 minutes. */
const MAX_DELAY_SECONDS = 900;

async function processRecord(record: SQSRecord): Promise<void> {
  try {
    await syncGroupMessage(deps, record.body);
  } catch (error) {
    if (error instanceof ClaimBusyError) {
      // Waiting for another worker is not a failure: a delayed copy keeps the receive count (and the DLQ) for real ones.
      const delaySeconds = Math.min(MAX_DELAY_SECONDS, redeliveryDelaySeconds({ kind: 'retryable', retryAfterMs: error.retryAfterMs }, 1));
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
    const context = { messageId: record.messageId, receiveCount, retryInSeconds: seconds, error: describeError(error) };
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

const syncToJira = async (event: SQSEvent) => Promise.allSettled(event.Records.map(processRecord));

export const handler = middy(syncToJira)
  .use(injectLambdaContext(logger))
  // Logged above with the reason and the retry delay; the middleware's own logger would print whole records.
  .use(sqsPartialBatchFailure({ logger: () => undefined }));
