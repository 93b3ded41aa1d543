/**
 * The Jira fake's fix versions: a project's versions (listed, paged, created over REST or by an admin in the UI), and
 * `fixVersions` and a version-picker custom field on issues (set on create, offered in createmeta, shown by GET
 * issue), refused with Jira's message when the project has no such version.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadOpenApiValidator, startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';

const PICKER = { id: 'customfield_10030', name: 'Fixed in builds', schema: { type: 'array', items: 'version' } };

/** CRASH with three versions (one archived, one released with a date) and OPS with one of its own. */
const projects = (): NonNullable<JiraFakeOptions['projects']> => [
  {
    id: '10000',
    key: 'CRASH',
    name: 'Crash reports',
    issueTypes: [{ id: '10004', name: 'Bug' }],
    versions: [
      { name: '2.3.1', released: true, releaseDate: '2024-01-10', description: 'Hotfix' },
      { name: '2.4.0' },
      { name: '1.0', archived: true, released: true },
    ],
  },
  { id: '10001', key: 'OPS', name: 'Operations', issueTypes: [{ id: '10004', name: 'Bug' }], versions: [{ name: '9.9' }] },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function jiraFake(options: JiraFakeOptions = {}): Promise<JiraFake> {
  const jira = await startJiraFake({ openApiValidation: true, projects: projects(), fields: [PICKER], ...options });
  cleanups.push(() => jira.close());
  return jira;
}

const createIssue = (jira: JiraFake, fields: Record<string, unknown> = {}) =>
  call(`${jira.apiUrl}issue`, { body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash', ...fields } } });
const getIssue = async (jira: JiraFake, key: string, query = '') => (await call(`${jira.apiUrl}issue/${key}${query}`)).json;
const versionId = (jira: JiraFake, name: string, projectId = '10000') => jira.versions.find((v) => v.name === name && v.projectId === projectId)!.id;
const names = (versions: { name: string }[] | null) => versions?.map((v) => v.name) ?? null;

describe('Jira fake: project versions', () => {
  it('lists a project\'s versions unpaginated, by key or id, in release order, in the spec\'s Version shape', async () => {
    // Prepare
    const jira = await jiraFake();
    const validator = await loadOpenApiValidator();

    // Act
    const byKey = await call(`${jira.apiUrl}project/CRASH/versions`);
    const byId = await call(`${jira.apiUrl}project/10000/versions`);

    // Assess
    expect(byKey.status).toBe(200);
    expect(byKey.json).toEqual([
      { self: `${jira.apiUrl}version/10000`, id: '10000', description: 'Hotfix', name: '2.3.1', archived: false, released: true, releaseDate: '2024-01-10', overdue: false, projectId: 10000 },
      { self: `${jira.apiUrl}version/10001`, id: '10001', name: '2.4.0', archived: false, released: false, projectId: 10000 },
      { self: `${jira.apiUrl}version/10002`, id: '10002', name: '1.0', archived: true, released: true, projectId: 10000 },
    ]);
    expect(byId.json).toEqual(byKey.json);
    expect(validator.validateResponse({ method: 'GET', path: '/rest/api/2/project/CRASH/versions', status: 200, body: byKey.json })).toEqual([]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('answers 404 for the versions of a project that does not exist', async () => {
    // Prepare
    const jira = await jiraFake();

    // Act
    const answer = await call(`${jira.apiUrl}project/NOPE/versions`);

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ errorMessages: ["No project could be found with key 'NOPE'."], errors: {} });
  });

  it.each([
    ['projectId', { projectId: 10000 }],
    ['the deprecated project key', { project: 'CRASH' }],
  ])('creates a version with POST version naming the project by %s: 201, last in release order', async (_case, project) => {
    // Prepare
    const jira = await jiraFake();
    const validator = await loadOpenApiValidator();

    // Act
    const created = await call(`${jira.apiUrl}version`, { body: { name: '2.5.0', description: 'Next', releaseDate: '2030-06-01', ...project } });
    const listed = await call(`${jira.apiUrl}project/CRASH/versions`);

    // Assess
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      self: `${jira.apiUrl}version/${created.json.id}`,
      id: expect.stringMatching(/^\d+$/),
      description: 'Next',
      name: '2.5.0',
      archived: false,
      released: false,
      releaseDate: '2030-06-01',
      overdue: false,
      projectId: 10000,
    });
    expect(names(listed.json)).toEqual(['2.3.1', '2.4.0', '1.0', '2.5.0']);
    expect(new Set(jira.versions.map((v) => v.id)).size).toBe(jira.versions.length);
    expect(validator.validateResponse({ method: 'POST', path: '/rest/api/2/version', status: 201, body: created.json })).toEqual([]);
    expect(jira.validationErrors).toEqual([]);
  });

  it.each([
    ['a name the project already has', { name: '2.4.0', projectId: 10000 }, 400, { errorMessages: [], errors: { name: 'A version with this name already exists in this project.' } }],
    ['no project', { name: '3.0' }, 400, { errorMessages: [], errors: { project: 'Project must be specified to create a version.' } }],
    ['a project that does not exist', { name: '3.0', projectId: 99999 }, 404, { errorMessages: ["No project could be found with id '99999'."], errors: {} }],
    ['no name', { projectId: 10000 }, 400, { errorMessages: [], errors: { name: 'You must specify a valid version name' } }],
    ['a blank name', { name: '  ', projectId: 10000 }, 400, { errorMessages: [], errors: { name: 'You must specify a valid version name' } }],
    ['a name longer than 255 characters', { name: 'v'.repeat(256), projectId: 10000 }, 400, { errorMessages: [], errors: { name: 'The version name must not be longer than 255 characters.' } }],
  ])('refuses POST version with %s, creating nothing', async (_case, body, status, answer) => {
    // Prepare
    const jira = await jiraFake();
    const before = jira.versions.length;

    // Act
    const refused = await call(`${jira.apiUrl}version`, { body });

    // Assess
    expect(refused.status).toBe(status);
    expect(refused.json).toEqual(answer);
    expect(jira.versions).toHaveLength(before);
    expect(jira.validationErrors).toEqual([]);
  });

  it('takes version names as unique regardless of case', async () => {
    // Prepare
    const jira = await jiraFake();
    await call(`${jira.apiUrl}version`, { body: { name: 'Beta-1', projectId: 10000 } });

    // Act
    const refused = await call(`${jira.apiUrl}version`, { body: { name: 'BETA-1', projectId: 10000 } });

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual({ name: 'A version with this name already exists in this project.' });
    expect(jira.versions.filter((v) => v.name.toLowerCase() === 'beta-1')).toHaveLength(1);
  });

  it('lets the same version name live in two projects', async () => {
    // Prepare
    const jira = await jiraFake();

    // Act
    const created = await call(`${jira.apiUrl}version`, { body: { name: '9.9', projectId: 10000 } });

    // Assess
    expect(created.status).toBe(201);
    expect(jira.versions.filter((v) => v.name === '9.9').map((v) => v.projectId).sort()).toEqual(['10000', '10001']);
  });

  it('pages versions with startAt/maxResults, filters by status and query, and orders by name', async () => {
    // Prepare
    const jira = await jiraFake();
    const validator = await loadOpenApiValidator();

    // Act
    const first = await call(`${jira.apiUrl}project/CRASH/version?startAt=0&maxResults=2`);
    const last = await call(`${jira.apiUrl}project/CRASH/version?startAt=2&maxResults=2`);
    const unreleased = await call(`${jira.apiUrl}project/CRASH/version?status=unreleased`);
    const releasedOrArchived = await call(`${jira.apiUrl}project/CRASH/version?status=released,archived&orderBy=-name`);
    const hotfixes = await call(`${jira.apiUrl}project/CRASH/version?query=hotFIX`);

    // Assess
    expect(first.json).toMatchObject({ startAt: 0, maxResults: 2, total: 3, isLast: false, nextPage: `${jira.apiUrl}project/CRASH/version?startAt=2&maxResults=2` });
    expect(names(first.json.values)).toEqual(['2.3.1', '2.4.0']);
    expect(last.json).toMatchObject({ startAt: 2, total: 3, isLast: true });
    expect(last.json).not.toHaveProperty('nextPage');
    expect(names(last.json.values)).toEqual(['1.0']);
    expect(names(unreleased.json.values)).toEqual(['2.4.0']);
    expect(names(releasedOrArchived.json.values)).toEqual(['2.3.1', '1.0']);
    expect(names(hotfixes.json.values)).toEqual(['2.3.1']);
    for (const page of [first, last, unreleased, releasedOrArchived, hotfixes]) {
      expect(validator.validateResponse({ method: 'GET', path: '/rest/api/2/project/CRASH/version', status: 200, body: page.json })).toEqual([]);
    }
    expect(jira.validationErrors).toEqual([]);
  });

  it('lets an admin add a version in the UI; a name the project has is refused', async () => {
    // Prepare
    const jira = await jiraFake();

    // Act
    const added = jira.actAs('Ana Lima').addVersion('CRASH', { name: '3.0.0', released: true, releaseDate: '2024-05-01' });
    const listed = await call(`${jira.apiUrl}project/CRASH/versions`);

    // Assess
    expect(added).toEqual({ id: expect.any(String), name: '3.0.0', projectId: '10000', released: true, archived: false, releaseDate: '2024-05-01' });
    expect(listed.json.at(-1)).toMatchObject({ id: added.id, name: '3.0.0', released: true });
    expect(() => jira.actAs('Ana Lima').addVersion('CRASH', { name: '3.0.0' })).toThrow(/A version with this name already exists/);
    expect(() => jira.actAs('Ana Lima').addVersion('NOPE', { name: '1' })).toThrow(/no project NOPE/);
  });

  it('forgets versions added after start on reset and gives their ids out again; configured ones stay', async () => {
    // Prepare
    const jira = await jiraFake();
    const added = (await call(`${jira.apiUrl}version`, { body: { name: '5.0', projectId: 10000 } })).json;

    // Act
    jira.reset();
    const again = (await call(`${jira.apiUrl}version`, { body: { name: '5.1', projectId: 10000 } })).json;

    // Assess
    expect(jira.versions.map((v) => v.name)).toEqual(['2.3.1', '2.4.0', '1.0', '9.9', '5.1']);
    expect(again.id).toBe(added.id);
  });

  it('refuses to start with two configured versions of the same name in a project', async () => {
    // Act
    const start = startJiraFake({ projects: [{ id: '1', key: 'P', issueTypes: [{ id: '1', name: 'Bug' }], versions: [{ name: '1.0' }, { name: '1.0' }] }] });

    // Assess
    await expect(start).rejects.toThrow(/version '1.0' of P: A version with this name already exists/);
  });
});

describe('Jira fake: fix versions on issues', () => {
  it('creates an issue with fixVersions by name and by id, and shows them back as version objects in release order', async () => {
    // Prepare
    const jira = await jiraFake();

    // Act
    const created = await createIssue(jira, { fixVersions: [{ name: '2.4.0' }, { id: versionId(jira, '2.3.1') }] });
    const issue = await getIssue(jira, created.json.key);

    // Assess
    expect(created.status).toBe(201);
    expect(issue.fields.fixVersions).toEqual([
      { self: `${jira.apiUrl}version/${versionId(jira, '2.3.1')}`, id: versionId(jira, '2.3.1'), description: 'Hotfix', name: '2.3.1', archived: false, released: true, releaseDate: '2024-01-10' },
      { self: `${jira.apiUrl}version/${versionId(jira, '2.4.0')}`, id: versionId(jira, '2.4.0'), name: '2.4.0', archived: false, released: false },
    ]);
    expect(issue.fields.versions).toEqual([]);
    expect(issue.fields[PICKER.id]).toBeNull();
    expect(jira.validationErrors).toEqual([]);
  });

  it.each([
    ['an unknown name', [{ name: '7.7' }], "Version name '7.7' is not valid"],
    ['a version of another project', [{ name: '9.9' }], "Version name '9.9' is not valid"],
    ['an unknown id', [{ id: '424242' }], "Version id '424242' is not valid"],
    ['a numeric id', [{ id: 10001 }], "expected 'id' property to be a string"],
    ['a bare string', ['2.4.0'], "Could not find valid 'id' or 'name' in version object."],
  ])('refuses to create an issue whose fixVersions name %s, creating nothing', async (_case, fixVersions, message) => {
    // Prepare
    const jira = await jiraFake();

    // Act
    const refused = await createIssue(jira, { fixVersions });

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ errorMessages: [], errors: { fixVersions: message } });
    expect(jira.issues).toEqual([]);
  });

  it('offers the project\'s versions that are not archived in createmeta, for fixVersions and the version picker', async () => {
    // Prepare
    const jira = await jiraFake();

    // Act
    const meta = await call(`${jira.apiUrl}issue/createmeta/CRASH/issuetypes/10004`);

    // Assess
    const byId = new Map<string, any>(meta.json.fields.map((f: { fieldId: string }) => [f.fieldId, f]));
    expect(byId.get('fixVersions')).toMatchObject({ schema: { type: 'array', items: 'version', system: 'fixVersions' }, operations: ['add', 'set', 'remove'] });
    expect(names(byId.get('fixVersions').allowedValues)).toEqual(['2.3.1', '2.4.0']);
    expect(byId.get('fixVersions').allowedValues[0]).toEqual({ self: `${jira.apiUrl}version/${versionId(jira, '2.3.1')}`, id: versionId(jira, '2.3.1'), description: 'Hotfix', name: '2.3.1', archived: false, released: true, releaseDate: '2024-01-10' });
    expect(byId.get(PICKER.id)).toMatchObject({ name: 'Fixed in builds', schema: { custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multiversion' } });
    expect(names(byId.get(PICKER.id).allowedValues)).toEqual(['2.3.1', '2.4.0']);
    expect(jira.validationErrors).toEqual([]);
  });

  it('lists the version picker in GET field with the multiversion schema', async () => {
    // Prepare
    const jira = await jiraFake();

    // Act
    const fields = await call(`${jira.apiUrl}field`);

    // Assess
    expect(fields.json.find((f: { id: string }) => f.id === PICKER.id)).toMatchObject({
      name: 'Fixed in builds',
      custom: true,
      clauseNames: ['cf[10030]', 'Fixed in builds'],
      schema: { type: 'array', items: 'version', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multiversion', customId: 10030 },
    });
  });

  it('sets the version picker on create and shows it, with fields= choosing what comes back', async () => {
    // Prepare
    const jira = await jiraFake();
    const { key } = (await createIssue(jira, { fixVersions: [{ name: '2.4.0' }], [PICKER.id]: [{ name: '2.3.1' }] })).json;

    // Act
    const some = await getIssue(jira, key, `?fields=fixVersions,${PICKER.id}`);
    const without = await getIssue(jira, key, '?fields=*all,-fixVersions');
    const unknown = await createIssue(jira, { [PICKER.id]: [{ name: 'nope' }] });

    // Assess
    expect(some.fields).toEqual({ fixVersions: [expect.objectContaining({ name: '2.4.0' })], [PICKER.id]: [expect.objectContaining({ name: '2.3.1', id: versionId(jira, '2.3.1') })] });
    expect(without.fields).not.toHaveProperty('fixVersions');
    expect(without.fields[PICKER.id]).toHaveLength(1);
    expect(unknown.json).toEqual({ errorMessages: [], errors: { [PICKER.id]: "Version name 'nope' is not valid" } });
  });
});
