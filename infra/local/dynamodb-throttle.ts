/**
 * A DynamoDB endpoint that throttles, for fault runs of the local stack: an HTTP proxy in front of dynalite that
 * answers a share of the requests (and, now and then, a burst of consecutive ones) the way DynamoDB answers a
 * throttled request, and passes every other request through untouched.
 *
 * The answer is what the AWS SDK reads as throttling (`@smithy/core`'s THROTTLING_ERROR_CODES, by the error name the
 * awsJson1_0 protocol takes from `__type`): HTTP 400, `content-type: application/x-amz-json-1.0`,
 * `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":...,
 * "ThrottlingReasons":[...]}`, or the same with `ThrottlingException` (DynamoDB's answer when an on-demand table
 * exceeds its account quota or configured maximum). A throttled request never reaches dynalite: nothing was written.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from './listen.ts';
import { randomUUID } from 'node:crypto';

export interface DynamoDbThrottleOptions {
  /** The real engine's endpoint (dynalite), e.g. `http://127.0.0.1:PORT`. */
  target: string;
  /** Share of requests throttled one by one, 0..1; default 0.05. */
  probability?: number;
  /**
   * At most every `everyMs`, the next `requests` requests are all throttled (a hot partition), once at least
   * `afterRequests` (default 10 x `requests`) passed since the last burst: bursts stay a share of the traffic, so a
   * quiet table is not throttled on every request it gets. Default none.
   */
  burst?: { everyMs: number; requests: number; afterRequests?: number };
  /** Default Math.random (tests pass a seeded one). */
  random?: () => number;
}

/** Counters since start. */
export interface DynamoDbThrottleStats {
  /** Requests received (throttled or passed on). */
  requests: number;
  /** Requests answered with a throttle, bursts included. */
  throttled: number;
  /** Bursts started. */
  bursts: number;
}

export interface DynamoDbThrottle {
  /** Give this to the clients that should meet the throttling (`AWS_ENDPOINT_URL_DYNAMODB`). */
  endpoint: string;
  stats(): DynamoDbThrottleStats;
  /** Off: every request passes (the counters keep counting requests). On at start. */
  setEnabled(enabled: boolean): void;
  stop(): Promise<void>;
}

/** DynamoDB's own wording for the two throttles (API reference, Common errors and ThrottlingReason). */
function throttleBody(operation: string, table: string, random: () => number): { type: string; body: string } {
  const isRead = /^(Get|BatchGet|Query|Scan|TransactGet)/.test(operation);
  const resource = `arn:aws:dynamodb:us-east-1:000000000000:table/${table}`;
  if (random() < 0.8) {
    return {
      type: 'ProvisionedThroughputExceededException',
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
        ThrottlingReasons: [{ reason: isRead ? 'TableReadKeyRangeThroughputExceeded' : 'TableWriteKeyRangeThroughputExceeded', resource }],
      }),
    };
  }
  return {
    type: 'ThrottlingException',
    body: JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
      message: 'Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase',
      ThrottlingReasons: [{ reason: isRead ? 'TableReadAccountLimitExceeded' : 'TableWriteAccountLimitExceeded', resource }],
    }),
  };
}

/**
 * Starts the proxy on 127.0.0.1 (random port).
 *
 * @example
 * const throttle = await startDynamoDbThrottle({ target: engines.dynamodb.endpoint, probability: 0.05, burst: { everyMs: 5_000, requests: 10 } });
 * const client = new DynamoDBClient({ ...engines.clientConfig('dynamodb'), endpoint: throttle.endpoint });
 */
export async function startDynamoDbThrottle(options: DynamoDbThrottleOptions): Promise<DynamoDbThrottle> {
  const target = new URL(options.target);
  const probability = options.probability ?? 0.05;
  const random = options.random ?? Math.random;
  const counters: DynamoDbThrottleStats = { requests: 0, throttled: 0, bursts: 0 };
  let enabled = true;
  let burstLeft = 0;
  let requestsAtLastBurst = -Infinity;
  const burstTimer = options.burst
    ? setInterval(() => {
        const { requests, afterRequests = 10 * requests } = options.burst!;
        if (!enabled || burstLeft > 0 || counters.requests - requestsAtLastBurst < requests + afterRequests) return;
        burstLeft = requests;
        requestsAtLastBurst = counters.requests;
        counters.bursts++;
      }, options.burst.everyMs)
    : undefined;
  burstTimer?.unref();

  const throttle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'Unknown';
    let table = 'unknown';
    try {
      table = String((JSON.parse(body.toString('utf8')) as { TableName?: unknown }).TableName ?? table);
    } catch {
      // The body is the SDK's; a table name is only for the message.
    }
    const { type, body: text } = throttleBody(operation, table, random);
    res.writeHead(400, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID().replaceAll('-', '').toUpperCase(),
      'x-amzn-errortype': `${type}:`,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const pass = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.once('error', (error) => {
      // The SDK retries a reset connection as DynamoDB's own network errors are retried.
      res.destroy(error);
    });
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      counters.requests++;
      const body = Buffer.concat(chunks);
      const hit = enabled && (burstLeft > 0 || random() < probability);
      if (hit) {
        if (burstLeft > 0) burstLeft--;
        counters.throttled++;
        throttle(req, res, body);
      } else {
        pass(req, res, body);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  const { port } = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ ...counters }),
    setEnabled: (on) => {
      enabled = on;
      if (!on) burstLeft = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (burstTimer) clearInterval(burstTimer);
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      }),
  };
}
