import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import {
  HTTP_API_MAX_PAYLOAD_BYTES,
  startHttpApi,
  type HttpApiOptions,
  type LocalHttpApi,
} from '../../../infra/local/http-server.ts';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  bytes: Buffer;
}

/** node:http rather than fetch: fetch folds repeated headers and cannot send a chunked body of a known size. */
function send(
  url: string,
  options: { method?: string; headers?: string[]; body?: Buffer | string; chunked?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // A raw header list gets no default headers from node, so Host goes in by hand.
    const headers = ['Host', new URL(url).host, ...(options.headers ?? [])];
    const req = httpRequest(url, { method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString(), bytes });
      });
      res.on('error', reject);
    });
    // The server may answer 413 and close before the whole upload is written; the reply still counts.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : reject(error)));
    if (options.body !== undefined && options.chunked) {
      const body = Buffer.from(options.body);
      const chunk = 1024 * 1024;
      for (let offset = 0; offset < body.length; offset += chunk) req.write(body.subarray(offset, offset + chunk));
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

describe('Function: startHttpApi', () => {
  let api: LocalHttpApi | undefined;
  let logs: string[] = [];

  afterEach(async () => {
    await api?.close();
    api = undefined;
    logs = [];
  });

  const start = async (routes: HttpApiOptions['routes']): Promise<LocalHttpApi> => {
    api = await startHttpApi({ routes, log: (level, message) => logs.push(`${level}: ${message}`) });
    return api;
  };

  it('turns a request into a payload 2.0 event and writes the structured result back', async () => {
    // Prepare
    const seen: { event?: APIGatewayProxyEventV2; context?: Context } = {};
    const { url, port } = await start({
      'POST /backtrace/events': async (event, context) => {
        Object.assign(seen, { event, context });
        return {
          statusCode: 202,
          headers: { 'Content-Type': 'application/json', 'X-Reply': 'yes' },
          cookies: ['s=1; Path=/', 't=2'],
          body: '{"accepted":true}',
        };
      },
    });
    const before = Date.now();

    // Act
    const reply = await send(`${url}/backtrace/events?b=2&a=1&a=3&e=%20x`, {
      method: 'POST',
      headers: [
        'Content-Type', 'application/json',
        'X-Custom', 'one',
        'X-Custom', 'two',
        'Cookie', 'a=1; b=2',
        'User-Agent', 'Backtrace-Webhook/1.0',
        'Authorization', 'Basic dXNlcjpwYXNz',
      ],
      body: '{"fingerprint":"abc"}',
    });

    // Assess
    const { event, context } = seen;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /backtrace/events',
      rawPath: '/backtrace/events',
      rawQueryString: 'b=2&a=1&a=3&e=%20x',
      queryStringParameters: { b: '2', a: '1,3', e: ' x' },
      cookies: ['a=1', 'b=2'],
      body: '{"fingerprint":"abc"}',
      isBase64Encoded: false,
      requestContext: {
        accountId: expect.any(String),
        apiId: expect.any(String),
        domainName: `127.0.0.1:${port}`,
        http: {
          method: 'POST',
          path: '/backtrace/events',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'Backtrace-Webhook/1.0',
        },
        requestId: expect.stringMatching(/\S/),
        routeKey: 'POST /backtrace/events',
        stage: '$default',
        time: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
      },
    });
    expect(event?.requestContext.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(event?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-custom': 'one,two',
      authorization: 'Basic dXNlcjpwYXNz',
      host: `127.0.0.1:${port}`,
      'x-forwarded-for': '127.0.0.1',
    });
    expect(event?.headers).not.toHaveProperty('cookie');
    expect(event).not.toHaveProperty('pathParameters');
    expect(context?.functionName).toBe('post-backtrace-events');
    expect(reply.status).toBe(202);
    expect(reply.headers['x-reply']).toBe('yes');
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['set-cookie']).toEqual(['s=1; Path=/', 't=2']);
    expect(reply.headers['apigw-requestid']).toBe(event?.requestContext.requestId);
    expect(reply.body).toBe('{"accepted":true}');
  });

  it('answers a result without statusCode as API Gateway does: 200, JSON, the value as body', async () => {
    // Prepare
    const { url } = await start({
      'GET /object': async () => ({ ok: true }),
      'GET /string': async () => 'plain words',
    });

    // Act
    const object = await send(`${url}/object`);
    const text = await send(`${url}/string`);

    // Assess
    expect(object).toMatchObject({ status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } });
    expect(text).toMatchObject({ status: 200, body: 'plain words', headers: { 'content-type': 'application/json' } });
  });

  it('answers 404 {"message":"Not Found"} for an unknown path or a method the route does not take', async () => {
    // Prepare
    let invoked = false;
    const { url } = await start({ 'POST /backtrace/events': async () => ((invoked = true), { statusCode: 200 }) });

    // Act
    const unknownPath = await send(`${url}/jira/webhook`, { method: 'POST', body: '{}' });
    const wrongMethod = await send(`${url}/backtrace/events`);
    const trailingSlash = await send(`${url}/backtrace/events/`, { method: 'POST', body: '{}' });

    // Assess
    for (const reply of [unknownPath, wrongMethod, trailingSlash]) {
      expect(reply).toMatchObject({ status: 404, body: '{"message":"Not Found"}' });
      expect(reply.headers['content-type']).toBe('application/json');
    }
    expect(invoked).toBe(false);
  });

  it('routes the most specific match first and passes path parameters', async () => {
    // Prepare
    const hits: string[] = [];
    const routeTo = (name: string) => async (event: APIGatewayProxyEventV2) => {
      hits.push(`${name} ${event.routeKey} ${JSON.stringify(event.pathParameters ?? null)}`);
      return { statusCode: 204 };
    };
    const { url } = await start({
      'ANY /files/{path+}': routeTo('greedy'),
      'GET /items/{id}': routeTo('item'),
      'GET /items/special': routeTo('literal'),
      $default: routeTo('default'),
    });

    // Act
    await send(`${url}/items/special`);
    await send(`${url}/items/caf%C3%A9`);
    await send(`${url}/files/a/b/c.txt`, { method: 'DELETE' });
    await send(`${url}/elsewhere`, { method: 'PUT' });

    // Assess
    expect(hits).toEqual([
      'literal GET /items/special null',
      'item GET /items/{id} {"id":"café"}',
      'greedy ANY /files/{path+} {"path":"a/b/c.txt"}',
      'default $default null',
    ]);
  });

  it('accepts a body of exactly 10 MiB and answers 413 to one byte more, without invoking the handler', async () => {
    // Prepare
    const received: number[] = [];
    const { url } = await start({
      'POST /backtrace/events': async (event) => {
        received.push(event.body?.length ?? 0);
        return { statusCode: 202 };
      },
    });
    const atLimit = Buffer.alloc(HTTP_API_MAX_PAYLOAD_BYTES, 'a');
    const overLimit = Buffer.alloc(HTTP_API_MAX_PAYLOAD_BYTES + 1, 'a');
    const headers = ['Content-Type', 'text/plain'];

    // Act
    const accepted = await send(`${url}/backtrace/events`, { method: 'POST', headers, body: atLimit });
    const declaredTooLarge = await send(`${url}/backtrace/events`, { method: 'POST', headers, body: overLimit });
    const streamedTooLarge = await send(`${url}/backtrace/events`, {
      method: 'POST',
      headers,
      body: overLimit,
      chunked: true,
    });

    // Assess
    expect(accepted.status).toBe(202);
    expect(received).toEqual([HTTP_API_MAX_PAYLOAD_BYTES]);
    for (const reply of [declaredTooLarge, streamedTooLarge]) {
      expect(reply.status).toBe(413);
      expect(JSON.parse(reply.body)).toEqual({ message: expect.any(String) });
    }
  });

  it('answers 500 Internal Server Error when the handler throws or returns malformed output', async () => {
    // Prepare
    const { url } = await start({
      'POST /throws': async () => {
        throw new Error('config invalid');
      },
      'POST /malformed': async () => ({ statusCode: 'two hundred' }),
    });

    // Act
    const thrown = await send(`${url}/throws`, { method: 'POST', body: '{}' });
    const malformed = await send(`${url}/malformed`, { method: 'POST', body: '{}' });

    // Assess
    expect(thrown).toMatchObject({ status: 500, body: '{"message":"Internal Server Error"}' });
    expect(malformed).toMatchObject({ status: 500, body: '{"message":"Internal Server Error"}' });
    expect(logs).toEqual([
      expect.stringContaining('POST /throws -> 500: post-throws threw Error: config invalid'),
      expect.stringContaining('POST /malformed -> 500: post-malformed returned a malformed response'),
    ]);
  });

  it('answers 503 {"message":"Service Unavailable"} when the handler runs past its timeout', async () => {
    // Prepare
    const { url } = await start({
      'POST /slow': {
        functionName: 'ingest',
        timeoutSeconds: 0.2,
        handler: () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 202 }), 1_000)),
      },
    });

    // Act
    const reply = await send(`${url}/slow`, { method: 'POST', body: '{}' });

    // Assess
    expect(reply).toMatchObject({ status: 503, body: '{"message":"Service Unavailable"}' });
    expect(logs).toEqual([expect.stringContaining('ingest timed out after 200 ms')]);
  });

  it('base64-encodes a binary request body and decodes a base64 result', async () => {
    // Prepare
    let seen: APIGatewayProxyEventV2 | undefined;
    const { url } = await start({
      'POST /blob': async (event) => {
        seen = event;
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/octet-stream' },
          body: '/wA=',
          isBase64Encoded: true,
        };
      },
    });

    // Act
    const reply = await send(`${url}/blob`, {
      method: 'POST',
      headers: ['Content-Type', 'application/octet-stream'],
      body: Buffer.from([0xff, 0x00, 0x41]),
    });

    // Assess
    expect(seen).toMatchObject({ isBase64Encoded: true, body: '/wBB' });
    expect(reply.bytes).toEqual(Buffer.from([0xff, 0x00]));
  });

  it('rejects a malformed route key at start', async () => {
    // Act
    const starting = startHttpApi({ routes: { '/backtrace/events': async () => ({ statusCode: 200 }) } });

    // Assess
    await expect(starting).rejects.toThrow('Route key "/backtrace/events" is not "METHOD /path" or "$default"');
  });
});
