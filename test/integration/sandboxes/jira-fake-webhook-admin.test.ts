/**
 * The Jira fake's admin webhook resources (reference section 6.3): Cloud and DC 9 at /rest/webhooks/1.0/webhook,
 * DC 10 at /rest/jira-webhook/1.0/webhooks with its configuration map; a registered webhook receives the issue
 * events its JQL matches, signed with its secret where the version can sign.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { basicAuth, call } from './support/http.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

const SECRET = 'webhook-secret';
const EVENTS = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted'];
const projects = [
  { id: '10000', key: 'CRASH', issueTypes: [{ id: '10004', name: 'Bug' }] },
  { id: '10001', key: 'OTHER', issueTypes: [{ id: '10004', name: 'Bug' }] },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: JiraFakeOptions): Promise<{ jira: JiraFake; inbox: Receiver; auth: string }> {
  const inbox = await startReceiver();
  cleanups.push(() => inbox.close());
  const jira = await startJiraFake({ projects, ...options });
  cleanups.push(() => jira.close());
  const auth = options.deployment === 'Server' ? basicAuth('admin', 'admin-password') : basicAuth('bot@example.com', 'sandbox-token');
  return { jira, inbox, auth };
}

const serverAuth = { basic: [{ user: 'admin', secret: 'admin-password' }] };

describe('Jira fake: admin webhooks over REST', () => {
  it.each([
    ['Cloud', { deployment: 'Cloud' } as JiraFakeOptions, true],
    ['Data Center 9', { deployment: 'Server', serverVersion: '9.12.15', auth: serverAuth } as JiraFakeOptions, false],
  ])('%s: /rest/webhooks/1.0/webhook registers, lists, delivers project = KEY only, deletes', async (_name, options, signs) => {
    // Prepare
    const { jira, inbox, auth } = await setup(options);
    const base = `${jira.url}/rest/webhooks/1.0/webhook`;
    const body = { name: 'bridge', url: `${inbox.url}/hook`, events: EVENTS, filters: { 'issue-related-events-section': 'project = CRASH' }, excludeBody: false, secret: SECRET };

    // Act
    const created = await call(base, { auth, body });
    const listed = await call(base, { auth });
    await call(`${jira.apiUrl}issue`, { auth, body: { fields: { project: { key: 'OTHER' }, issuetype: { name: 'Bug' }, summary: 'not ours' } } });
    await call(`${jira.apiUrl}issue`, { auth, body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'ours' } } });
    await jira.webhooksIdle();
    const removed = await call(created.json.self as string, { auth, method: 'DELETE' });
    await call(`${jira.apiUrl}issue`, { auth, body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'after delete' } } });
    await jira.webhooksIdle();

    // Assess
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'bridge', url: body.url, events: EVENTS, filters: { 'issue-related-events-section': 'project = CRASH' }, enabled: true, self: expect.stringMatching(/\/rest\/webhooks\/1\.0\/webhook\/\d+$/) });
    expect(created.json.secret).toBeUndefined();
    expect(listed.json).toEqual([created.json]);
    expect(inbox.received.map((delivery) => delivery.json.issue.fields.summary)).toEqual(['ours']);
    const signature = inbox.received[0]!.headers['x-hub-signature'];
    if (signs) expect(signature).toBe(`sha256=${createHmac('sha256', SECRET).update(inbox.received[0]!.raw).digest('hex')}`);
    else expect(signature).toBeUndefined();
    expect(removed.status).toBe(204);
    expect((await call(base, { auth })).json).toEqual([]);
    expect(await call(`${jira.url}/rest/jira-webhook/1.0/webhooks`, { auth })).toMatchObject({ status: 404 });
  });

  it('Data Center 10: /rest/jira-webhook/1.0/webhooks reads configuration.FILTERS and SECRET, ignores filters, and the old path is gone', async () => {
    // Prepare
    const { jira, inbox, auth } = await setup({ deployment: 'Server', serverVersion: '10.3.0', auth: serverAuth });
    const base = `${jira.url}/rest/jira-webhook/1.0/webhooks`;
    const body = { name: 'bridge', url: `${inbox.url}/hook`, active: 'true', events: EVENTS, filters: { 'issue-related-events-section': 'project = OTHER' }, configuration: { FILTERS: 'project = CRASH', EXCLUDE_BODY: 'false', SECRET } };

    // Act
    const created = await call(base, { auth, body });
    await call(`${jira.apiUrl}issue`, { auth, body: { fields: { project: { key: 'OTHER' }, issuetype: { name: 'Bug' }, summary: 'not ours' } } });
    await call(`${jira.apiUrl}issue`, { auth, body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'ours' } } });
    await jira.webhooksIdle();
    const old = await call(`${jira.url}/rest/webhooks/1.0/webhook`, { auth });
    const info = await call(`${jira.apiUrl}serverInfo`, { auth });

    // Assess
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.any(Number), url: body.url, events: EVENTS, configuration: { FILTERS: 'project = CRASH' } });
    expect(created.json.configuration.SECRET).toBeUndefined();
    expect(inbox.received.map((delivery) => delivery.json.issue.fields.summary)).toEqual(['ours']);
    expect(inbox.received[0]!.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(inbox.received[0]!.raw).digest('hex')}`);
    expect(old.status).toBe(404);
    expect(info.json).toMatchObject({ version: '10.3.0', versionNumbers: [10, 3, 0], deploymentType: 'Server' });
  });

  it('refuses a webhook without a URL or with JQL naming an unknown project, naming the field', async () => {
    // Prepare
    const { jira, auth } = await setup({ deployment: 'Cloud' });

    // Act
    const answer = await call(`${jira.url}/rest/webhooks/1.0/webhook`, { auth, body: { name: 'x', events: EVENTS, filters: { 'issue-related-events-section': 'project = NOPE' } } });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.json.errors).toMatchObject({ url: expect.stringContaining('absolute'), filters: expect.stringContaining("'NOPE'") });
  });
});
