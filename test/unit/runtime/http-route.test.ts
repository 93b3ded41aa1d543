import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { HttpAnswer, IncomingRequest } from '../../../shared/app/http.ts';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import { httpRoute } from '../../../shared/runtime/http-route.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import { createLambdaContext } from '../../../infra/local/lambda-context.ts';

const event = (overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 =>
  ({ headers: { authorization: 'Basic eDp5' }, body: '{"a":1}', isBase64Encoded: false, queryStringParameters: { token: 't' }, ...overrides }) as APIGatewayProxyEventV2;

async function call(accept: (request: IncomingRequest) => Promise<HttpAnswer>, input = event()) {
  const handler = httpRoute({ logger: new Logger({ logLevel: 'SILENT' }), what: 'a Backtrace event', accept });
  return (await handler(input, createLambdaContext({ functionName: 'ingest', timeoutMs: 10_000 }))) as APIGatewayProxyStructuredResultV2;
}

describe('Function: httpRoute', () => {
  it('hands the use-case the headers, raw body and query, and answers its status, headers and JSON body', async () => {
    // Prepare
    let given: IncomingRequest | undefined;

    // Act
    const result = await call(async (request) => {
      given = request;
      return { statusCode: 202, headers: { 'x-extra': '1' }, body: { accepted: [] } };
    });

    // Assess
    expect(given).toEqual({ headers: { authorization: 'Basic eDp5' }, body: '{"a":1}', isBase64Encoded: false, queryStringParameters: { token: 't' } });
    expect(result).toEqual({ statusCode: 202, headers: { 'content-type': 'application/json', 'x-extra': '1' }, body: '{"accepted":[]}' });
  });

  it.each([
    ['an outage (queue, secrets)', new RetryableError('SQS SendMessage failed transiently'), 503, { 'retry-after': '30' }, 'temporarily unable to accept a Backtrace event; retry later'],
    ['a thrown non-taxonomy error', new Error('boom'), 503, { 'retry-after': '30' }, 'temporarily unable to accept a Backtrace event; retry later'],
    ['a misconfiguration (a missing secret)', new PermanentError('secret "x" does not exist'), 500, { 'retry-after': '30' }, 'the bridge is misconfigured; its log says what to fix'],
  ])('answers %s with %i and no detail of the error', async (_case, error, statusCode, headers, message) => {
    // Act
    const result = await call(async () => {
      throw error;
    });

    // Assess
    expect(result).toEqual({ statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ message }) });
  });
});
