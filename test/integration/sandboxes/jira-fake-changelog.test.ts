/**
 * The Jira fake's issue history: every change after creation (a transition, an assignment, a move) by whoever made it
 * (the bot over REST, a person in the UI) is one history entry, and `GET issue?expand=changelog` shows them most
 * recent first in Jira's `PageOfChangelogs` shape, with the items and time of the webhook announcing the same change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadOpenApiValidator, startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';
import { startReceiver } from './support/receiver.ts';

const JIRA_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;
/** What the bridge asks for. */
const STATE_FIELDS = 'status,assignee,resolution,updated,created,project';
const ANA_CLOUD = '5b10ac8d82e05b22cc7d4ef5';
const HARPER_CLOUD = '712020:1f6c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const TWO_PROJECTS: JiraFakeOptions['projects'] = [
  { id: '10000', key: 'CRASH', name: 'Crash reports', issueTypes: [{ id: '10004', name: 'Bug' }] },
  { id: '10001', key: 'OPS', name: 'Operations', issueTypes: [{ id: '10004', name: 'Bug' }] },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function jiraWithIssue(options: JiraFakeOptions = {}): Promise<{ jira: JiraFake; key: string }> {
  const jira = await startJiraFake({ openApiValidation: true, ...options });
  cleanups.push(() => jira.close());
  const created = await call(`${jira.apiUrl}issue`, { body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash' } } });
  expect(created.status).toBe(201);
  return { jira, key: created.json.key as string };
}

const withChangelog = async (jira: JiraFake, key: string) => {
  const answer = await call(`${jira.apiUrl}issue/${key}?fields=${STATE_FIELDS}&expand=changelog`);
  expect(answer.status).toBe(200);
  return answer.json;
};
const postTransition = (jira: JiraFake, key: string, body: unknown) => call(`${jira.apiUrl}issue/${key}/transitions`, { body });
const epoch = (jiraTime: string): number => Date.parse(jiraTime.replace('+0000', 'Z'));

describe('Jira fake: issue history (expand=changelog)', () => {
  describe('Cloud', () => {
    it('shows a transition by the bot then an assignment by a person as two histories, most recent first, authors by accountId', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue();
      const bot = jira.users.find((u) => u.displayName === 'Sandbox Bot')!;

      // Act
      const transitioned = await postTransition(jira, key, { transition: { id: '31' } });
      jira.actAs('Ana Lima').assign(key, 'Harper Quinn');
      const issue = await withChangelog(jira, key);

      // Assess
      expect(transitioned.status).toBe(204);
      expect(issue.changelog).toEqual({
        startAt: 0,
        maxResults: 2,
        total: 2,
        histories: [
          {
            id: expect.any(String),
            author: expect.objectContaining({ accountId: ANA_CLOUD, displayName: 'Ana Lima', accountType: 'atlassian', active: true }),
            created: expect.stringMatching(JIRA_TIME),
            items: [
              { field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: null, fromString: null, to: HARPER_CLOUD, toString: 'Harper Quinn', tmpFromAccountId: null, tmpToAccountId: HARPER_CLOUD },
            ],
          },
          {
            id: expect.any(String),
            author: expect.objectContaining({ accountId: bot.accountId, displayName: 'Sandbox Bot' }),
            created: expect.stringMatching(JIRA_TIME),
            items: [
              { field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: null, fromString: null, to: '10000', toString: 'Done' },
              { field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10000', fromString: 'To Do', to: '10001', toString: 'Done' },
            ],
          },
        ],
      });
      const [latest, earlier] = issue.changelog.histories;
      expect(latest.author).not.toHaveProperty('name');
      expect(latest.author).not.toHaveProperty('key');
      expect(epoch(latest.created)).toBeGreaterThan(epoch(earlier.created));
      expect(Number(latest.id)).toBeGreaterThan(Number(earlier.id));
      expect(latest.created).toBe(issue.fields.updated);
      expect(epoch(earlier.created)).toBeGreaterThan(epoch(issue.fields.created));
      expect(jira.validationErrors).toEqual([]);
    });

    it('shows the author as other REST answers do: a hidden e-mail stays hidden from the bot', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue();

      // Act
      jira.actAs('Harper Quinn').transition(key, 'In Progress');
      const issue = await withChangelog(jira, key);

      // Assess
      expect(issue.changelog.histories[0].author).toEqual({
        self: `${jira.apiUrl}user?accountId=${encodeURIComponent(HARPER_CLOUD)}`,
        accountId: HARPER_CLOUD,
        avatarUrls: expect.objectContaining({ '48x48': expect.any(String) }),
        displayName: 'Harper Quinn',
        active: true,
        timeZone: 'Etc/UTC',
        accountType: 'atlassian',
      });
    });
  });

  describe('Data Center', () => {
    it('shows a transition by the bot then an assignment by a person, authors by name and key, items without tmp*AccountId', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({ deployment: 'Server' });

      // Act
      const resolved = await postTransition(jira, key, { transition: { id: '5' }, fields: { resolution: { name: 'Fixed' } } });
      jira.actAs('ana').assign(key, 'harper');
      const issue = await withChangelog(jira, key);

      // Assess
      expect(resolved.status).toBe(204);
      expect(issue.changelog).toEqual({
        startAt: 0,
        maxResults: 2,
        total: 2,
        histories: [
          {
            id: expect.any(String),
            author: expect.objectContaining({ name: 'ana', key: 'JIRAUSER10100', displayName: 'Ana Lima', emailAddress: 'ana@example.com' }),
            created: expect.stringMatching(JIRA_TIME),
            items: [{ field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: null, fromString: null, to: 'JIRAUSER10101', toString: 'Harper Quinn' }],
          },
          {
            id: expect.any(String),
            author: expect.objectContaining({ name: 'bot@example.com', key: 'JIRAUSER10000', displayName: 'Sandbox Bot' }),
            created: expect.stringMatching(JIRA_TIME),
            items: [
              { field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: null, fromString: null, to: '1', toString: 'Fixed' },
              { field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10000', fromString: 'To Do', to: '10001', toString: 'Done' },
            ],
          },
        ],
      });
      expect(issue.changelog.histories[0].author).not.toHaveProperty('accountId');
      expect(jira.validationErrors).toEqual([]);
    });

    it('records the bot\'s PUT assignee and a person\'s reopening (resolution cleared) with their authors', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({ deployment: 'Server' });
      jira.actAs('admin').transition(key, 'Done', { resolution: "Won't Fix" });

      // Act
      const assigned = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { name: 'ana' } });
      jira.actAs('harper').transition(key, 'To Do');
      const issue = await withChangelog(jira, key);

      // Assess
      expect(assigned.status).toBe(204);
      const histories = issue.changelog.histories.map((h: { author: { name: string }; items: { field: string; from: string | null; to: string | null }[] }) => [
        h.author.name,
        h.items.map((i) => `${i.field}:${i.from}->${i.to}`),
      ]);
      expect(histories).toEqual([
        ['harper', ['resolution:2->null', 'status:10001->10000']],
        ['bot@example.com', ['assignee:null->JIRAUSER10100']],
        ['admin', ['resolution:null->2', 'status:10000->10001']],
      ]);
    });
  });

  it('shows a move to another project as one history (project and Key), also when read by the old key', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue({ projects: TWO_PROJECTS });
    await postTransition(jira, key, { transition: { id: '21' } });

    // Act
    jira.actAs('Ana Lima').moveIssue(key, 'OPS');
    const issue = await withChangelog(jira, key);

    // Assess
    expect(issue).toMatchObject({ key: 'OPS-1', fields: { project: { key: 'OPS' } } });
    expect(issue.changelog.total).toBe(2);
    expect(issue.changelog.histories[0]).toEqual({
      id: expect.any(String),
      author: expect.objectContaining({ accountId: ANA_CLOUD }),
      created: expect.stringMatching(JIRA_TIME),
      items: [
        { field: 'project', fieldtype: 'jira', fieldId: 'project', from: '10000', fromString: 'Crash reports', to: '10001', toString: 'Operations' },
        { field: 'Key', fieldtype: 'jira', fieldId: 'issuekey', from: null, fromString: 'CRASH-1', to: null, toString: 'OPS-1' },
      ],
    });
    expect(issue.changelog.histories[1].items.map((i: { fieldId: string; toString: string }) => [i.fieldId, i.toString])).toEqual([['status', 'In Progress']]);
    expect(jira.validationErrors).toEqual([]);
  });

  it.each([['Cloud'], ['Server']] as const)('%s: the history entry and the webhook of each change carry the same id, items and time', async (deployment) => {
    // Prepare
    const inbox = await startReceiver();
    cleanups.push(() => inbox.close());
    const { jira, key } = await jiraWithIssue({ deployment, projects: TWO_PROJECTS, webhooks: { url: `${inbox.url}/jira/webhook` } });
    const person = deployment === 'Cloud' ? 'Ana Lima' : 'ana';

    // Act
    await postTransition(jira, key, { transition: { id: deployment === 'Cloud' ? '21' : '4' } });
    jira.actAs(person).assign(key, person);
    jira.actAs(person).moveIssue(key, 'OPS');
    await jira.webhooksIdle();
    const issue = await withChangelog(jira, key);

    // Assess
    // Deliveries may arrive in any order; the timestamps of one issue's changes strictly increase.
    const updates = inbox.received.map((r) => r.json).filter((body) => body.webhookEvent === 'jira:issue_updated').sort((a, b) => b.timestamp - a.timestamp);
    expect(updates.map((body) => body.changelog.items.map((i: { fieldId: string }) => i.fieldId))).toEqual([['project', 'issuekey'], ['assignee'], ['status']]);
    const fromWebhooks = updates.map((body) => ({ id: body.changelog.id, created: body.timestamp, items: body.changelog.items, author: body.user.displayName }));
    const fromRest = issue.changelog.histories.map((h: { id: string; created: string; items: unknown[]; author: { displayName: string } }) => ({
      id: h.id,
      created: epoch(h.created),
      items: h.items,
      author: h.author.displayName,
    }));
    expect(fromRest).toEqual(fromWebhooks);
  });

  it.each([['Cloud', 'Ana Lima'], ['Server', 'ana']] as const)('%s: the request validates against the OpenAPI document, and so does the answer', async (deployment, person) => {
    // Prepare
    const { jira, key } = await jiraWithIssue({ deployment });
    const validator = await loadOpenApiValidator();
    jira.actAs(person).transition(key, 'Done');
    jira.actAs(person).assign(key, person);
    jira.actAs(person).assign(key, null);

    // Act
    const issue = await withChangelog(jira, key);

    // Assess
    expect(issue.changelog.total).toBe(3);
    expect(jira.validationErrors).toEqual([]);
    expect(validator.validateResponse({ method: 'GET', path: `/rest/api/2/issue/${key}`, status: 200, body: issue })).toEqual([]);
  });

  it('has no changelog member without expand=changelog, and expands it from a list of options', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue();
    jira.actAs('Ana Lima').transition(key, 'Done');

    // Act
    const plain = await call(`${jira.apiUrl}issue/${key}?fields=${STATE_FIELDS}`);
    const otherExpand = await call(`${jira.apiUrl}issue/${key}?fields=${STATE_FIELDS}&expand=names`);
    const listed = await call(`${jira.apiUrl}issue/${key}?fields=${STATE_FIELDS}&expand=names,changelog`);

    // Assess
    expect(plain.json).not.toHaveProperty('changelog');
    expect(otherExpand.json).not.toHaveProperty('changelog');
    expect(listed.json.changelog).toMatchObject({ total: 1, histories: [{ items: [{ fieldId: 'resolution' }, { fieldId: 'status' }] }] });
    expect(Object.keys(plain.json.fields).sort()).toEqual(['assignee', 'created', 'project', 'resolution', 'status', 'updated']);
    expect(jira.validationErrors).toEqual([]);
  });

  it('starts empty: creation, comments and re-assigning the same person are no history', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue();
    const created = await withChangelog(jira, key);
    jira.actAs('Ana Lima').assign(key, 'Ana Lima');

    // Act
    jira.actAs('Ana Lima').comment(key, 'Looking into it');
    jira.actAs('Harper Quinn').assign(key, 'Ana Lima');
    const issue = await withChangelog(jira, key);

    // Assess
    expect(created.changelog).toEqual({ startAt: 0, maxResults: 0, total: 0, histories: [] });
    expect(issue.changelog.total).toBe(1);
    expect(jira.findIssue(key)!.history).toHaveLength(1);
  });

  it('shows at most the 100 most recent histories; total counts them all', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue();
    const ana = jira.actAs('Ana Lima');
    for (let i = 0; i < 105; i++) ana.transition(key, i % 2 === 0 ? 'In Progress' : 'To Do');
    const all = jira.findIssue(key)!.history;

    // Act
    const issue = await withChangelog(jira, key);

    // Assess
    expect(issue.changelog).toMatchObject({ startAt: 0, maxResults: 100, total: 105 });
    expect(issue.changelog.histories).toHaveLength(100);
    expect(issue.changelog.histories[0].id).toBe(all[104]!.id);
    expect(issue.changelog.histories[99].id).toBe(all[5]!.id);
  });
});
