/**
 * What both queue workers build once per cold start: the logger, the validated config (its warnings logged), each
 * integration's Jira and Backtrace clients (secrets resolved on first use), and the DynamoDB link store.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { configWarnings } from '../domain/config/index.ts';
import { DynamoDbLinkStore } from '../adapters/dynamodb/link-store.ts';
import { systemClock } from '../ports/clock.ts';
import { integrationClientsFactory } from './integration-clients.ts';
import { createLogger, createSecretSource, loadRuntimeConfig, requiredEnv } from './environment.ts';

export function workerDeps(serviceName: string) {
  const logger = createLogger(serviceName);
  const config = loadRuntimeConfig();
  for (const warning of configWarnings(config)) logger.warn(warning);
  return {
    logger,
    deps: {
      config,
      clientsFor: integrationClientsFactory(createSecretSource(), { maxInlineWaitMs: config.settings.maxInlineRetryWaitSeconds * 1000 }),
      links: new DynamoDbLinkStore({ client: new DynamoDBClient({}), tableName: requiredEnv('LINKS_TABLE_NAME') }),
      clock: systemClock,
      log: logger,
    },
  };
}
