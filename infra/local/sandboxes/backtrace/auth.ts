/**
 * Who may call the sandbox: API tokens (option `tokens`) and session tokens from `POST /api/login`, the way
 * backtrace-morgue logs a user in (reference section 3.7, morgue `lib/coroner.ts` `login()`: a form-encoded
 * `username=...&password=...`, then `token=<session>` on every request). Both kinds are accepted in
 * `X-Coroner-Token` (forensics) and as the `token` query parameter (morgue). Statuses, messages, the session lifetime
 * and the issue-write capability of API tokens are guesses: `guesses.ts` G12 to G17.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { coronerError } from './coroner-errors.ts';
import {
  DEFAULT_LOGIN_UNIVERSE,
  DEFAULT_SESSION_TTL_MS,
  FORBIDDEN,
  INVALID_TOKEN_MESSAGE,
  INVALID_TOKEN_STATUS,
  ISSUE_WRITE_REFUSED_MESSAGE,
  ISSUE_WRITE_REFUSED_STATUS,
  LOGIN_REFUSED_MESSAGE,
  LOGIN_REFUSED_STATUS,
  UNAUTHORIZED,
} from './guesses.ts';
import type { BacktraceFakeOptions, BacktraceUser } from './types.ts';

/** What the handler answers when a request is refused. */
export interface Refusal {
  status: number;
  body: ReturnType<typeof coronerError>;
}

export type Caller = { kind: 'api-token' } | { kind: 'session'; username: string };

interface Session {
  user: BacktraceUser;
  expiresAt: number;
}

export class Auth {
  readonly #tokens: string[];
  readonly #users: BacktraceUser[];
  readonly #ttlMs: number;
  readonly #apiTokensMayWriteIssues: boolean;
  readonly #sessions = new Map<string, Session>();

  constructor(options: BacktraceFakeOptions, defaultToken: string) {
    this.#tokens = options.tokens ?? [defaultToken];
    this.#users = structuredClone(options.users ?? []);
    this.#ttlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    if (!(this.#ttlMs > 0)) throw new Error(`Backtrace fake: sessionTtlMs must be > 0, got ${String(options.sessionTtlMs)}`);
    this.#apiTokensMayWriteIssues = options.apiTokensMayWriteIssues ?? true;
  }

  /** `POST /api/login`: a session for a configured user (G13, G14). */
  login(headers: IncomingHttpHeaders, rawBody: string): { status: number; body: unknown } {
    // morgue sends the credentials form-encoded in the body; anything else carries none.
    const form = /^application\/x-www-form-urlencoded\b/i.test(headers['content-type'] ?? '') ? new URLSearchParams(rawBody) : new URLSearchParams();
    const username = form.get('username');
    const password = form.get('password');
    const index = this.#users.findIndex((user) => user.username === username && user.password === password);
    const user = this.#users[index];
    if (!username || !password || !user) return { status: LOGIN_REFUSED_STATUS, body: coronerError(UNAUTHORIZED, LOGIN_REFUSED_MESSAGE) };
    const token = randomBytes(16).toString('hex');
    this.#sessions.set(token, { user, expiresAt: Date.now() + this.#ttlMs });
    const universe = user.universe ?? DEFAULT_LOGIN_UNIVERSE;
    return { status: 200, body: { token, user: { uid: user.uid ?? index + 1, username: user.username }, universe: { id: 1, name: universe } } };
  }

  /** The caller behind a token, or the refusal (G12, G16). */
  identify(token: string | undefined): Caller | Refusal {
    if (!token) return { status: INVALID_TOKEN_STATUS, body: coronerError(UNAUTHORIZED, 'authentication required') };
    const session = this.#sessions.get(token);
    if (session) {
      if (Date.now() < session.expiresAt) return { kind: 'session', username: session.user.username };
      return { status: INVALID_TOKEN_STATUS, body: coronerError(UNAUTHORIZED, INVALID_TOKEN_MESSAGE) };
    }
    if (this.#tokens.includes(token)) return { kind: 'api-token' };
    return { status: INVALID_TOKEN_STATUS, body: coronerError(UNAUTHORIZED, INVALID_TOKEN_MESSAGE) };
  }

  /** Whether the caller may write `/api/issue` (G17); undefined = allowed. */
  refuseIssueWrite(caller: Caller): Refusal | undefined {
    if (caller.kind === 'api-token' && !this.#apiTokensMayWriteIssues) return { status: ISSUE_WRITE_REFUSED_STATUS, body: coronerError(FORBIDDEN, ISSUE_WRITE_REFUSED_MESSAGE) };
    return undefined;
  }

  /** Ends every session now (their tokens answer 401 from then on), as if their lifetime had passed. */
  expireSessions(): void {
    for (const session of this.#sessions.values()) session.expiresAt = 0;
  }
}

export const isRefusal = (value: Caller | Refusal): value is Refusal => 'status' in value;
