import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';
import { generateOAuth1Keys, oauth1Header, type OAuth1Keys } from './support/oauth1.ts';

describe('Jira fake: OAuth 1.0a provider (application link, RSA-SHA1)', () => {
  let jira: JiraFake;
  let keys: OAuth1Keys;
  const consumerKey = 'bridge-consumer';
  const servlet = (name: string) => `${jira.url}/plugins/servlet/oauth/${name}`;
  const post = (url: string, auth: string) => call(url, { method: 'POST', auth, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
  const sign = (method: string, url: string, overrides: Partial<Parameters<typeof oauth1Header>[0]> = {}) =>
    oauth1Header({ method, url, consumerKey, privateKeyPem: keys.privateKeyPem, ...overrides });

  async function requestToken(): Promise<string> {
    const answer = await post(servlet('request-token'), sign('POST', servlet('request-token'), { extra: { oauth_callback: 'oob' } }));
    expect(answer.status).toBe(200);
    return new URLSearchParams(answer.text).get('oauth_token')!;
  }

  /** Approves on the authorize page, as the person would, and reads the verifier Jira displays. */
  async function approve(token: string, user: string): Promise<string> {
    const page = await call(`${servlet('authorize')}?oauth_token=${encodeURIComponent(token)}`, { auth: null });
    expect(page.status).toBe(200);
    expect(page.text).toContain(consumerKey);
    const form = new URLSearchParams({ oauth_token: token, user, decision: 'allow' }).toString();
    const answer = await call(servlet('authorize'), { method: 'POST', auth: null, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(answer.status).toBe(200);
    return /<code id="oauth-verifier">([^<]+)<\/code>/.exec(answer.text)![1]!;
  }

  beforeAll(async () => {
    keys = generateOAuth1Keys();
    jira = await startJiraFake({ deployment: 'Server', contextPath: '/jira', auth: { oauth1: { consumerKey, publicKeyPem: keys.publicKeyPem, accessTokens: [] } } });
  });
  afterAll(() => jira.close());

  it('exchanges request token -> approval as a named user -> access token, and the token acts as that user', async () => {
    // Prepare
    const token = await requestToken();
    const verifier = await approve(token, 'ana');

    // Act
    const exchanged = await post(servlet('access-token'), sign('POST', servlet('access-token'), { accessToken: token, extra: { oauth_verifier: verifier } }));
    const accessToken = new URLSearchParams(exchanged.text).get('oauth_token')!;
    const me = await call(`${jira.apiUrl}myself`, { auth: sign('GET', `${jira.apiUrl}myself`, { accessToken }) });

    // Assess
    expect(exchanged.status).toBe(200);
    expect(accessToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ name: 'ana', displayName: 'Ana Lima' });
  });

  it('refuses a request token signed with another key (signature_invalid)', async () => {
    // Act
    const answer = await post(servlet('request-token'), sign('POST', servlet('request-token'), { privateKeyPem: generateOAuth1Keys().privateKeyPem }));

    // Assess
    expect(answer.status).toBe(401);
    expect(answer.text).toBe('oauth_problem=signature_invalid');
  });

  it('refuses a replayed nonce (nonce_used) and a stale timestamp (timestamp_refused)', async () => {
    // Prepare
    const now = Math.floor(Date.now() / 1000);
    const header = sign('POST', servlet('request-token'), { timestamp: now, nonce: 'same-nonce-twice' });
    const first = await post(servlet('request-token'), header);

    // Act
    const replay = await post(servlet('request-token'), header);
    const stale = await post(servlet('request-token'), sign('POST', servlet('request-token'), { timestamp: now - 3600 }));

    // Assess
    expect(first.status).toBe(200);
    expect(replay.status).toBe(401);
    expect(replay.text).toBe('oauth_problem=nonce_used');
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toContain('oauth_problem="timestamp_refused"');
  });

  it('refuses the exchange before approval, with a wrong verifier, and a second time', async () => {
    // Prepare
    const token = await requestToken();
    const exchange = (verifier: string) => post(servlet('access-token'), sign('POST', servlet('access-token'), { accessToken: token, extra: { oauth_verifier: verifier } }));

    // Act
    const early = await exchange('nothing-yet');
    const verifier = await approve(token, 'admin');
    const wrong = await exchange(`${verifier}x`);
    const right = await exchange(verifier);
    const again = await exchange(verifier);

    // Assess
    expect(early.text).toBe('oauth_problem=permission_unknown');
    expect(wrong.text).toBe('oauth_problem=verifier_invalid');
    expect(right.status).toBe(200);
    expect(again.text).toBe('oauth_problem=token_rejected');
  });

  it('does not take a request token for an API call (token_rejected)', async () => {
    // Prepare
    const token = await requestToken();

    // Act
    const answer = await call(`${jira.apiUrl}myself`, { auth: sign('GET', `${jira.apiUrl}myself`, { accessToken: token }) });

    // Assess
    expect(answer.status).toBe(401);
    expect(answer.text).toBe('oauth_problem=token_rejected');
  });

  it('lets a test approve through the sandbox method as well, and denies when told to', async () => {
    // Prepare
    const allowed = await requestToken();
    const denied = await requestToken();

    // Act
    const approval = jira.approveOAuthToken(allowed, 'Ana Lima');
    jira.approveOAuthToken(denied, 'ana', 'deny');
    const refused = await post(servlet('access-token'), sign('POST', servlet('access-token'), { accessToken: denied, extra: { oauth_verifier: 'x' } }));

    // Assess
    expect(approval).toMatchObject({ ok: true, verifier: expect.any(String) });
    expect(refused.text).toBe('oauth_problem=permission_denied');
  });
});
