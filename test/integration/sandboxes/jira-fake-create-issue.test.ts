import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';

const fields = (extra: Record<string, unknown> = {}) => ({ project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'TypeError in checkout', ...extra });

describe('Jira fake: POST /rest/api/2/issue', () => {
  let jira: JiraFake;
  const create = (body: unknown) => call(`${jira.apiUrl}issue`, { body });

  beforeAll(async () => {
    jira = await startJiraFake({
      fields: [
        { id: 'customfield_10010', name: 'Severity', schema: { type: 'option' }, allowedValues: ['Critical', 'Major', 'Minor'] },
        { id: 'customfield_10011', name: 'Occurrences', schema: { type: 'number' } },
        { id: 'customfield_10012', name: 'Platforms', schema: { type: 'array', items: 'option' }, allowedValues: ['iOS', 'Android'] },
        { id: 'customfield_10013', name: 'Build', schema: { type: 'string' } },
        { id: 'customfield_10099', name: 'Hidden', schema: { type: 'string' } },
      ],
      projects: [
        {
          id: '10000',
          key: 'CRASH',
          name: 'Crash reports',
          issueTypes: [
            { id: '10004', name: 'Bug', requiredFields: ['customfield_10010'], screenFields: ['description', 'labels', 'priority', 'assignee', 'customfield_10011', 'customfield_10012', 'customfield_10013'] },
            { id: '10002', name: 'Task' },
          ],
        },
      ],
    });
  });
  afterAll(() => jira.close());
  beforeEach(() => jira.reset());

  it('creates issues with consecutive keys and answers {id, key, self}', async () => {
    // Prepare
    const body = { fields: fields({ customfield_10010: { value: 'Critical' }, labels: ['backtrace', 'bt-0123456789ab'] }) };

    // Act
    const first = await create(body);
    const second = await create({ fields: fields({ issuetype: { id: '10002' } }) });

    // Assess
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ id: expect.any(String), key: 'CRASH-1', self: `${jira.apiUrl}issue/${first.json.id}` });
    expect(second.status).toBe(201);
    expect(second.json.key).toBe('CRASH-2');
    expect(jira.issues.map((i) => [i.key, i.labels])).toEqual([
      ['CRASH-1', ['backtrace', 'bt-0123456789ab']],
      ['CRASH-2', []],
    ]);
  });

  it('shows the created issue back through GET issue/{key}, options resolved', async () => {
    // Prepare
    const created = await create({ fields: fields({ customfield_10010: { value: 'Major' }, description: 'h3. Crash', labels: ['x'] }) });

    // Act
    const byKey = await call(`${jira.apiUrl}issue/${created.json.key}`);
    const byId = await call(`${jira.apiUrl}issue/${created.json.id}?fields=summary,labels`);

    // Assess
    expect(byKey.status).toBe(200);
    expect(byKey.json.fields).toMatchObject({
      summary: 'TypeError in checkout',
      description: 'h3. Crash',
      labels: ['x'],
      project: { key: 'CRASH', id: '10000' },
      issuetype: { id: '10004', name: 'Bug' },
      customfield_10010: { value: 'Major', id: expect.any(String) },
      status: { statusCategory: { key: 'new' } },
    });
    expect(Object.keys(byId.json.fields).sort()).toEqual(['labels', 'summary']);
  });

  it('answers 404 for an issue that does not exist', async () => {
    // Act
    const answer = await call(`${jira.apiUrl}issue/CRASH-999`);

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.json.errorMessages).toEqual(['Issue does not exist or you do not have permission to see it.']);
  });

  it.each([
    ['a missing project', { fields: { issuetype: { name: 'Bug' }, summary: 's' } }, { project: 'Specify a valid project ID or key' }],
    ['an unknown project key', { fields: fields({ project: { key: 'NOPE' } }) }, { project: 'Specify a valid project ID or key' }],
    ['an unknown project id', { fields: fields({ project: { id: '99999' } }) }, { project: 'Specify a valid project ID or key' }],
    ['a missing issue type and summary', { fields: { project: { key: 'CRASH' } } }, { issuetype: 'Specify an issue type', summary: 'You must specify a summary of the issue.' }],
    ['an issue type the project lacks', { fields: fields({ issuetype: { name: 'Epic' } }) }, { issuetype: 'Specify a valid issue type' }],
    ['a blank summary', { fields: fields({ summary: '   ', customfield_10010: { value: 'Minor' } }) }, { summary: 'You must specify a summary of the issue.' }],
    ['a 255-character summary', { fields: fields({ summary: 'x'.repeat(255), customfield_10010: { value: 'Minor' } }) }, { summary: 'Summary must be less than 255 characters.' }],
    ['a required custom field left out', { fields: fields() }, { customfield_10010: 'Severity is required.' }],
    ['a field not on the screen', { fields: fields({ customfield_10010: { value: 'Minor' }, customfield_10099: 'x' }) }, { customfield_10099: "Field 'customfield_10099' cannot be set. It is not on the appropriate screen, or unknown." }],
    ['a field addressed by name instead of id', { fields: fields({ customfield_10010: { value: 'Minor' }, Build: '1.2' }) }, { Build: "Field 'Build' cannot be set. It is not on the appropriate screen, or unknown." }],
    ['a label with a space', { fields: fields({ customfield_10010: { value: 'Minor' }, labels: ['crash report'] }) }, { labels: "The label 'crash report' contains spaces which is invalid." }],
    ['labels given as a string', { fields: fields({ customfield_10010: { value: 'Minor' }, labels: 'crash' }) }, { labels: 'data was not an array' }],
    ['a number field given a string', { fields: fields({ customfield_10010: { value: 'Minor' }, customfield_10011: '42' }) }, { customfield_10011: 'Operation value must be a number' }],
    ['a text field given a number', { fields: fields({ customfield_10010: { value: 'Minor' }, customfield_10013: 42 }) }, { customfield_10013: 'Operation value must be a string' }],
    ['a select field given a bare string', { fields: fields({ customfield_10010: 'Critical' }) }, { customfield_10010: "Could not find valid 'id' or 'value' in the Parent Option object." }],
    ['a select value that is not an option', { fields: fields({ customfield_10010: { value: 'Blocker' } }) }, { customfield_10010: "Option value 'Blocker' is not valid" }],
    ['a multiselect given one object', { fields: fields({ customfield_10010: { value: 'Minor' }, customfield_10012: { value: 'iOS' } }) }, { customfield_10012: 'data was not an array' }],
    ['a multiselect with an unknown option', { fields: fields({ customfield_10010: { value: 'Minor' }, customfield_10012: [{ value: 'iOS' }, { value: 'Web' }] }) }, { customfield_10012: "Option value 'Web' is not valid" }],
    ['an ADF description (API v3 shape) on v2', { fields: fields({ customfield_10010: { value: 'Minor' }, description: { type: 'doc', version: 1, content: [] } }) }, { description: 'Operation value must be a string' }],
    ['a description over 32,767 characters', { fields: fields({ customfield_10010: { value: 'Minor' }, description: 'x'.repeat(32_768) }) }, { description: 'The entered text is too long. It exceeds the allowed limit of 32,767 characters.' }],
    ['a Cloud assignee given by username', { fields: fields({ customfield_10010: { value: 'Minor' }, assignee: { name: 'jdoe' } }) }, { assignee: "Specify a valid 'accountId' for Assignee" }],
    ['an unknown priority', { fields: fields({ customfield_10010: { value: 'Minor' }, priority: { name: 'Urgent' } }) }, { priority: "Specify a valid 'id' or 'name' for Priority" }],
  ])('refuses %s with 400 and Jira\'s field error', async (_case, body, errors) => {
    // Act
    const answer = await create(body);

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ errorMessages: [], errors });
    expect(jira.issues).toEqual([]);
  });

  it('accepts the longest allowed summary and description, and option values by id', async () => {
    // Prepare
    const fieldList = await call(`${jira.apiUrl}issue/createmeta/CRASH/issuetypes/10004`);
    const severity = fieldList.json.fields.find((f: { fieldId: string }) => f.fieldId === 'customfield_10010');
    const critical = severity.allowedValues.find((o: { value: string }) => o.value === 'Critical');

    // Act
    const answer = await create({ fields: fields({ summary: 'x'.repeat(254), description: 'y'.repeat(32_767), customfield_10010: { id: critical.id }, customfield_10011: 42.07, customfield_10012: [{ value: 'iOS' }] }) });

    // Assess
    expect(answer.status).toBe(201);
    expect(jira.issues[0]?.fields.customfield_10010).toEqual({ id: critical.id });
  });

  it('folds update operations into the fields, as Jira applies both on create', async () => {
    // Act
    const answer = await create({ fields: fields({ customfield_10010: { value: 'Minor' } }), update: { labels: [{ add: 'bt-aaaaaaaaaaaa' }, { add: 'backtrace' }] } });

    // Assess
    expect(answer.status).toBe(201);
    expect(jira.issues[0]?.labels).toEqual(['bt-aaaaaaaaaaaa', 'backtrace']);
  });

  it('refuses a body that is not JSON, and one sent without a JSON content type', async () => {
    // Act
    const broken = await call(`${jira.apiUrl}issue`, { body: '{"fields": ' });
    const formPost = await call(`${jira.apiUrl}issue`, { body: JSON.stringify({ fields: fields() }), headers: { 'content-type': 'text/plain' } });

    // Assess
    expect(broken.status).toBe(400);
    expect(broken.json.errorMessages[0]).toMatch(/JSON/);
    expect(formPost.status).toBe(415);
    expect(jira.issues).toEqual([]);
  });
});

