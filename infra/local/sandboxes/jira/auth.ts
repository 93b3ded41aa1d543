/**
 * Checks the credentials of every request (reference section 7): Basic (Cloud email:api-token, Server
 * username:password), Bearer (Data Center PAT) and OAuth 1.0a RSA-SHA1. Only the mechanisms configured are accepted.
 */
import type { IncomingMessage } from 'node:http';
import { OAuth1Verifier, parseOAuthHeader, type OAuthProblem } from './oauth1.ts';
import type { JiraFakeAuth } from './types.ts';

export interface Principal {
  /** Username (Server) or email (Cloud) the request acts as. */
  name: string;
  via: 'basic' | 'bearer' | 'oauth1';
}

export type AuthResult =
  | { ok: true; principal: Principal }
  /** `missing`: no credentials at all; `invalid`: credentials that do not check out. */
  | { ok: false; reason: 'missing' | 'invalid'; oauthProblem?: OAuthProblem };

export class Authenticator {
  readonly #auth: JiraFakeAuth;
  readonly #oauth1?: OAuth1Verifier;

  constructor(auth: JiraFakeAuth) {
    this.#auth = auth;
    if (auth.oauth1) this.#oauth1 = new OAuth1Verifier(auth.oauth1);
  }

  authenticate(req: IncomingMessage, formBody: string | undefined, nowMs: number): AuthResult {
    const header = req.headers.authorization;
    if (!header || header.trim() === '') return { ok: false, reason: 'missing' };
    const [scheme = '', ...rest] = header.trim().split(/\s+/);
    const credentials = rest.join(' ');
    switch (scheme.toLowerCase()) {
      case 'basic':
        return this.#basic(credentials);
      case 'bearer': {
        const known = this.#auth.bearer?.includes(credentials) ?? false;
        return known ? { ok: true, principal: { name: 'pat-user', via: 'bearer' } } : { ok: false, reason: 'invalid' };
      }
      case 'oauth': {
        if (!this.#oauth1) return { ok: false, reason: 'invalid', oauthProblem: 'consumer_key_unknown' };
        const params = parseOAuthHeader(header.trim());
        if (!params) return { ok: false, reason: 'invalid', oauthProblem: 'parameter_absent' };
        const result = this.#oauth1.verify(req, params, formBody, nowMs);
        return result.ok ? { ok: true, principal: { name: result.userName ?? 'oauth-user', via: 'oauth1' } } : { ok: false, reason: 'invalid', oauthProblem: result.problem };
      }
      default:
        return { ok: false, reason: 'invalid' };
    }
  }

  /** The application link's verifier, shared with the OAuth provider endpoints; absent without `auth.oauth1`. */
  get oauth1(): OAuth1Verifier | undefined {
    return this.#oauth1;
  }

  reset(): void {
    this.#oauth1?.reset();
  }

  #basic(encoded: string): AuthResult {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'invalid' };
    const user = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const known = this.#auth.basic?.some((c) => c.user === user && c.secret === secret) ?? false;
    return known ? { ok: true, principal: { name: user, via: 'basic' } } : { ok: false, reason: 'invalid' };
  }
}
