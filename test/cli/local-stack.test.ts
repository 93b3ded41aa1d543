/**
 * `bridge preview`, `links` and `dlq` against a running local stack (the code of `npm start`: the real handlers,
 * dynalite, fauxqs and the sandboxes), found through the state file `npm start` writes, as an admin's shell would.
 * One local stack per file: the handler modules keep per-cold-start state, as in Lambda.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_QUEUE_NAME, startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import { localStateOf } from '../../infra/local/local-state.ts';
import { dedupeLabel } from '../../shared/domain/dedupe-label.ts';
import { localIntegration, writeStackFiles, type StackFiles } from '../e2e/support/stack-files.ts';
import { runBridge, tempFiles } from './support/run-bridge.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, any>;
const temp = tempFiles();
let files: StackFiles;
let stack: LocalStack;
let env: Record<string, string>;

const newGroup = (changes: Record<string, unknown> = {}) => ({ ...structuredClone(sample), fingerprint: randomBytes(32).toString('hex'), ...changes });
const bridge = (...args: string[]) => runBridge(args, env);

async function postGroup(group: unknown): Promise<number> {
  const { username, password } = JSON.parse(files.secrets['local/webhook-basic-auth']!) as { username: string; password: string };
  const response = await fetch(`${stack.url}/backtrace/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    body: JSON.stringify(group),
  });
  await response.text();
  return response.status;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const issuesWithLabel = (group: { fingerprint: string }) => {
  const label = dedupeLabel('bt-{hash}', { universe: 'my_universe', project: 'my_project', fingerprint: group.fingerprint });
  return stack.jiraSandbox!.issues.filter((issue) => issue.labels.includes(label));
};

beforeAll(async () => {
  files = writeStackFiles({ integrations: [localIntegration()] });
  // One delivery, then the DLQ: what is under test is the replay, not the number of retries.
  const config = JSON.parse(readFileSync(files.configFile, 'utf8')) as { settings: Record<string, unknown> };
  writeFileSync(files.configFile, JSON.stringify({ ...config, settings: { ...config.settings, maxReceiveCount: 1 } }, null, 2));
  stack = await startLocalStack({ configFile: files.configFile, secretsFile: files.secretsFile, openApiValidation: true, log: () => undefined, pollTimers: false });
  const stateFile = temp.write('state.json', localStateOf(stack, files.configFile, files.secretsFile));
  env = { BRIDGE_LOCAL_STATE: stateFile };
});

afterAll(async () => {
  await stack?.stop();
  files?.remove();
  temp.remove();
});

describe('Command: preview', () => {
  it('prints the exact request the worker then sends, and sends nothing itself', async () => {
    // Prepare
    const group = newGroup();
    const event = temp.write('event.json', group);
    const jira = stack.jiraSandbox!;
    const before = jira.requests.length;

    // Act
    const run = await bridge('--json', 'preview', '--event', event);
    const duringPreview = jira.requests.slice(before);
    expect(await postGroup(group)).toBe(202);
    await stack.poller.idle({ timeoutMs: 30_000 });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const [preview] = run.json().previews;
    expect(preview).toMatchObject({ integration: 'local-jira', outcome: 'create', request: { method: 'POST', url: `${jira.apiUrl}issue` } });
    // Only the builder's reads, made by the CLI's own client.
    expect(duringPreview.map((request) => `${request.method} ${request.path}`).sort()).toEqual(['GET /rest/api/2/field', 'GET /rest/api/2/serverInfo']);
    const sent = jira.requests.filter((request) => request.method === 'POST' && request.path === '/rest/api/2/issue').at(-1);
    expect(sent?.body).toEqual(preview.request.body);
    expect(issuesWithLabel(group)).toHaveLength(1);
    expect(jira.validationErrors).toEqual([]);
  });

  it('names the rule that filters a group', async () => {
    // Prepare
    const event = temp.write('devel.json', newGroup({ attributes: { environment: [['devel', 3]] } }));

    // Act
    const run = await bridge('preview', '--event', event);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('integration local-jira: no issue: filtered by rules[0] (rule 0 (filter "environment" =~ "^devel$") is the last rule that matched: filtered out)\n');
  });
});

describe('Command: links', () => {
  it('shows the fingerprint, the issue, each side as last synced and when', async () => {
    // Prepare
    const group = newGroup();
    expect(await postGroup(group)).toBe(202);
    await stack.settled({ timeoutMs: 30_000 });
    const [issue] = issuesWithLabel(group);

    // Act
    const byFingerprint = await bridge('--json', 'links', '--fingerprint', group.fingerprint);
    const byIssue = await bridge('links', '--issue', issue!.key);
    const missing = await bridge('links', '--fingerprint', 'f'.repeat(64));

    // Assess
    expect(byFingerprint.code).toBe(0);
    expect(byFingerprint.json()).toEqual({
      where: 'local stack',
      links: [{
        integration: 'local-jira',
        fingerprint: group.fingerprint,
        issueKey: issue!.key,
        status: 'linked',
        // Backtrace's own in-progress: a fingerprint with a linked ticket and nobody assigned.
        backtraceState: 'in-progress',
        jiraStatus: expect.any(String),
        lastSyncAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        issueUrl: `${stack.jiraSandbox!.url}/browse/${issue!.key}`,
      }],
    });
    expect(byIssue.code).toBe(0);
    expect(byIssue.stdout.split('\n')[0]).toMatch(/^INTEGRATION +FINGERPRINT +ISSUE +BACKTRACE +JIRA +LAST SYNC$/);
    expect(byIssue.stdout).toContain(`local-jira   ${group.fingerprint}  ${issue!.key}`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`No link for fingerprint ${'f'.repeat(64)} in the local stack.\n`);
  });
});

describe('Command: dlq', () => {
  it('lists a dead letter, replays it once the fault is gone, and a second replay makes no second issue', { timeout: 150_000 }, async () => {
    // Prepare: Jira refuses the create for good (a 429 would not do: a rate-limited message waits on its queue as a
    // delayed copy without spending a receive), which (maxReceiveCount 1) puts the message in the DLQ.
    const group = newGroup();
    stack.jiraSandbox!.failNext({ method: 'POST', path: /\/rest\/api\/2\/issue$/, status: 400, body: { errorMessages: [], errors: { customfield_10010: 'Severity is required.' } } });
    expect(await postGroup(group)).toBe(202);
    // A refused message comes back after 30 s (redelivery.ts), when SQS moves it to the DLQ.
    const letter = await eventually('the dead letter', async () => {
      const run = await bridge('--json', 'dlq', 'list');
      return (run.json().messages as Record<string, any>[]).find((message) => message.fingerprint === group.fingerprint);
    }, 60_000);
    expect(issuesWithLabel(group)).toHaveLength(0);

    // Act
    const listed = await bridge('dlq', 'list', '--queue', EVENTS_QUEUE_NAME);
    const replay = await bridge('dlq', 'replay', '--id', letter.id);
    await stack.settled({ timeoutMs: 30_000 });
    const afterReplay = issuesWithLabel(group).length;
    // The same message again (SQS delivers at least once; an admin may replay twice).
    const sqs = new SQSClient(stack.engines.clientConfig('sqs'));
    const queue = stack.engines.sqs.queues[EVENTS_QUEUE_NAME]!;
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.deadLetterQueue.url, MessageBody: JSON.stringify({ kind: 'backtrace.group', integrations: ['local-jira'], group }) }));
    const again = await bridge('--json', 'dlq', 'replay', '--all');
    await stack.settled({ timeoutMs: 30_000 });
    const emptied = await bridge('--json', 'dlq', 'list');

    // Assess
    expect(letter).toMatchObject({ queue: EVENTS_QUEUE_NAME, kind: 'backtrace.group', integrations: ['local-jira'], issueKey: null, age: expect.stringMatching(/^\d+s$/) });
    // One delivery to the worker, one move by SQS, plus this command's own receives.
    expect(letter.receiveCount).toBeGreaterThanOrEqual(2);
    expect(Object.keys(letter).sort()).toEqual(['age', 'failedAt', 'fingerprint', 'id', 'integrations', 'issueKey', 'kind', 'queue', 'reason', 'receiveCount', 'sentAt']);
    expect(letter.reason).toMatch(/HTTP 400/);
    expect(letter.reason).toContain('Severity is required.');
    expect(listed.stdout).toContain(letter.id);
    expect(listed.stdout).toContain(group.fingerprint);
    expect(listed.stdout).toContain(`${letter.id}: ${letter.reason}`);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toBe(`replayed ${letter.id} to ${EVENTS_QUEUE_NAME}\n`);
    expect(afterReplay).toBe(1);
    expect(again.code).toBe(0);
    expect(again.json().replayed).toHaveLength(1);
    expect(issuesWithLabel(group)).toHaveLength(1);
    expect(emptied.json().messages).toEqual([]);
  });
});
