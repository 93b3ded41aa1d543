import { existsSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPENAPI_PATH, loadOpenApiValidator, startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';

const issueBody = { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash', labels: ['bt-aaaaaaaaaaaa'] } };

describe('Jira fake: OpenAPI validation of requests', () => {
  let jira: JiraFake;
  beforeAll(async () => {
    jira = await startJiraFake({ openApiValidation: true });
  });
  afterAll(() => jira.close());
  beforeEach(() => jira.reset());

  it('finds the shared OpenAPI document beside the repository', () => {
    // Assess
    expect(DEFAULT_OPENAPI_PATH).toMatch(/shared[\\/]reference[\\/]jira-cloud-rest-v2\.openapi\.json$/);
    expect(existsSync(DEFAULT_OPENAPI_PATH)).toBe(true);
  });

  it('lets conforming requests through without recording anything', async () => {
    // Act
    const answers = await Promise.all([
      call(`${jira.apiUrl}issue`, { body: issueBody }),
      call(`${jira.apiUrl}serverInfo`),
      call(`${jira.apiUrl}field`),
      call(`${jira.apiUrl}issue/createmeta/CRASH/issuetypes/10004?startAt=0&maxResults=50`),
      call(`${jira.apiUrl}search/jql`, { body: { jql: 'project = CRASH AND labels = "bt-aaaaaaaaaaaa"', fields: ['created'], maxResults: 10 } }),
      call(`${jira.apiUrl}search/jql?jql=project%3DCRASH&fields=key&maxResults=5`),
    ]);

    // Assess
    expect(answers.map((a) => a.status)).toEqual([201, 200, 200, 200, 200, 200]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('lets the state/assignee sync requests through, including the documented {"accountId": null} unassign', async () => {
    // Prepare
    const { key } = (await call(`${jira.apiUrl}issue`, { body: issueBody })).json;

    // Act
    const answers = await Promise.all([
      call(`${jira.apiUrl}myself`),
      call(`${jira.apiUrl}issue/${key}?fields=status,assignee,resolution,updated,project`),
      call(`${jira.apiUrl}issue/${key}/transitions?expand=transitions.fields`),
      call(`${jira.apiUrl}user/search?query=ana%40example.com&maxResults=50`),
    ]);
    const assigned = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { accountId: '5b10ac8d82e05b22cc7d4ef5' } });
    const unassigned = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { accountId: null } });
    const transitioned = await call(`${jira.apiUrl}issue/${key}/transitions`, { body: { transition: { id: '31' } } });

    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect([assigned.status, unassigned.status, transitioned.status]).toEqual([204, 204, 204]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('still refuses an assignee that is neither a string nor null', async () => {
    // Prepare
    const { key } = (await call(`${jira.apiUrl}issue`, { body: issueBody })).json;

    // Act
    const answer = await call(`${jira.apiUrl}issue/${key}/assignee`, { method: 'PUT', body: { accountId: 42 } });

    // Assess
    expect(answer.status).toBe(400);
    expect(jira.validationErrors).toEqual([expect.stringMatching(/PUT \/rest\/api\/2\/issue\/CRASH-1\/assignee: requestBody\.accountId must be string/)]);
  });

  it.each([
    ['fields that is not an object', 'issue', { fields: 'summary=Crash' }, /requestBody\.fields must be object/],
    ['an update that is not a list of operations', 'issue', { ...issueBody, update: { labels: { add: 'x' } } }, /requestBody\.update\.labels must be array/],
    ['a Data Center paging member on enhanced search', 'search/jql', { jql: 'project = CRASH', startAt: 0 }, /additional properties \('startAt'\)/],
    ['maxResults as a string', 'search/jql', { jql: 'project = CRASH', maxResults: '10' }, /maxResults must be integer/],
  ])('refuses a body with %s: 400, recorded, nothing created', async (_case, path, body, message) => {
    // Act
    const answer = await call(`${jira.apiUrl}${path}`, { body });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.json.errorMessages[0]).toMatch(/^OpenAPI: POST \/rest\/api\/2\//);
    expect(jira.validationErrors).toHaveLength(1);
    expect(jira.validationErrors[0]).toMatch(message);
    expect(jira.issues).toEqual([]);
  });

  it('refuses unknown query parameters, out-of-range values and operations the document lacks', async () => {
    // Act
    const unknownParam = await call(`${jira.apiUrl}field?expand=everything`);
    const tooMany = await call(`${jira.apiUrl}issue/createmeta/CRASH/issuetypes?maxResults=500`);
    const missing = await call(`${jira.apiUrl}issue/CRASH-1/nothing`);

    // Assess
    expect([unknownParam.status, tooMany.status, missing.status]).toEqual([400, 400, 400]);
    expect(jira.validationErrors).toEqual([
      expect.stringMatching(/GET \/rest\/api\/2\/field: query must NOT have additional properties \('expand'\)/),
      expect.stringMatching(/query\.maxResults must be <= 200/),
      expect.stringMatching(/GET \/rest\/api\/2\/issue\/CRASH-1\/nothing: no such operation/),
    ]);
  });

  it('refuses a body sent with a content type the operation does not take', async () => {
    // Act
    const answer = await call(`${jira.apiUrl}issue`, { body: JSON.stringify(issueBody), headers: { 'content-type': 'text/plain' } });

    // Assess
    expect(answer.status).toBe(400);
    expect(jira.validationErrors[0]).toMatch(/content-type 'text\/plain'/);
  });

  it('records a violation even when an injected fault or a 401 answers the request', async () => {
    // Prepare
    jira.failNext({ status: 429, retryAfter: '1' });

    // Act
    const limited = await call(`${jira.apiUrl}issue`, { body: { fields: [] } });
    const anonymous = await call(`${jira.apiUrl}issue`, { auth: null, body: { fields: [] } });

    // Assess
    expect([limited.status, anonymous.status]).toEqual([429, 401]);
    expect(jira.validationErrors).toHaveLength(2);
  });

  it('checks an answer on demand against the operation\'s response schema, with the corrected changelog item', async () => {
    // Prepare
    const validator = await loadOpenApiValidator();
    const item = { field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: null, fromString: null, to: '5b10ac8d82e05b22cc7d4ef5', toString: 'Ana Lima', tmpFromAccountId: null, tmpToAccountId: '5b10ac8d82e05b22cc7d4ef5' };
    const issue = (changelog: object) => ({ id: '10001', key: 'CRASH-1', fields: {}, changelog });
    const page = (items: object[], extra: object = {}) => ({ startAt: 0, maxResults: 1, total: 1, histories: [{ id: '10100', created: '2024-01-31T12:00:00.000+0000', items }], ...extra });
    const check = (body: unknown) => validator.validateResponse({ method: 'GET', path: '/rest/api/2/issue/CRASH-1', status: 200, body });

    // Act
    const conforming = check(issue(page([item])));
    const extraPageMember = check(issue(page([item], { isLast: true })));
    const extraItemMember = check(issue(page([{ ...item, fieldType: 'jira' }])));
    const numberItem = check(issue(page([{ ...item, to: 10001 }])));

    // Assess
    expect(conforming).toEqual([]);
    expect(extraPageMember).toEqual([expect.stringMatching(/^OpenAPI: GET \/rest\/api\/2\/issue\/CRASH-1 200: changelog must NOT have additional properties \('isLast'\)$/)]);
    expect(extraItemMember).toEqual([expect.stringMatching(/changelog\.histories\.0\.items\.0 must NOT have additional properties \('fieldType'\)/)]);
    expect(numberItem).toEqual([expect.stringMatching(/changelog\.histories\.0\.items\.0\.to must be string/)]);
  });

  it('fails to start with a clear message when the document is missing', async () => {
    // Act
    const start = startJiraFake({ openApiValidation: '/nonexistent/openapi.json' });

    // Assess
    await expect(start).rejects.toThrow(/cannot read the OpenAPI document at \/nonexistent\/openapi\.json/);
  });
});
