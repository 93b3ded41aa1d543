/**
 * The whole bridge on one machine: the same Lambda handlers behind a local HTTP API with the same routes, SQS on
 * fauxqs with a poller in place of Lambda's event source mapping, DynamoDB on dynalite, secrets from a file, and,
 * for integrations whose config gives no Jira or Backtrace URL, built-in sandboxes on 127.0.0.1.
 *
 * Handlers are imported after the environment is set, once per stack (module state is per cold start,
 * as in Lambda): run one stack at a time per process; a stack started after another stopped gets its own.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { backtraceSecretNames, ConfigError, parseConfig, jiraSecretNames, type BridgeConfig } from '../../shared/domain/config/index.ts';
import { GROUP_KIND, type QueueMessageInput } from '../../shared/domain/queue-message.ts';
import { SUBSCRIBED_WEBHOOK_EVENTS } from '../../shared/domain/jira/jira-webhook.ts';
import { LocalSecretSource } from '../../shared/adapters/secrets/local-secret-source.ts';
import { DynamoDbLinkStore } from '../../shared/adapters/dynamodb/link-store.ts';
import type { handler as IngestHandler } from '../../functions/ingest-backtrace-events.ts';
import type { handler as ReceiveHandler } from '../../functions/receive-jira-webhook.ts';
import { startLocalEngines, type LocalEngines } from './engines.ts';
import { startLocalEnginesInThread } from './engines-thread.ts';
import { startLambdaThreadPool } from './thread-pool.ts';
import { startHttpApi, type LocalHttpApi } from './http-server.ts';
import { startSqsPoller, type SqsLambdaHandler, type SqsPoller } from './sqs-poller.ts';
import { startDynamoDbThrottle, type DynamoDbThrottle, type DynamoDbThrottleOptions } from './dynamodb-throttle.ts';
import { startPollSchedule, type PollHandler, type PollSchedule } from './poll-schedule.ts';
import { polls, type PollReport } from '../../shared/app/poll-backtrace.ts';
import { startJiraFake, type JiraFake, type JiraFakeAuth, type JiraFakeOptions, type FakeProject } from './sandboxes/jira/jira-fake.ts';
import { startBacktraceFake, type BacktraceFake } from './sandboxes/backtrace/backtrace-fake.ts';

export const LINKS_TABLE_NAME = 'backtrace-jira-bridge-links';
/** Stacks started in this process, to give each its own handler module instances. */
let stacksStarted = 0;
export const EVENTS_QUEUE_NAME = 'backtrace-events';
export const JIRA_CHANGES_QUEUE_NAME = 'jira-changes';
/** The workers' function timeout, as the CDK stack sets it (infra/bridge-stack.ts); queues' visibility is six times it. */
const WORKER_TIMEOUT_SECONDS = 60;

