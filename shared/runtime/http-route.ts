/**
 * The shape both HTTP entry points share: API Gateway's event in, one use-case, its answer out as JSON, with the
 * Lambda context in every log line and outages answered by {@link httpErrorAnswer}.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpAnswer, IncomingRequest } from '../app/http.ts';
import { toHttpResult } from './http-result.ts';
import { httpErrorAnswer } from './middleware/http-error-answer.ts';

export interface HttpRouteOptions {
  logger: Logger;
  /** What the route accepts, for log lines and error answers ("a Backtrace event"). */
  what: string;
  accept(request: IncomingRequest): Promise<HttpAnswer>;
}

export function httpRoute(options: HttpRouteOptions) {
  const route = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
    toHttpResult(
      await options.accept({
        headers: event.headers ?? {},
        body: event.body,
        isBase64Encoded: event.isBase64Encoded,
        queryStringParameters: event.queryStringParameters,
      }),
    );
  return middy(route).use(injectLambdaContext(options.logger)).use(httpErrorAnswer({ logger: options.logger, what: options.what }));
}
