/**
 * OAuth 1.0a RSA-SHA1 verification as Jira Server/DC does it for an application link (reference section 7):
 * the signature covers the RFC 5849 section 3.4.1 base string (method, base URI, query + oauth_* parameters,
 * form bodies only), never a JSON body or any other header.
 */
import { verify } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface OAuth1Config {
  consumerKey: string;
  publicKeyPem: string;
  accessTokens: string[];
}

/**
 * Jira's `oauth_problem` values (the OAuth Problem Reporting extension). [GUESS: the reference (section 7) names none
 * of them; these are the extension's names, which Jira's OAuth provider is believed to use.]
 */
export type OAuthProblem =
  | 'parameter_absent'
  | 'version_rejected'
  | 'consumer_key_unknown'
  | 'token_rejected'
  | 'signature_method_rejected'
  | 'timestamp_refused'
  | 'nonce_used'
  | 'signature_invalid'
  /** The access-token step with a request token nobody approved yet. */
  | 'permission_unknown'
  /** The access-token step with a request token the user denied. */
  | 'permission_denied'
  /** The access-token step with a missing or wrong `oauth_verifier`. */
  | 'verifier_invalid';

/** Jira refuses timestamps this far from its clock. [GUESS: the window is not in the reference; 10 minutes.] */
const TIMESTAMP_WINDOW_SECONDS = 600;

/** RFC 5849 section 3.6: percent-encode everything but unreserved characters. */
export const oauthEncode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `OAuth k="v", ...` -> decoded map, or undefined when the header is not an OAuth one. */
export function parseOAuthHeader(header: string): Map<string, string> | undefined {
  if (!/^OAuth\s/i.test(header)) return undefined;
  const params = new Map<string, string>();
  for (const match of header.slice(6).matchAll(/([A-Za-z0-9_.-]+)\s*=\s*"([^"]*)"/g)) {
    params.set(match[1]!, decodeURIComponent(match[2]!));
  }
  return params;
}

/** Form-urlencoded decoding, as RFC 5849 section 3.4.1.3.1 prescribes for the query and form bodies. */
function decodeForm(raw: string): [string, string][] {
  if (raw === '') return [];
  return raw.split('&').filter((part) => part !== '').map((part) => {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return [decode(name), decode(value)];
  });
}

export function signatureBaseString(input: {
  method: string;
  /** Host header as sent (host[:port]). */
  host: string;
  /** Request target path, still percent-encoded, without the query. */
  rawPath: string;
  rawQuery: string;
  oauthParams: Map<string, string>;
  formBody?: string;
}): string {
  const [hostname, port] = input.host.toLowerCase().split(':');
  const authority = port === undefined || port === '80' ? hostname : `${hostname}:${port}`;
  const baseUri = `http://${authority}${input.rawPath}`;
  const pairs: [string, string][] = [...decodeForm(input.rawQuery), ...decodeForm(input.formBody ?? '')];
  for (const [name, value] of input.oauthParams) {
    if (name !== 'oauth_signature' && name !== 'realm') pairs.push([name, value]);
  }
  const normalized = pairs
    .map(([name, value]) => [oauthEncode(name), oauthEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return [input.method.toUpperCase(), oauthEncode(baseUri), oauthEncode(normalized)].join('&');
}

/**
 * Which `oauth_token` a request must carry: none (the request-token step), a request token the user approved (the
 * access-token step, which also carries `oauth_verifier`), or an access token (API calls, the default).
 */
export type TokenRule = { kind: 'none' } | { kind: 'check'; accepts: (token: string, params: Map<string, string>) => OAuthProblem | undefined };

export class OAuth1Verifier {
  readonly #config: OAuth1Config;
  readonly #accessTokens: Map<string, string | undefined>;
  readonly #seenNonces = new Set<string>();

  constructor(config: OAuth1Config) {
    this.#config = config;
    this.#accessTokens = new Map(config.accessTokens.map((token) => [token, undefined]));
  }

  get consumerKey(): string {
    return this.#config.consumerKey;
  }

  /** Records an access token handed out by the access-token step, for the user who approved it. */
  issueAccessToken(token: string, userName: string): void {
    this.#accessTokens.set(token, userName);
  }

  /**
   * The token of a valid request (and the user an issued access token acts for), or the problem Jira would report.
   * Checked in the order Jira's OAuth filter reports them: parameters, version, consumer, token, method, timestamp,
   * signature, nonce.
   */
  verify(
    req: IncomingMessage,
    params: Map<string, string>,
    formBody: string | undefined,
    nowMs: number,
    rule: TokenRule = { kind: 'check', accepts: (token) => (this.#accessTokens.has(token) ? undefined : 'token_rejected') },
  ): { ok: true; token: string; userName?: string } | { ok: false; problem: OAuthProblem } {
    const required = ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature', 'oauth_timestamp', 'oauth_nonce', ...(rule.kind === 'none' ? [] : ['oauth_token'])];
    if (required.some((name) => !params.get(name))) return { ok: false, problem: 'parameter_absent' };
    if (params.has('oauth_version') && params.get('oauth_version') !== '1.0') return { ok: false, problem: 'version_rejected' };
    if (params.get('oauth_consumer_key') !== this.#config.consumerKey) return { ok: false, problem: 'consumer_key_unknown' };
    const token = params.get('oauth_token') ?? '';
    if (rule.kind === 'check') {
      const problem = rule.accepts(token, params);
      if (problem) return { ok: false, problem };
    }
    if (params.get('oauth_signature_method') !== 'RSA-SHA1') return { ok: false, problem: 'signature_method_rejected' };
    const timestamp = Number(params.get('oauth_timestamp'));
    if (!Number.isInteger(timestamp) || Math.abs(timestamp - nowMs / 1000) > TIMESTAMP_WINDOW_SECONDS) return { ok: false, problem: 'timestamp_refused' };

    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const base = signatureBaseString({
      method: req.method ?? 'GET',
      host: req.headers.host ?? '',
      rawPath: q < 0 ? target : target.slice(0, q),
      rawQuery: q < 0 ? '' : target.slice(q + 1),
      oauthParams: params,
      formBody,
    });
    const signature = Buffer.from(params.get('oauth_signature')!, 'base64');
    let valid = false;
    try {
      valid = verify('RSA-SHA1', Buffer.from(base), this.#config.publicKeyPem, signature);
    } catch {
      valid = false;
    }
    if (!valid) return { ok: false, problem: 'signature_invalid' };

    // Only a correctly signed request burns its nonce, so a forged replay cannot block the real client.
    const nonceKey = `${params.get('oauth_consumer_key')}|${token}|${timestamp}|${params.get('oauth_nonce')}`;
    if (this.#seenNonces.has(nonceKey)) return { ok: false, problem: 'nonce_used' };
    this.#seenNonces.add(nonceKey);
    const userName = this.#accessTokens.get(token);
    return { ok: true, token, ...(userName === undefined ? {} : { userName }) };
  }

  reset(): void {
    this.#seenNonces.clear();
  }
}
