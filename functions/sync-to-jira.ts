/**
 * SQS backtrace-events -> one Jira issue per (integration, fingerprint) -> ticket link on the Backtrace fingerprint;
 * and fingerprint.updated changes -> the linked Jira issue's status and assignee (Backtrace -> Jira sync).
 * Thin: the rules live in shared/app/process-backtrace-message.ts and the use-cases it calls.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { configWarnings } from '../shared/domain/config/index.ts';
import { processBacktraceMessage } from '../shared/app/process-backtrace-message.ts';
import { DynamoDbLinkStore } from '../shared/adapters/dynamodb/link-store.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { integrationClientsFactory } from '../shared/runtime/integration-clients.ts';
import { queueWorker } from '../shared/runtime/queue-worker.ts';
import { createLogger, createSecretSource, loadRuntimeConfig, requiredEnv } from '../shared/runtime/environment.ts';

const logger = createLogger('sync-to-jira');
const config = loadRuntimeConfig();
for (const warning of configWarnings(config)) logger.warn(warning);
const deps = {
  config,
  clientsFor: integrationClientsFactory(createSecretSource(), { maxInlineWaitMs: config.settings.maxInlineRetryWaitSeconds * 1000 }),
  links: new DynamoDbLinkStore({ client: new DynamoDBClient({}), tableName: requiredEnv('LINKS_TABLE_NAME') }),
  clock: systemClock,
  log: logger,
};

export const handler = queueWorker({
  sqs: new SQSClient({}),
  queueUrl: requiredEnv('EVENTS_QUEUE_URL'),
  logger,
  process: (body) => processBacktraceMessage(deps, body),
});
