/**
 * A middy middleware for the HTTP routes: an error a use-case throws (only outages of the queue, the delivery log or
 * the secret store reach here; bad input is answered by the use-case itself) becomes an answer the caller can act on,
 * and a log line with the reason. Shaped after middy's `http-error-handler`: defaults, options, one `onError` hook.
 *
 * - {@link PermanentError} (a missing secret or queue: the deployment's fault): 500, the log says what to fix.
 * - anything else: 503, so Backtrace and Jira deliver again later.
 * Both carry `Retry-After`. Bad input never gets here: the use-cases answer it with a 4xx (see request-body.ts).
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { answer } from '../../app/http.ts';
import { PermanentError } from '../../ports/errors.ts';
import type { Logger } from '../../ports/logger.ts';
import { toHttpResult } from '../http-result.ts';
import { describeError } from '../logger.ts';

export interface HttpErrorAnswerOptions {
  logger: Logger;
  /** What the route accepts, for the log and the answer: "a Backtrace event", "a Jira webhook delivery". */
  what: string;
  /** `Retry-After` of a 503, in seconds. @default 30 */
  retryAfterSeconds?: number;
}

const defaults = { retryAfterSeconds: 30 };

export function httpErrorAnswer(opts: HttpErrorAnswerOptions): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const options = { ...defaults, ...opts };
  return {
    onError: async (request) => {
      options.logger.error(`Could not accept ${options.what}`, { error: describeError(request.error) });
      // Every 5xx says when to come back: once the deployment is fixed, the sender's retry succeeds.
      const retryAfter = { 'retry-after': String(options.retryAfterSeconds) };
      request.response = toHttpResult(
        request.error instanceof PermanentError
          ? answer(500, { message: 'the bridge is misconfigured; its log says what to fix' }, retryAfter)
          : answer(503, { message: `temporarily unable to accept ${options.what}; retry later` }, retryAfter),
      );
    },
  };
}
