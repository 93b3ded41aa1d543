/**
 * `webhook register|list|delete` against the Jira sandbox as Cloud, Data Center 9 and Data Center 10 (reference
 * section 6.3): the right resource per version, register idempotent, and the registered webhook really delivers the
 * project's issue events, signed with the configured secret.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { registerWebhookCommands } from '../../../infra/cli/commands/webhook.ts';
import { startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { startReceiver, type Receiver } from '../sandboxes/support/receiver.ts';
import { integrationConfig, runCli, writeFixture } from './support/run-cli.ts';

const WEBHOOK_SECRET = 'a-long-random-webhook-secret';
const cli = (args: string[]) => runCli([registerWebhookCommands], args);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: JiraFakeOptions, verification: 'signature' | 'query-token' = 'signature') {
  const inbox: Receiver = await startReceiver();
  cleanups.push(() => inbox.close());
  const cloud = options.deployment !== 'Server';
  const jira = await startJiraFake({
    ...options,
    projects: [
      { id: '10000', key: 'CRASH', issueTypes: [{ id: '10004', name: 'Bug' }] },
      { id: '10001', key: 'OTHER', issueTypes: [{ id: '10004', name: 'Bug' }] },
    ],
    auth: cloud ? { basic: [{ user: 'bot@example.com', secret: 'api-token' }] } : { bearer: ['dc-pat'] },
  });
  cleanups.push(() => jira.close());
  const auth = cloud ? { type: 'api-token', email: 'bot@example.com', tokenSecret: 'jira-token' } : { type: 'pat', tokenSecret: 'jira-token' };
  const fixture = writeFixture(integrationConfig({ apiUrl: jira.apiUrl, auth }, { jiraWebhook: { secret: 'jira-webhook', verification } }), {
    'jira-token': cloud ? 'api-token' : 'dc-pat',
    'jira-webhook': WEBHOOK_SECRET,
  });
  const globals = ['--config', fixture.configFile, '--secrets', fixture.secretsFile];
  return { jira, inbox, globals, url: `${inbox.url}/jira/webhook` };
}

/** A person creates an issue and closes it: the close is what the bridge's webhook sends (no creations). */
async function changeIssue(jira: JiraFake, project: string): Promise<void> {
  const person = jira.actAs(jira.users[1]!);
  const issue = person.createIssue({ projectKey: project, summary: `in ${project}` });
  person.transition(issue.key, 'Done');
  await jira.webhooksIdle();
}

