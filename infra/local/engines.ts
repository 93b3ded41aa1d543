import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { listen } from './listen.ts';
import { createRequire } from 'node:module';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp, interceptLocalhostDns } from 'fauxqs';

/** The region every local client and ARN uses. */
export const LOCAL_REGION = 'us-east-1';

/**
 * Client configuration for an AWS SDK v3 client talking to a local engine.
 * Spread it into the constructor: `new DynamoDBClient(engines.clientConfig('dynamodb'))`.
 */
export interface LocalClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** One queue as the CDK stack creates it: a source queue redriving to its own dead-letter queue. */
export interface LocalQueueSpec {
  /** Source queue name. */
  name: string;
  /** Default `${name}-dlq`. */
  deadLetterQueueName?: string;
  /** Receives before SQS moves a message to the DLQ (the RedrivePolicy's maxReceiveCount). */
  maxReceiveCount: number;
  /** The queue's default visibility timeout; default 30 s (SQS's default). */
  visibilityTimeoutSeconds?: number;
}

/** A created queue and its dead-letter queue. URLs are the ones fauxqs answers to; ARNs as in AWS. */
export interface LocalQueue {
  name: string;
  url: string;
  arn: string;
  deadLetterQueue: { name: string; url: string; arn: string };
}

export interface LocalEnginesOptions {
  /** Name of the DynamoDB links table (see {@link createLinksTable} for its shape). */
  linksTableName: string;
  /** Queues to create, each with its DLQ. */
  queues: LocalQueueSpec[];
  /**
   * Resolve `*.localhost` to 127.0.0.1 inside this process (fauxqs' `interceptLocalhostDns`), until `stop()`.
   *
   * Needed only by SQS clients configured through `AWS_ENDPOINT_URL_SQS` rather than an explicit `endpoint`: such a
   * client sends each call to the host of its QueueUrl (`http://sqs.us-east-1.localhost:PORT/...`), which the system
   * resolver does not know. Default false, because it patches `dns.lookup` process-wide.
   */
  interceptLocalhostDns?: boolean;
  /**
   * Keep DynamoDB's data on disk in this directory (dynalite's LevelDB `path`), so a stack started again on the same
   * directory, even after a kill, finds its table and items. Default: in memory, lost at `stop()`. SQS (fauxqs) is
   * always in memory: it has no persistence.
   */
  dynamodbDir?: string;
}

/** The running engines. SQS is in memory and lost at `stop()`; so is DynamoDB unless `dynamodbDir` was given. */
export interface LocalEngines {
  region: string;
  dynamodb: { endpoint: string; linksTableName: string };
  sqs: { endpoint: string; queues: Record<string, LocalQueue> };
  /** SDK client config for one engine: explicit endpoint, region and dummy credentials. Works without DNS tricks. */
  clientConfig(service: 'dynamodb' | 'sqs'): LocalClientConfig;
  /**
   * Environment for handlers that build their clients with no config, as they do in Lambda:
   * `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`, `AWS_REGION`, dummy credentials, and IMDS disabled (so the
   * credential chain never reaches for the network). Apply it before the handler modules create their clients.
   * The SQS one needs {@link LocalEnginesOptions.interceptLocalhostDns}.
   */
  env: Record<string, string>;
  /** Wall-clock milliseconds from call to ready (servers listening, table and queues created). */
  startupMs: number;
  /** Closes both servers (and restores DNS). Stop pollers and HTTP servers first. Safe to call twice. */
  stop(): Promise<void>;
}

const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** {@link LocalEngines.clientConfig} for engines answering at these endpoints (here or in another thread). */
export function clientConfigFor(endpoints: { dynamodb: string; sqs: string }): LocalEngines['clientConfig'] {
  return (service) => ({ endpoint: endpoints[service], region: LOCAL_REGION, credentials: { ...DUMMY_CREDENTIALS } });
}

/**
 * Starts dynalite (DynamoDB) and fauxqs (SQS) in this process on 127.0.0.1 with random ports, then creates the links
 * table and the queues through the real AWS SDK, the way the CDK stack defines them.
 *
 * @example
 * const engines = await startLocalEngines({
 *   linksTableName: 'links',
 *   queues: [{ name: 'backtrace-events', maxReceiveCount: 5, visibilityTimeoutSeconds: 30 }],
 * });
 * const sqs = new SQSClient(engines.clientConfig('sqs'));
 * await sqs.send(new SendMessageCommand({ QueueUrl: engines.sqs.queues['backtrace-events'].url, MessageBody: '{}' }));
 * await engines.stop();
 */
