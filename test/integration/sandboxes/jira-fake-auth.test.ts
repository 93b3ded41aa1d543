import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { basicAuth, call } from './support/http.ts';
import { generateOAuth1Keys, oauth1Header, type OAuth1Keys } from './support/oauth1.ts';

describe('Jira fake: authentication', () => {
  describe('with the default credentials', () => {
    let jira: JiraFake;
    beforeAll(async () => {
      jira = await startJiraFake();
    });
    afterAll(() => jira.close());

    it('accepts Basic bot@example.com:sandbox-token', async () => {
      // Act
      const answer = await call(`${jira.apiUrl}myself`, { auth: basicAuth('bot@example.com', 'sandbox-token') });

      // Assess
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ emailAddress: 'bot@example.com', accountId: expect.any(String), active: true });
    });

    it('answers a request without credentials with 401 and Jira\'s "not authenticated" message', async () => {
      // Act
      const answer = await call(`${jira.apiUrl}issue`, { auth: null, body: { fields: {} } });

      // Assess
      expect(answer.status).toBe(401);
      expect(answer.json.errorMessages).toEqual(['You are not authenticated. Authentication required to perform this operation.']);
      expect(jira.issues).toEqual([]);
    });

    it('answers a wrong token with a 401 login-failed page, not JSON', async () => {
      // Act
      const answer = await call(`${jira.apiUrl}serverInfo`, { auth: basicAuth('bot@example.com', 'old-token') });

      // Assess
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toMatch(/text\/html/);
      expect(answer.headers.get('x-seraph-loginreason')).toBe('AUTHENTICATED_FAILED');
      expect(answer.json).toBeUndefined();
      expect(answer.text).not.toContain('old-token');
    });

    it('refuses a Bearer token when no PAT is configured', async () => {
      // Act
      const answer = await call(`${jira.apiUrl}serverInfo`, { auth: 'Bearer sandbox-token' });

      // Assess
      expect(answer.status).toBe(401);
    });
  });

  describe('with a Data Center personal access token', () => {
    it('accepts the PAT as Bearer and refuses it as a Basic password', async () => {
      // Prepare
      const jira = await startJiraFake({ deployment: 'Server', auth: { bearer: ['pat-123'] } });

      try {
        // Act
        const bearer = await call(`${jira.apiUrl}myself`, { auth: 'Bearer pat-123' });
        const asPassword = await call(`${jira.apiUrl}myself`, { auth: basicAuth('jira-bot', 'pat-123') });
        const otherToken = await call(`${jira.apiUrl}myself`, { auth: 'Bearer pat-456' });

        // Assess
        expect(bearer.status).toBe(200);
        expect(bearer.json).toMatchObject({ name: expect.any(String), key: expect.any(String) });
        expect(asPassword.status).toBe(401);
        expect(otherToken.status).toBe(401);
      } finally {
        await jira.close();
      }
    });
  });

  describe('with an OAuth 1.0a application link (RSA-SHA1)', () => {
    let jira: JiraFake;
    let keys: OAuth1Keys;
    const consumerKey = 'bridge-consumer';
    const accessToken = 'access-token-1';
    const signed = (method: string, url: string, overrides: Partial<Parameters<typeof oauth1Header>[0]> = {}) =>
      oauth1Header({ method, url, consumerKey, accessToken, privateKeyPem: keys.privateKeyPem, ...overrides });

    beforeAll(async () => {
      keys = generateOAuth1Keys();
      jira = await startJiraFake({ deployment: 'Server', contextPath: '/jira', auth: { oauth1: { consumerKey, publicKeyPem: keys.publicKeyPem, accessTokens: [accessToken] } } });
    });
    afterAll(() => jira.close());

    it('accepts a signed GET whose query parameters are part of the signature', async () => {
      // Prepare
      const url = `${jira.apiUrl}issue/createmeta/CRASH/issuetypes?startAt=0&maxResults=10`;

      // Act
      const answer = await call(url, { auth: signed('GET', url) });

      // Assess
      expect(answer.status).toBe(200);
      expect(answer.json.values.map((t: { name: string }) => t.name)).toEqual(['Bug', 'Task']);
    });

    it('accepts a signed POST: the JSON body is not covered by the signature', async () => {
      // Prepare
      const url = `${jira.apiUrl}issue`;

      // Act
      const answer = await call(url, { auth: signed('POST', url), body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Signed' } } });

      // Assess
      expect(answer.status).toBe(201);
    });

    it('refuses a request whose query was changed after signing', async () => {
      // Prepare
      const url = `${jira.apiUrl}issue/createmeta/CRASH/issuetypes?maxResults=10`;
      const header = signed('GET', url);

      // Act
      const answer = await call(url.replace('maxResults=10', 'maxResults=20'), { auth: header });

      // Assess
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('oauth_problem="signature_invalid"');
    });

    it('refuses a signature made with another private key', async () => {
      // Prepare
      const url = `${jira.apiUrl}serverInfo`;
      const stranger = generateOAuth1Keys();

      // Act
      const answer = await call(url, { auth: signed('GET', url, { privateKeyPem: stranger.privateKeyPem }) });

      // Assess
      expect(answer.status).toBe(401);
      expect(answer.text).toBe('oauth_problem=signature_invalid');
    });

    it('refuses an unknown access token, an unknown consumer, a replayed nonce and a stale timestamp', async () => {
      // Prepare
      const url = `${jira.apiUrl}serverInfo`;
      const replay = signed('GET', url, { nonce: 'fixed-nonce-1' });
      const staleTimestamp = Math.floor(Date.now() / 1000) - 3_600;

      // Act
      const unknownToken = await call(url, { auth: signed('GET', url, { accessToken: 'revoked' }) });
      const unknownConsumer = await call(url, { auth: signed('GET', url, { consumerKey: 'someone-else' }) });
      const first = await call(url, { auth: replay });
      const replayed = await call(url, { auth: replay });
      const stale = await call(url, { auth: signed('GET', url, { timestamp: staleTimestamp }) });

      // Assess
      expect(unknownToken.text).toBe('oauth_problem=token_rejected');
      expect(unknownConsumer.text).toBe('oauth_problem=consumer_key_unknown');
      expect(first.status).toBe(200);
      expect(replayed.text).toBe('oauth_problem=nonce_used');
      expect(stale.text).toBe('oauth_problem=timestamp_refused');
      expect([unknownToken, unknownConsumer, replayed, stale].map((a) => a.status)).toEqual([401, 401, 401, 401]);
    });

    it('does not accept Basic credentials when only OAuth is configured', async () => {
      // Act
      const answer = await call(`${jira.apiUrl}serverInfo`, { auth: basicAuth('bot@example.com', 'sandbox-token') });

      // Assess
      expect(answer.status).toBe(401);
    });
  });
});
