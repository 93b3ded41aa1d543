import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';

const customFields = [
  { id: 'customfield_10010', name: 'Severity', schema: { type: 'option' }, allowedValues: ['Critical', 'Minor'] },
  { id: 'customfield_10020', name: 'Platforms', schema: { type: 'array', items: 'option' }, allowedValues: ['iOS'] },
];

describe('Jira fake: discovery endpoints', () => {
  let cloud: JiraFake;
  let server: JiraFake;
  beforeAll(async () => {
    const projects = [{ id: '10000', key: 'CRASH', issueTypes: [{ id: '10004', name: 'Bug', requiredFields: ['Severity'] }, { id: '10002', name: 'Task' }] }];
    [cloud, server] = await Promise.all([startJiraFake({ fields: customFields, projects }), startJiraFake({ deployment: 'Server', fields: customFields, projects })]);
  });
  afterAll(() => Promise.all([cloud.close(), server.close()]));

  it('reports the deployment type and base URL in serverInfo', async () => {
    // Act
    const [c, s] = await Promise.all([call(`${cloud.apiUrl}serverInfo`), call(`${server.apiUrl}serverInfo`)]);

    // Assess
    expect(c.json).toMatchObject({ deploymentType: 'Cloud', baseUrl: cloud.url, version: expect.any(String), versionNumbers: expect.any(Array) });
    expect(s.json).toMatchObject({ deploymentType: 'Server', baseUrl: server.url, version: '9.12.15' });
  });

  it('lists system and custom fields with their schemas', async () => {
    // Act
    const answer = await call(`${cloud.apiUrl}field`);

    // Assess
    const byId = new Map<string, any>(answer.json.map((f: { id: string }) => [f.id, f]));
    for (const id of ['summary', 'description', 'labels', 'issuetype', 'project', 'fixVersions', 'versions', 'assignee', 'reporter', 'priority', 'components', 'environment']) {
      expect(byId.get(id), id).toMatchObject({ id, custom: false, schema: { system: id } });
    }
    expect(byId.get('labels').schema).toEqual({ type: 'array', items: 'string', system: 'labels' });
    expect(byId.get('fixVersions')).toMatchObject({ name: 'Fix versions', schema: { type: 'array', items: 'version' } });
    expect(byId.get('customfield_10010')).toEqual({
      id: 'customfield_10010',
      key: 'customfield_10010',
      name: 'Severity',
      untranslatedName: 'Severity',
      custom: true,
      orderable: true,
      navigable: true,
      searchable: true,
      clauseNames: ['cf[10010]', 'Severity'],
      schema: { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select', customId: 10010 },
    });
    expect(byId.get('customfield_10020').schema.custom).toBe('com.atlassian.jira.plugin.system.customfieldtypes:multiselect');
  });

  it('uses the Server field names on Data Center', async () => {
    // Act
    const answer = await call(`${server.apiUrl}field`);

    // Assess
    const names = Object.fromEntries(answer.json.map((f: { id: string; name: string }) => [f.id, f.name]));
    expect(names).toMatchObject({ fixVersions: 'Fix Version/s', versions: 'Affects Version/s', components: 'Component/s' });
  });

  it('answers myself with the Cloud accountId or the Server username', async () => {
    // Act
    const [c, s] = await Promise.all([call(`${cloud.apiUrl}myself`), call(`${server.apiUrl}myself`)]);

    // Assess
    expect(c.json).toMatchObject({ accountId: expect.stringMatching(/^[0-9a-f]{24}$/), emailAddress: 'bot@example.com' });
    expect(c.json.name).toBeUndefined();
    expect(s.json).toMatchObject({ name: 'bot@example.com', key: expect.any(String) });
  });

  it('pages issue types as issueTypes on Cloud and as values/isLast on Server', async () => {
    // Act
    const c = await call(`${cloud.apiUrl}issue/createmeta/CRASH/issuetypes`);
    const s = await call(`${server.apiUrl}issue/createmeta/10000/issuetypes?startAt=1&maxResults=1`);

    // Assess
    expect(c.json).toMatchObject({ startAt: 0, maxResults: 50, total: 2 });
    expect(c.json.issueTypes.map((t: { id: string; name: string }) => [t.id, t.name])).toEqual([['10004', 'Bug'], ['10002', 'Task']]);
    expect(c.json.values).toBeUndefined();
    expect(s.json).toMatchObject({ startAt: 1, maxResults: 1, total: 2, isLast: true });
    expect(s.json.values.map((t: { name: string }) => t.name)).toEqual(['Task']);
    expect(s.json.issueTypes).toBeUndefined();
  });

  it('lists the create-screen fields of an issue type with required flags and allowed values', async () => {
    // Act
    const c = await call(`${cloud.apiUrl}issue/createmeta/CRASH/issuetypes/10004`);
    const s = await call(`${server.apiUrl}issue/createmeta/CRASH/issuetypes/10004`);

    // Assess
    const byId = new Map<string, any>(c.json.fields.map((f: { fieldId: string }) => [f.fieldId, f]));
    expect(byId.get('summary')).toMatchObject({ required: true, name: 'Summary', key: 'summary', operations: ['set'], schema: { type: 'string', system: 'summary' } });
    expect(byId.get('project')).toMatchObject({ required: true, allowedValues: [{ id: '10000', key: 'CRASH' }] });
    expect(byId.get('issuetype')).toMatchObject({ required: true, allowedValues: [{ id: '10004', name: 'Bug' }] });
    expect(byId.get('customfield_10010')).toMatchObject({ required: true, allowedValues: [{ value: 'Critical', id: expect.any(String) }, { value: 'Minor', id: expect.any(String) }] });
    expect(byId.get('labels')).toMatchObject({ required: false, operations: ['add', 'set', 'remove'] });
    expect(s.json.values.map((f: { fieldId: string }) => f.fieldId)).toEqual(c.json.fields.map((f: { fieldId: string }) => f.fieldId));
    expect(s.json.isLast).toBe(true);
  });

  it.each([
    ['maxResults above 200', 'issue/createmeta/CRASH/issuetypes?maxResults=201', 400, /must not exceed the limit '200'/],
    ['an unknown project', 'issue/createmeta/NOPE/issuetypes', 404, /NOPE/],
    ['an unknown issue type', 'issue/createmeta/CRASH/issuetypes/99', 404, /99/],
  ])('refuses createmeta with %s', async (_case, path, status, message) => {
    // Act
    const answer = await call(`${cloud.apiUrl}${path}`);

    // Assess
    expect(answer.status).toBe(status);
    expect(answer.json.errorMessages[0]).toMatch(message);
  });

  it('answers an unknown resource with a Jira-like 404 and a wrong method with 405', async () => {
    // Act
    const unknown = await call(`${cloud.apiUrl}nothing/here`);
    const v3 = await call(`${cloud.url}/rest/api/3/serverInfo`);
    const wrongMethod = await call(`${cloud.apiUrl}serverInfo`, { method: 'DELETE' });

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ 'status-code': 404, message: expect.stringContaining('/rest/api/2/nothing/here') });
    expect(v3.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
  });

  it('records every request with method, path, query, body, headers, status and time', async () => {
    // Prepare
    const before = cloud.requests.length;

    // Act
    await call(`${cloud.apiUrl}search/jql?fields=summary`, { body: { jql: 'project = CRASH' } });

    // Assess
    expect(cloud.requests.slice(before)).toEqual([
      { method: 'POST', path: '/rest/api/2/search/jql', query: { fields: 'summary' }, body: { jql: 'project = CRASH' }, headers: expect.objectContaining({ 'content-type': 'application/json' }), status: 200, at: expect.any(Number) },
    ]);
  });
});

