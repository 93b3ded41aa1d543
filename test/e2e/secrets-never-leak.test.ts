/**
 * Every flow on the local stack with known, distinctive secret values: a group becomes an issue, Jira -> Backtrace
 * and Backtrace -> Jira sync, refused logins and signatures, Jira and Backtrace refusing the bridge's credentials,
 * a message in the DLQ. Then no secret may appear, plain, base64, URL-encoded or JSON-escaped, in any log line (the
 * stack's log, and every Powertools line on stdout/stderr, at DEBUG), any HTTP answer, or any DLQ body.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENTS_QUEUE_NAME, JIRA_CHANGES_QUEUE_NAME, startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import { hubSignature } from './support/jira-webhook-delivery.ts';
import { localIntegration, writeStackFiles, type StackFiles } from './support/stack-files.ts';

const UNIVERSE = 'my_universe';
const PROJECT = 'my_project';
// Characters that differ in every encoding checked: / + = & " \ (URL-encoding, base64, JSON escapes).
const HOOK_USER = 'hook-user-Q7/+=&"\\';
const HOOK_PASSWORD = 'hook-pass-Z3/+=&"\\w';
const JIRA_TOKEN = 'jira-token-K9/+=&"\\x';
const BACKTRACE_TOKEN = 'bt-token-M2/+=&"\\y';
const WEBHOOK_SECRET = 'hook-secret-P5/+=&"\\z';
const JIRA_EMAIL = 'bot@example.com';

/** Each secret in every form it could leak in, including inside the Basic headers built from it. */
function leakForms(): Map<string, string> {
  const forms = new Map<string, string>();
  const add = (name: string, value: string) => {
    forms.set(`${name} (plain)`, value);
    forms.set(`${name} (base64)`, Buffer.from(value).toString('base64'));
    forms.set(`${name} (URL-encoded)`, encodeURIComponent(value));
    forms.set(`${name} (JSON-escaped)`, JSON.stringify(value).slice(1, -1));
  };
  add('ingest password', HOOK_PASSWORD);
  add('ingest username', HOOK_USER);
  add('Jira API token', JIRA_TOKEN);
  add('Backtrace API token', BACKTRACE_TOKEN);
  add('Jira webhook secret', WEBHOOK_SECRET);
  add('ingest Basic pair', `${HOOK_USER}:${HOOK_PASSWORD}`);
  add('Jira Basic pair', `${JIRA_EMAIL}:${JIRA_TOKEN}`);
  return forms;
}

const captured: string[] = [];
const answers: string[] = [];
let files: StackFiles;
let stack: LocalStack;
let sqs: SQSClient;

function captureOutput(): void {
  const record = (chunk: unknown) => captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
  // Recorded, not printed: at DEBUG the handlers write thousands of lines.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
      record(chunk);
      return true;
    }) as typeof stream.write);
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => record(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')));
  }
}

