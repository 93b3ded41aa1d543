/**
 * `npm start` pointed at a Jira and a Backtrace elsewhere, with only the config (and secrets) file changed: no
 * sandbox starts, and the issue and the ticket land in the systems the config names. Here "elsewhere" is a Jira
 * (Data Center dialect, with a context path and a personal access token) and a Backtrace started by the test.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import { startJiraFake, type JiraFake } from '../../infra/local/sandboxes/jira/jira-fake.ts';
import { startBacktraceFake, type BacktraceFake } from '../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { localIntegration, writeStackFiles, type StackFiles } from './support/stack-files.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const PAT = 'dc-personal-access-token';
const BACKTRACE_TOKEN = 'elsewhere-backtrace-token';

let jira: JiraFake;
let backtrace: BacktraceFake;
let files: StackFiles;
let stack: LocalStack;

beforeAll(async () => {
  jira = await startJiraFake({ deployment: 'Server', contextPath: '/jira', auth: { bearer: [PAT] }, openApiValidation: true });
  backtrace = await startBacktraceFake({ tokens: [BACKTRACE_TOKEN] });
  const integration: Record<string, any> = localIntegration();
  integration.jira = { ...integration.jira, apiUrl: jira.apiUrl, auth: { type: 'pat', tokenSecret: 'elsewhere/jira-pat' } };
  integration.backtrace = { ...integration.backtrace, url: backtrace.url, tokenSecret: 'elsewhere/backtrace-token' };
  integration.sync = { mode: 'none' };
  delete integration.jiraWebhook;
  files = writeStackFiles({ integrations: [integration], extraSecrets: { 'elsewhere/jira-pat': PAT, 'elsewhere/backtrace-token': BACKTRACE_TOKEN } });
  stack = await startLocalStack({ configFile: files.configFile, secretsFile: files.secretsFile, log: () => undefined });
});

afterAll(async () => {
  await stack?.stop();
  await jira?.close();
  await backtrace?.close();
  files?.remove();
});

describe('Local stack pointed at a Jira and a Backtrace elsewhere', () => {
  it('starts no sandbox and files the issue in the configured Jira, linked in the configured Backtrace', async () => {
    // Prepare
    const fingerprint = randomBytes(32).toString('hex');
    const credentials = JSON.parse(files.secrets['local/webhook-basic-auth']!) as { username: string; password: string };

    // Act
    const response = await fetch(`${stack.url}/backtrace/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` },
      body: JSON.stringify({ ...sample, fingerprint }),
    });
    await stack.settled();

    // Assess
    expect(response.status).toBe(202);
    expect(stack.jiraSandbox).toBeUndefined();
    expect(stack.backtraceSandbox).toBeUndefined();
    expect(jira.issues).toHaveLength(1);
    const [issue] = jira.issues;
    expect(jira.requests.filter((request) => request.method === 'POST' && request.path === '/jira/rest/api/2/issue')[0]?.headers.authorization).toBe(`Bearer ${PAT}`);
    expect(backtrace.getIssue('my_universe', 'my_project', fingerprint)?.tickets).toEqual([
      expect.objectContaining({ watcher: 'local-jira', short: issue!.key, url: `${jira.url}/browse/${issue!.key}` }),
    ]);
    expect(jira.validationErrors).toEqual([]);
  });
});
