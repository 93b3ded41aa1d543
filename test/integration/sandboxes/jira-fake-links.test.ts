/**
 * The Jira fake's issue links: the default link types, `POST issueLink` (201, empty body) and how each end shows
 * the link under `fields.issuelinks`: the POST's `inwardIssue` is the source ("A blocks B" for `{inwardIssue: A,
 * outwardIssue: B}`), as clients of real Jira found.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadOpenApiValidator, startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fake with issues CRASH-1 ("Crash A", priority High) and CRASH-2 ("Crash B"). */
async function jiraWithTwoIssues(options: JiraFakeOptions = {}): Promise<JiraFake> {
  const jira = await startJiraFake({ openApiValidation: true, ...options });
  cleanups.push(() => jira.close());
  for (const [summary, extra] of [['Crash A', { priority: { name: 'High' } }], ['Crash B', {}]] as const) {
    const created = await call(`${jira.apiUrl}issue`, { body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary, ...extra } } });
    expect(created.status).toBe(201);
  }
  return jira;
}

const link = (jira: JiraFake, body: unknown) => call(`${jira.apiUrl}issueLink`, { body });
const linksOf = async (jira: JiraFake, key: string) => (await call(`${jira.apiUrl}issue/${key}?fields=issuelinks`)).json.fields.issuelinks;