export interface LocalStackOptions {
  /** Config file; default `infra/local/local.config.json` (sandboxes for everything). */
  configFile?: string;
  /** Secrets file (`{ "<secret name>": "<value>" }`); default `infra/local/local.secrets.json`. */
  secretsFile?: string;
  /** Port of the local HTTP API; default 0 (random). */
  port?: number;
  /** Validate the sandbox Jira's requests against the OpenAPI document (tests turn it on). */
  openApiValidation?: boolean;
  /** Dialect of the Jira sandbox: 'Cloud' (default: accountIds, hidden e-mails) or 'Server' (Data Center). */
  jiraDeployment?: 'Cloud' | 'Server';
  /** Users of the Jira sandbox beyond the integration accounts (see the fake's FakeUser). */
  jiraUsers?: JiraFakeOptions['users'];
  /** Projects of the Jira sandbox beyond the integrations' own (e.g. one to move issues to). */
  jiraProjects?: FakeProject[];
  /** Custom fields of the Jira sandbox (e.g. a version picker for `fixVersions.jiraField`). */
  jiraFields?: JiraFakeOptions['fields'];
  /**
   * Keep the DynamoDB data (links, sync bookkeeping, webhook delivery ids) on disk in `<dataDir>/dynamodb`, so a
   * stack started again on the same directory, even after a kill, keeps its links. `npm start` gives `.local/`;
   * default: in memory (tests and benches). Ignored, with a line saying why, while the stack runs a Jira sandbox:
   * the sandbox's issues are in memory, so links kept across a restart would name issues the next sandbox lacks.
   * Queued messages are never kept (fauxqs has no persistence): see the README for what repairs them.
   */
  dataDir?: string;
  /** Where progress lines go; default console.log. */
  log?: (line: string) => void;
  /**
   * Poll Backtrace on timers, every `backtrace.poll.intervalSeconds` of each integration (default true). Off, the
   * poller runs only through `pollNow()` and `settled()`: tests that count calls turn it off.
   */
  pollTimers?: boolean;
  /** Overrides every integration's `backtrace.poll.intervalSeconds` (tests use 1). */
  pollIntervalSeconds?: number;
  /** Concurrent invocations of each worker (the event source's maximum concurrency); default 2. The storm bench sizes it as the CDK stack does. */
  workerConcurrency?: number;
  /**
   * Run sync-to-jira's invocations in worker threads, one per execution environment (see `startSqsPoller`'s
   * `thread`): its own module state and cold start per thread, a second core for the workers, and
   * `poller.kill()` to end an environment mid-batch. Default false: the handler runs in this thread.
   */
  workerThreads?: boolean;
  /**
   * The workers' function timeout, default 60 s (the deployed one); each queue's visibility timeout stays six times
   * it, as AWS advises for Lambda SQS sources. Fault runs shorten it so a killed batch comes back sooner; keep
   * `settings.claimLeaseSeconds` above it (the CDK stack refuses a lease shorter than the timeout plus 60 s).
   */
  workerTimeoutSeconds?: number;
  /**
   * Both queues' visibility timeout; default six times `workerTimeoutSeconds`. Lambda requires it to be at least the
   * function timeout (a shorter one is refused here as CloudFormation refuses it); fault runs and their smoke test
   * shorten it so a killed batch comes back within the run.
   */
  queueVisibilityTimeoutSeconds?: number;
  /**
   * Throttle a share of the handlers' DynamoDB requests, answered as DynamoDB answers a throttle (see
   * dynamodb-throttle.ts); default none. The stack's own reads (`/local/links`) go to the engine directly.
   */
  dynamodbThrottle?: Omit<DynamoDbThrottleOptions, 'target'>;
  /**
   * Run dynalite and fauxqs in a worker thread of their own (engines-thread.ts) instead of this one; default false.
   * The storm bench turns it on: there every handler's DynamoDB and SQS request otherwise waits behind the HTTP API
   * and the handlers on one event loop.
   */
  enginesThread?: boolean;
  /**
   * Run the Backtrace ingest function (`POST /backtrace/events`) in this many execution environments, each a worker
   * thread (thread-pool.ts), instead of in this thread; default none (in this thread). The storm bench uses it: on
   * one event loop, every post's validation and SendMessage takes turns with the workers it feeds.
   */
  ingestThreads?: number;
  /**
   * The workers' batching window (the event source's MaximumBatchingWindowInSeconds, see `startSqsPoller`); default
   * 0, an invocation as soon as a message is there, for quick feedback. The storm bench uses the deployed
   * one (`BATCHING_WINDOW_SECONDS`, shared/domain/pacing/worker-concurrency.ts): without it a trickle of messages is one invocation each.
   */
  workerBatchingWindowSeconds?: number;
}

