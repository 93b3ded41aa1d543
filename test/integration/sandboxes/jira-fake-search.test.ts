import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';

async function createIssue(jira: JiraFake, labels: string[], project = 'CRASH'): Promise<{ id: string; key: string }> {
  const answer = await call(`${jira.apiUrl}issue`, { body: { fields: { project: { key: project }, issuetype: { name: 'Bug' }, summary: `Crash ${labels.join(' ')}`, labels } } });
  expect(answer.status).toBe(201);
  return answer.json;
}

describe('Jira fake: Cloud enhanced search (search/jql)', () => {
  let jira: JiraFake;
  beforeAll(async () => {
    jira = await startJiraFake({
      projects: [
        { id: '10000', key: 'CRASH', name: 'Crash reports', issueTypes: [{ id: '10004', name: 'Bug' }] },
        { id: '10001', key: 'OTHER', issueTypes: [{ id: '10004', name: 'Bug' }] },
      ],
    });
  });
  afterAll(() => jira.close());
  beforeEach(() => jira.reset());

  it('finds issues by project and label, oldest first, ids only unless fields are asked for', async () => {
    // Prepare
    const first = await createIssue(jira, ['backtrace', 'bt-aaaaaaaaaaaa']);
    await createIssue(jira, ['backtrace', 'bt-bbbbbbbbbbbb']);
    const third = await createIssue(jira, ['bt-aaaaaaaaaaaa']);
    await createIssue(jira, ['bt-aaaaaaaaaaaa'], 'OTHER');
    const jql = 'project = CRASH AND labels = "bt-aaaaaaaaaaaa" ORDER BY created ASC';

    // Act
    const idsOnly = await call(`${jira.apiUrl}search/jql`, { body: { jql } });
    const withFields = await call(`${jira.apiUrl}search/jql`, { body: { jql, fields: ['labels', 'created'] } });
    const viaGet = await call(`${jira.apiUrl}search/jql?jql=${encodeURIComponent('labels = bt-aaaaaaaaaaaa and project = 10000')}&fields=summary`);

    // Assess
    expect(idsOnly.status).toBe(200);
    expect(idsOnly.json).toEqual({ issues: [{ id: first.id }, { id: third.id }], isLast: true });
    expect(withFields.json.issues.map((i: { key: string }) => i.key)).toEqual([first.key, third.key]);
    expect(withFields.json.issues[0]).toMatchObject({ id: first.id, self: `${jira.apiUrl}issue/${first.id}`, fields: { labels: ['backtrace', 'bt-aaaaaaaaaaaa'], created: expect.any(String) } });
    expect(Object.keys(withFields.json.issues[0].fields).sort()).toEqual(['created', 'labels']);
    expect(viaGet.json.issues.map((i: { key: string }) => i.key).sort()).toEqual([first.key, third.key].sort());
  });

  it('pages with nextPageToken until isLast', async () => {
    // Prepare
    for (let i = 0; i < 5; i++) await createIssue(jira, ['paged']);

    // Act
    const keys: string[] = [];
    const pages: boolean[] = [];
    let token: string | undefined;
    do {
      const answer = await call(`${jira.apiUrl}search/jql`, { body: { jql: 'labels = paged ORDER BY created ASC', maxResults: 2, fields: ['summary'], ...(token ? { nextPageToken: token } : {}) } });
      keys.push(...answer.json.issues.map((i: { key: string }) => i.key));
      pages.push(answer.json.isLast);
      token = answer.json.nextPageToken;
    } while (token);

    // Assess
    expect(keys).toEqual(['CRASH-1', 'CRASH-2', 'CRASH-3', 'CRASH-4', 'CRASH-5']);
    expect(pages).toEqual([false, false, true]);
  });

  it.each([
    ['an empty JQL', { jql: '' }, /Unbounded JQL/],
    ['an ORDER BY alone', { jql: 'ORDER BY created ASC' }, /Unbounded JQL/],
    ['an unknown project', { jql: 'project = NOPE AND labels = x' }, /The value 'NOPE' does not exist for the field 'project'/],
    ['an unquoted reserved character', { jql: 'labels = release-2.3.1' }, /reserved JQL character/],
    ['an unknown field', { jql: 'fingerprint = abc' }, /Field 'fingerprint' does not exist/],
    ['OR, which the fake does not support', { jql: 'labels = a OR labels = b' }, /AND/],
    ['a bad page token', { jql: 'labels = a', nextPageToken: 'garbage' }, /token/],
  ])('answers %s with 400', async (_case, body, message) => {
    // Act
    const answer = await call(`${jira.apiUrl}search/jql`, { body });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.json.errorMessages.join(' ')).toMatch(message);
  });

  it('answers the removed search endpoint with 410 Gone', async () => {
    // Act
    const post = await call(`${jira.apiUrl}search`, { body: { jql: 'project = CRASH' } });
    const get = await call(`${jira.apiUrl}search?jql=project%20%3D%20CRASH`);

    // Assess
    expect(post.status).toBe(410);
    expect(get.status).toBe(410);
    expect(post.json.errorMessages[0]).toMatch(/search\/jql/);
  });
});