describe('Jira fake: configuration mistakes', () => {
  it('refuses an issue type that names a field nobody configured', async () => {
    // Act
    const start = startJiraFake({ projects: [{ id: '1', key: 'P', issueTypes: [{ id: '1', name: 'Bug', requiredFields: ['customfield_404'] }] }] });

    // Assess
    await expect(start).rejects.toThrow(/unknown field 'customfield_404'/);
  });
});

describe('Jira fake: createmeta by Data Center version', () => {
  const projects = [{ id: '10000', key: 'CRASH', issueTypes: [{ id: '10004', name: 'Bug', requiredFields: ['Severity'] }, { id: '10002', name: 'Task' }] }];
  let old: JiraFake;
  let current: JiraFake;
  beforeAll(async () => {
    [old, current] = await Promise.all([startJiraFake({ deployment: 'Server', serverVersion: '8.3.0', fields: customFields, projects }), startJiraFake({ deployment: 'Server', fields: customFields, projects })]);
  });
  afterAll(() => Promise.all([old.close(), current.close()]));

  it('serves only the old bulk form before 8.4, with the create screen keyed by field id when expanded', async () => {
    // Act
    const info = await call(`${old.apiUrl}serverInfo`);
    const paged = await call(`${old.apiUrl}issue/createmeta/CRASH/issuetypes`);
    const bulk = await call(`${old.apiUrl}issue/createmeta?projectKeys=CRASH&issuetypeNames=Bug&expand=projects.issuetypes.fields`);
    const bare = await call(`${old.apiUrl}issue/createmeta?projectKeys=CRASH`);

    // Assess
    expect(info.json).toMatchObject({ version: '8.3.0', versionNumbers: [8, 3, 0], buildNumber: 8_030_000 });
    expect(paged.status).toBe(404);
    expect(bulk.status).toBe(200);
    expect(bulk.json.projects).toHaveLength(1);
    const [project] = bulk.json.projects;
    expect(project).toMatchObject({ id: '10000', key: 'CRASH' });
    expect(project.issuetypes.map((type: { name: string }) => type.name)).toEqual(['Bug']);
    expect(project.issuetypes[0].fields.customfield_10010).toMatchObject({ required: true, name: 'Severity', fieldId: 'customfield_10010', allowedValues: [{ value: 'Critical' }, { value: 'Minor' }] });
    expect(project.issuetypes[0].fields.summary).toMatchObject({ required: true });
    expect(bare.json.projects[0].issuetypes.map((type: { name: string }) => type.name)).toEqual(['Bug', 'Task']);
    expect(bare.json.projects[0].issuetypes[0].fields).toBeUndefined();
  });

  it('serves only the paged form from 9.0', async () => {
    // Act
    const bulk = await call(`${current.apiUrl}issue/createmeta?projectKeys=CRASH&expand=projects.issuetypes.fields`);
    const paged = await call(`${current.apiUrl}issue/createmeta/CRASH/issuetypes`);

    // Assess
    expect(bulk.status).toBe(404);
    expect(paged.status).toBe(200);
  });
});
