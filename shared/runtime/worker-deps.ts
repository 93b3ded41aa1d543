/**
 * What both queue workers build once per cold start: the logger (its lines carry the record's correlation keys,
 * shared/runtime/correlation.ts), the metrics, the validated config (its warnings logged), each
 * integration's Jira and Backtrace clients (secrets resolved on first use), the DynamoDB link store and the
 * Backtrace user directory, the failure notes of queue messages and the Jira pacing buckets (same table, their own keys).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SyncDeps } from '../app/sync-deps.ts';
import { configWarnings } from '../domain/config/index.ts';
import { DynamoDbBacktraceUserDirectory } from '../adapters/dynamodb/backtrace-user-directory.ts';
import { DynamoDbLinkStore } from '../adapters/dynamodb/link-store.ts';
import { DynamoDbFailureLog } from '../adapters/dynamodb/failure-log.ts';
import { DynamoDbRateLimiter } from '../adapters/dynamodb/rate-limiter.ts';
import { SettledLinks } from '../app/settled-links.ts';
import { systemClock } from '../ports/clock.ts';
import { integrationClientsFactory } from './integration-clients.ts';
import { correlatedLogger } from './correlation.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './powertools-metrics.ts';
import { loadRuntimeConfig, requiredEnv } from './runtime-config.ts';
import { createSecretSource } from './secret-source.ts';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.ts';

export function workerDeps(serviceName: string) {
  const logger = createLogger(serviceName);
  const metrics = createMetrics(serviceName);
  const config = loadRuntimeConfig();
  for (const warning of configWarnings(config)) logger.warn(warning);
  const table = { client: new DynamoDBClient(AWS_CLIENT_OPTIONS), tableName: requiredEnv('LINKS_TABLE_NAME') };
  const deps: SyncDeps = {
    config,
    clientsFor: integrationClientsFactory(createSecretSource(), {
      maxInlineWaitMs: config.settings.maxInlineRetryWaitSeconds * 1000,
      metrics,
      // Every container of both workers draws from the same per-site buckets in the links table.
      pacing: { limiter: new DynamoDbRateLimiter({ ...table, clock: systemClock }), settings: config },
    }),
    links: new DynamoDbLinkStore(table),
    // One per container, as Lambda keeps module state between invocations.
    settledLinks: new SettledLinks(),
    users: new DynamoDbBacktraceUserDirectory(table),
    clock: systemClock,
    log: correlatedLogger(logger),
    metrics,
  };
  return { logger, deps, metrics, failures: new DynamoDbFailureLog(table) };
}