describe('Jira fake: issue links', () => {
  it('lists Jira\'s default link types with their inward and outward phrases', async () => {
    // Prepare
    const jira = await jiraWithTwoIssues();
    const validator = await loadOpenApiValidator();

    // Act
    const types = await call(`${jira.apiUrl}issueLinkType`);

    // Assess
    expect(types.status).toBe(200);
    expect(types.json.issueLinkTypes.map((t: { name: string; inward: string; outward: string }) => [t.name, t.inward, t.outward])).toEqual([
      ['Blocks', 'is blocked by', 'blocks'],
      ['Cloners', 'is cloned by', 'clones'],
      ['Duplicate', 'is duplicated by', 'duplicates'],
      ['Relates', 'relates to', 'relates to'],
    ]);
    expect(types.json.issueLinkTypes[0]).toEqual({ id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks', self: `${jira.apiUrl}issueLinkType/10000` });
    expect(validator.validateResponse({ method: 'GET', path: '/rest/api/2/issueLinkType', status: 200, body: types.json })).toEqual([]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('links two issues: 201 with no body; the inward issue of the request blocks the outward one', async () => {
    // Prepare
    const jira = await jiraWithTwoIssues();
    const [a, b] = jira.issues;

    // Act
    const linked = await link(jira, { type: { name: 'Blocks' }, inwardIssue: { key: 'CRASH-1' }, outwardIssue: { key: 'CRASH-2' } });
    const ofA = await linksOf(jira, 'CRASH-1');
    const ofB = await linksOf(jira, 'CRASH-2');

    // Assess
    expect(linked.status).toBe(201);
    expect(linked.text).toBe('');
    const type = { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks', self: `${jira.apiUrl}issueLinkType/10000` };
    expect(ofA).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        self: `${jira.apiUrl}issueLink/${ofA[0].id}`,
        type,
        outwardIssue: {
          id: b!.id,
          key: 'CRASH-2',
          self: `${jira.apiUrl}issue/${b!.id}`,
          fields: { summary: 'Crash B', status: expect.objectContaining({ name: 'To Do', statusCategory: expect.objectContaining({ key: 'new' }) }), issuetype: expect.objectContaining({ id: '10004', name: 'Bug' }) },
        },
      },
    ]);
    expect(ofB).toEqual([
      {
        id: ofA[0].id,
        self: ofA[0].self,
        type,
        inwardIssue: {
          id: a!.id,
          key: 'CRASH-1',
          self: `${jira.apiUrl}issue/${a!.id}`,
          fields: { summary: 'Crash A', status: expect.objectContaining({ name: 'To Do' }), priority: { self: `${jira.apiUrl}priority/2`, id: '2', name: 'High' }, issuetype: expect.objectContaining({ name: 'Bug' }) },
        },
      },
    ]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('links by issue id and type id, and shows a symmetric Relates link from both ends', async () => {
    // Prepare
    const jira = await jiraWithTwoIssues({ deployment: 'Server' });
    const [a, b] = jira.issues;

    // Act
    const linked = await link(jira, { type: { id: '10003' }, inwardIssue: { id: a!.id }, outwardIssue: { id: b!.id } });

    // Assess
    expect(linked.status).toBe(201);
    expect((await linksOf(jira, 'CRASH-1')).map((l: { type: { name: string }; outwardIssue?: { key: string } }) => [l.type.name, l.outwardIssue?.key])).toEqual([['Relates', 'CRASH-2']]);
    expect((await linksOf(jira, 'CRASH-2')).map((l: { type: { name: string }; inwardIssue?: { key: string } }) => [l.type.name, l.inwardIssue?.key])).toEqual([['Relates', 'CRASH-1']]);
  });

  it('creates nothing new for a link that exists, and shows several links oldest first', async () => {
    // Prepare
    const jira = await jiraWithTwoIssues();
    const body = { type: { name: 'Duplicate' }, inwardIssue: { key: 'CRASH-2' }, outwardIssue: { key: 'CRASH-1' } };
    await link(jira, body);

    // Act
    const again = await link(jira, body);
    await link(jira, { type: { name: 'Cloners' }, inwardIssue: { key: 'CRASH-1' }, outwardIssue: { key: 'CRASH-2' } });
    const ofA = await linksOf(jira, 'CRASH-1');

    // Assess
    expect(again.status).toBe(201);
    expect(ofA.map((l: { type: { name: string }; inwardIssue?: unknown }) => [l.type.name, l.inwardIssue ? 'inward' : 'outward'])).toEqual([
      ['Duplicate', 'inward'],
      ['Cloners', 'outward'],
    ]);
  });

  it.each([
    ['an unknown type name', { type: { name: 'Causes' } }, ["No issue link type with name 'Causes' found."]],
    ['an unknown type id', { type: { id: '99' } }, ["No issue link type with id '99' found."]],
    ['an unknown inward issue', { inwardIssue: { key: 'CRASH-99' } }, ['Issue does not exist or you do not have permission to see it.']],
    ['an unknown outward issue', { outwardIssue: { id: '99999' } }, ['Issue does not exist or you do not have permission to see it.']],
  ])('answers 404 for %s, linking nothing', async (_case, override, errorMessages) => {
    // Prepare
    const jira = await jiraWithTwoIssues();

    // Act
    const refused = await link(jira, { type: { name: 'Relates' }, inwardIssue: { key: 'CRASH-1' }, outwardIssue: { key: 'CRASH-2' }, ...override });

    // Assess
    expect(refused.status).toBe(404);
    expect(refused.json).toEqual({ errorMessages, errors: {} });
    expect(await linksOf(jira, 'CRASH-1')).toEqual([]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('refuses to link an issue to itself, and a request without a type, as the OpenAPI document requires one', async () => {
    // Prepare
    const jira = await jiraWithTwoIssues();

    // Act
    const itself = await link(jira, { type: { name: 'Relates' }, inwardIssue: { key: 'CRASH-1' }, outwardIssue: { key: 'crash-1' } });
    const untyped = await link(jira, { inwardIssue: { key: 'CRASH-1' }, outwardIssue: { key: 'CRASH-2' } });

    // Assess
    expect(itself.status).toBe(400);
    expect(itself.json).toEqual({ errorMessages: ['You cannot link an issue to itself.'], errors: {} });
    expect(untyped.status).toBe(400);
    expect(jira.validationErrors).toEqual([expect.stringMatching(/POST \/rest\/api\/2\/issueLink: requestBody must have required property 'type'/)]);
    expect(await linksOf(jira, 'CRASH-1')).toEqual([]);
  });

  it('adds the request\'s comment to the source issue', async () => {
    // Prepare
    const jira = await jiraWithTwoIssues();

    // Act
    await link(jira, { type: { name: 'Blocks' }, inwardIssue: { key: 'CRASH-1' }, outwardIssue: { key: 'CRASH-2' }, comment: { body: 'Blocks the release' } });

    // Assess
    expect(jira.findIssue('CRASH-1')!.comments.map((c) => c.body)).toEqual(['Blocks the release']);
    expect(jira.findIssue('CRASH-2')!.comments).toEqual([]);
  });

  it('keeps links across a move (by issue id) and drops them with a deleted issue', async () => {
    // Prepare
    const projects = [
      { id: '10000', key: 'CRASH', issueTypes: [{ id: '10004', name: 'Bug' }] },
      { id: '10001', key: 'OPS', issueTypes: [{ id: '10004', name: 'Bug' }] },
    ];
    const jira = await jiraWithTwoIssues({ projects });
    await link(jira, { type: { name: 'Blocks' }, inwardIssue: { key: 'CRASH-1' }, outwardIssue: { key: 'CRASH-2' } });

    // Act
    jira.actAs('Ana Lima').moveIssue('CRASH-2', 'OPS');
    const afterMove = await linksOf(jira, 'CRASH-1');
    jira.actAs('Ana Lima').deleteIssue('OPS-1');
    const afterDelete = await linksOf(jira, 'CRASH-1');

    // Assess
    expect(afterMove.map((l: { outwardIssue: { key: string } }) => l.outwardIssue.key)).toEqual(['OPS-1']);
    expect(afterDelete).toEqual([]);
  });

  it('shows no links on a fresh issue, and none after reset', async () => {
    // Prepare
    const jira = await jiraWithTwoIssues();
    const fresh = await linksOf(jira, 'CRASH-1');
    await link(jira, { type: { name: 'Relates' }, inwardIssue: { key: 'CRASH-1' }, outwardIssue: { key: 'CRASH-2' } });

    // Act
    jira.reset();
    for (const summary of ['A', 'B']) await call(`${jira.apiUrl}issue`, { body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary } } });

    // Assess
    expect(fresh).toEqual([]);
    expect(await linksOf(jira, 'CRASH-1')).toEqual([]);
  });
});
