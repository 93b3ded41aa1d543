/**
 * The Jira fake's comments over REST: `POST issue/{key}/comment` answers 201 with the comment, `GET` lists them in
 * a `PageOfComments`, GET issue shows them under `fields.comment`, and each comment is announced as Jira does
 * (`issue_commented` to every webhook, `comment_created` to those that ask for it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadOpenApiValidator, startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';
import { startReceiver } from './support/receiver.ts';

const JIRA_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function jiraWithIssue(options: JiraFakeOptions = {}): Promise<{ jira: JiraFake; key: string; id: string }> {
  const jira = await startJiraFake({ openApiValidation: true, ...options });
  cleanups.push(() => jira.close());
  const created = await call(`${jira.apiUrl}issue`, { body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash' } } });
  expect(created.status).toBe(201);
  return { jira, key: created.json.key as string, id: created.json.id as string };
}

const addComment = (jira: JiraFake, key: string, body: unknown) => call(`${jira.apiUrl}issue/${key}/comment`, { body });

describe('Jira fake: comments', () => {
  it('Cloud: adds a comment by the caller and answers 201 with the comment', async () => {
    // Prepare
    const { jira, key, id } = await jiraWithIssue();
    const validator = await loadOpenApiValidator();
    const bot = jira.users.find((u) => u.displayName === 'Sandbox Bot')!;

    // Act
    const added = await addComment(jira, key, { body: 'Crash group has *1,204* events.' });

    // Assess
    expect(added.status).toBe(201);
    expect(added.json).toEqual({
      self: `${jira.apiUrl}issue/${id}/comment/${added.json.id}`,
      id: expect.stringMatching(/^\d+$/),
      author: expect.objectContaining({ accountId: bot.accountId, displayName: 'Sandbox Bot' }),
      body: 'Crash group has *1,204* events.',
      updateAuthor: expect.objectContaining({ accountId: bot.accountId }),
      created: expect.stringMatching(JIRA_TIME),
      updated: added.json.created,
      jsdPublic: true,
    });
    expect(jira.findIssue(key)!.comments.map((c) => c.body)).toEqual(['Crash group has *1,204* events.']);
    expect(validator.validateResponse({ method: 'POST', path: `/rest/api/2/issue/${key}/comment`, status: 201, body: added.json })).toEqual([]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('Server: the comment names its author by name and key, and carries no jsdPublic', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue({ deployment: 'Server' });

    // Act
    const added = await addComment(jira, key, { body: 'Looking into it' });

    // Assess
    expect(added.status).toBe(201);
    expect(added.json.author).toMatchObject({ name: 'bot@example.com', key: 'JIRAUSER10000', displayName: 'Sandbox Bot' });
    expect(added.json.author).not.toHaveProperty('accountId');
    expect(added.json).not.toHaveProperty('jsdPublic');
  });

  it('lists the comments oldest first, pages them, and orders newest first on request', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue();
    const validator = await loadOpenApiValidator();
    for (const body of ['first', 'second', 'third']) await addComment(jira, key, { body });
    jira.actAs('Ana Lima').comment(key, 'fourth, in the UI');

    // Act
    const all = await call(`${jira.apiUrl}issue/${key}/comment`);
    const page = await call(`${jira.apiUrl}issue/${key}/comment?startAt=1&maxResults=2`);
    const newest = await call(`${jira.apiUrl}issue/${key}/comment?orderBy=-created&maxResults=1`);

    // Assess
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ startAt: 0, maxResults: 5000, total: 4 });
    expect(all.json.comments.map((c: { body: string }) => c.body)).toEqual(['first', 'second', 'third', 'fourth, in the UI']);
    expect(all.json.comments[3].author.displayName).toBe('Ana Lima');
    expect(page.json).toMatchObject({ startAt: 1, maxResults: 2, total: 4 });
    expect(page.json.comments.map((c: { body: string }) => c.body)).toEqual(['second', 'third']);
    expect(newest.json.comments.map((c: { body: string }) => c.body)).toEqual(['fourth, in the UI']);
    for (const answer of [all, page, newest]) {
      expect(validator.validateResponse({ method: 'GET', path: `/rest/api/2/issue/${key}/comment`, status: 200, body: answer.json })).toEqual([]);
    }
    expect(jira.validationErrors).toEqual([]);
  });

  it('shows the comments under fields.comment of GET issue, but not in searches for navigable fields', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue({ deployment: 'Server' });
    const added = (await addComment(jira, key, { body: 'comment body' })).json;

    // Act
    const issue = (await call(`${jira.apiUrl}issue/${key}`)).json;
    const asked = (await call(`${jira.apiUrl}issue/${key}?fields=comment`)).json;
    const searched = (await call(`${jira.apiUrl}search?jql=project%3DCRASH`)).json;

    // Assess
    expect(issue.fields.comment).toEqual({ comments: [added], maxResults: 1, total: 1, startAt: 0 });
    expect(asked.fields).toEqual({ comment: issue.fields.comment });
    expect(searched.issues[0].fields).not.toHaveProperty('comment');
    expect(searched.issues[0].fields).toHaveProperty('summary');
  });

  it('starts an issue with an empty comment page', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue();

    // Act
    const issue = (await call(`${jira.apiUrl}issue/${key}`)).json;

    // Assess
    expect(issue.fields.comment).toEqual({ comments: [], maxResults: 0, total: 0, startAt: 0 });
  });

  it('announces a REST comment as issue_commented to every webhook and as comment_created to those that ask', async () => {
    // Prepare
    const updates = await startReceiver();
    const comments = await startReceiver();
    cleanups.push(() => updates.close(), () => comments.close());
    const { jira, key } = await jiraWithIssue({ webhooks: [{ url: updates.url }, { url: comments.url, events: ['comment_created'] }] });
    await jira.webhooksIdle();
    const before = updates.received.length;

    // Act
    const added = (await addComment(jira, key, { body: 'Fixed in 2.4.0' })).json;
    await jira.webhooksIdle();

    // Assess
    expect(updates.received.slice(before).map((r) => [r.json.webhookEvent, r.json.issue_event_type_name, r.json.comment?.id])).toEqual([['jira:issue_updated', 'issue_commented', added.id]]);
    expect(updates.received.at(-1)!.json).not.toHaveProperty('changelog');
    expect(comments.received.map((r) => r.json)).toEqual([
      expect.objectContaining({ webhookEvent: 'comment_created', comment: expect.objectContaining({ id: added.id, body: 'Fixed in 2.4.0' }), issue: expect.objectContaining({ key }) }),
    ]);
    expect(jira.findIssue(key)!.history).toEqual([]);
  });

  it('keeps a visibility restriction and shows it back', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue();
    const visibility = { type: 'role', value: 'Administrators' };

    // Act
    const added = await addComment(jira, key, { body: 'Internal note', visibility });
    const listed = await call(`${jira.apiUrl}issue/${key}/comment`);

    // Assess
    expect(added.json.visibility).toEqual(visibility);
    expect(listed.json.comments[0].visibility).toEqual(visibility);
    expect(jira.validationErrors).toEqual([]);
  });

  it.each([
    ['no body', {}],
    ['an empty body', { body: '' }],
    ['a blank body', { body: '   ' }],
  ])('refuses a comment with %s: 400 on comment, nothing added', async (_case, body) => {
    // Prepare
    const { jira, key } = await jiraWithIssue();

    // Act
    const refused = await addComment(jira, key, body);

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ errorMessages: [], errors: { comment: 'Comment body can not be empty!' } });
    expect(jira.findIssue(key)!.comments).toEqual([]);
  });

  it('answers 404 for the comments of an issue that does not exist', async () => {
    // Prepare
    const { jira } = await jiraWithIssue();

    // Act
    const added = await addComment(jira, 'CRASH-404', { body: 'x' });
    const listed = await call(`${jira.apiUrl}issue/CRASH-404/comment`);

    // Assess
    for (const answer of [added, listed]) {
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({ errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
    }
  });

  it('refuses a comment body that is not a string, and an orderBy Jira does not know, as the OpenAPI document says', async () => {
    // Prepare
    const { jira, key } = await jiraWithIssue();

    // Act
    const numeric = await addComment(jira, key, { body: 42 });
    const badOrder = await call(`${jira.apiUrl}issue/${key}/comment?orderBy=author`);

    // Assess
    expect([numeric.status, badOrder.status]).toEqual([400, 400]);
    expect(jira.validationErrors).toEqual([expect.stringMatching(/requestBody\.body must be string/), expect.stringMatching(/query\.orderBy must be equal to one of the allowed values/)]);
  });
});
