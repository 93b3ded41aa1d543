/**
 * The Authorization header for each way Jira accepts an API client (../shared/reference/jira-rest-v2.md
 * section 7). Secrets arrive resolved; this module only shapes them into headers and never reports their values.
 */
import { createSign } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { PermanentError } from '../../ports/errors.ts';

/** `jira.auth` as configured: secrets are referenced by name. */
export type JiraAuthSettings =
  | { type: 'api-token'; email: string; tokenSecret: string }
  | { type: 'password'; username: string; passwordSecret: string }
  | { type: 'pat'; tokenSecret: string }
  | { type: 'oauth1'; consumerKey: string; privateKeySecret: string; accessTokenSecret: string };

/** Secret values by secret name, resolved by the caller (Secrets Manager, a local file). */
export type ResolvedSecrets = Readonly<Record<string, string>>;

/** Builds the headers for one request; called per attempt so OAuth signatures get a fresh nonce and timestamp. */
export type JiraAuthHeaders = (request: { method: string; url: string }) => Record<string, string>;

/**
 * @example
 * const headers = jiraAuthHeaders({ type: 'pat', tokenSecret: 'jira-pat' }, { 'jira-pat': 'NjM4...' });
 * headers({ method: 'GET', url: 'https://jira.example.com/rest/api/2/serverInfo' }); // { Authorization: 'Bearer NjM4...' }
 */
export function jiraAuthHeaders(auth: JiraAuthSettings, secrets: ResolvedSecrets): JiraAuthHeaders {
  switch (auth.type) {
    case 'api-token': {
      const header = basic(auth.email, secret(secrets, auth.tokenSecret, 'jira.auth.tokenSecret'));
      return () => ({ Authorization: header });
    }
    case 'password': {
      const header = basic(auth.username, secret(secrets, auth.passwordSecret, 'jira.auth.passwordSecret'));
      return () => ({ Authorization: header });
    }
    case 'pat': {
      const header = `Bearer ${secret(secrets, auth.tokenSecret, 'jira.auth.tokenSecret')}`;
      return () => ({ Authorization: header });
    }
    case 'oauth1':
      return oauth1Headers(
        auth.consumerKey,
        secret(secrets, auth.privateKeySecret, 'jira.auth.privateKeySecret'),
        accessToken(secret(secrets, auth.accessTokenSecret, 'jira.auth.accessTokenSecret')),
      );
  }
}

/** A short description of the credentials in use, for messages: never contains a secret. */
export function describeJiraAuth(auth: JiraAuthSettings): string {
  switch (auth.type) {
    case 'api-token':
      return `api-token for ${auth.email}`;
    case 'password':
      return `password for ${auth.username}`;
    case 'pat':
      return 'personal access token';
    case 'oauth1':
      return `OAuth 1.0a consumer ${auth.consumerKey}`;
  }
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function secret(secrets: ResolvedSecrets, name: string, setting: string): string {
  const value = secrets[name];
  if (typeof value !== 'string' || value === '') {
    throw new PermanentError(`Jira credentials: secret "${name}" (${setting}) has no value; create it or fix the name in ${setting}`);
  }
  return value;
}

/**
 * The access-token secret holds the token itself, or JSON `{"token": "...", "secret": "..."}` as Jira's OAuth
 * dance hands both out. With RSA-SHA1 the token secret plays no part in the signature, so it is accepted and unused.
 */
function accessToken(value: string): string {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    const parsed = JSON.parse(trimmed) as { token?: unknown; accessToken?: unknown; oauth_token?: unknown };
    const token = parsed.token ?? parsed.accessToken ?? parsed.oauth_token;
    if (typeof token === 'string' && token !== '') return token;
  } catch {
    // fall through to the message below
  }
  throw new PermanentError(
    'Jira credentials: the secret named by jira.auth.accessTokenSecret must be the access token, or JSON {"token": "...", "secret": "..."}',
  );
}

/**
 * Jira Server/DC application links sign with RSA-SHA1 over the RFC 5849 base string; a JSON body is not part of it.
 * oauth-1.0a builds the base string and header; node:crypto signs with the consumer's private key.
 */
function oauth1Headers(consumerKey: string, privateKeyPem: string, token: string): JiraAuthHeaders {
  const pem = privateKeyPem.includes('\\n') && !privateKeyPem.includes('\n') ? privateKeyPem.replaceAll('\\n', '\n') : privateKeyPem;
  try {
    createSign('RSA-SHA1').update('probe').sign(pem);
  } catch {
    throw new PermanentError(
      'Jira credentials: the secret named by jira.auth.privateKeySecret is not a usable RSA private key (PEM, "-----BEGIN PRIVATE KEY-----" or "-----BEGIN RSA PRIVATE KEY-----")',
    );
  }
  const oauth = new OAuth({
    consumer: { key: consumerKey, secret: '' },
    signature_method: 'RSA-SHA1',
    hash_function: (baseString) => createSign('RSA-SHA1').update(baseString).sign(pem, 'base64'),
  });
  return ({ method, url }) => {
    const data = oauth.authorize({ method, url: normaliseForSignature(url) }, { key: token, secret: '' });
    return { Authorization: oauth.toHeader(data).Authorization };
  };
}

/**
 * RFC 5849 3.4.1.2: the base string URI has a lower-case scheme and host and no default port. `new URL` gives
 * exactly that, and oauth-1.0a reads the query string from the same URL.
 */
function normaliseForSignature(url: string): string {
  return new URL(url).toString();
}