describe('Jira fake: search lag (Cloud eventual consistency)', () => {
  it('hides a new issue from search for searchLagMs while GET issue already sees it', async () => {
    // Prepare
    const jira = await startJiraFake({ searchLagMs: 60_000 });
    try {
      const created = await createIssue(jira, ['bt-cccccccccccc']);

      // Act
      const search = await call(`${jira.apiUrl}search/jql`, { body: { jql: 'project = CRASH AND labels = "bt-cccccccccccc"' } });
      const reconciled = await call(`${jira.apiUrl}search/jql`, { body: { jql: 'project = CRASH AND labels = "bt-cccccccccccc"', reconcileIssues: [Number(created.id)] } });
      const direct = await call(`${jira.apiUrl}issue/${created.key}`);

      // Assess
      expect(search.json).toEqual({ issues: [], isLast: true });
      expect(reconciled.json.issues).toEqual([{ id: created.id }]);
      expect(direct.status).toBe(200);
    } finally {
      await jira.close();
    }
  });

  it('shows the issue once the lag has passed', async () => {
    // Prepare
    const jira = await startJiraFake({ searchLagMs: 300 });
    try {
      const created = await createIssue(jira, ['bt-dddddddddddd']);
      const search = () => call(`${jira.apiUrl}search/jql`, { body: { jql: 'labels = "bt-dddddddddddd"' } });

      // Act + Assess
      await vi.waitFor(async () => expect((await search()).json.issues).toEqual([{ id: created.id }]), { timeout: 15_000, interval: 100 });
    } finally {
      await jira.close();
    }
  });
});

describe('Jira fake: Data Center search', () => {
  let jira: JiraFake;
  beforeAll(async () => {
    jira = await startJiraFake({ deployment: 'Server' });
  });
  afterAll(() => jira.close());

  it('pages with startAt/maxResults/total and returns navigable fields by default', async () => {
    // Prepare
    for (let i = 0; i < 3; i++) await createIssue(jira, ['bt-eeeeeeeeeeee']);

    // Act
    const page = await call(`${jira.apiUrl}search`, { body: { jql: 'project = CRASH AND labels = "bt-eeeeeeeeeeee" ORDER BY created ASC', startAt: 1, maxResults: 1 } });
    const viaGet = await call(`${jira.apiUrl}search?jql=${encodeURIComponent('labels in (bt-eeeeeeeeeeee, other) ORDER BY key DESC')}&fields=labels`);

    // Assess
    expect(page.status).toBe(200);
    expect(page.json).toMatchObject({ startAt: 1, maxResults: 1, total: 3 });
    expect(page.json.issues).toHaveLength(1);
    expect(page.json.issues[0]).toMatchObject({ key: 'CRASH-2', fields: { summary: expect.any(String), labels: ['bt-eeeeeeeeeeee'] } });
    expect(viaGet.json.issues.map((i: { key: string }) => i.key)).toEqual(['CRASH-3', 'CRASH-2', 'CRASH-1']);
  });

  it('has no enhanced search: search/jql answers 404', async () => {
    // Act
    const answer = await call(`${jira.apiUrl}search/jql`, { body: { jql: 'project = CRASH' } });

    // Assess
    expect(answer.status).toBe(404);
  });
});
