/**
 * OAuth 1.0a RSA-SHA1 signing for the application-link dance (reference section 7): the oauth-1.0a library builds
 * the RFC 5849 base string and the `Authorization: OAuth ...` header, node:crypto signs with the consumer's private
 * key. Every call draws a fresh nonce and timestamp, so a retried request is never a replay.
 */
import { createSign } from 'node:crypto';
import OAuth from 'oauth-1.0a';

export interface OAuthSigningInput {
  method: string;
  url: string;
  consumerKey: string;
  privateKeyPem: string;
  /** The request token (access-token step) or the access token (API calls); absent in the request-token step. */
  token?: string;
  /** Further protocol parameters that go into the header and the signature: `oauth_callback`, `oauth_verifier`. */
  protocolParams?: Record<string, string>;
  /** Pinned for tests only; default a fresh one per call. */
  nonce?: string;
  /** Pinned for tests only (seconds since the epoch); default now. */
  timestamp?: number;
}

function client(consumerKey: string, privateKeyPem: string): OAuth {
  return new OAuth({
    consumer: { key: consumerKey, secret: '' },
    signature_method: 'RSA-SHA1',
    hash_function: (baseString) => createSign('RSA-SHA1').update(baseString).sign(privateKeyPem, 'base64'),
  });
}

/** The protocol parameters of one request, signed. */
function signedParams(input: OAuthSigningInput): OAuth.Authorization {
  const oauth = client(input.consumerKey, input.privateKeyPem);
  const request = { method: input.method.toUpperCase(), url: new URL(input.url).toString() };
  const data = oauth.authorize(request, input.token === undefined ? undefined : { key: input.token, secret: '' });
  // oauth-1.0a signs only its own parameters: add ours (and any pinned values), then sign again over all of them.
  Object.assign(data, input.protocolParams);
  if (input.nonce !== undefined) data.oauth_nonce = input.nonce;
  if (input.timestamp !== undefined) data.oauth_timestamp = input.timestamp;
  const { oauth_signature: _first, ...unsigned } = data;
  data.oauth_signature = oauth.getSignature(request, '', unsigned as OAuth.Data);
  return data;
}

/** The `Authorization` header value for one request. */
export function oauthAuthorizationHeader(input: OAuthSigningInput): string {
  const oauth = client(input.consumerKey, input.privateKeyPem);
  return oauth.toHeader(signedParams(input)).Authorization;
}

/** The RFC 5849 section 3.4.1 signature base string oauth-1.0a signs, for the given protocol parameters. */
export function signatureBaseString(request: { method: string; url: string }, protocolParams: Record<string, string | number>): string {
  const oauth = new OAuth({ consumer: { key: String(protocolParams.oauth_consumer_key ?? ''), secret: '' }, signature_method: 'RSA-SHA1', hash_function: () => '' });
  return oauth.getBaseString({ method: request.method.toUpperCase(), url: new URL(request.url).toString() }, protocolParams as unknown as OAuth.Data);
}
