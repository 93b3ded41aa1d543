/**
 * The Jira fake's fix versions: a project's versions (listed, paged, created over REST or by an admin in the UI),
 * `fixVersions` and a version-picker custom field on issues (set on create, by `PUT issue` fields or update
 * operations, or by a person), refused with Jira's message when the project has no such version, and every change
 * kept in the history and announced with one `Fix Version` item per version added or removed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadOpenApiValidator, startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

const PICKER = { id: 'customfield_10030', name: 'Fixed in builds', schema: { type: 'array', items: 'version' } };
const ANA_CLOUD = '5b10ac8d82e05b22cc7d4ef5';

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

async function receiver(): Promise<Receiver> {
  const inbox = await startReceiver();
  cleanups.push(() => inbox.close());
  return inbox;
}

const createIssue = (jira: JiraFake, fields: Record<string, unknown> = {}) =>
  call(`${jira.apiUrl}issue`, { body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash', ...fields } } });
const editIssue = (jira: JiraFake, key: string, body: unknown) => call(`${jira.apiUrl}issue/${key}`, { method: 'PUT', body });
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

  it('edits fixVersions with PUT issue: fields replace the list; update adds, removes and sets', async () => {
    // Prepare
    const jira = await jiraFake();
    const { key } = (await createIssue(jira)).json;

    // Act
    const set = await editIssue(jira, key, { fields: { fixVersions: [{ name: '2.4.0' }] } });
    const afterSet = names((await getIssue(jira, key)).fields.fixVersions);
    const addRemove = await editIssue(jira, key, { update: { fixVersions: [{ add: { name: '2.3.1' } }, { remove: { name: '2.4.0' } }] } });
    const afterAddRemove = names((await getIssue(jira, key)).fields.fixVersions);
    const setOp = await editIssue(jira, key, { update: { fixVersions: [{ set: [{ name: '2.4.0' }, { name: '2.3.1' }] }] } });
    const afterSetOp = names((await getIssue(jira, key)).fields.fixVersions);
    const cleared = await editIssue(jira, key, { fields: { fixVersions: [] } });
    const afterClear = (await getIssue(jira, key)).fields.fixVersions;

    // Assess
    expect([set.status, addRemove.status, setOp.status, cleared.status]).toEqual([204, 204, 204, 204]);
    expect(set.text).toBe('');
    expect(afterSet).toEqual(['2.4.0']);
    expect(afterAddRemove).toEqual(['2.3.1']);
    expect(afterSetOp).toEqual(['2.3.1', '2.4.0']);
    expect(afterClear).toEqual([]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('refuses an edit naming an unknown version (fields or update), changing nothing', async () => {
    // Prepare
    const jira = await jiraFake();
    const { key } = (await createIssue(jira, { fixVersions: [{ name: '2.4.0' }] })).json;
    const before = jira.findIssue(key)!.updated;

    // Act
    const viaFields = await editIssue(jira, key, { fields: { fixVersions: [{ name: '2.4.0' }, { name: 'X' }] } });
    const viaAdd = await editIssue(jira, key, { update: { fixVersions: [{ add: { name: 'X' } }] } });
    const bothWays = await editIssue(jira, key, { fields: { fixVersions: [] }, update: { fixVersions: [{ add: { name: '2.3.1' } }] } });

    // Assess
    expect(viaFields.status).toBe(400);
    expect(viaFields.json).toEqual({ errorMessages: [], errors: { fixVersions: "Version name 'X' is not valid" } });
    expect(viaAdd.json).toEqual({ errorMessages: [], errors: { fixVersions: "Version name 'X' is not valid" } });
    expect(bothWays.status).toBe(400);
    expect(bothWays.json.errors).toHaveProperty('fixVersions');
    expect(names((await getIssue(jira, key)).fields.fixVersions)).toEqual(['2.4.0']);
    expect(jira.findIssue(key)!.updated).toBe(before);
    expect(jira.findIssue(key)!.history).toEqual([]);
  });

  it('answers 404 for an edit of an issue that does not exist', async () => {
    // Prepare
    const jira = await jiraFake();

    // Act
    const answer = await editIssue(jira, 'CRASH-99', { fields: { fixVersions: [] } });

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
  });

  it.each([['Cloud'], ['Server']] as const)('%s: records a PUT edit as one history entry with one Fix Version item per version, announced alike', async (deployment) => {
    // Prepare
    const inbox = await receiver();
    const jira = await jiraFake({ deployment, webhooks: { url: `${inbox.url}/jira/webhook` } });
    const { key } = (await createIssue(jira, { fixVersions: [{ name: '2.3.1' }] })).json;
    const [v231, v240] = [versionId(jira, '2.3.1'), versionId(jira, '2.4.0')];

    // Act
    await editIssue(jira, key, { update: { fixVersions: [{ remove: { name: '2.3.1' } }, { add: { name: '2.4.0' } }] } });
    await jira.webhooksIdle();
    const issue = await getIssue(jira, key, '?expand=changelog');

    // Assess
    const items = [
      { field: 'Fix Version', fieldtype: 'jira', fieldId: 'fixVersions', from: v231, fromString: '2.3.1', to: null, toString: null },
      { field: 'Fix Version', fieldtype: 'jira', fieldId: 'fixVersions', from: null, fromString: null, to: v240, toString: '2.4.0' },
    ];
    expect(issue.changelog).toMatchObject({ total: 1, histories: [{ author: { displayName: 'Sandbox Bot' }, items }] });
    const update = inbox.received.map((r) => r.json).find((body) => body.webhookEvent === 'jira:issue_updated');
    expect(update).toMatchObject({ issue_event_type_name: 'issue_updated', user: { displayName: 'Sandbox Bot' }, changelog: { id: issue.changelog.histories[0].id, items } });
    expect(names(update.issue.fields.fixVersions)).toEqual(['2.4.0']);
    expect(jira.validationErrors).toEqual([]);
  });
});

describe('Jira fake: a person sets fix versions in the UI', () => {
  it('Cloud: records one history entry by that person, one item per version added or removed, and fires jira:issue_updated with it', async () => {
    // Prepare
    const inbox = await receiver();
    const jira = await jiraFake({ webhooks: { url: `${inbox.url}/jira/webhook` } });
    const { key } = (await createIssue(jira, { fixVersions: [{ name: '2.3.1' }] })).json;
    await jira.webhooksIdle();
    const before = inbox.received.length;
    const [v231, v240, v10] = [versionId(jira, '2.3.1'), versionId(jira, '2.4.0'), versionId(jira, '1.0')];

    // Act
    jira.actAs('Ana Lima').setFixVersions(key, ['2.4.0', '1.0']);
    await jira.webhooksIdle();
    const issue = await getIssue(jira, key, '?expand=changelog');

    // Assess
    const items = [
      { field: 'Fix Version', fieldtype: 'jira', fieldId: 'fixVersions', from: v231, fromString: '2.3.1', to: null, toString: null },
      { field: 'Fix Version', fieldtype: 'jira', fieldId: 'fixVersions', from: null, fromString: null, to: v240, toString: '2.4.0' },
      { field: 'Fix Version', fieldtype: 'jira', fieldId: 'fixVersions', from: null, fromString: null, to: v10, toString: '1.0' },
    ];
    expect(issue.changelog.histories).toEqual([{ id: expect.any(String), author: expect.objectContaining({ accountId: ANA_CLOUD }), created: issue.fields.updated, items }]);
    expect(names(issue.fields.fixVersions)).toEqual(['2.4.0', '1.0']);
    const deliveries = inbox.received.slice(before).map((r) => r.json);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_updated',
      user: { accountId: ANA_CLOUD, displayName: 'Ana Lima' },
      issue: { key, fields: { fixVersions: [expect.objectContaining({ id: v240 }), expect.objectContaining({ id: v10 })] } },
      changelog: { id: issue.changelog.histories[0].id, items },
    });
    expect(Date.parse(issue.fields.updated.replace('+0000', 'Z'))).toBe(deliveries[0].timestamp);
  });

  it('Server: the same items; authors by name and key', async () => {
    // Prepare
    const jira = await jiraFake({ deployment: 'Server' });
    const { key } = (await createIssue(jira)).json;

    // Act
    jira.actAs('ana').setFixVersions(key, ['2.3.1']);
    jira.actAs('harper').setFixVersions(key, []);
    const issue = await getIssue(jira, key, '?expand=changelog');

    // Assess
    const id = versionId(jira, '2.3.1');
    expect(issue.changelog.histories.map((h: { author: { name: string }; items: unknown[] }) => [h.author.name, h.items])).toEqual([
      ['harper', [{ field: 'Fix Version', fieldtype: 'jira', fieldId: 'fixVersions', from: id, fromString: '2.3.1', to: null, toString: null }]],
      ['ana', [{ field: 'Fix Version', fieldtype: 'jira', fieldId: 'fixVersions', from: null, fromString: null, to: id, toString: '2.3.1' }]],
    ]);
    expect(issue.fields.fixVersions).toEqual([]);
  });

  it('changes nothing and announces nothing when the list is the one the issue has', async () => {
    // Prepare
    const inbox = await receiver();
    const jira = await jiraFake({ webhooks: { url: `${inbox.url}/jira/webhook` } });
    const { key } = (await createIssue(jira, { fixVersions: [{ name: '2.3.1' }, { name: '2.4.0' }] })).json;
    await jira.webhooksIdle();
    const updated = jira.findIssue(key)!.updated;

    // Act
    jira.actAs('Ana Lima').setFixVersions(key, ['2.4.0', '2.3.1']);
    await jira.webhooksIdle();

    // Assess
    expect(jira.findIssue(key)!.history).toEqual([]);
    expect(jira.findIssue(key)!.updated).toBe(updated);
    expect(inbox.received.map((r) => r.json.webhookEvent)).toEqual(['jira:issue_created']);
  });

  it('sets the version picker by its name: items named after the field, fieldtype custom', async () => {
    // Prepare
    const inbox = await receiver();
    const jira = await jiraFake({ webhooks: { url: `${inbox.url}/jira/webhook` } });
    const { key } = (await createIssue(jira, { [PICKER.id]: [{ name: '2.3.1' }] })).json;

    // Act
    jira.actAs('Ana Lima').setFixVersions(key, ['2.4.0'], { field: 'Fixed in builds' });
    await jira.webhooksIdle();
    const issue = await getIssue(jira, key, '?expand=changelog');

    // Assess
    const items = [
      { field: 'Fixed in builds', fieldtype: 'custom', fieldId: PICKER.id, from: versionId(jira, '2.3.1'), fromString: '2.3.1', to: null, toString: null },
      { field: 'Fixed in builds', fieldtype: 'custom', fieldId: PICKER.id, from: null, fromString: null, to: versionId(jira, '2.4.0'), toString: '2.4.0' },
    ];
    expect(issue.changelog.histories[0].items).toEqual(items);
    expect(names(issue.fields[PICKER.id])).toEqual(['2.4.0']);
    expect(issue.fields.fixVersions).toEqual([]);
    expect(inbox.received.find((r) => r.json.webhookEvent === 'jira:issue_updated')?.json.changelog.items).toEqual(items);
  });

  it('refuses, as the UI would not offer them, a version the project does not have and a field that holds no versions', async () => {
    // Prepare
    const jira = await jiraFake();
    const { key } = (await createIssue(jira)).json;
    const ana = jira.actAs('Ana Lima');

    // Act
    const unknown = () => ana.setFixVersions(key, ['7.7']);
    const otherProject = () => ana.setFixVersions(key, ['9.9']);
    const notVersions = () => ana.setFixVersions(key, ['2.4.0'], { field: 'summary' });

    // Assess
    expect(unknown).toThrow(/Version name '7.7' is not valid \(it has 2.3.1, 2.4.0, 1.0\)/);
    expect(otherProject).toThrow(/Version name '9.9' is not valid/);
    expect(notVersions).toThrow(/'summary' is not a version field/);
    expect(jira.findIssue(key)!.history).toEqual([]);
  });

  it('creates an issue in the UI with fix versions by name', async () => {
    // Prepare
    const jira = await jiraFake();

    // Act
    const created = jira.actAs('Ana Lima').createIssue({ fixVersions: [{ name: '2.4.0' }] });
    const issue = await getIssue(jira, created.key);

    // Assess
    expect(names(issue.fields.fixVersions)).toEqual(['2.4.0']);
  });

  it.each([['Cloud', 'Ana Lima'], ['Server', 'ana']] as const)('%s: GET issue?expand=changelog after version changes validates against the OpenAPI document', async (deployment, person) => {
    // Prepare
    const jira = await jiraFake({ deployment });
    const validator = await loadOpenApiValidator();
    const { key } = (await createIssue(jira, { fixVersions: [{ name: '2.3.1' }], [PICKER.id]: [{ name: '2.4.0' }] })).json;
    jira.actAs(person).setFixVersions(key, ['2.4.0']);
    jira.actAs(person).setFixVersions(key, [], { field: PICKER.id });

    // Act
    const issue = await getIssue(jira, key, '?expand=changelog');

    // Assess
    expect(issue.changelog.total).toBe(2);
    expect(validator.validateResponse({ method: 'GET', path: `/rest/api/2/issue/${key}`, status: 200, body: issue })).toEqual([]);
    expect(jira.validationErrors).toEqual([]);
  });
});
