/**
 * SQS jira-changes -> the linked fingerprint's state, assignees and ticket entry (Jira -> Backtrace, two-way sync).
 * Thin: the rules live in shared/app/apply-jira-change.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { applyJiraChange } from '../shared/app/apply-jira-change.ts';
import type { JiraWebhookMessage } from '../shared/app/queue-messages.ts';
import { DynamoDbLinkStore } from '../shared/adapters/dynamodb/link-store.ts';
import { PermanentError } from '../shared/ports/errors.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { integrationClientsFactory } from '../shared/runtime/integration-clients.ts';
import { queueWorker } from '../shared/runtime/queue-worker.ts';
import { createLogger, createSecretSource, loadRuntimeConfig, requiredEnv } from '../shared/runtime/environment.ts';

const logger = createLogger('sync-to-backtrace');
const config = loadRuntimeConfig();
const deps = {
  config,
  clientsFor: integrationClientsFactory(createSecretSource(), { maxInlineWaitMs: config.settings.maxInlineRetryWaitSeconds * 1000 }),
  links: new DynamoDbLinkStore({ client: new DynamoDBClient({}), tableName: requiredEnv('LINKS_TABLE_NAME') }),
  clock: systemClock,
  log: logger,
};

async function process(body: string): Promise<void> {
  let message: JiraWebhookMessage;
  try {
    message = JSON.parse(body) as JiraWebhookMessage;
  } catch {
    throw new PermanentError('the queued Jira change is not JSON');
  }
  if (message?.kind !== 'jira.webhook' || !Array.isArray(message.integrations)) throw new PermanentError('the queued message is not a Jira change');
  const applied = await applyJiraChange(deps, message);
  logger.debug('Jira change processed', { deliveryId: message.deliveryId, applied });
}

export const handler = queueWorker({ sqs: new SQSClient({}), queueUrl: requiredEnv('JIRA_CHANGES_QUEUE_URL'), logger, process });
