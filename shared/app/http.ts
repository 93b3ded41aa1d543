/**
 * The shape of an HTTP route's use-case: what it is given (headers, raw body, query) and what it answers (status,
 * JSON body, headers). The runtime maps API Gateway's events to and from these; the use-cases never see Lambda.
 */

export interface IncomingRequest {
  headers: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  queryStringParameters?: Record<string, string | undefined>;
}

export interface HttpAnswer {
  statusCode: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

export const answer = (statusCode: number, body: Record<string, unknown>, headers?: Record<string, string>): HttpAnswer => ({
  statusCode,
  body,
  ...(headers ? { headers } : {}),
});
