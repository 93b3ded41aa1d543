/**
 * The Jira fake's webhooks: Jira-shaped bodies per dialect (Cloud: accountIds, no e-mails, `Status` on create,
 * `self` without `/issue/`; Server: name/key/e-mail), the delivery headers, an HMAC signature a receiver can verify
 * with node:crypto, retries with a stable identifier, and delivery that never holds up the REST answer.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startJiraFake, type FakeWebhook, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';
import { deadUrl, startReceiver, type Receiver } from './support/receiver.ts';

const SECRET = "It's a Secret to Everybody";
const issueBody = { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash in Zürich «checkout»', labels: ['bt-0123456789ab'] } };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(respond?: Receiver['respond']): Promise<Receiver> {
  const started = await startReceiver(respond);
  cleanups.push(() => started.close());
  return started;
}

async function jiraFake(options: JiraFakeOptions): Promise<JiraFake> {
  const jira = await startJiraFake(options);
  cleanups.push(() => jira.close());
  return jira;
}

/** A Jira whose webhook posts to a fresh receiver; the issue created over REST is delivered first. */
async function wired(options: JiraFakeOptions = {}, hook: Partial<FakeWebhook> = {}) {
  const inbox = await receiver();
  const jira = await jiraFake({ ...options, webhooks: { url: `${inbox.url}/jira/webhook`, secret: SECRET, ...hook } });
  const created = await call(`${jira.apiUrl}issue`, { body: issueBody });
  expect(created.status).toBe(201);
  return { jira, inbox, key: created.json.key as string, id: created.json.id as string };
}

