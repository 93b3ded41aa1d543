/**
 * `POST /jira/webhook`: Jira's admin webhook -> verify the signature -> dedupe -> SQS jira-changes -> 2xx.
 * Thin: the rules live in shared/app/accept-jira-webhook.ts.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { acceptJiraWebhook } from '../shared/app/accept-jira-webhook.ts';
import { DynamoDbLinkStore } from '../shared/adapters/dynamodb/link-store.ts';
import { SqsQueue } from '../shared/adapters/sqs/queue.ts';
import { PermanentError } from '../shared/ports/errors.ts';
import { toHttpResult } from '../shared/runtime/http-result.ts';
import { createLogger, createSecretSource, describeError, loadRuntimeConfig, requiredEnv } from '../shared/runtime/environment.ts';

const logger = createLogger('receive-jira-webhook');
const deps = {
  config: loadRuntimeConfig(),
  secrets: createSecretSource(),
  queue: new SqsQueue({ client: new SQSClient({}), queueUrl: requiredEnv('JIRA_CHANGES_QUEUE_URL') }),
  links: new DynamoDbLinkStore({ client: new DynamoDBClient({}), tableName: requiredEnv('LINKS_TABLE_NAME') }),
  log: logger,
};

async function receive(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    return toHttpResult(
      await acceptJiraWebhook(deps, {
        headers: event.headers ?? {},
        body: event.body,
        isBase64Encoded: event.isBase64Encoded,
        queryStringParameters: event.queryStringParameters,
      }),
    );
  } catch (error) {
    logger.error('Could not accept a Jira webhook delivery', { error: describeError(error) });
    // A 5xx makes Jira retry the delivery (up to 5 times), which is what we want while the queue is unavailable.
    return toHttpResult({ statusCode: error instanceof PermanentError ? 500 : 503, body: { message: 'temporarily unable to accept the delivery' } });
  }
}

export const handler = middy(receive).use(injectLambdaContext(logger));
