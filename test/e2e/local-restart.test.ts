/**
 * A durable local stack: `npm start` keeps DynamoDB on disk (`dataDir`), so a stack killed with SIGKILL and started
 * again on the same directory still knows its links, and the next delivery of a linked group makes no second Jira
 * issue (and, since the link says it all, no Jira or Backtrace call at all: without the link, the recovery path
 * would read the fingerprint's ticket and the issue it names).
 *
 * The stack runs in a child process (as `npm start` does) so that it can really be killed. Jira and Backtrace are
 * sandboxes started by the test, configured by URL, so they outlive the stack as a real Jira would.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../infra/local/local-stack.ts';
import { startJiraFake, type JiraFake } from '../../infra/local/sandboxes/jira/jira-fake.ts';
import { startBacktraceFake, type BacktraceFake } from '../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { localIntegration, localSecrets, writeStackFiles, type StackFiles } from './support/stack-files.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const secrets = localSecrets();
const webhookCredentials = JSON.parse(secrets['local/webhook-basic-auth']!) as { username: string; password: string };
const authorization = `Basic ${Buffer.from(`${webhookCredentials.username}:${webhookCredentials.password}`).toString('base64')}`;
const JIRA_EMAIL = 'bot@example.com';

/** A local stack in its own process: its URL, a way to wait for quiet, and SIGKILL. */
interface StackProcess {
  url: string;
  settled(): Promise<void>;
  kill(): Promise<void>;
}

async function startStackProcess(files: StackFiles, dataDir: string): Promise<StackProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', new URL('./support/stack-process.ts', import.meta.url).pathname], {
    env: { ...process.env, BRIDGE_CONFIG_FILE: files.configFile, BRIDGE_SECRETS_FILE: files.secretsFile, BRIDGE_DATA_DIR: dataDir },
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: Interface = createInterface({ input: child.stdout });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const nextMessage = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onLine = (line: string) => {
        if (!line.startsWith('{')) return;
        lines.off('line', onLine);
        resolve(JSON.parse(line) as Record<string, unknown>);
      };
      lines.on('line', onLine);
      void exited.then(() => reject(new Error(`the stack process exited: ${stderr.slice(-2_000)}`)));
    });
  const { url } = (await nextMessage()) as { url: string };
  return {
    url,
    settled: async () => {
      const answer = nextMessage();
      child.stdin.write('settled\n');
      const message = await answer;
      if (message.error) throw new Error(String(message.error));
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function postGroup(stack: StackProcess, fingerprint: string): Promise<number> {
  const response = await fetch(`${stack.url}/backtrace/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ ...sample, fingerprint }),
  });
  await response.text();
  return response.status;
}

let jira: JiraFake;
let backtrace: BacktraceFake;
let files: StackFiles;
let dataDir: string;
let running: StackProcess | undefined;

beforeAll(async () => {
  jira = await startJiraFake({ deployment: 'Cloud', auth: { basic: [{ user: JIRA_EMAIL, secret: secrets['local/jira-api-token']! }] } });
  backtrace = await startBacktraceFake({ tokens: [secrets['local/backtrace-api-token']!] });
  const integration: Record<string, any> = localIntegration();
  integration.jira = { ...integration.jira, apiUrl: jira.apiUrl };
  integration.backtrace = { ...integration.backtrace, url: backtrace.url };
  integration.sync = { mode: 'none' };
  delete integration.jiraWebhook;
  files = writeStackFiles({ integrations: [integration] });
  dataDir = mkdtempSync(join(tmpdir(), 'bridge-data-'));
});

afterAll(async () => {
  await running?.kill();
  await jira?.close();
  await backtrace?.close();
  files?.remove();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('Local stack with a data directory, killed and started again', () => {
  it('keeps its links: the same group after the restart makes no second issue and no Jira or Backtrace call', { timeout: 90_000 }, async () => {
    // Prepare: one group becomes one issue, then the stack is killed without any cleanup.
    const fingerprint = randomBytes(32).toString('hex');
    running = await startStackProcess(files, dataDir);
    expect(await postGroup(running, fingerprint)).toBe(202);
    await running.settled();
    expect(jira.issues).toHaveLength(1);
    await running.kill();
    running = undefined;
    const jiraCallsBefore = jira.requests.length;
    const backtraceCallsBefore = backtrace.requests.length;

    // Act
    running = await startStackProcess(files, dataDir);
    const status = await postGroup(running, fingerprint);
    await running.settled();
    const link = (await (await fetch(`${running.url}/local/links/${integrationName()}/${fingerprint}`)).json()) as Record<string, unknown>;

    // Assess
    expect(status).toBe(202);
    expect(jira.issues).toHaveLength(1);
    // Method and path only: a failure message must not print the requests' credentials.
    expect(jira.requests.slice(jiraCallsBefore).map((request) => `${request.method} ${request.path}`)).toEqual([]);
    expect(backtrace.requests.slice(backtraceCallsBefore).map((request) => `${request.method} ${request.path}`)).toEqual([]);
    expect(link).toMatchObject({ status: 'linked', issueKey: jira.issues[0]!.key, ticketAttached: true });
  });

  it('still files a new group after the restart, once', { timeout: 60_000 }, async () => {
    // Prepare
    const fingerprint = randomBytes(32).toString('hex');

    // Act
    const statuses = [await postGroup(running!, fingerprint), await postGroup(running!, fingerprint)];
    await running!.settled();

    // Assess
    expect(statuses).toEqual([202, 202]);
    expect(jira.issues).toHaveLength(2);
    expect(backtrace.getIssue('my_universe', 'my_project', fingerprint)?.tickets).toEqual([expect.objectContaining({ watcher: integrationName(), short: jira.issues[1]!.key })]);
  });
});

describe('Local stack with a data directory and a Jira sandbox', () => {
  it('keeps DynamoDB in memory, and says so: the sandbox forgets its issues at a restart', { timeout: 60_000 }, async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), 'bridge-data-sandbox-'));
    const lines: string[] = [];

    // Act
    const stack = await startLocalStack({ dataDir: directory, pollTimers: false, log: (line) => lines.push(line) });
    await stack.stop();

    // Assess
    try {
      expect(stack.jiraSandbox).toBeDefined();
      expect(existsSync(join(directory, 'dynamodb'))).toBe(false);
      expect(lines).toContainEqual(expect.stringContaining(`DynamoDB kept in memory, not in ${directory}: the Jira sandbox's issues are in memory too`));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

function integrationName(): string {
  return localIntegration().name as string;
}
