/**
 * The Jira fake's `PUT issue/{key}`: fields and update operations on the issue's screen, checked as on create,
 * every change of one edit in one history entry written as Jira writes it (text fields by their strings, priority
 * by id and name, labels as space-separated lists, users by accountId or key), announced as `issue_updated`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';
import { startReceiver } from './support/receiver.ts';

const ANA_CLOUD = '5b10ac8d82e05b22cc7d4ef5';
const SEVERITY = { id: 'customfield_10010', name: 'Severity', schema: { type: 'option' }, allowedValues: ['Critical', 'Minor'] };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function jiraWithIssue(options: JiraFakeOptions = {}): Promise<{ jira: JiraFake; key: string }> {
  const jira = await startJiraFake({ openApiValidation: true, fields: [SEVERITY], ...options });
  cleanups.push(() => jira.close());
  const created = await call(`${jira.apiUrl}issue`, {
    body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'task summary', description: 'dummy description', priority: { name: 'Medium' }, labels: ['backtrace'] } },
  });
  expect(created.status).toBe(201);
  return { jira, key: created.json.key as string };
}

const edit = (jira: JiraFake, key: string, body: unknown, query = '') => call(`${jira.apiUrl}issue/${key}${query}`, { method: 'PUT', body });
const history = async (jira: JiraFake, key: string) => (await call(`${jira.apiUrl}issue/${key}?expand=changelog`)).json.changelog.histories;

describe('Jira fake: PUT issue', () => {
  it('edits text, priority and labels in one history entry, items as in the Server capture', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue({ deployment: 'Server' });

    // Act
    const answer = await edit(jira, key, {
      fields: { summary: 'summary updated', description: 'description updated', priority: { name: 'Highest' } },
      update: { labels: [{ add: 'crash' }, { remove: 'backtrace' }] },
    });
    const issue = (await call(`${jira.apiUrl}issue/${key}?expand=changelog`)).json;

    // Assess
    expect(answer.status).toBe(204);
    expect(issue.fields).toMatchObject({ summary: 'summary updated', description: 'description updated', priority: { id: '1', name: 'Highest' }, labels: ['crash'] });
    expect(issue.changelog.histories).toEqual([
      {
        id: expect.any(String),
        author: expect.objectContaining({ name: 'bot@example.com' }),
        created: issue.fields.updated,
        items: [
          { field: 'summary', fieldtype: 'jira', fieldId: 'summary', from: null, fromString: 'task summary', to: null, toString: 'summary updated' },
          { field: 'description', fieldtype: 'jira', fieldId: 'description', from: null, fromString: 'dummy description', to: null, toString: 'description updated' },
          { field: 'priority', fieldtype: 'jira', fieldId: 'priority', from: '3', fromString: 'Medium', to: '1', toString: 'Highest' },
          { field: 'labels', fieldtype: 'jira', fieldId: 'labels', from: null, fromString: 'backtrace', to: null, toString: 'crash' },
        ],
      },
    ]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('Cloud: assigns through fields.assignee by accountId, with tmp*AccountId, and a custom select by its name', async () => {
    // Prepare
    const inbox = await startReceiver();
    cleanups.push(() => inbox.close());
    const { jira, key } = await jiraWithIssue({ webhooks: { url: inbox.url } });

    // Act
    await edit(jira, key, { fields: { assignee: { accountId: ANA_CLOUD }, [SEVERITY.id]: { value: 'Critical' } } });
    await jira.webhooksIdle();
    const histories = await history(jira, key);

    // Assess
    const items = histories[0].items;
    expect(items[0]).toEqual({ field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: null, fromString: null, to: ANA_CLOUD, toString: 'Ana Lima', tmpFromAccountId: null, tmpToAccountId: ANA_CLOUD });
    expect(items[1]).toMatchObject({ field: 'Severity', fieldtype: 'custom', fieldId: SEVERITY.id, from: null, fromString: null, toString: 'Critical' });
    expect(jira.findIssue(key)!.assignee?.accountId).toBe(ANA_CLOUD);
    const update = inbox.received.map((r) => r.json).find((body) => body.webhookEvent === 'jira:issue_updated');
    expect(update).toMatchObject({ issue_event_type_name: 'issue_updated', changelog: { id: histories[0].id, items } });
  });

  it('writes nothing, bumps nothing and announces nothing for an edit that changes nothing', async () => {
    // Prepare
    const inbox = await startReceiver();
    cleanups.push(() => inbox.close());
    const { jira, key } = await jiraWithIssue({ webhooks: { url: inbox.url } });
    await jira.webhooksIdle();
    const updated = jira.findIssue(key)!.updated;

    // Act
    const answer = await edit(jira, key, { fields: { summary: 'task summary', labels: ['backtrace'] } });
    await jira.webhooksIdle();

    // Assess
    expect(answer.status).toBe(204);
    expect(jira.findIssue(key)!.updated).toBe(updated);
    expect(jira.findIssue(key)!.history).toEqual([]);
    expect(inbox.received.map((r) => r.json.webhookEvent)).toEqual(['jira:issue_created']);
  });

  it.each([
    ['a field that is not on the screen', { fields: { customfield_99999: 'x' } }, { customfield_99999: "Field 'customfield_99999' cannot be set. It is not on the appropriate screen, or unknown." }],
    ['the project', { fields: { project: { key: 'OPS' } } }, { project: "Field 'project' cannot be set. It is not on the appropriate screen, or unknown." }],
    ['the status', { fields: { status: { id: '10001' } } }, { status: "Field 'status' cannot be set. It is not on the appropriate screen, or unknown." }],
    ['an empty summary', { fields: { summary: '' } }, { summary: 'You must specify a summary of the issue.' }],
    ['a label with a space', { update: { labels: [{ add: 'two words' }] } }, { labels: "The label 'two words' contains spaces which is invalid." }],
    ['an option that does not exist', { fields: { [SEVERITY.id]: { value: 'Blocker' } } }, { [SEVERITY.id]: "Option value 'Blocker' is not valid" }],
    ['an add on a single-valued field', { update: { summary: [{ add: 'x' }] } }, { summary: "Field 'summary' does not support the 'add' operation." }],
    ['an assignee by name on Cloud', { fields: { assignee: { name: 'ana' } } }, { assignee: "Specify a valid 'accountId' for Assignee" }],
  ])('refuses an edit of %s: 400 keyed by the field, nothing changed', async (_case, body, errors) => {
    // Prepare
    const { jira, key } = await jiraWithIssue();
    const before = JSON.stringify(jira.findIssue(key));

    // Act
    const refused = await edit(jira, key, body);

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ errorMessages: [], errors });
    expect(JSON.stringify(jira.findIssue(key))).toBe(before);
  });

  it('Cloud: answers 200 with the issue when returnIssue=true', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue();

    // Act
    const answer = await edit(jira, key, { fields: { summary: 'Renamed' } }, '?returnIssue=true&expand=changelog');

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ key, fields: { summary: 'Renamed' }, changelog: { total: 1 } });
    expect(jira.validationErrors).toEqual([]);
  });

  it('Server: unassigns through fields.assignee null; the item names the user by key', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue({ deployment: 'Server' });
    await edit(jira, key, { fields: { assignee: { name: 'ana' } } });

    // Act
    const answer = await edit(jira, key, { fields: { assignee: null } });
    const histories = await history(jira, key);

    // Assess
    expect(answer.status).toBe(204);
    expect(histories.map((h: { items: unknown[] }) => h.items)).toEqual([
      [{ field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: 'JIRAUSER10100', fromString: 'Ana Lima', to: null, toString: null }],
      [{ field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: null, fromString: null, to: 'JIRAUSER10100', toString: 'Ana Lima' }],
    ]);
    expect(jira.findIssue(key)!.assignee).toBeNull();
  });
});