describe('Jira fake: webhooks', () => {
  describe('Cloud bodies', () => {
    it('announces a REST-created issue with the creation changelog ("Status" capitalised) and the creator', async () => {
      // Prepare
      const { jira, inbox, key, id } = await wired();

      // Act
      await jira.webhooksIdle();

      // Assess
      const [delivery] = inbox.received;
      expect(delivery?.json).toMatchObject({
        timestamp: expect.any(Number),
        webhookEvent: 'jira:issue_created',
        issue_event_type_name: 'issue_created',
        user: { accountId: expect.any(String), accountType: 'atlassian', displayName: 'Sandbox Bot', active: true },
        issue: { id, key, self: `${jira.apiUrl}${id}`, fields: { summary: issueBody.fields.summary, status: { name: 'To Do', statusCategory: { key: 'new' } }, labels: ['bt-0123456789ab'] } },
        changelog: { id: expect.any(String), items: [{ field: 'Status', fieldtype: 'jira', fieldId: 'status', from: null, fromString: null, to: '10000', toString: 'To Do' }] },
      });
      expect(delivery?.json.user.emailAddress).toBeUndefined();
      expect(delivery?.json.issue.self).not.toContain('/issue/');
    });

    it('echoes the bridge\'s own transition: author = its account, resolution and status items, current fields', async () => {
      // Prepare
      const { jira, inbox, key } = await wired();
      const bot = (await call(`${jira.apiUrl}myself`)).json;

      // Act
      await call(`${jira.apiUrl}issue/${key}/transitions`, { body: { transition: { id: '31' } } });
      await jira.webhooksIdle();

      // Assess
      const update = inbox.received.find((r) => r.json.webhookEvent === 'jira:issue_updated');
      expect(update?.json).toMatchObject({
        issue_event_type_name: 'issue_generic',
        user: { accountId: bot.accountId },
        issue: { key, fields: { status: { id: '10001', statusCategory: { key: 'done' } }, resolution: { name: 'Done' } } },
        changelog: {
          items: [
            { field: 'resolution', fieldId: 'resolution', from: null, fromString: null, to: '10000', toString: 'Done' },
            { field: 'status', fieldId: 'status', from: '10000', fromString: 'To Do', to: '10001', toString: 'Done' },
          ],
        },
      });
      expect(update?.json.issue.fields.updated).toBe(jira.findIssue(key) && new Date(jira.findIssue(key)!.updated).toISOString().replace('Z', '+0000'));
    });

    it('names assignees by accountId (with tmpToAccountId) and never shows e-mails', async () => {
      // Prepare
      const { jira, inbox, key } = await wired();

      // Act
      jira.actAs('Ana Lima').assign(key, 'Harper Quinn');
      await jira.webhooksIdle();

      // Assess
      const update = inbox.received.find((r) => r.json.webhookEvent === 'jira:issue_updated')?.json;
      const harper = jira.users.find((u) => u.displayName === 'Harper Quinn')!.accountId;
      expect(update).toMatchObject({
        issue_event_type_name: 'issue_assigned',
        user: { displayName: 'Ana Lima' },
        changelog: { items: [{ field: 'assignee', fieldId: 'assignee', from: null, to: harper, toString: 'Harper Quinn', tmpFromAccountId: null, tmpToAccountId: harper }] },
        issue: { fields: { assignee: { accountId: harper } } },
      });
      expect(update.user.emailAddress).toBeUndefined();
      expect(update.issue.fields.assignee.emailAddress).toBeUndefined();
    });

    it('renders each body when the change happens, not when it is delivered', async () => {
      // Prepare
      const { jira, inbox, key } = await wired();

      // Act
      jira.actAs('Ana Lima').transition(key, 'Done');
      jira.actAs('Ana Lima').assign(key, 'Ana Lima');
      jira.actAs('Ana Lima').transition(key, 'In Progress');
      await jira.webhooksIdle();

      // Assess
      const updates = inbox.received.map((r) => r.json).filter((body) => body.webhookEvent === 'jira:issue_updated').sort((a, b) => a.timestamp - b.timestamp);
      expect(updates.map((body) => [body.issue.fields.status.name, body.issue.fields.assignee?.displayName ?? null, body.issue.fields.resolution?.name ?? null])).toEqual([
        ['Done', null, 'Done'],
        ['Done', 'Ana Lima', 'Done'],
        ['In Progress', 'Ana Lima', null],
      ]);
      const times = updates.map((body) => body.timestamp);
      expect(new Set(times).size).toBe(3);
    });

    it('announces a deletion without changelog, and a move with the old and new key under the same id', async () => {
      // Prepare
      const projects = [
        { id: '10000', key: 'CRASH', name: 'Crash reports', issueTypes: [{ id: '10004', name: 'Bug' }] },
        { id: '10001', key: 'OPS', name: 'Operations', issueTypes: [{ id: '10004', name: 'Bug' }] },
      ];
      const { jira, inbox, key, id } = await wired({ projects });
      const second = (await call(`${jira.apiUrl}issue`, { body: issueBody })).json.key as string;

      // Act
      jira.actAs('Ana Lima').moveIssue(key, 'OPS');
      jira.actAs('Ana Lima').deleteIssue(second);
      await jira.webhooksIdle();

      // Assess
      const moved = inbox.received.find((r) => r.json.issue_event_type_name === 'issue_moved')?.json;
      expect(moved).toMatchObject({
        webhookEvent: 'jira:issue_updated',
        issue: { id, key: 'OPS-1', fields: { project: { key: 'OPS' } } },
        changelog: { items: expect.arrayContaining([expect.objectContaining({ field: 'Key', fieldId: 'issuekey', fromString: key, toString: 'OPS-1' })]) },
      });
      const deleted = inbox.received.find((r) => r.json.webhookEvent === 'jira:issue_deleted')?.json;
      expect(deleted).toMatchObject({ user: { displayName: 'Ana Lima' }, issue: { key: second } });
      expect(deleted.changelog).toBeUndefined();
    });
  });

  describe('Server bodies', () => {
    it('shows users with name, key and e-mail, no creation changelog, and the changelog naming users by key', async () => {
      // Prepare
      const { jira, inbox, key, id } = await wired({ deployment: 'Server' });

      // Act
      jira.actAs('admin').assign(key, 'ana');
      await jira.webhooksIdle();

      // Assess
      const created = inbox.received.find((r) => r.json.webhookEvent === 'jira:issue_created')?.json;
      expect(created).toMatchObject({ issue_event_type_name: 'issue_created', user: { name: 'bot@example.com', key: 'JIRAUSER10000', emailAddress: 'bot@example.com' }, issue: { self: `${jira.apiUrl}issue/${id}` } });
      expect(created.changelog).toBeUndefined();
      const assigned = inbox.received.find((r) => r.json.webhookEvent === 'jira:issue_updated')?.json;
      expect(assigned).toMatchObject({
        user: { name: 'admin', key: 'admin', emailAddress: 'admin@example.com' },
        changelog: { items: [{ field: 'assignee', fieldId: 'assignee', from: null, to: 'JIRAUSER10100', toString: 'Ana Lima' }] },
        issue: { fields: { assignee: { name: 'ana', key: 'JIRAUSER10100', emailAddress: 'ana@example.com' } } },
      });
      expect(assigned.changelog.items[0].tmpToAccountId).toBeUndefined();
    });

    it('names the classic transition event (issue_resolved) and the chosen resolution', async () => {
      // Prepare
      const { jira, inbox, key } = await wired({ deployment: 'Server' });

      // Act
      await call(`${jira.apiUrl}issue/${key}/transitions`, { body: { transition: { id: '5' }, fields: { resolution: { name: 'Fixed' } } } });
      await jira.webhooksIdle();

      // Assess
      const update = inbox.received.find((r) => r.json.webhookEvent === 'jira:issue_updated')?.json;
      expect(update).toMatchObject({
        issue_event_type_name: 'issue_resolved',
        changelog: { items: [expect.objectContaining({ field: 'resolution', to: '1', toString: 'Fixed' }), expect.objectContaining({ field: 'status', from: '10000', to: '10001' })] },
      });
    });
  });

  describe('Comments', () => {
    it('sends comment_created only to webhooks that ask for it; every webhook gets the issue_commented update', async () => {
      // Prepare
      const { jira, inbox, key } = await wired();
      const comments = await receiver();
      jira.addWebhook({ url: comments.url, events: ['comment_created'] });

      // Act
      jira.actAs('Ana Lima').comment(key, 'Looking into it');
      await jira.webhooksIdle();

      // Assess
      expect(inbox.received.map((r) => [r.json.webhookEvent, r.json.issue_event_type_name])).toEqual([
        ['jira:issue_created', 'issue_created'],
        ['jira:issue_updated', 'issue_commented'],
      ]);
      expect(inbox.received[1]?.json.changelog).toBeUndefined();
      expect(comments.received.map((r) => r.json)).toEqual([
        expect.objectContaining({ webhookEvent: 'comment_created', comment: expect.objectContaining({ body: 'Looking into it', author: expect.objectContaining({ displayName: 'Ana Lima' }) }), issue: expect.objectContaining({ key }) }),
      ]);
    });
  });

  describe('Delivery', () => {
    it('sends Atlassian\'s headers and an X-Hub-Signature over the exact bytes, verifiable with node:crypto', async () => {
      // Prepare
      const { jira, inbox } = await wired();

      // Act
      await jira.webhooksIdle();

      // Assess
      const [delivery] = inbox.received;
      expect(delivery?.method).toBe('POST');
      expect(delivery?.url).toBe('/jira/webhook');
      expect(delivery?.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Atlassian Webhook HTTP Client',
        'x-atlassian-webhook-identifier': expect.any(String),
        'x-atlassian-webhook-flow': 'Primary',
      });
      expect(delivery?.headers['x-atlassian-webhook-retry']).toBeUndefined();
      const expected = `sha256=${createHmac('sha256', SECRET).update(delivery!.raw).digest('hex')}`;
      expect(delivery?.headers['x-hub-signature']).toBe(expected);
      expect(delivery?.raw.toString('utf8')).toContain('Zürich «checkout»');
    });

    it('sends no signature when the webhook has no secret, and keeps the URL\'s query (a token for Jira that cannot sign)', async () => {
      // Prepare
      const inbox = await receiver();
      const jira = await jiraFake({});
      jira.addWebhook({ url: `${inbox.url}/jira/webhook?token=abc123` });

      // Act
      await call(`${jira.apiUrl}issue`, { body: issueBody });
      await jira.webhooksIdle();

      // Assess
      expect(inbox.received[0]?.url).toBe('/jira/webhook?token=abc123');
      expect(inbox.received[0]?.headers['x-hub-signature']).toBeUndefined();
    });

    it('retries 5xx with the same identifier and a retry counter, until the receiver accepts', async () => {
      // Prepare
      const inbox = await receiver((index) => (index < 2 ? 503 : 204));
      const jira = await jiraFake({ webhooks: { url: inbox.url, secret: SECRET } });

      // Act
      await call(`${jira.apiUrl}issue`, { body: issueBody });
      await jira.webhooksIdle();

      // Assess
      expect(inbox.received).toHaveLength(3);
      const ids = new Set(inbox.received.map((r) => r.headers['x-atlassian-webhook-identifier']));
      expect(ids.size).toBe(1);
      expect(inbox.received.map((r) => r.headers['x-atlassian-webhook-retry'])).toEqual([undefined, '1', '2']);
      expect(new Set(inbox.received.map((r) => r.raw.toString('utf8'))).size).toBe(1);
      expect(jira.webhookDeliveries[0]).toMatchObject({ outcome: 'delivered', attempts: [{ status: 503 }, { status: 503 }, { status: 204 }] });
    });

    it.each([408, 409, 425, 429, 500])('retries a %i', async (status) => {
      // Prepare
      const inbox = await receiver((index) => (index === 0 ? status : 200));
      const jira = await jiraFake({ webhooks: { url: inbox.url } });

      // Act
      await call(`${jira.apiUrl}issue`, { body: issueBody });
      await jira.webhooksIdle();

      // Assess
      expect(inbox.received).toHaveLength(2);
      expect(jira.webhookDeliveries[0]?.outcome).toBe('delivered');
    });

    it('does not retry a 400 or 401: the receiver refused the delivery', async () => {
      // Prepare
      const inbox = await receiver((index) => (index === 0 ? 400 : 401));
      const jira = await jiraFake({ webhooks: { url: inbox.url } });

      // Act
      await call(`${jira.apiUrl}issue`, { body: issueBody });
      jira.actAs('Ana Lima').assign('CRASH-1', 'Ana Lima');
      await jira.webhooksIdle();

      // Assess
      expect(inbox.received).toHaveLength(2);
      expect(jira.webhookDeliveries.map((d) => [d.outcome, d.attempts.length])).toEqual([['failed', 1], ['failed', 1]]);
    });

    it('retries when nothing listens, up to 5 times, then gives up', async () => {
      // Prepare
      const jira = await jiraFake({ webhooks: { url: await deadUrl(), retryDelayMs: 10 } });

      // Act
      await call(`${jira.apiUrl}issue`, { body: issueBody });
      await jira.webhooksIdle();

      // Assess
      const [delivery] = jira.webhookDeliveries;
      expect(delivery?.outcome).toBe('gave-up');
      expect(delivery?.attempts).toHaveLength(6);
      expect(delivery?.attempts.every((attempt) => attempt.status === undefined && typeof attempt.error === 'string')).toBe(true);
    });

    it('answers the REST call before the webhook is delivered', async () => {
      // Prepare
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const inbox = await receiver(async () => {
        await gate;
        return 200;
      });
      const jira = await jiraFake({ webhooks: { url: inbox.url } });

      // Act
      const created = await call(`${jira.apiUrl}issue`, { body: issueBody });
      await inbox.waitFor(1);
      const whileReceiverWaits = jira.webhookDeliveries[0]?.outcome;
      release();
      await jira.webhooksIdle();

      // Assess
      expect(created.status).toBe(201);
      expect(whileReceiverWaits).toBe('pending');
      expect(jira.webhookDeliveries[0]?.outcome).toBe('delivered');
    });
  });
});