export async function startLocalEngines(options: LocalEnginesOptions): Promise<LocalEngines> {
  const started = performance.now();
  if (options.dynamodbDir !== undefined) await ensureDirectoryFree(options.dynamodbDir);
  const dynalite = await startDynalite(options.dynamodbDir);
  let fauxqs: Awaited<ReturnType<typeof startFauxqsOnLoopback>>;
  try {
    fauxqs = await startFauxqsOnLoopback();
  } catch (error) {
    await dynalite.stop();
    throw error;
  }
  const restoreDns = options.interceptLocalhostDns ? interceptLocalhostDns() : undefined;

  const endpoints = { dynamodb: dynalite.endpoint, sqs: fauxqs.endpoint };
  const clientConfig = clientConfigFor(endpoints);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    restoreDns?.();
    await Promise.all([fauxqs.stop(), dynalite.stop()]);
  };

  try {
    const dynamodbClient = new DynamoDBClient(clientConfig('dynamodb'));
    const sqsClient = new SQSClient(clientConfig('sqs'));
    try {
      await createLinksTable(dynamodbClient, options.linksTableName);
      const queues: Record<string, LocalQueue> = {};
      for (const spec of options.queues) {
        queues[spec.name] = await createQueueWithDeadLetterQueue(sqsClient, spec);
      }
      const anyQueueUrl = Object.values(queues)[0]?.url;
      return {
        region: LOCAL_REGION,
        dynamodb: { endpoint: endpoints.dynamodb, linksTableName: options.linksTableName },
        sqs: { endpoint: endpoints.sqs, queues },
        clientConfig,
        env: {
          AWS_REGION: LOCAL_REGION,
          AWS_DEFAULT_REGION: LOCAL_REGION,
          AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
          // The queue URLs' own origin: a client on it never "redirects" to the QueueUrl host (and never warns).
          AWS_ENDPOINT_URL_SQS: anyQueueUrl ? new URL(anyQueueUrl).origin : endpoints.sqs,
        },
        startupMs: performance.now() - started,
        stop,
      };
    } finally {
      dynamodbClient.destroy();
      sqsClient.destroy();
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Creates the links table exactly as the CDK stack does: partition key `pk` (S), sort key `sk` (S), GSI `byIssueId`
 * on `issueId` (S) projecting ALL, on-demand billing. Resolves once table and index are ACTIVE. A table that exists
 * already (a durable engine started again on its directory) is kept as it is, items and all.
 */
export async function createLinksTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const input: CreateTableCommandInput = {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'issueId', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byIssueId',
        KeySchema: [{ AttributeName: 'issueId', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // dynalite is started with createTableMs 0, so this is one round trip; the loop guards a slower engine.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`DynamoDB table ${tableName} did not become ACTIVE`);
}

/**
 * Creates a DLQ, then the source queue with a RedrivePolicy pointing at it, through the real SQS API.
 * The RedrivePolicy is written as CloudFormation/CDK writes it (`maxReceiveCount` a number).
 */
export async function createQueueWithDeadLetterQueue(client: SQSClient, spec: LocalQueueSpec): Promise<LocalQueue> {
  const deadLetterQueueName = spec.deadLetterQueueName ?? `${spec.name}-dlq`;
  const deadLetterQueueUrl = await createQueue(client, deadLetterQueueName, {});
  const deadLetterQueueArn = await queueArn(client, deadLetterQueueUrl);
  const url = await createQueue(client, spec.name, {
    VisibilityTimeout: String(spec.visibilityTimeoutSeconds ?? 30),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: spec.maxReceiveCount }),
  });
  return {
    name: spec.name,
    url,
    arn: await queueArn(client, url),
    deadLetterQueue: { name: deadLetterQueueName, url: deadLetterQueueUrl, arn: deadLetterQueueArn },
  };
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return QueueUrl;
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes returned no QueueArn for ${queueUrl}`);
  return arn;
}

type LevelFactory = new (path: string) => { open(): Promise<void>; close(): Promise<void> };

/**
 * Fails with a clear message when another process holds the directory's LevelDB lock (a second local stack on the
 * same data directory), instead of the uncaught "Database is closed" dynalite throws later. The lock is the OS's
 * own, so one left by a killed process is no obstacle.
 */
async function ensureDirectoryFree(directory: string): Promise<void> {
  mkdirSync(directory, { recursive: true });
  // dynalite's own LevelDB package, so the probe opens the store exactly as dynalite will.
  const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = requireFromDynalite('level') as { Level: LevelFactory };
  const probe = new Level(directory);
  try {
    await probe.open();
  } catch (error) {
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new Error(`Cannot open the local DynamoDB data in ${directory} (${cause}): is another local stack using it? Stop it, or give this one another data directory.`, { cause: error });
  }
  await probe.close();
}

interface RunningEngine {
  endpoint: string;
  stop(): Promise<void>;
}

type DynaliteFactory = (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

async function startDynalite(path: string | undefined): Promise<RunningEngine> {
  // dynalite is CommonJS without types; createRequire keeps that local instead of declaring a global module type.
  const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;
  // Without `path`, LevelDB in memory; with it, LevelDB in that directory (each write reaches the OS before DynamoDB's
  // answer, so a killed process loses nothing it acknowledged). Zero state delays: tables are ACTIVE at once.
  const server = dynalite({ ...(path === undefined ? {} : { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const { port } = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => closeHttpServer(server),
  };
}

async function startFauxqsOnLoopback(): Promise<RunningEngine> {
  // startFauxqs() always listens on 0.0.0.0; buildApp() is the same server (stores, routes, long-poll shutdown hook)
  // and lets us keep the emulator off the network.
  const app = buildApp({ logger: false, defaultRegion: LOCAL_REGION });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    endpoint: address,
    stop: async () => {
      await app.close();
    },
  };
}

/** Closes a node:http server without waiting for SDK keep-alive sockets to time out. */
function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
    // A request still in flight (a client not stopped first) must not hold the process open.
    setTimeout(() => server.closeAllConnections(), 1_000).unref();
  });
}
