import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from './listen.ts';
import { randomBytes } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  createLambdaContext,
  defaultLocalLog,
  LambdaTimeoutError,
  withinTimeout,
  type LambdaHandler,
  type LocalLog,
} from './lambda-context.ts';

/**
 * A handler behind an HTTP API route (payload format 2.0). It may return the structured result
 * (`{ statusCode, headers, cookies, body, isBase64Encoded }`) or any other JSON value, as API Gateway accepts.
 */
export type HttpApiHandler = LambdaHandler<APIGatewayProxyEventV2, unknown>;

/** A route's integration, when more than the handler is needed. */
export interface HttpApiIntegration {
  handler: HttpApiHandler;
  /** Default: derived from the route key, e.g. 'POST /backtrace/events' -> 'post-backtrace-events'. */
  functionName?: string;
  /** Function timeout; default 30 (HTTP API's integration timeout caps it at 30 anyway). */
  timeoutSeconds?: number;
}

/**
 * Route table keyed like HTTP API route keys: `'POST /backtrace/events'`, `'GET /items/{id}'`,
 * `'ANY /files/{path+}'`, or `'$default'`.
 */
export type HttpApiRoutes = Record<string, HttpApiHandler | HttpApiIntegration>;

export interface HttpApiOptions {
  routes: HttpApiRoutes;
  /** Default 0 (random). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Largest request body accepted; default 10 MiB, API Gateway's payload quota. Larger gets 413. */
  maxPayloadBytes?: number;
  /** Default: warnings and errors to the console. */
  log?: LocalLog;
}

export interface LocalHttpApi {
  /** Base URL, e.g. `http://127.0.0.1:PORT` (no trailing slash, no stage: this is the `$default` stage). */
  url: string;
  port: number;
  /** Stops accepting requests, lets running ones finish, then resolves. */
  close(): Promise<void>;
}

/** API Gateway's documented payload quota for HTTP APIs. */
export const HTTP_API_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const HTTP_API_INTEGRATION_TIMEOUT_MS = 30_000;

/**
 * Serves an HTTP API on loopback: each request becomes a payload format 2.0 `APIGatewayProxyEventV2`, goes to the
 * handler of the matching route, and the handler's result is written back the way API Gateway interprets it.
 *
 * Answers as API Gateway does when no Lambda result applies: 404 `{"message":"Not Found"}` for no matching route,
 * 413 for a body over the payload limit, 500 `{"message":"Internal Server Error"}` when the handler throws or returns
 * a malformed result, 503 `{"message":"Service Unavailable"}` when it runs past its timeout.
 *
 * @example
 * const api = await startHttpApi({ routes: { 'POST /backtrace/events': ingestBacktraceEvents } });
 * await fetch(`${api.url}/backtrace/events`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: '{}',
 * });
 * await api.close();
 */
