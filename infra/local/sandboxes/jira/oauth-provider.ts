/**
 * Jira Server/DC's OAuth 1.0a provider for an application link (reference section 7, steps 2-4): the request-token
 * and access-token servlets, signed RSA-SHA1 with the consumer's private key, and the authorize page where a person
 * (a named user of the site, not the bot) approves the request token and is shown the verifier.
 *
 * Tokens and verifiers are random; a request token is exchanged once. Answers are form-encoded
 * (`oauth_token=...&oauth_token_secret=...`) as the reference quotes; refusals are 401 `oauth_problem=...`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from '../common/http-server.ts';
import { parseOAuthHeader, type OAuth1Verifier, type OAuthProblem } from './oauth1.ts';
import type { FakeUser, FakeUserRef } from './types.ts';

export const OAUTH_SERVLET = '/plugins/servlet/oauth';

/** How long an unexchanged request token lives. [GUESS: Jira's lifetime is not in the reference; 10 minutes.] */
const REQUEST_TOKEN_TTL_MS = 10 * 60_000;

interface RequestToken {
  token: string;
  callback: string;
  issuedAt: number;
  state: 'pending' | 'approved' | 'denied' | 'used';
  verifier?: string;
  /** Who approved it: the principal name the access token will act as. */
  userName?: string;
}