async function post(path: string, body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  answers.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`);
  return response.status;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const group = (fingerprint: string) => JSON.stringify({ ...sample, fingerprint });

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function deadLetterBodies(): Promise<string[]> {
  const bodies: string[] = [];
  for (const name of [EVENTS_QUEUE_NAME, JIRA_CHANGES_QUEUE_NAME]) {
    const output = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.engines.sqs.queues[name]!.deadLetterQueue.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    bodies.push(...(output.Messages ?? []).map((message) => message.Body ?? ''));
  }
  return bodies;
}

beforeAll(async () => {
  const integration = localIntegration();
  files = writeStackFiles({
    integrations: [{ ...integration, jira: { ...integration.jira, auth: { ...integration.jira.auth, email: JIRA_EMAIL } } }],
    extraSecrets: {
      'local/webhook-basic-auth': JSON.stringify({ username: HOOK_USER, password: HOOK_PASSWORD }),
      'local/jira-api-token': JIRA_TOKEN,
      'local/backtrace-api-token': BACKTRACE_TOKEN,
      'local/jira-webhook-secret': WEBHOOK_SECRET,
    },
  });
  // One attempt, then the DLQ.
  const config = JSON.parse(readFileSync(files.configFile, 'utf8')) as { settings: Record<string, unknown> };
  writeFileSync(files.configFile, JSON.stringify({ ...config, settings: { ...config.settings, maxReceiveCount: 1 } }, null, 2));
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  captureOutput();
  stack = await startLocalStack({ configFile: files.configFile, secretsFile: files.secretsFile, log: (line) => captured.push(line), pollTimers: false });
  sqs = new SQSClient(stack.engines.clientConfig('sqs'));
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
  files?.remove();
  vi.restoreAllMocks();
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
});

describe('Secrets never leak: every flow, then every log line, answer and DLQ body searched', () => {
  it('runs create, sync both ways, refusals and a DLQ send, and no secret appears in any form', { timeout: 150_000 }, async () => {
    const jira = stack.jiraSandbox!;
    const backtrace = stack.backtraceSandbox!;
    const ingest = { authorization: basic(HOOK_USER, HOOK_PASSWORD) };

    // Create: a group becomes an issue.
    const fingerprint = randomBytes(32).toString('hex');
    expect(await post('/backtrace/events', group(fingerprint), ingest)).toBe(202);
    await stack.settled();
    const issue = await eventually('the issue', () => jira.issues.find((candidate) => String(candidate.fields.description).includes(fingerprint)), 30_000);

    // Jira -> Backtrace: a person resolves the issue; the signed webhook resolves the fingerprint.
    jira.actAs('Ana Lima').transition(issue.key, 'Done');
    await stack.settled();
    expect(backtrace.getIssue(UNIVERSE, PROJECT, fingerprint)?.state).toBe('resolved');

    // Backtrace -> Jira: a person reopens the fingerprint; the poller moves the issue back.
    backtrace.actAs({ id: 7, username: 'ana', email: 'ana@example.com' }).setState(UNIVERSE, PROJECT, fingerprint, 'open');
    await stack.settled();
    expect(jira.findIssue(issue.key)?.status.category).toBe('new');

    // Refusals: a caller who typed the password as the username, a wrong password, a bad signature, a wrong token.
    expect(await post('/backtrace/events', group(fingerprint), { authorization: basic(HOOK_PASSWORD, 'wrong') })).toBe(401);
    expect(await post('/backtrace/events', group(fingerprint), { authorization: basic(HOOK_USER, `${HOOK_PASSWORD}x`) })).toBe(401);
    const change = JSON.stringify({ timestamp: Date.now(), webhookEvent: 'jira:issue_updated', issue: { id: issue.id, key: issue.key, fields: {} } });
    expect(await post('/jira/webhook', change, { 'x-hub-signature': hubSignature(change, `${WEBHOOK_SECRET}x`) })).toBe(401);
    expect(await post(`/jira/webhook?token=${encodeURIComponent(WEBHOOK_SECRET)}`, change, {})).toBe(401);

    // Failures: Backtrace refuses the bridge's token on a poll; Jira refuses its credentials on a create, and the
    // group goes to the DLQ after its one attempt.
    backtrace.failNext({ status: 401, times: 2 });
    await stack.pollNow().catch(() => undefined);
    jira.failNext({ method: 'POST', path: /\/rest\/api\/2\/issue$/, status: 401, times: 10 });
    const refused = randomBytes(32).toString('hex');
    expect(await post('/backtrace/events', group(refused), ingest)).toBe(202);
    const dead = await eventually('the refused group in the DLQ', async () => {
      const bodies = await deadLetterBodies();
      return bodies.some((body) => body.includes(refused)) ? bodies : undefined;
    }, 75_000);

    // Assess: the flows happened (the search below covers something), and no secret appears anywhere.
    const output = captured.join('\n');
    for (const line of [
      'Created Jira issue',
      'Synced CRASH-1 and its fingerprint',
      'Refused a Backtrace event: credentials match no integration',
      "Refused a Jira webhook delivery: not signed by any integration's jiraWebhook.secret",
      'Backtrace rejected the API token',
      'Refused for good; the message goes to the DLQ after its last attempt',
    ]) {
      expect(output).toContain(line);
    }
    expect(dead.length).toBeGreaterThan(0);
    const haystacks: [string, string[]][] = [
      ['log output', captured],
      ['HTTP answers', answers],
      ['DLQ bodies', dead],
    ];
    const leaks: string[] = [];
    for (const [form, value] of leakForms()) {
      for (const [where, lines] of haystacks) {
        const line = lines.find((candidate) => candidate.includes(value));
        if (line) leaks.push(`${form} in ${where}: ${line.slice(0, 200)}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
