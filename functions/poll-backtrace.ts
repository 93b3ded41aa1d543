/**
 * EventBridge schedule -> read the linked fingerprints of each integration from Backtrace and queue every change
 * on backtrace-events for the sync-to-jira worker (Backtrace pushes no event when a fingerprint changes).
 * Thin: the rules live in shared/app/poll-backtrace.ts. It reads Backtrace credentials only.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { pollBacktrace } from '../shared/app/poll-backtrace.ts';
import { DynamoDbLinkStore } from '../shared/adapters/dynamodb/link-store.ts';
import { SqsQueue } from '../shared/adapters/sqs/queue.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { backtraceClientFactory } from '../shared/runtime/integration-clients.ts';
import { correlatedLogger } from '../shared/runtime/correlation.ts';
import { createLogger } from '../shared/runtime/logger.ts';
import { createMetrics } from '../shared/runtime/powertools-metrics.ts';
import { loadRuntimeConfig, requiredEnv } from '../shared/runtime/runtime-config.ts';
import { scheduledPoll } from '../shared/runtime/scheduled-poll.ts';
import { createSecretSource } from '../shared/runtime/secret-source.ts';
import { AWS_CLIENT_OPTIONS } from '../shared/adapters/aws/client-options.ts';

const logger = createLogger('poll-backtrace');
const config = loadRuntimeConfig();
const deps = {
  backtraceFor: backtraceClientFactory(createSecretSource(), { maxInlineWaitMs: config.settings.maxInlineRetryWaitSeconds * 1000, metrics: createMetrics('poll-backtrace') }),
  links: new DynamoDbLinkStore({ client: new DynamoDBClient(AWS_CLIENT_OPTIONS), tableName: requiredEnv('LINKS_TABLE_NAME') }),
  queue: new SqsQueue({ client: new SQSClient(AWS_CLIENT_OPTIONS), queueUrl: requiredEnv('EVENTS_QUEUE_URL') }),
  clock: systemClock,
  // Each integration is polled under its name (shared/runtime/scheduled-poll.ts): every line names it.
  log: correlatedLogger(logger),
};

export const handler = scheduledPoll({ config, logger, poll: (integration) => pollBacktrace(deps, integration) });
