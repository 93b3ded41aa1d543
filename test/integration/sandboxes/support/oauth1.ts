/**
 * OAuth 1.0a RSA-SHA1 signing on the test side, independent of the sandbox's verifier: the `oauth-1.0a` package builds
 * the base string, node:crypto signs it with the consumer's private key (as a Jira application link client does).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import OAuth from 'oauth-1.0a';

export interface OAuth1Keys {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateOAuth1Keys(): OAuth1Keys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * The `Authorization: OAuth ...` header for one request. `accessToken` is the request token in the access-token step
 * and absent in the request-token step; `extra` adds protocol parameters such as `oauth_callback` or `oauth_verifier`.
 */
export function oauth1Header(input: {
  method: string;
  url: string;
  consumerKey: string;
  accessToken?: string;
  privateKeyPem: string;
  timestamp?: number;
  nonce?: string;
  extra?: Record<string, string>;
}): string {
  const oauth = new OAuth({
    consumer: { key: input.consumerKey, secret: '' },
    signature_method: 'RSA-SHA1',
    hash_function: (baseString) => sign('RSA-SHA1', Buffer.from(baseString), input.privateKeyPem).toString('base64'),
  });
  const data = oauth.authorize({ url: input.url, method: input.method }, input.accessToken === undefined ? undefined : { key: input.accessToken, secret: '' });
  if (input.timestamp !== undefined || input.nonce !== undefined || input.extra !== undefined) {
    Object.assign(data, input.extra);
    // Re-sign with the pinned values so a test can replay or age a request on purpose.
    data.oauth_timestamp = input.timestamp ?? data.oauth_timestamp;
    data.oauth_nonce = input.nonce ?? data.oauth_nonce;
    const { oauth_signature: _ignored, ...unsigned } = data;
    data.oauth_signature = oauth.getSignature({ url: input.url, method: input.method }, '', unsigned as OAuth.Data);
  }
  return oauth.toHeader(data).Authorization;
}
