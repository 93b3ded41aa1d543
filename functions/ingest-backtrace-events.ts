/**
 * `POST /backtrace/events`: Backtrace's webhook integration -> validate -> SQS backtrace-events -> 202.
 * Thin: the rules live in shared/app/accept-backtrace-event.ts.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { acceptBacktraceEvent } from '../shared/app/accept-backtrace-event.ts';
import { configWarnings } from '../shared/domain/config/index.ts';
import { SqsQueue } from '../shared/adapters/sqs/queue.ts';
import { PermanentError } from '../shared/ports/errors.ts';
import { toHttpResult } from '../shared/runtime/http-result.ts';
import { createLogger, createSecretSource, describeError, loadRuntimeConfig, requiredEnv } from '../shared/runtime/environment.ts';

const logger = createLogger('ingest-backtrace-events');
const config = loadRuntimeConfig();
for (const warning of configWarnings(config)) logger.warn(warning);
const deps = {
  config,
  secrets: createSecretSource(),
  queue: new SqsQueue({ client: new SQSClient({}), queueUrl: requiredEnv('EVENTS_QUEUE_URL') }),
  log: logger,
};

async function ingest(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    return toHttpResult(await acceptBacktraceEvent(deps, { headers: event.headers ?? {}, body: event.body, isBase64Encoded: event.isBase64Encoded }));
  } catch (error) {
    logger.error('Could not accept a Backtrace event', { error: describeError(error) });
    // A missing secret or queue is the deployment's fault, not the caller's; either way Backtrace should retry later.
    const permanent = error instanceof PermanentError;
    return toHttpResult({
      statusCode: permanent ? 500 : 503,
      headers: permanent ? {} : { 'retry-after': '30' },
      body: { message: permanent ? 'the bridge is misconfigured; its log says what to fix' : 'temporarily unable to accept the event; retry later' },
    });
  }
}

export const handler = middy(ingest).use(injectLambdaContext(logger));