describe('CLI: webhook register | list | delete', () => {
  it.each([
    ['Jira Cloud', '/rest/webhooks/1.0/webhook', { deployment: 'Cloud' } as JiraFakeOptions],
    ['Jira Data Center 10', '/rest/jira-webhook/1.0/webhooks', { deployment: 'Server', serverVersion: '10.3.0' } as JiraFakeOptions],
  ])('%s: registers once through %s, a second register reports it, list shows it, delete removes it', async (label, resource, options) => {
    // Prepare
    const { jira, inbox, globals, url } = await setup(options);

    // Act
    const first = await cli([...globals, '--json', 'webhook', 'register', '--url', url]);
    const second = await cli([...globals, '--json', 'webhook', 'register', '--url', url]);
    const listed = await cli([...globals, '--json', 'webhook', 'list']);
    await changeIssue(jira, 'OTHER');
    await changeIssue(jira, 'CRASH');
    const deleted = await cli([...globals, 'webhook', 'delete', '--url', url]);
    const after = await cli([...globals, '--json', 'webhook', 'list', '--url', url]);

    // Assess
    expect(first.exitCode).toBe(0);
    expect(first.json).toMatchObject({ status: 'created', resource, jira: expect.stringContaining(label), jql: 'project = CRASH', signed: true, events: ['jira:issue_updated', 'jira:issue_deleted'] });
    expect(second.json).toMatchObject({ status: 'unchanged', webhook: { id: first.json.webhook.id } });
    expect(listed.json.webhooks).toEqual([expect.objectContaining({ id: first.json.webhook.id, url, jql: 'project = CRASH' })]);
    const requests = jira.requests.filter((request) => request.path === resource && request.method === 'POST');
    expect(requests).toHaveLength(1);
    // Only the project's issue arrives, only its update (not its creation), signed with the configured secret.
    expect(inbox.received.map((delivery) => [delivery.json.webhookEvent, delivery.json.issue.key])).toEqual([['jira:issue_updated', 'CRASH-1']]);
    expect(inbox.received[0]!.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(inbox.received[0]!.raw).digest('hex')}`);
    expect(deleted.exitCode).toBe(0);
    expect(deleted.stdout).toContain(`Deleted 1 webhook(s) for ${url}`);
    expect(after.json.webhooks).toEqual([]);
  });

  it('Jira Data Center 9: the 1.0 resource with a URL token (it cannot sign), idempotent, token never printed', async () => {
    // Prepare
    const { jira, inbox, globals, url } = await setup({ deployment: 'Server', serverVersion: '9.12.15' }, 'query-token');

    // Act
    const first = await cli([...globals, 'webhook', 'register', '--url', url]);
    const second = await cli([...globals, '--json', 'webhook', 'register', '--url', url]);
    const listed = await cli([...globals, 'webhook', 'list', '--url', url]);
    await changeIssue(jira, 'CRASH');
    const deleted = await cli([...globals, '--json', 'webhook', 'delete', '--url', url]);

    // Assess
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('Registered on Jira Data Center 9.12.15 (/rest/webhooks/1.0/webhook)');
    expect(second.json).toMatchObject({ status: 'unchanged', resource: '/rest/webhooks/1.0/webhook', signed: false });
    expect(listed.stdout).toContain(`${url}?token=***`);
    for (const run of [first, second, listed, deleted]) expect(run.stdout).not.toContain(WEBHOOK_SECRET);
    expect(new URL(inbox.received[0]!.url, 'http://x').searchParams.get('token')).toBe(WEBHOOK_SECRET);
    expect(inbox.received[0]!.headers['x-hub-signature']).toBeUndefined();
    expect(deleted.json).toMatchObject({ status: 'deleted', deleted: [{ id: second.json.webhook.id }] });
    expect(jira.requests.filter((request) => request.method === 'POST' && request.path === '/rest/webhooks/1.0/webhook')).toHaveLength(1);
  });

  it('Jira Data Center 9 with signature verification: refuses, naming jiraWebhook.verification, and registers nothing', async () => {
    // Prepare
    const { jira, globals, url } = await setup({ deployment: 'Server', serverVersion: '9.12.15' }, 'signature');

    // Act
    const run = await cli([...globals, 'webhook', 'register', '--url', url]);

    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('Jira Data Center 9.12.15 cannot sign webhooks');
    expect(run.stderr).toContain('set jiraWebhook.verification to "query-token"');
    expect(jira.requests.filter((request) => request.method === 'POST')).toEqual([]);
  });

  it('reports a different webhook for the same URL instead of duplicating or overwriting it', async () => {
    // Prepare
    const { jira, globals, url } = await setup({ deployment: 'Cloud' });
    const base = `${jira.url}/rest/webhooks/1.0/webhook`;
    await fetch(base, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('bot@example.com:api-token').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'by hand', url, events: ['jira:issue_created'], filters: { 'issue-related-events-section': 'project = OTHER' }, secret: 'x' }),
    });

    // Act
    const run = await cli([...globals, 'webhook', 'register', '--url', url]);

    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('already exists with other settings');
    expect(run.stderr).toContain('events lack jira:issue_updated, jira:issue_deleted');
    expect(run.stderr).toContain('JQL is "project = OTHER", not "project = CRASH"');
    expect(run.stderr).toContain(`webhook delete --url ${url}`);
    expect(jira.requests.filter((request) => request.method === 'POST' && request.path === '/rest/webhooks/1.0/webhook')).toHaveLength(1);
  });

  it.each([
    ['a relative URL', ['webhook', 'register', '--url', '/jira/webhook'], '--url must be an absolute http(s) URL'],
    ['a missing --url', ['webhook', 'delete'], "required option '--url <url>' not specified"],
  ])('names what to change for %s', async (_what, args, message) => {
    // Prepare
    const { globals } = await setup({ deployment: 'Cloud' });

    // Act
    const run = await cli([...globals, ...args]);

    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(message);
  });

  it('says where Jira is unreachable, without a stack trace', async () => {
    // Prepare
    const { jira, globals } = await setup({ deployment: 'Cloud' });
    const apiUrl = jira.apiUrl;
    await jira.close();

    // Act
    const run = await cli([...globals, 'webhook', 'list']);

    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`Jira is unreachable at ${apiUrl}serverInfo (ECONNREFUSED)`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
