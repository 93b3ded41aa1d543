/**
 * The Jira adapter against the Jira sandbox over real HTTP: authentication, deployment dialects, the field cache,
 * issue creation (validated against the Cloud OpenAPI document) and the messages an admin gets for each refusal.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createJiraClient, type JiraClientOptions } from '../../../shared/adapters/jira/jira-client.ts';
import type { JiraAuthSettings } from '../../../shared/adapters/jira/jira-auth.ts';
import { PermanentError } from '../../../shared/ports/errors.ts';
import { startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { rejection } from './support/assertions.ts';

const TOKEN = 'sandbox-token';
const apiToken: JiraAuthSettings = { type: 'api-token', email: 'bot@example.com', tokenSecret: 'jira-token' };
const secrets = { 'jira-token': TOKEN };

const fakes: JiraFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function jiraFake(options: JiraFakeOptions = {}): Promise<JiraFake> {
  const fake = await startJiraFake(options);
  fakes.push(fake);
  return fake;
}

function clientFor(fake: JiraFake, overrides: Partial<JiraClientOptions> = {}) {
  return createJiraClient({ apiUrl: fake.apiUrl, siteUrl: fake.url, auth: apiToken, secrets, ...overrides });
}

function bugFields(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    project: { key: 'CRASH' },
    issuetype: { name: 'Bug' },
    summary: 'TypeError in checkout',
    description: 'h3. Crash group\n*Events:* 12',
    labels: ['Backtrace', 'bt-0123456789ab'],
    ...extra,
  };
}

const severity = { id: 'customfield_10010', name: 'Severity', schema: { type: 'option' }, allowedValues: ['Critical', 'Major'] };
const team = { id: 'customfield_10020', name: 'Team', schema: { type: 'string' } };

describe('Function: createJiraClient', () => {
  describe('Authentication', () => {
    it('signs in to Jira Cloud with e-mail + API token (Basic)', async () => {
      // Prepare
      const fake = await jiraFake();
      const jira = clientFor(fake);

      // Act
      const deployment = await jira.deploymentType();

      // Assess
      expect(deployment).toBe('Cloud');
      const expected = `Basic ${Buffer.from(`bot@example.com:${TOKEN}`).toString('base64')}`;
      expect(fake.requests[0]?.headers.authorization).toBe(expected);
    });

    it('signs in to Data Center with username + password (Basic)', async () => {
      // Prepare
      const fake = await jiraFake({ deployment: 'Server', auth: { basic: [{ user: 'jira-bot', secret: 'pa55word' }] } });
      const jira = clientFor(fake, {
        auth: { type: 'password', username: 'jira-bot', passwordSecret: 'jira-password' },
        secrets: { 'jira-password': 'pa55word' },
      });

      // Act
      const issue = await jira.createIssue(bugFields());

      // Assess
      expect(issue.key).toBe('CRASH-1');
      expect(fake.issues).toHaveLength(1);
    });

    it('signs in to Data Center with a personal access token (Bearer)', async () => {
      // Prepare
      const fake = await jiraFake({ deployment: 'Server', auth: { bearer: ['NjM4-pat'] } });
      const jira = clientFor(fake, { auth: { type: 'pat', tokenSecret: 'jira-pat' }, secrets: { 'jira-pat': 'NjM4-pat' } });

      // Act
      const deployment = await jira.deploymentType();

      // Assess
      expect(deployment).toBe('Server');
      expect(fake.requests[0]?.headers.authorization).toBe('Bearer NjM4-pat');
    });

    it('signs requests with OAuth 1.0a RSA-SHA1 that the application link verifies', async () => {
      // Prepare
      const { publicKey, privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      const fake = await jiraFake({
        deployment: 'Server',
        contextPath: '/jira',
        auth: { oauth1: { consumerKey: 'backtrace-bridge', publicKeyPem: publicKey, accessTokens: ['access-token-1'] } },
      });
      const jira = clientFor(fake, {
        auth: { type: 'oauth1', consumerKey: 'backtrace-bridge', privateKeySecret: 'jira-key', accessTokenSecret: 'jira-access' },
        secrets: { 'jira-key': privateKey, 'jira-access': JSON.stringify({ token: 'access-token-1', secret: 'unused-with-rsa' }) },
      });

      // Act
      const issue = await jira.createIssue(bugFields());
      const found = await jira.findIssuesByLabel('CRASH', 'bt-0123456789ab');

      // Assess
      expect(found).toEqual([issue]);
      expect(issue.url).toBe(`${fake.url}/browse/CRASH-1`);
      expect(String(fake.requests[0]?.headers.authorization)).toMatch(/^OAuth .*oauth_signature_method="RSA-SHA1"/);
    });

    it('refuses OAuth 1.0a signed with a key the application link does not know', async () => {
      // Prepare
      const linked = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
      const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
      const fake = await jiraFake({
        deployment: 'Server',
        auth: { oauth1: { consumerKey: 'backtrace-bridge', publicKeyPem: linked.publicKey, accessTokens: ['access-token-1'] } },
      });
      const jira = clientFor(fake, {
        auth: { type: 'oauth1', consumerKey: 'backtrace-bridge', privateKeySecret: 'jira-key', accessTokenSecret: 'jira-access' },
        secrets: { 'jira-key': other.privateKey, 'jira-access': 'access-token-1' },
      });

      // Act
      const error = await rejection(jira.deploymentType());

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).status).toBe(401);
      expect(error.message).toContain('OAuth problem: signature_invalid');
    });

    it('explains a 401 without repeating the credentials', async () => {
      // Prepare
      const fake = await jiraFake();
      const jira = clientFor(fake, { secrets: { 'jira-token': 'wrong-token-5f2c' } });

      // Act
      const error = await rejection(jira.createIssue(bugFields()));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain("Jira rejected the credentials (check jira.auth: e-mail + API token for Cloud; a PAT uses type 'pat')");
      expect(error.message).toContain('bot@example.com');
      expect(error.message).not.toContain('wrong-token-5f2c');
      expect(fake.issues).toHaveLength(0);
    });

    it('names the missing secret instead of sending an empty password', async () => {
      // Prepare
      const fake = await jiraFake();

      // Act
      const build = () => clientFor(fake, { secrets: {} });

      // Assess
      expect(build).toThrow(PermanentError);
      expect(build).toThrow(/secret "jira-token" \(jira\.auth\.tokenSecret\)/);
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('Method: deploymentType', () => {
    it('asks Jira once per client and remembers the answer', async () => {
      // Prepare
      const fake = await jiraFake({ deployment: 'Server' });
      const jira = clientFor(fake);

      // Act
      const answers = [await jira.deploymentType(), await jira.deploymentType()];

      // Assess
      expect(answers).toEqual(['Server', 'Server']);
      expect(fake.requests.filter((request) => request.path.endsWith('/serverInfo'))).toHaveLength(1);
    });

    it('points at jira.apiUrl when the API root answers 404', async () => {
      // Prepare
      const fake = await jiraFake();
      const jira = clientFor(fake, { apiUrl: `${fake.url}/wrong/rest/api/2/` });

      // Act
      const error = await rejection(jira.deploymentType());

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).status).toBe(404);
      expect(error.message).toContain('check jira.apiUrl');
    });
  });

  describe('Method: listFields', () => {
    it('fetches the field list once per client (one container)', async () => {
      // Prepare
      const fake = await jiraFake({ fields: [severity] });
      const first = clientFor(fake);
      const second = clientFor(fake);

      // Act
      const [a, b] = await Promise.all([first.listFields(), first.listFields()]);
      await first.listFields();
      await second.listFields();

      // Assess
      expect(a).toBe(b);
      expect(a).toContainEqual(expect.objectContaining({ id: 'customfield_10010', name: 'Severity', custom: true }));
      expect(a).toContainEqual(expect.objectContaining({ id: 'summary', name: 'Summary', custom: false }));
      expect(fake.requests.filter((request) => request.path.endsWith('/field'))).toHaveLength(2);
    });

    it('asks again after a failed fetch instead of caching the failure', async () => {
      // Prepare
      const fake = await jiraFake();
      const jira = clientFor(fake);
      fake.failNext({ status: 400, path: /\/field$/ });

      // Act
      const failed = await rejection(jira.listFields());
      const fields = await jira.listFields();

      // Assess
      expect(failed).toBeInstanceOf(PermanentError);
      expect(fields.length).toBeGreaterThan(0);
    });
  });

  describe('Method: createIssue', () => {
    it('creates the issue with a request that validates against the Cloud OpenAPI document', async () => {
      // Prepare
      const fake = await jiraFake({ openApiValidation: true, fields: [severity] });
      const jira = clientFor(fake);

      // Act
      const issue = await jira.createIssue(bugFields({ customfield_10010: { value: 'Critical' } }));

      // Assess
      expect(fake.validationErrors).toEqual([]);
      expect(issue).toEqual({ id: fake.issues[0]?.id, key: 'CRASH-1', url: `${fake.url}/browse/CRASH-1` });
      expect(fake.issues[0]?.fields).toEqual(bugFields({ customfield_10010: { value: 'Critical' } }));
    });

    it('builds browse links under the Data Center context path', async () => {
      // Prepare
      const fake = await jiraFake({ deployment: 'Server', contextPath: '/jira' });
      const jira = clientFor(fake);

      // Act
      const issue = await jira.createIssue(bugFields());

      // Assess
      expect(fake.url).toMatch(/\/jira$/);
      expect(issue.url).toBe(`${fake.url}/browse/CRASH-1`);
    });

    const refusals: { name: string; fields: Record<string, unknown>; expected: string[] }[] = [
      {
        name: 'a required custom field is missing',
        fields: bugFields(),
        expected: ['customfield_10010 (Severity): Severity is required.', 'jira.customFields'],
      },
      {
        name: 'a field is not on the create screen',
        fields: bugFields({ customfield_10010: { value: 'Major' }, customfield_10020: 'Payments' }),
        expected: [
          "customfield_10020 (Team): Field 'customfield_10020' cannot be set. It is not on the appropriate screen, or unknown.",
          'jira.fieldMapping',
          'remove it from jira.customFields',
          'create screen of CRASH',
        ],
      },
      {
        name: 'the project does not exist',
        fields: bugFields({ project: { key: 'NOPE' }, customfield_10010: { value: 'Major' } }),
        expected: ['project (Project): Specify a valid project ID or key', 'jira.projectKey'],
      },
      {
        name: 'the issue type is not in the project',
        fields: bugFields({ issuetype: { name: 'Epic' }, customfield_10010: { value: 'Major' } }),
        expected: ['issuetype (Issue Type): Specify a valid issue type', 'jira.issueType'],
      },
      {
        name: 'the summary is empty',
        fields: bugFields({ summary: '', customfield_10010: { value: 'Major' } }),
        expected: ['summary (Summary): You must specify a summary of the issue.', 'jira.subject'],
      },
      {
        name: 'a label has a space',
        fields: bugFields({ labels: ['two words'], customfield_10010: { value: 'Major' } }),
        expected: ["labels (Labels): The label 'two words' contains spaces which is invalid.", 'jira.fieldMapping.labels'],
      },
    ];

    it.each(refusals)('explains a 400 when $name: field id, name, Jira\'s words and the setting', async ({ fields, expected }) => {
      // Prepare
      const fake = await jiraFake({
        fields: [severity, team],
        projects: [{
          id: '10000',
          key: 'CRASH',
          issueTypes: [{ id: '10004', name: 'Bug', requiredFields: ['customfield_10010'], screenFields: ['description', 'labels', 'customfield_10010'] }],
        }],
      });
      const jira = clientFor(fake);

      // Act
      const error = await rejection(jira.createIssue(fields));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).status).toBe(400);
      expect(error.message).toMatch(/^Jira refused to create the issue in project \w+ \(HTTP 400\): /);
      for (const part of expected) expect(error.message).toContain(part);
      expect(fake.issues).toHaveLength(0);
    });

    it('explains a 403 with the permissions the Jira user needs', async () => {
      // Prepare
      const fake = await jiraFake();
      const jira = clientFor(fake);
      fake.failNext({ status: 403, path: /\/issue$/, method: 'POST' });

      // Act
      const error = await rejection(jira.createIssue(bugFields()));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).status).toBe(403);
      expect(error.message).toContain('the Jira user (api-token for bot@example.com) needs Browse Projects + Create Issues in CRASH');
    });
    it('explains a 400 that is really a missing permission, as Jira sometimes answers a create', async () => {
      // Prepare
      const fake = await jiraFake();
      const jira = clientFor(fake);
      fake.failNext({ status: 400, path: /\/issue$/, method: 'POST', body: { errorMessages: ['You do not have permission to create issues in this project.'], errors: {} } });

      // Act
      const error = await rejection(jira.createIssue(bugFields()));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('You do not have permission to create issues in this project.');
      expect(error.message).toContain('the Jira user of jira.auth needs the Browse Projects and Create Issues permissions in CRASH');
    });

    it('tells a CAPTCHA lockout apart from a missing permission', async () => {
      // Prepare
      const fake = await jiraFake({ deployment: 'Server' });
      const jira = clientFor(fake);
      fake.failNext({ status: 403, path: /\/issue$/, headers: { 'X-Seraph-LoginReason': 'AUTHENTICATION_DENIED' } });

      // Act
      const error = await rejection(jira.createIssue(bugFields()));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('CAPTCHA');
      expect(error.message).not.toContain('Create Issues');
    });
  });

  describe('Method: findIssuesByLabel', () => {
    it('searches Jira Cloud with POST search/jql, oldest first, following nextPageToken', async () => {
      // Prepare
      const fake = await jiraFake();
      const jira = clientFor(fake);
      const created = [];
      for (let i = 0; i < 53; i++) created.push(await jira.createIssue(bugFields({ labels: ['bt-aaaaaaaaaaaa'] })));
      await jira.createIssue(bugFields({ labels: ['bt-bbbbbbbbbbbb'] }));

      // Act
      const found = await jira.findIssuesByLabel('CRASH', 'bt-aaaaaaaaaaaa');

      // Assess
      expect(found).toEqual(created);
      const searches = fake.requests.filter((request) => request.path.endsWith('/search/jql'));
      expect(searches.length).toBeGreaterThanOrEqual(2);
      expect(searches[0]?.body).toEqual({
        jql: 'project = "CRASH" AND labels = "bt-aaaaaaaaaaaa" ORDER BY created ASC',
        fields: ['created'],
        maxResults: 50,
      });
      expect(searches[1]?.body).toMatchObject({ nextPageToken: expect.any(String) });
      expect(fake.requests.some((request) => request.path.endsWith('/search'))).toBe(false);
    });

    it('searches Data Center with POST search and startAt/total paging', async () => {
      // Prepare
      const fake = await jiraFake({ deployment: 'Server' });
      const jira = clientFor(fake);
      const created = [];
      for (let i = 0; i < 52; i++) created.push(await jira.createIssue(bugFields({ labels: ['bt-cccccccccccc'] })));

      // Act
      const found = await jira.findIssuesByLabel('CRASH', 'bt-cccccccccccc');

      // Assess
      expect(found).toEqual(created);
      const searches = fake.requests.filter((request) => request.path.endsWith('/search'));
      expect(searches.map((request) => (request.body as { startAt: number }).startAt)).toEqual([0, 50]);
      expect(fake.requests.some((request) => request.path.endsWith('/search/jql'))).toBe(false);
    });

    it('searches a custom labels field (jira.fieldMapping.labels) as cf[NNNNN]', async () => {
      // Prepare: the admin keeps Backtrace's labels in a custom labels field
      const crashLabels = { id: 'customfield_10030', name: 'Crash labels', schema: { type: 'array', items: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:labels' } };
      const fake = await jiraFake({ fields: [crashLabels], openApiValidation: true });
      const jira = clientFor(fake);
      const { labels: _labels, ...withoutLabels } = bugFields();
      const ours = await jira.createIssue({ ...withoutLabels, customfield_10030: ['Backtrace', 'bt-dddddddddddd'] });
      await jira.createIssue(bugFields({ labels: ['bt-dddddddddddd'] }));

      // Act
      const found = await jira.findIssuesByLabel('CRASH', 'bt-dddddddddddd', 'customfield_10030');

      // Assess
      expect(found).toEqual([ours]);
      const search = fake.requests.find((request) => request.path.endsWith('/search/jql'));
      expect((search?.body as { jql: string }).jql).toBe('project = "CRASH" AND cf[10030] = "bt-dddddddddddd" ORDER BY created ASC');
      expect(fake.validationErrors).toEqual([]);
    });

    it('finds nothing for a label no issue carries', async () => {
      // Prepare
      const fake = await jiraFake();
      const jira = clientFor(fake);
      await jira.createIssue(bugFields());

      // Act
      const found = await jira.findIssuesByLabel('CRASH', 'bt-ffffffffffff');

      // Assess
      expect(found).toEqual([]);
    });
  });
});
