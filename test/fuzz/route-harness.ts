/**
 * Both HTTP routes as deployed, on the real local engines: the Lambda handler modules (functions/*.ts) behind the
 * local HTTP API (API Gateway's stand-in), their SQS queues on fauxqs and the delivery log on dynalite, with no
 * worker consuming the queues, so every message a route enqueues can be counted and read back.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalEngines, type LocalEngines } from '../../infra/local/engines.ts';
import { startHttpApi, type LocalHttpApi } from '../../infra/local/http-server.ts';
import { DEFAULT_CONFIG_FILE, DEFAULT_SECRETS_FILE } from '../../infra/local/local-stack.ts';
import { parseQueueMessage, type QueueMessage } from '../../shared/domain/queue-message.ts';

export const EVENTS_QUEUE = 'fuzz-backtrace-events';
export const JIRA_QUEUE = 'fuzz-jira-changes';

const secrets = JSON.parse(readFileSync(DEFAULT_SECRETS_FILE, 'utf8')) as Record<string, string>;
const basic = JSON.parse(secrets['local/webhook-basic-auth']) as { username: string; password: string };
/** The local config's credentials and webhook secret: what Backtrace and Jira would hold. */
export const GOOD_BASIC = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
export const JIRA_WEBHOOK_SECRET = secrets['local/jira-webhook-secret'];
export const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;

export const hubSignature = (body: Uint8Array, secret = JIRA_WEBHOOK_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export interface RouteAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface RouteHarness {
  url: string;
  engines: LocalEngines;
  /** POSTs the exact bytes; rejects after `timeoutMs` (a hang is a failure, not a wait). */
  post(path: '/backtrace/events' | '/jira/webhook', body: Uint8Array | string, headers: Record<string, string>, timeoutMs?: number): Promise<RouteAnswer>;
  /** Receives and deletes every message on the queue, each read by the worker's own parser. */
  drain(queue: typeof EVENTS_QUEUE | typeof JIRA_QUEUE): Promise<{ parsed: QueueMessage[]; unreadable: string[] }>;
  stop(): Promise<void>;
}

let started = 0;

/** Starts the engines and the two routes' handlers (fresh module instances, as a cold start). */
export async function startRouteHarness(): Promise<RouteHarness> {
  const engines = await startLocalEngines({
    linksTableName: 'fuzz-links',
    queues: [
      { name: EVENTS_QUEUE, maxReceiveCount: 5 },
      { name: JIRA_QUEUE, maxReceiveCount: 5 },
    ],
    interceptLocalhostDns: true,
  });
  let api: LocalHttpApi | undefined;
  try {
    // The receivers never call Jira or Backtrace; the config only needs URLs of the right shape.
    const document = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as { integrations: Record<string, Record<string, unknown>>[] };
    for (const integration of document.integrations) {
      integration.jira.apiUrl = 'http://127.0.0.1:9/rest/api/2/';
      integration.backtrace.url = 'http://127.0.0.1:9';
    }
    Object.assign(process.env, engines.env, {
      BRIDGE_CONFIG: JSON.stringify(document),
      BRIDGE_SECRETS_FILE: DEFAULT_SECRETS_FILE,
      LINKS_TABLE_NAME: 'fuzz-links',
      EVENTS_QUEUE_URL: engines.sqs.queues[EVENTS_QUEUE].url,
      JIRA_CHANGES_QUEUE_URL: engines.sqs.queues[JIRA_QUEUE].url,
      POWERTOOLS_SERVICE_NAME: 'backtrace-jira-bridge',
      // Every refused delivery logs a warning; thousands would bury the report. Errors (a 5xx's reason) still print.
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    const instance = ++started;
    const load = async (path: string) => ((await import(/* @vite-ignore */ `${new URL(path, import.meta.url).href}?fuzz=${instance}`)) as { handler: never }).handler;
    api = await startHttpApi({
      routes: {
        'POST /backtrace/events': { handler: await load('../../functions/ingest-backtrace-events.ts'), functionName: 'ingest-backtrace-events' },
        'POST /jira/webhook': { handler: await load('../../functions/receive-jira-webhook.ts'), functionName: 'receive-jira-webhook' },
      },
      log: () => undefined,
    });
  } catch (error) {
    await engines.stop();
    throw error;
  }
  const sqs = new SQSClient(engines.clientConfig('sqs'));
  const url = api.url;

  return {
    url,
    engines,
    async post(path, body, headers, timeoutMs = 10_000) {
      const response = await fetch(`${url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body), signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { text };
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async drain(queue) {
      const queueUrl = engines.sqs.queues[queue].url;
      const parsed: QueueMessage[] = [];
      const unreadable: string[] = [];
      // Two empty receives in a row, a moment apart, mean the queue is empty (fauxqs keeps it in this process).
      for (let empty = 0; empty < 2; ) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (Messages.length === 0) {
          empty++;
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        empty = 0;
        for (const message of Messages) {
          const read = parseQueueMessage(message.Body ?? '');
          if (read.ok) parsed.push(read.message);
          else unreadable.push(read.problems.join('; '));
        }
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }));
      }
      return { parsed, unreadable };
    },
    async stop() {
      await api?.close();
      sqs.destroy();
      await engines.stop();
    },
  };
}

/** A Jira `jira:issue_updated` delivery body, as Jira Cloud sends it, fired at `timestamp`. */
export function jiraIssueUpdated(overrides: { timestamp?: unknown; summary?: unknown; key?: string; extra?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    timestamp: 'timestamp' in overrides ? overrides.timestamp : Date.now(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: { accountId: '5b10a2844c20165700ede21g', displayName: 'Ana Lima', active: true, accountType: 'atlassian' },
    issue: {
      id: '10021',
      key: overrides.key ?? 'CRASH-7',
      fields: {
        summary: overrides.summary ?? 'exception in my_app.exe',
        project: { id: '10000', key: 'CRASH', name: 'Crashes' },
        status: { id: '3', name: 'In Progress', statusCategory: { id: 4, key: 'indeterminate', name: 'In Progress' } },
        updated: new Date().toISOString().replace('Z', '+0000'),
      },
    },
    changelog: { id: '10400', items: [{ field: 'status', fieldtype: 'jira', from: '1', fromString: 'To Do', to: '3', toString: 'In Progress' }] },
    ...overrides.extra,
  };
}

/** Jira's headers for a signed delivery of `body`. */
export function jiraHeaders(body: Uint8Array, options: { signature?: string | null; deliveryId?: string | null } = {}): Record<string, string> {
  const signature = options.signature === undefined ? hubSignature(body) : options.signature;
  const deliveryId = options.deliveryId === undefined ? randomUUID() : options.deliveryId;
  return {
    'content-type': 'application/json; charset=utf-8',
    ...(signature === null ? {} : { 'x-hub-signature': signature }),
    ...(deliveryId === null ? {} : { 'x-atlassian-webhook-identifier': deliveryId }),
  };
}
