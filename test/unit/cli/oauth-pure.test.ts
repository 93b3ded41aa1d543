import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { explainOAuthProblem, parseOAuthAnswer } from '../../../infra/cli/oauth/oauth-answers.ts';
import { oauthAuthorizationHeader, signatureBaseString } from '../../../infra/cli/oauth/oauth-signing.ts';
import { generateKeyPair, normalisePem, publicKeyOf } from '../../../infra/cli/oauth/rsa-keys.ts';

const { privateKeyPem, publicKeyPem } = generateKeyPair();

describe('Function: signatureBaseString (RFC 5849 3.4.1)', () => {
  it.each([
    [
      'request token: no token, callback signed',
      { method: 'post', url: 'https://jira.example.com/jira/plugins/servlet/oauth/request-token' },
      { oauth_consumer_key: 'bridge', oauth_nonce: 'n1', oauth_signature_method: 'RSA-SHA1', oauth_timestamp: 1700000000, oauth_version: '1.0', oauth_callback: 'oob' },
      'POST&https%3A%2F%2Fjira.example.com%2Fjira%2Fplugins%2Fservlet%2Foauth%2Frequest-token&oauth_callback%3Doob%26oauth_consumer_key%3Dbridge%26oauth_nonce%3Dn1%26oauth_signature_method%3DRSA-SHA1%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0',
    ],
    [
      'API call: query parameters sorted in, host lower-cased, default port dropped',
      { method: 'GET', url: 'HTTPS://Jira.Example.com:443/rest/api/2/search?maxResults=10&jql=project%20%3D%20A' },
      { oauth_consumer_key: 'bridge', oauth_token: 'tok', oauth_nonce: 'n2', oauth_signature_method: 'RSA-SHA1', oauth_timestamp: 1700000001, oauth_version: '1.0' },
      'GET&https%3A%2F%2Fjira.example.com%2Frest%2Fapi%2F2%2Fsearch&jql%3Dproject%2520%253D%2520A%26maxResults%3D10%26oauth_consumer_key%3Dbridge%26oauth_nonce%3Dn2%26oauth_signature_method%3DRSA-SHA1%26oauth_timestamp%3D1700000001%26oauth_token%3Dtok%26oauth_version%3D1.0',
    ],
  ])('%s', (_name, request, params, expected) => {
    expect(signatureBaseString(request, params)).toBe(expected);
  });
});

describe('Function: oauthAuthorizationHeader', () => {
  it('signs the base string RSA-SHA1 with the private key, verifier included', () => {
    // Prepare
    const url = 'https://jira.example.com/plugins/servlet/oauth/access-token';

    // Act
    const header = oauthAuthorizationHeader({ method: 'POST', url, consumerKey: 'bridge', privateKeyPem, token: 'req', protocolParams: { oauth_verifier: 'v3r' }, nonce: 'fixed', timestamp: 1700000000 });

    // Assess
    const params = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], decodeURIComponent(m[2]!)]));
    expect(params).toMatchObject({ oauth_consumer_key: 'bridge', oauth_token: 'req', oauth_verifier: 'v3r', oauth_signature_method: 'RSA-SHA1', oauth_nonce: 'fixed', oauth_timestamp: '1700000000' });
    const { oauth_signature: signature, ...signed } = params;
    expect(verify('RSA-SHA1', Buffer.from(signatureBaseString({ method: 'POST', url }, signed)), publicKeyPem, Buffer.from(signature!, 'base64'))).toBe(true);
  });

  it('draws a fresh nonce and timestamp on every call', () => {
    const headers = Array.from({ length: 5 }, () => oauthAuthorizationHeader({ method: 'GET', url: 'https://jira.example.com/rest/api/2/myself', consumerKey: 'bridge', privateKeyPem, token: 'tok' }));
    const nonces = headers.map((header) => /oauth_nonce="([^"]+)"/.exec(header)![1]);
    expect(new Set(nonces).size).toBe(5);
  });
});

describe('Function: parseOAuthAnswer', () => {
  it.each([
    ['oauth_token=abc&oauth_token_secret=def&oauth_callback_confirmed=true', undefined, { ok: true, token: 'abc', tokenSecret: 'def' }],
    ['oauth_problem=signature_invalid', undefined, { ok: false, problem: 'signature_invalid' }],
    ['', 'OAuth realm="x", oauth_problem="timestamp_refused"', { ok: false, problem: 'timestamp_refused' }],
    ['<html>login</html>', undefined, { ok: false, problem: 'unexpected_answer' }],
  ])('%s', (body, header, expected) => {
    expect(parseOAuthAnswer(body, header)).toEqual(expected);
  });
});

describe('Function: explainOAuthProblem', () => {
  it.each([
    ['signature_invalid', 'request-token', /public key of the application link.*oauth init/],
    ['consumer_key_unknown', 'request-token', /jira\.auth\.consumerKey/],
    ['timestamp_refused', 'access-token', /clock/],
    ['nonce_used', 'api', /fresh nonce/],
    ['permission_unknown', 'access-token', /Allow/],
    ['verifier_invalid', 'access-token', /verification code/],
    ['token_rejected', 'api', /oauth authorize.*new one/],
    ['token_rejected', 'access-token', /from the start/],
    ['something_new', 'api', /something_new/],
  ] as const)('%s at %s', (problem, step, expected) => {
    expect(explainOAuthProblem(problem, { consumerKey: 'bridge', step })).toMatch(expected);
  });
});

describe('Function: publicKeyOf / normalisePem', () => {
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  it.each([
    ['a PKCS#8 PEM', privateKeyPem, { ok: true, publicKeyPem, bits: 2048 }],
    ['the same with literal \\n (pasted into JSON)', privateKeyPem.trim().replaceAll('\n', '\\n'), { ok: true, publicKeyPem }],
    ['an EC key', ecKey, { ok: false, problem: expect.stringContaining('needs RSA') }],
    ['not a key', 'hunter2', { ok: false, problem: expect.stringContaining('not a PEM private key') }],
  ])('%s', (_name, stored, expected) => {
    expect(publicKeyOf(stored)).toMatchObject(expected);
  });

  it('turns literal \\n into newlines only when the text has none', () => {
    expect(normalisePem('a\\nb')).toBe('a\nb\n');
    expect(normalisePem('a\nb\\n')).toBe('a\nb\\n\n');
  });
});