export interface LocalStack {
  /** Base URL of the local HTTP API (the API Gateway stand-in). */
  url: string;
  config: BridgeConfig;
  /** The sandboxes started for integrations without URLs. */
  jiraSandbox?: JiraFake;
  backtraceSandbox?: BacktraceFake;
  engines: LocalEngines;
  /** The throttling endpoint in front of DynamoDB, when `dynamodbThrottle` was given. */
  dynamodbThrottle?: DynamoDbThrottle;
  /** The sync-to-jira worker's poller (backtrace-events). */
  poller: SqsPoller;
  /** The sync-to-backtrace worker's poller (jira-changes). */
  jiraChangesPoller: SqsPoller;
  /** The Backtrace poller's schedule (what EventBridge does in AWS). */
  pollSchedule: PollSchedule;
  /** One poll cycle now, for every polling integration (or one), as the schedule would run it. */
  pollNow(integration?: string): Promise<PollReport[]>;
  /**
   * Resolves when everything is quiet at once: a poll cycle finds no change in Backtrace, both queues are empty, no
   * worker runs and the Jira sandbox has no webhook pending.
   */
  settled(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

const here = (path: string) => resolve(new URL('.', import.meta.url).pathname, path);
export const DEFAULT_CONFIG_FILE = here('local.config.json');
export const DEFAULT_SECRETS_FILE = here('local.secrets.json');

interface RawIntegration {
  name?: string;
  backtrace?: { url?: string; tokenSecret?: string; login?: { username?: string; passwordSecret?: string } };
  jira?: { apiUrl?: string; auth?: Record<string, string>; projectKey?: string; issueType?: string };
}

function readJson(path: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`(root): cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(path, [`(root): the ${what} is not valid JSON (${(error as Error).message})`]);
  }
}

/**
 * The sandbox must accept the credentials the config names, so the bridge authenticates as it would for real.
 * `oauth1` becomes the sandbox's application link: the config's consumer key and the public key of the stored private
 * key (`npx bridge oauth init`); an access token already stored (`npx bridge oauth authorize`) stays valid across
 * restarts, and until there is one the sandbox hands one out through its OAuth endpoints.
 */
async function sandboxJiraAuth(integrations: RawIntegration[], secrets: LocalSecretSource): Promise<{ auth: JiraFakeAuth; awaitingOAuth: Set<string> }> {
  const auth: Required<Pick<JiraFakeAuth, 'basic' | 'bearer'>> & JiraFakeAuth = { basic: [], bearer: [] };
  const awaitingOAuth = new Set<string>();
  for (const integration of integrations) {
    const configured = integration.jira?.auth ?? {};
    if (configured.type === 'api-token') auth.basic.push({ user: configured.email, secret: await secrets.get(configured.tokenSecret) });
    else if (configured.type === 'password') auth.basic.push({ user: configured.username, secret: await secrets.get(configured.passwordSecret) });
    else if (configured.type === 'pat') auth.bearer.push(await secrets.get(configured.tokenSecret));
    else if (configured.type === 'oauth1') {
      if (auth.oauth1 && auth.oauth1.consumerKey !== configured.consumerKey) {
        throw new ConfigError('local sandbox', [`integration "${integration.name}": the Jira sandbox has one application link; give every oauth1 integration the same jira.auth.consumerKey`]);
      }
      const publicKeyPem = await sandboxLinkPublicKey(integration, configured.privateKeySecret, secrets);
      const token = await secrets.get(configured.accessTokenSecret).then(storedAccessToken, () => undefined);
      if (token === undefined) awaitingOAuth.add(configured.accessTokenSecret);
      auth.oauth1 = { consumerKey: configured.consumerKey, publicKeyPem, accessTokens: [...(auth.oauth1?.accessTokens ?? []), ...(token ? [token] : [])] };
    } else {
      throw new ConfigError('local sandbox', [
        `integration "${integration.name}": the Jira sandbox accepts jira.auth types "api-token", "password", "pat" and "oauth1"; "${configured.type}" is not one of them`,
      ]);
    }
  }
  return { auth, awaitingOAuth };
}

async function sandboxLinkPublicKey(integration: RawIntegration, privateKeySecret: string, secrets: LocalSecretSource): Promise<string> {
  const problem = (why: string) =>
    new ConfigError('local sandbox', [`integration "${integration.name}": ${why}; run "npx bridge oauth init --integration ${integration.name}" first (it stores the key pair's private key)`]);
  const stored = await secrets.get(privateKeySecret).catch(() => {
    throw problem(`no private key in secret "${privateKeySecret}" (jira.auth.privateKeySecret)`);
  });
  try {
    const pem = stored.includes('\\n') && !stored.includes('\n') ? stored.replaceAll('\\n', '\n') : stored;
    return createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw problem(`secret "${privateKeySecret}" holds no RSA private key`);
  }
}

/** The access token secret as the adapter reads it: the bare token or JSON `{"token": "..."}`. */
function storedAccessToken(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return trimmed || undefined;
  try {
    const token = (JSON.parse(trimmed) as { token?: unknown }).token;
    return typeof token === 'string' && token !== '' ? token : undefined;
  } catch {
    return undefined;
  }
}

function sandboxProjects(integrations: RawIntegration[]): FakeProject[] {
  const projects = new Map<string, FakeProject>();
  integrations.forEach((integration, index) => {
    const key = integration.jira?.projectKey ?? 'CRASH';
    const project = projects.get(key) ?? { id: String(10000 + index), key, name: `${key} (sandbox)`, issueTypes: [{ id: '10004', name: 'Bug' }, { id: '10002', name: 'Task' }] };
    const issueType = integration.jira?.issueType;
    if (issueType && !project.issueTypes.some((type) => type.name === issueType)) {
      project.issueTypes.push({ id: String(10100 + project.issueTypes.length), name: issueType });
    }
    projects.set(key, project);
  });
  return [...projects.values()];
}

/** Start everything; resolves when the HTTP API answers and the worker polls. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const configFile = resolve(options.configFile ?? DEFAULT_CONFIG_FILE);
  const secretsFile = resolve(options.secretsFile ?? DEFAULT_SECRETS_FILE);
  const document = readJson(configFile, 'config file');
  const secrets = new LocalSecretSource({ file: secretsFile });
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopper of stoppers.reverse()) await stopper().catch(() => undefined);
    stoppers.length = 0;
  };

  try {
    const integrations = (Array.isArray(document.integrations) ? document.integrations : []) as RawIntegration[];
    const needJira = integrations.filter((integration) => integration.jira && !integration.jira.apiUrl);
    const needBacktrace = integrations.filter((integration) => integration.backtrace && !integration.backtrace.url);
    // Validate first, with stand-in URLs for the sandboxes-to-be, so a config mistake is reported with its JSON path
    // before anything starts or any secret is read.
    const probe = structuredClone(document) as { integrations?: RawIntegration[] };
    for (const integration of probe.integrations ?? []) {
      if (integration.jira && !integration.jira.apiUrl) integration.jira.apiUrl = 'http://127.0.0.1/rest/api/2/';
      if (integration.backtrace && !integration.backtrace.url) integration.backtrace.url = 'http://127.0.0.1';
    }
    parseConfig(probe, configFile);

    let jiraSandbox: JiraFake | undefined;
    let awaitingOAuth = new Set<string>();
    if (needJira.length > 0) {
      const sandboxAuth = await sandboxJiraAuth(needJira, secrets);
      awaitingOAuth = sandboxAuth.awaitingOAuth;
      jiraSandbox = await startJiraFake({
        deployment: options.jiraDeployment ?? 'Cloud',
        auth: sandboxAuth.auth,
        ...(options.jiraUsers ? { users: options.jiraUsers } : {}),
        ...(options.jiraFields ? { fields: options.jiraFields } : {}),
        projects: [...sandboxProjects(needJira), ...(options.jiraProjects ?? [])],
        openApiValidation: options.openApiValidation ?? false,
      });
      stoppers.push(() => jiraSandbox!.close());
      for (const integration of needJira) integration.jira!.apiUrl = jiraSandbox.apiUrl;
    }
    let backtraceSandbox: BacktraceFake | undefined;
    if (needBacktrace.length > 0) {
      // The sandbox accepts the credentials the config names: API tokens, and service users who log in.
      const tokens = await Promise.all(needBacktrace.filter((integration) => integration.backtrace?.tokenSecret).map((integration) => secrets.get(integration.backtrace!.tokenSecret!)));
      const users = await Promise.all(
        needBacktrace
          .filter((integration) => integration.backtrace?.login?.username && integration.backtrace.login.passwordSecret)
          .map(async (integration) => ({ username: integration.backtrace!.login!.username!, password: await secrets.get(integration.backtrace!.login!.passwordSecret!) })),
      );
      backtraceSandbox = await startBacktraceFake({ tokens, users });
      stoppers.push(() => backtraceSandbox!.close());
      for (const integration of needBacktrace) integration.backtrace!.url = backtraceSandbox.url;
    }

    const config = parseConfig(document, configFile);
    // Fail now, with the secret's name, rather than at the first event; except a sandbox OAuth access token, which
    // `oauth authorize` gets from the running sandbox.
    for (const integration of config.integrations) {
      for (const name of [integration.ingest.basicAuthSecret, ...backtraceSecretNames(integration.backtrace), ...jiraSecretNames(integration.jira.auth)]) {
        if (!awaitingOAuth.has(name)) await secrets.get(name);
      }
    }

    const dynamodbDir = options.dataDir !== undefined && !jiraSandbox ? resolve(options.dataDir, 'dynamodb') : undefined;
    if (options.dataDir !== undefined && jiraSandbox) {
      log(`  DynamoDB kept in memory, not in ${options.dataDir}: the Jira sandbox's issues are in memory too, and links kept across a restart would name issues the next sandbox does not have`);
    }
    const workerTimeoutSeconds = options.workerTimeoutSeconds ?? WORKER_TIMEOUT_SECONDS;
    const visibilityTimeoutSeconds = options.queueVisibilityTimeoutSeconds ?? workerTimeoutSeconds * 6;
    if (!(visibilityTimeoutSeconds >= workerTimeoutSeconds)) {
      throw new RangeError(`queueVisibilityTimeoutSeconds (${visibilityTimeoutSeconds}) must be at least workerTimeoutSeconds (${workerTimeoutSeconds}): Lambda refuses an SQS event source whose visibility timeout is shorter than the function timeout`);
    }
    const engines = await (options.enginesThread ? startLocalEnginesInThread : startLocalEngines)({
      linksTableName: LINKS_TABLE_NAME,
      ...(dynamodbDir === undefined ? {} : { dynamodbDir }),
      queues: [
        { name: EVENTS_QUEUE_NAME, maxReceiveCount: config.settings.maxReceiveCount, visibilityTimeoutSeconds },
        { name: JIRA_CHANGES_QUEUE_NAME, maxReceiveCount: config.settings.maxReceiveCount, visibilityTimeoutSeconds },
      ],
      interceptLocalhostDns: true,
    });
    stoppers.push(() => engines.stop());
    const dynamodbThrottle = options.dynamodbThrottle ? await startDynamoDbThrottle({ ...options.dynamodbThrottle, target: engines.dynamodb.endpoint }) : undefined;
    if (dynamodbThrottle) stoppers.push(() => dynamodbThrottle.stop());
    const queue = engines.sqs.queues[EVENTS_QUEUE_NAME];
    const jiraChanges = engines.sqs.queues[JIRA_CHANGES_QUEUE_NAME];

    Object.assign(process.env, engines.env, dynamodbThrottle ? { AWS_ENDPOINT_URL_DYNAMODB: dynamodbThrottle.endpoint } : {}, {
      BRIDGE_CONFIG: JSON.stringify(document),
      BRIDGE_SECRETS_FILE: secretsFile,
      LINKS_TABLE_NAME,
      EVENTS_QUEUE_URL: queue.url,
      JIRA_CHANGES_QUEUE_URL: jiraChanges.url,
      POWERTOOLS_SERVICE_NAME: 'backtrace-jira-bridge',
    });
    // A fresh module instance per stack (module state is per cold start, as in Lambda), so a stack started after
    // another one stopped (a restart) composes its handlers from its own environment.
    const instance = ++stacksStarted;
    const load = <T>(path: string): Promise<T> => import(/* @vite-ignore */ `${new URL(path, import.meta.url).href}?stack=${instance}`) as Promise<T>;
    const ingestPool = options.ingestThreads
      ? await startLambdaThreadPool({ moduleUrl: new URL('../../functions/ingest-backtrace-events.ts', import.meta.url).href, interceptLocalhostDns: true }, 'ingest-backtrace-events', engines.region, options.ingestThreads)
      : undefined;
    if (ingestPool) stoppers.push(() => ingestPool.stop());
    const ingest = ingestPool ? (ingestPool.handler as typeof IngestHandler) : (await load<{ handler: typeof IngestHandler }>('../../functions/ingest-backtrace-events.ts')).handler;
    // middy's types see the Promise.allSettled results; the partial-batch-failure middleware turns them into an SQSBatchResponse.
    const worker = options.workerThreads ? undefined : ((await load<{ handler: unknown }>('../../functions/sync-to-jira.ts')).handler as SqsLambdaHandler);
    const receiveJiraWebhook = (await load<{ handler: typeof ReceiveHandler }>('../../functions/receive-jira-webhook.ts')).handler;
    const syncToBacktrace = (await load<{ handler: unknown }>('../../functions/sync-to-backtrace.ts')).handler as SqsLambdaHandler;
    const pollBacktrace = (await load<{ handler: unknown }>('../../functions/poll-backtrace.ts')).handler as PollHandler;

    const sqs = new SQSClient(engines.clientConfig('sqs'));
    const links = new DynamoDbLinkStore({ client: new DynamoDBClient(engines.clientConfig('dynamodb')), tableName: LINKS_TABLE_NAME });
    const json = (statusCode: number, body: unknown) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const api: LocalHttpApi = await startHttpApi({
      port: options.port ?? 0,
      routes: {
        'POST /backtrace/events': { handler: ingest, functionName: 'ingest-backtrace-events' },
        'POST /jira/webhook': { handler: receiveJiraWebhook, functionName: 'receive-jira-webhook' },
        // What the EventBridge rule does in AWS: its input transformer wraps the event's detail as a group message.
        'POST /local/eventbridge': async (event) => {
          const message: QueueMessageInput = { kind: GROUP_KIND, group: JSON.parse(event.body ?? '{}') as unknown, receivedAt: new Date().toISOString() };
          await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(message) }));
          return json(202, { enqueued: true });
        },
        // Local-only view of the DynamoDB link (there is no console here).
        'GET /local/links/{integration}/{fingerprint}': async (event) => {
          const link = await links.get(event.pathParameters?.integration ?? '', event.pathParameters?.fingerprint ?? '');
          return link ? json(200, link) : json(404, { message: 'no link (yet)' });
        },
      },
    });
    stoppers.push(() => api.close());
    const poller = await startSqsPoller({
      sqs,
      queueUrl: queue.url,
      ...(worker ? { handler: worker } : { thread: { moduleUrl: new URL('../../functions/sync-to-jira.ts', import.meta.url).href, interceptLocalhostDns: true } }),
      functionName: 'sync-to-jira',
      batchSize: 10,
      concurrency: options.workerConcurrency ?? 2,
      timeoutSeconds: workerTimeoutSeconds,
      ...(options.workerBatchingWindowSeconds === undefined ? {} : { maxBatchingWindowSeconds: options.workerBatchingWindowSeconds }),
    });
    stoppers.push(() => poller.stop());
    const jiraChangesPoller = await startSqsPoller({
      sqs,
      queueUrl: jiraChanges.url,
      handler: syncToBacktrace,
      functionName: 'sync-to-backtrace',
      batchSize: 10,
      concurrency: options.workerConcurrency ?? 2,
      timeoutSeconds: workerTimeoutSeconds,
      ...(options.workerBatchingWindowSeconds === undefined ? {} : { maxBatchingWindowSeconds: options.workerBatchingWindowSeconds }),
    });
    stoppers.push(() => jiraChangesPoller.stop());

    // The Jira sandbox announces its changes to the bridge, as a Jira admin webhook would.
    // One webhook per distinct secret, as an admin would register one per integration that syncs back.
    const hooks = new Map<string, { url: string; secret?: string }>();
    for (const integration of config.integrations) {
      if (!jiraSandbox || !integration.jiraWebhook || !needJira.some((raw) => raw.name === integration.name)) continue;
      const secret = await secrets.get(integration.jiraWebhook.secret);
      const hook = integration.jiraWebhook.verification === 'query-token' ? { url: `${api.url}/jira/webhook?token=${encodeURIComponent(secret)}` } : { url: `${api.url}/jira/webhook`, secret };
      hooks.set(JSON.stringify(hook), hook);
    }
    // The events `webhook register` asks for: no creations (each would only be dropped).
    for (const hook of hooks.values()) jiraSandbox!.addWebhook({ ...hook, events: [...SUBSCRIBED_WEBHOOK_EVENTS] });
    // Backtrace announces no fingerprint change (reference sections 3.7 and 5): the poller reads them with
    // POST /api/query, on the schedule EventBridge keeps in AWS.
    const pollSchedule = startPollSchedule({
      handler: pollBacktrace,
      integrations: config.integrations.filter(polls).map((integration) => ({ name: integration.name, intervalMs: (options.pollIntervalSeconds ?? integration.backtrace.poll.intervalSeconds) * 1000 })),
      timers: options.pollTimers ?? true,
    });
    stoppers.push(() => pollSchedule.stop());
    const pollNow = (integration?: string) => pollSchedule.runNow(integration);
    const settled = async ({ timeoutMs = 60_000 } = {}) => {
      // Quiet means every part is idle at once: a poll can queue a change, a worker's write can start a webhook, a
      // webhook a worker.
      const deadline = Date.now() + timeoutMs;
      for (let quietRounds = 0; quietRounds < 2; ) {
        const before = JSON.stringify([poller.stats(), jiraChangesPoller.stats(), jiraSandbox?.webhookDeliveries.length]);
        const left = Math.max(1, deadline - Date.now());
        const reports = await pollSchedule.runNow().catch(() => []);
        await Promise.all([poller.idle({ timeoutMs: left }), jiraChangesPoller.idle({ timeoutMs: left }), jiraSandbox?.webhooksIdle()]);
        const after = JSON.stringify([poller.stats(), jiraChangesPoller.stats(), jiraSandbox?.webhookDeliveries.length]);
        const changes = reports.reduce((sum, report) => sum + report.changes + report.repairs, 0);
        quietRounds = before === after && changes === 0 ? quietRounds + 1 : 0;
        if (Date.now() > deadline) throw new Error(`local stack not settled after ${timeoutMs} ms`);
      }
    };

    log(`Backtrace -> Jira bridge running locally (config ${configFile})`);
    log(`  Backtrace webhook URL: ${api.url}/backtrace/events`);
    log(`  Jira webhook URL:      ${api.url}/jira/webhook`);
    if (jiraSandbox) log(`  Jira sandbox:          ${jiraSandbox.url} (REST ${jiraSandbox.apiUrl})`);
    for (const name of awaitingOAuth) log(`  OAuth:                 no access token in "${name}" yet: run "npx bridge oauth authorize" against the sandbox`);
    if (backtraceSandbox) log(`  Backtrace sandbox:     ${backtraceSandbox.url}`);
    log(`  DynamoDB (dynalite):   ${engines.dynamodb.endpoint} (${dynamodbDir ? `data in ${dynamodbDir}` : 'in memory'}), SQS (fauxqs): ${engines.sqs.endpoint} (in memory)`);
    for (const integration of config.integrations.filter(polls)) {
      log(`  Backtrace poll:        ${integration.name} every ${options.pollIntervalSeconds ?? integration.backtrace.poll.intervalSeconds} s`);
    }
    log(`  engines ready in ${Math.round(engines.startupMs)} ms`);
    return { url: api.url, config, jiraSandbox, backtraceSandbox, engines, ...(dynamodbThrottle ? { dynamodbThrottle } : {}), poller, jiraChangesPoller, pollSchedule, pollNow, settled, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
