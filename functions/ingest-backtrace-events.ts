/**
 * `POST /backtrace/events`: Backtrace's webhook integration -> validate -> SQS backtrace-events -> 202.
 * Thin: the rules live in shared/app/accept-backtrace-event.ts.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { acceptBacktraceEvent } from '../shared/app/accept-backtrace-event.ts';
import { QueuedGroups } from '../shared/app/queued-groups.ts';
import { configWarnings } from '../shared/domain/config/index.ts';
import { SqsQueue } from '../shared/adapters/sqs/queue.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { httpRoute } from '../shared/runtime/http-route.ts';
import { createLogger } from '../shared/runtime/logger.ts';
import { createMetrics } from '../shared/runtime/powertools-metrics.ts';
import { loadRuntimeConfig, requiredEnv } from '../shared/runtime/runtime-config.ts';
import { createSecretSource } from '../shared/runtime/secret-source.ts';
import { AWS_CLIENT_OPTIONS } from '../shared/adapters/aws/client-options.ts';

const SERVICE = 'ingest-backtrace-events';
const logger = createLogger(SERVICE);
const config = loadRuntimeConfig();
for (const warning of configWarnings(config)) logger.warn(warning);
const deps = {
  config,
  secrets: createSecretSource(),
  queue: new SqsQueue({ client: new SQSClient(AWS_CLIENT_OPTIONS), queueUrl: requiredEnv('EVENTS_QUEUE_URL') }),
  clock: systemClock,
  log: logger,
  metrics: createMetrics(SERVICE),
  // Per container, as the worker's settled links are: what this container queued moments ago.
  queuedGroups: new QueuedGroups(),
};

export const handler = httpRoute({ logger, what: 'a Backtrace event', accept: (request) => acceptBacktraceEvent(deps, request) });