export async function startHttpApi(options: HttpApiOptions): Promise<LocalHttpApi> {
  const routes = compileRoutes(options.routes);
  const maxPayloadBytes = options.maxPayloadBytes ?? HTTP_API_MAX_PAYLOAD_BYTES;
  const log = options.log ?? defaultLocalLog;

  const server = createServer((request, response) => {
    handleRequest(request, response, { routes, maxPayloadBytes, log }).catch((error: unknown) => {
      log('error', `local HTTP API: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) writeJson(response, 500, { message: 'Internal Server Error' }, newRequestId());
      else response.destroy();
    });
  });
  const { address, port } = await listen(server, options.port, options.host);
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      }),
  };
}

interface CompiledRoute {
  routeKey: string;
  method: string;
  segments: string[];
  integration: Required<HttpApiIntegration>;
  /** Higher wins: literal segments, then non-greedy, then an exact method over ANY. */
  rank: number[];
}

interface Routing {
  routes: CompiledRoute[];
  defaultRoute?: CompiledRoute;
}

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/\S*)$/;

function compileRoutes(table: HttpApiRoutes): Routing {
  const routing: Routing = { routes: [] };
  for (const [routeKey, value] of Object.entries(table)) {
    const integration = typeof value === 'function' ? { handler: value } : value;
    const resolved: Required<HttpApiIntegration> = {
      handler: integration.handler,
      functionName: integration.functionName ?? functionNameFor(routeKey),
      timeoutSeconds: Math.min(integration.timeoutSeconds ?? 30, HTTP_API_INTEGRATION_TIMEOUT_MS / 1000),
    };
    if (routeKey === '$default') {
      routing.defaultRoute = { routeKey, method: 'ANY', segments: [], integration: resolved, rank: [] };
      continue;
    }
    const match = ROUTE_KEY.exec(routeKey);
    if (!match) throw new Error(`Route key "${routeKey}" is not "METHOD /path" or "$default"`);
    const [, method = '', path = ''] = match;
    const segments = path.split('/').slice(1);
    const greedyAt = segments.findIndex((segment) => /^\{[^}]+\+\}$/.test(segment));
    if (greedyAt !== -1 && greedyAt !== segments.length - 1) {
      throw new Error(`Route key "${routeKey}": a greedy {name+} variable must be the last segment`);
    }
    routing.routes.push({
      routeKey,
      method,
      segments,
      integration: resolved,
      rank: [
        segments.filter((segment) => !isVariable(segment)).length,
        greedyAt === -1 ? 1 : 0,
        method === 'ANY' ? 0 : 1,
      ],
    });
  }
  routing.routes.sort((a, b) => compareRank(b.rank, a.rank));
  return routing;
}

function matchRoute(
  routing: Routing,
  method: string,
  rawPath: string,
): { route: CompiledRoute; pathParameters?: Record<string, string> } | undefined {
  const requestSegments = rawPath.split('/').slice(1);
  for (const route of routing.routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const parameters = matchSegments(route.segments, requestSegments);
    if (parameters) return { route, ...(Object.keys(parameters).length > 0 && { pathParameters: parameters }) };
  }
  return routing.defaultRoute && { route: routing.defaultRoute };
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [index, segment] of template.entries()) {
    if (/^\{[^}]+\+\}$/.test(segment)) {
      const rest = actual.slice(index);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      parameters[segment.slice(1, -2)] = safeDecode(rest.join('/'));
      return parameters;
    }
    const value = actual[index];
    if (value === undefined) return undefined;
    if (isVariable(segment)) {
      if (value === '') return undefined;
      parameters[segment.slice(1, -1)] = safeDecode(value);
    } else if (segment !== value) {
      return undefined;
    }
  }
  return template.length === actual.length ? parameters : undefined;
}

interface RequestScope {
  routes: Routing;
  maxPayloadBytes: number;
  log: LocalLog;
}

async function handleRequest(request: IncomingMessage, response: ServerResponse, scope: RequestScope): Promise<void> {
  const requestId = newRequestId();
  const started = new Date();
  const method = (request.method ?? 'GET').toUpperCase();
  const target = request.url ?? '/';
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : target.slice(queryAt + 1);

  const declaredLength = Number(request.headers['content-length'] ?? 0);
  if (declaredLength > scope.maxPayloadBytes) {
    rejectTooLarge(request, response, requestId, scope, `${method} ${rawPath}`);
    return;
  }
  const body = await readBody(request, scope.maxPayloadBytes);
  if (body === 'too-large') {
    rejectTooLarge(request, response, requestId, scope, `${method} ${rawPath}`);
    return;
  }

  const matched = matchRoute(scope.routes, method, rawPath);
  if (!matched) {
    writeJson(response, 404, { message: 'Not Found' }, requestId);
    scope.log('info', `${method} ${rawPath} -> 404 (no route)`);
    return;
  }
  const { route, pathParameters } = matched;
  const event = buildEvent({
    request,
    method,
    rawPath,
    rawQueryString,
    body,
    routeKey: route.routeKey,
    requestId,
    started,
    pathParameters,
  });
  const { handler, functionName, timeoutSeconds } = route.integration;
  const timeoutMs = timeoutSeconds * 1000;
  const context = createLambdaContext({ functionName, timeoutMs });

  let result: unknown;
  try {
    result = await withinTimeout(async () => handler(event, context), timeoutMs, functionName);
  } catch (error) {
    if (error instanceof LambdaTimeoutError) {
      scope.log('error', `${route.routeKey} -> 503: ${error.message}`);
      writeJson(response, 503, { message: 'Service Unavailable' }, requestId);
    } else {
      scope.log('error', `${route.routeKey} -> 500: ${functionName} threw ${describe(error)}`);
      writeJson(response, 500, { message: 'Internal Server Error' }, requestId);
    }
    return;
  }
  const reply = toHttpReply(result);
  if ('malformed' in reply) {
    scope.log('error', `${route.routeKey} -> 500: ${functionName} returned a malformed response (${reply.malformed})`);
    writeJson(response, 500, { message: 'Internal Server Error' }, requestId);
    return;
  }
  response.statusCode = reply.statusCode;
  for (const [name, value] of Object.entries(reply.headers)) response.setHeader(name, value);
  response.setHeader('apigw-requestid', requestId);
  response.end(reply.body);
  scope.log('info', `${method} ${rawPath} -> ${reply.statusCode}`);
}

function rejectTooLarge(
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
  scope: RequestScope,
  what: string,
): void {
  scope.log('warn', `${what} -> 413: body over ${scope.maxPayloadBytes} bytes`);
  // Drain what the client is still sending, so it reads the 413 instead of a reset connection.
  request.resume();
  response.setHeader('connection', 'close');
  writeJson(response, 413, { message: 'Request Entity Too Large' }, requestId);
}

/** Reads the body, or stops keeping it once past the limit (but leaves the stream open for the 413 reply). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > limit) {
        request.off('data', onData);
        request.off('end', onEnd);
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', reject);
  });
}

interface EventInput {
  request: IncomingMessage;
  method: string;
  rawPath: string;
  rawQueryString: string;
  body: Buffer;
  routeKey: string;
  requestId: string;
  started: Date;
  pathParameters?: Record<string, string>;
}

/** The payload format 2.0 event, with API Gateway's header, cookie, query and body rules. */
function buildEvent(input: EventInput): APIGatewayProxyEventV2 {
  const { request, rawPath, rawQueryString, body } = input;
  const headers = joinHeaders(request.rawHeaders);
  // Format 2.0 moves cookies out of the headers into their own list.
  const cookies = (headers.cookie ?? '')
    .split(/[;,]/)
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');
  delete headers.cookie;
  const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-port'] = String(request.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http';
  const epochHex = Math.floor(input.started.getTime() / 1000).toString(16);
  headers['x-amzn-trace-id'] = `Root=1-${epochHex}-${randomBytes(12).toString('hex')}`;

  const queryStringParameters = joinQuery(rawQueryString);
  const domainName = headers.host ?? '127.0.0.1';
  // A "text" body that is not valid UTF-8 is handed over base64-encoded, byte for byte: decoding it as a string
  // would replace the bad bytes with U+FFFD unseen, and the handler could neither refuse it nor check a signature.
  const isText = body.length === 0 || (isTextContentType(headers['content-type']) && isUtf8(body));
  return {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(queryStringParameters && { queryStringParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: input.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: formatRequestTime(input.started),
      timeEpoch: input.started.getTime(),
    },
    ...(body.length > 0 && { body: body.toString(isText ? 'utf8' : 'base64') }),
    ...(input.pathParameters && { pathParameters: input.pathParameters }),
    isBase64Encoded: !isText,
  };
}

/** Lower-cased names; repeated headers joined with commas (format 2.0 has no multiValueHeaders). */
function joinHeaders(rawHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] ?? '').toLowerCase();
    const value = rawHeaders[index + 1] ?? '';
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return headers;
}

/** Decoded parameters, repeated ones joined with commas; undefined when there is no query string. */
function joinQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}

/**
 * JSON, XML, JavaScript and text/* pass as UTF-8 text; anything else arrives base64-encoded with
 * `isBase64Encoded: true`, as HTTP APIs deliver binary bodies. A body without a content type is taken as text.
 */
function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    mediaType.startsWith('text/') ||
    mediaType === 'application/json' ||
    mediaType.endsWith('+json') ||
    mediaType === 'application/xml' ||
    mediaType.endsWith('+xml') ||
    mediaType === 'application/javascript'
  );
}

type HttpReply =
  | { statusCode: number; headers: Record<string, string | string[]>; body: Buffer }
  | { malformed: string };

/**
 * API Gateway's reading of a format 2.0 Lambda result: an object with `statusCode` is a structured response;
 * any other value is JSON returned with status 200 and content-type application/json (a string as-is).
 */
function toHttpReply(result: unknown): HttpReply {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const structured = result as Record<string, unknown>;
    const statusCode = structured.statusCode;
    if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      return { malformed: 'statusCode is not an HTTP status' };
    }
    if (structured.body !== undefined && typeof structured.body !== 'string') {
      return { malformed: 'body is not a string' };
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries((structured.headers ?? {}) as Record<string, unknown>)) {
      headers[name.toLowerCase()] = String(value);
    }
    if (Array.isArray(structured.cookies) && structured.cookies.length > 0) {
      headers['set-cookie'] = structured.cookies.map(String);
    }
    const body = structured.body ?? '';
    return {
      statusCode,
      headers,
      body: Buffer.from(body, structured.isBase64Encoded === true ? 'base64' : 'utf8'),
    };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
}

function writeJson(response: ServerResponse, statusCode: number, body: unknown, requestId: string): void {
  response.statusCode = statusCode;
  response.setHeader('content-type', 'application/json');
  response.setHeader('apigw-requestid', requestId);
  response.end(JSON.stringify(body));
}

/** API Gateway's request ids look like `JKJaXmPLvHcESHA=`. */
function newRequestId(): string {
  return randomBytes(11).toString('base64');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the CLF time API Gateway puts in `requestContext.time`. */
function formatRequestTime(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function functionNameFor(routeKey: string): string {
  return routeKey
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function isVariable(segment: string): boolean {
  return /^\{[^}]+\}$/.test(segment);
}

function compareRank(a: number[], b: number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
