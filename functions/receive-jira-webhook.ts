/**
 * `POST /jira/webhook`: Jira's admin webhook -> verify the signature -> dedupe -> SQS jira-changes -> 2xx.
 * Thin: the rules live in shared/app/accept-jira-webhook.ts. Its IAM policy allows only the `DELIVERY#*` keys of
 * the links table, so it is given the delivery log and nothing else of the table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { acceptJiraWebhook } from '../shared/app/accept-jira-webhook.ts';
import { DynamoDbDeliveryLog } from '../shared/adapters/dynamodb/delivery-log.ts';
import { SqsQueue } from '../shared/adapters/sqs/queue.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { httpRoute } from '../shared/runtime/http-route.ts';
import { createLogger } from '../shared/runtime/logger.ts';
import { createMetrics } from '../shared/runtime/powertools-metrics.ts';
import { loadRuntimeConfig, requiredEnv } from '../shared/runtime/runtime-config.ts';
import { createSecretSource } from '../shared/runtime/secret-source.ts';
import { AWS_CLIENT_OPTIONS } from '../shared/adapters/aws/client-options.ts';

const SERVICE = 'receive-jira-webhook';
const logger = createLogger(SERVICE);
const deps = {
  config: loadRuntimeConfig(),
  secrets: createSecretSource(),
  queue: new SqsQueue({ client: new SQSClient(AWS_CLIENT_OPTIONS), queueUrl: requiredEnv('JIRA_CHANGES_QUEUE_URL') }),
  deliveries: new DynamoDbDeliveryLog({ client: new DynamoDBClient(AWS_CLIENT_OPTIONS), tableName: requiredEnv('LINKS_TABLE_NAME') }),
  clock: systemClock,
  log: logger,
  metrics: createMetrics(SERVICE),
};

export const handler = httpRoute({ logger, what: 'a Jira webhook delivery', accept: (request) => acceptJiraWebhook(deps, request) });
