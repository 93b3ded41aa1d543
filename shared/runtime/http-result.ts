import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpAnswer } from '../app/http.ts';

/** A use-case's answer as API Gateway's HTTP API result: JSON body, the answer's headers. */
export const toHttpResult = (answer: HttpAnswer): APIGatewayProxyStructuredResultV2 => ({
  statusCode: answer.statusCode,
  headers: { 'content-type': 'application/json', ...answer.headers },
  body: JSON.stringify(answer.body),
});