describe('Jira fake: Server dialect and context path', () => {
  it('serves under the context path, takes users by name and builds self links with it', async () => {
    // Prepare
    const jira = await startJiraFake({ deployment: 'Server', contextPath: '/jira', auth: { basic: [{ user: 'jira-bot', secret: 'pa55word' }] } });
    const auth = `Basic ${Buffer.from('jira-bot:pa55word').toString('base64')}`;

    try {
      // Act
      const created = await call(`${jira.apiUrl}issue`, { auth, body: { fields: fields({ assignee: { name: 'jdoe' } }) } });
      const withoutContext = await call(`${jira.url.replace('/jira', '')}/rest/api/2/serverInfo`, { auth });
      const cloudStyleUser = await call(`${jira.apiUrl}issue`, { auth, body: { fields: fields({ assignee: { accountId: '5b10ac8d82e05b22cc7d4ef5' } }) } });

      // Assess
      expect(jira.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/jira\/rest\/api\/2\/$/);
      expect(created.status).toBe(201);
      expect(created.json.self).toBe(`${jira.apiUrl}issue/${created.json.id}`);
      expect(withoutContext.status).toBe(404);
      expect(cloudStyleUser.status).toBe(400);
      expect(cloudStyleUser.json.errors).toEqual({ assignee: "Specify a valid 'name' for Assignee" });
    } finally {
      await jira.close();
    }
  });
});