export interface OAuthProviderContext {
  verifier: OAuth1Verifier;
  /** A user of the site by accountId, name, key, e-mail or display name. */
  resolveUser(ref: FakeUserRef): FakeUser | undefined;
  /** The name a principal of that user carries (Cloud e-mail or accountId, Server username). */
  principalName(user: FakeUser): string;
  /** Every active user a person could sign in as, for the authorize page. */
  users(): FakeUser[];
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

const html = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class OAuthProvider {
  readonly #context: OAuthProviderContext;
  readonly #requestTokens = new Map<string, RequestToken>();

  constructor(context: OAuthProviderContext) {
    this.#context = context;
  }

  /**
   * As a person on the authorize page: approve (or deny) the request token as `user`. Returns the verifier Jira shows
   * (or sends to the callback).
   */
  decide(requestToken: string, user: FakeUserRef, decision: 'allow' | 'deny' = 'allow'): { ok: true; verifier?: string; callback: string } | { ok: false; message: string } {
    const entry = this.#requestTokens.get(requestToken);
    if (!entry || entry.state !== 'pending') return { ok: false, message: 'The request token is unknown, expired or already used. Start the authorization again.' };
    const person = this.#context.resolveUser(user);
    if (!person || person.active === false) return { ok: false, message: `No active Jira user "${typeof user === 'string' ? user : user.displayName}".` };
    if (decision === 'deny') {
      entry.state = 'denied';
      return { ok: true, callback: entry.callback };
    }
    entry.state = 'approved';
    entry.verifier = token(6);
    entry.userName = this.#context.principalName(person);
    return { ok: true, verifier: entry.verifier, callback: entry.callback };
  }

  /** Answers a request below `/plugins/servlet/oauth`; `path` is the part after it. */
  handle(req: IncomingMessage, res: ServerResponse, path: string, url: URL, rawBody: string, now: number): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const form = /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '') ? rawBody : undefined;
    if (path === '/request-token' && method === 'POST') return this.#requestToken(req, res, form, now);
    if (path === '/access-token' && method === 'POST') return this.#accessToken(req, res, form, now);
    if (path === '/authorize' && method === 'GET') return this.#authorizePage(res, url.searchParams.get('oauth_token') ?? '');
    if (path === '/authorize' && method === 'POST') return this.#authorizeDecision(res, new URLSearchParams(rawBody));
    sendText(res, 404, html('Not found', '<p>No such OAuth servlet.</p>'), 'text/html;charset=UTF-8');
  }

  /** Jira takes the protocol parameters from the Authorization header (what oauth-1.0a and requests_oauthlib send). */
  #params(req: IncomingMessage): Map<string, string> | undefined {
    const header = req.headers.authorization?.trim();
    return header ? parseOAuthHeader(header) : undefined;
  }

  #requestToken(req: IncomingMessage, res: ServerResponse, form: string | undefined, now: number): void {
    const params = this.#params(req);
    if (!params) return problem(res, 'parameter_absent');
    const result = this.#context.verifier.verify(req, params, form, now, { kind: 'none' });
    if (!result.ok) return problem(res, result.problem);
    this.#expire(now);
    const entry: RequestToken = { token: token(24), callback: params.get('oauth_callback') ?? 'oob', issuedAt: now, state: 'pending' };
    this.#requestTokens.set(entry.token, entry);
    formAnswer(res, { oauth_token: entry.token, oauth_token_secret: token(24), oauth_callback_confirmed: 'true' });
  }

  #accessToken(req: IncomingMessage, res: ServerResponse, form: string | undefined, now: number): void {
    const params = this.#params(req);
    if (!params) return problem(res, 'parameter_absent');
    this.#expire(now);
    let approved: RequestToken | undefined;
    const result = this.#context.verifier.verify(req, params, form, now, {
      kind: 'check',
      accepts: (requestToken, signed): OAuthProblem | undefined => {
        const entry = this.#requestTokens.get(requestToken);
        if (!entry || entry.state === 'used') return 'token_rejected';
        if (entry.state === 'pending') return 'permission_unknown';
        if (entry.state === 'denied') return 'permission_denied';
        if (signed.get('oauth_verifier') !== entry.verifier) return 'verifier_invalid';
        approved = entry;
        return undefined;
      },
    });
    if (!result.ok) return problem(res, result.problem);
    approved!.state = 'used';
    const accessToken = token(24);
    this.#context.verifier.issueAccessToken(accessToken, approved!.userName!);
    // [GUESS] Jira also reports oauth_expires_in / oauth_session_handle; the reference quotes only these two.
    formAnswer(res, { oauth_token: accessToken, oauth_token_secret: token(24) });
  }

  #authorizePage(res: ServerResponse, requestToken: string): void {
    const entry = this.#requestTokens.get(requestToken);
    if (!entry || entry.state !== 'pending') {
      return sendText(res, 400, html('OAuth authorization failed', '<p>The request token is unknown, expired or already used. Start the authorization again.</p>'), 'text/html;charset=UTF-8');
    }
    const options = this.#context
      .users()
      .filter((user) => user.active !== false)
      .map((user) => `<option value="${escapeHtml(this.#context.principalName(user))}">${escapeHtml(user.displayName)}</option>`)
      .join('');
    const body =
      `<p>An application (consumer <code>${escapeHtml(this.#context.verifier.consumerKey)}</code>) would like to read and write data on your behalf.</p>` +
      `<form method="post"><input type="hidden" name="oauth_token" value="${escapeHtml(requestToken)}">` +
      `<label>Signed in as <select name="user">${options}</select></label> ` +
      '<button name="decision" value="allow">Allow</button> <button name="decision" value="deny">Deny</button></form>';
    sendText(res, 200, html('Welcome to Jira: authorize access', body), 'text/html;charset=UTF-8');
  }

  #authorizeDecision(res: ServerResponse, form: URLSearchParams): void {
    const decision = form.get('decision') === 'deny' ? 'deny' : 'allow';
    const outcome = this.decide(form.get('oauth_token') ?? '', form.get('user') ?? '', decision);
    if (!outcome.ok) return sendText(res, 400, html('OAuth authorization failed', `<p>${escapeHtml(outcome.message)}</p>`), 'text/html;charset=UTF-8');
    if (outcome.callback !== 'oob' && URL.canParse(outcome.callback)) {
      const target = new URL(outcome.callback);
      target.searchParams.set('oauth_token', form.get('oauth_token') ?? '');
      if (outcome.verifier) target.searchParams.set('oauth_verifier', outcome.verifier);
      res.writeHead(302, { location: target.href, 'content-length': '0' }).end();
      return;
    }
    if (!outcome.verifier) return sendText(res, 200, html('Access denied', '<p>You have denied access.</p>'), 'text/html;charset=UTF-8');
    sendText(res, 200, html('Access approved', `<p>Copy this verification code into the application: <code id="oauth-verifier">${outcome.verifier}</code></p>`), 'text/html;charset=UTF-8');
  }

  #expire(now: number): void {
    for (const [key, entry] of this.#requestTokens) if (now - entry.issuedAt > REQUEST_TOKEN_TTL_MS) this.#requestTokens.delete(key);
  }
}

function formAnswer(res: ServerResponse, values: Record<string, string>): void {
  sendText(res, 200, new URLSearchParams(values).toString(), 'text/plain;charset=UTF-8');
}

function problem(res: ServerResponse, oauthProblem: OAuthProblem): void {
  sendText(res, 401, `oauth_problem=${oauthProblem}`, 'text/plain;charset=UTF-8', { 'www-authenticate': `OAuth oauth_problem="${oauthProblem}"` });
}
