/**
 * The Jira fake's users in both dialects: who "myself" is, user search (Cloud `query` that matches hidden e-mails
 * without showing them; Data Center `username`), and assigning with `PUT issue/{key}/assignee`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { basicAuth, call } from './support/http.ts';

const issueBody = { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash' } };
const ANA_CLOUD = '5b10ac8d82e05b22cc7d4ef5';
const HARPER_CLOUD = '712020:1f6c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';

describe('Jira fake: users', () => {
  describe('Cloud', () => {
    let jira: JiraFake;
    let key: string;
    beforeAll(async () => {
      jira = await startJiraFake({ openApiValidation: true });
    });
    afterAll(() => jira.close());
    beforeEach(async () => {
      jira.reset();
      key = (await call(`${jira.apiUrl}issue`, { body: issueBody })).json.key;
    });

    it('answers myself with the bot account of the default credentials, e-mail included', async () => {
      // Act
      const answer = await call(`${jira.apiUrl}myself`);

      // Assess
      expect(answer.json).toMatchObject({ accountId: expect.stringMatching(/^[0-9a-f]{24}$/), accountType: 'atlassian', displayName: 'Sandbox Bot', emailAddress: 'bot@example.com', active: true });
      expect(answer.json.name).toBeUndefined();
    });

    it('finds users by a prefix of the display name or the e-mail, showing visible e-mails only', async () => {
      // Act
      const byName = await call(`${jira.apiUrl}user/search?query=ana`);
      const byHiddenEmail = await call(`${jira.apiUrl}user/search?query=${encodeURIComponent('Harper@Example.com')}`);
      const bySurname = await call(`${jira.apiUrl}user/search?query=quinn`);

      // Assess
      expect(byName.json).toEqual([expect.objectContaining({ accountId: ANA_CLOUD, displayName: 'Ana Lima', emailAddress: 'ana@example.com', accountType: 'atlassian', active: true })]);
      expect(byHiddenEmail.json).toEqual([expect.objectContaining({ accountId: HARPER_CLOUD, displayName: 'Harper Quinn' })]);
      expect(byHiddenEmail.json[0].emailAddress).toBeUndefined();
      expect(bySurname.json.map((u: { accountId: string }) => u.accountId)).toEqual([HARPER_CLOUD]);
      expect(jira.validationErrors).toEqual([]);
    });

    it('leaves deactivated users out of the search', async () => {
      // Act
      const answer = await call(`${jira.apiUrl}user/search?query=former`);

      // Assess
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual([]);
    });

    it('refuses a username search (GDPR strict mode) and a search without a query', async () => {
      // Act
      const byUsername = await call(`${jira.apiUrl}user/search?username=ana`);
      const empty = await call(`${jira.apiUrl}user/search`);

      // Assess
      expect(byUsername.status).toBe(400);
      expect(byUsername.json.errorMessages).toEqual(["The query parameter 'username' is not supported in GDPR strict mode."]);
      expect(empty.status).toBe(400);
    });

    it('assigns by accountId and unassigns with {"accountId": null}', async () => {
      // Act
      const assigned = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { accountId: ANA_CLOUD } });
      const shown = await call(`${jira.apiUrl}issue/${key}?fields=assignee`);
      const unassigned = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { accountId: null } });

      // Assess
      expect([assigned.status, unassigned.status]).toEqual([204, 204]);
      expect(shown.json.fields.assignee).toMatchObject({ accountId: ANA_CLOUD, displayName: 'Ana Lima' });
      expect(jira.findIssue(key)?.assignee).toBeNull();
      expect(jira.validationErrors).toEqual([]);
    });

    it.each([
      ['an unknown accountId', { accountId: 'no-such-account' }, { errorMessages: [], errors: { assignee: "User 'no-such-account' does not exist." } }],
      ['a deactivated user', { accountId: '557058:0b2d4f6a-8c1e-4a3b-9d5f-7e6c5b4a3f2e' }, { errorMessages: [], errors: { assignee: "User 'Former Colleague' cannot be assigned issues." } }],
      ['a username', { name: 'ana' }, { errorMessages: ["The 'name' parameter is not supported in GDPR strict mode. Use 'accountId'."], errors: {} }],
    ])('refuses to assign %s with 400', async (_case, body, expected) => {
      // Act
      const answer = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body });

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(expected);
      expect(jira.findIssue(key)?.assignee).toBeNull();
    });

    it('answers 404 when assigning an unknown issue', async () => {
      // Act
      const answer = await call(`${jira.apiUrl}issue/CRASH-99/assignee`, { method: 'PUT', body: { accountId: ANA_CLOUD } });

      // Assess
      expect(answer.status).toBe(404);
    });
  });

  describe('Data Center', () => {
    let jira: JiraFake;
    let key: string;
    beforeAll(async () => {
      jira = await startJiraFake({ deployment: 'Server', openApiValidation: true, auth: { basic: [{ user: 'bot@example.com', secret: 'sandbox-token' }, { user: 'jira-admin', secret: 'pw' }] } });
    });
    afterAll(() => jira.close());
    beforeEach(async () => {
      jira.reset();
      key = (await call(`${jira.apiUrl}issue`, { body: issueBody })).json.key;
    });

    it('answers myself with name and key; a login with no user gets an account of its own', async () => {
      // Act
      const bot = await call(`${jira.apiUrl}myself`);
      const admin = await call(`${jira.apiUrl}myself`, { auth: basicAuth('jira-admin', 'pw') });

      // Assess
      expect(bot.json).toMatchObject({ name: 'bot@example.com', key: 'JIRAUSER10000', emailAddress: 'bot@example.com' });
      expect(admin.json).toMatchObject({ name: 'jira-admin', key: expect.stringMatching(/^JIRAUSER\d+$/) });
      expect(jira.users.map((u) => u.name)).toContain('jira-admin');
    });

    it('finds users by username, display name or e-mail prefix, with e-mails and keys that differ from names', async () => {
      // Act
      const byEmail = await call(`${jira.apiUrl}user/search?username=${encodeURIComponent('ana@example.com')}`);
      const byName = await call(`${jira.apiUrl}user/search?username=harp`);

      // Assess
      expect(byEmail.json).toEqual([expect.objectContaining({ name: 'ana', key: 'JIRAUSER10100', emailAddress: 'ana@example.com', displayName: 'Ana Lima', active: true })]);
      expect(byName.json).toEqual([expect.objectContaining({ name: 'harper', emailAddress: 'harper@example.com' })]);
      expect(byName.json[0].accountId).toBeUndefined();
      expect(jira.validationErrors).toEqual([]);
    });

    it('finds deactivated users only when asked to (includeInactive: Data Center only, so no Cloud OpenAPI check)', async () => {
      // Prepare
      const plain = await startJiraFake({ deployment: 'Server' });

      try {
        // Act
        const active = await call(`${plain.apiUrl}user/search?username=former`);
        const all = await call(`${plain.apiUrl}user/search?username=former&includeInactive=true`);

        // Assess
        expect(active.json).toEqual([]);
        expect(all.json).toEqual([expect.objectContaining({ name: 'former', active: false })]);
      } finally {
        await plain.close();
      }
    });

    it('refuses a search without username, as Data Center does', async () => {
      // Act
      const answer = await call(`${jira.apiUrl}user/search?query=ana`);

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.json.errorMessages).toEqual(['The username query parameter was not provided']);
    });

    it('assigns by name or key and unassigns with {"name": null}', async () => {
      // Act
      const byName = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { name: 'ana' } });
      const afterName = jira.findIssue(key)?.assignee?.name;
      const byKey = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { key: 'JIRAUSER10101' } });
      const afterKey = jira.findIssue(key)?.assignee?.name;
      const unassigned = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { name: null } });

      // Assess
      expect([byName.status, byKey.status, unassigned.status]).toEqual([204, 204, 204]);
      expect([afterName, afterKey]).toEqual(['ana', 'harper']);
      expect(jira.findIssue(key)?.assignee).toBeNull();
      expect(jira.validationErrors).toEqual([]);
    });

    it('refuses an unknown username and an accountId with 400', async () => {
      // Act
      const unknown = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { name: 'jdoe' } });
      const cloudStyle = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { accountId: ANA_CLOUD } });

      // Assess
      expect(unknown.status).toBe(400);
      expect(unknown.json).toEqual({ errorMessages: [], errors: { assignee: "User 'jdoe' does not exist." } });
      expect(cloudStyle.status).toBe(400);
    });
  });

  it('serves configured users instead of the defaults', async () => {
    // Prepare
    const jira = await startJiraFake({ users: [{ displayName: 'Sandbox Bot', emailAddress: 'bot@example.com' }, { accountId: 'acc-1', displayName: 'Only One', emailAddress: 'one@example.com', hideEmail: true }] });

    try {
      // Act
      const found = await call(`${jira.apiUrl}user/search?query=one@example.com`);
      const ana = await call(`${jira.apiUrl}user/search?query=ana`);

      // Assess
      expect(found.json).toEqual([expect.objectContaining({ accountId: 'acc-1', displayName: 'Only One' })]);
      expect(found.json[0].emailAddress).toBeUndefined();
      expect(ana.json).toEqual([]);
    } finally {
      await jira.close();
    }
  });
});
