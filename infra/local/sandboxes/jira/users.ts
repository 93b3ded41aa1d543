/**
 * The site's users in both dialects (reference sections 4 and 10.1): Cloud addresses users by `accountId` and hides
 * e-mails by privacy setting; Server/Data Center addresses them by `name` (with a `key` that may differ) and shows
 * e-mails. Also who a request acts as, and how users look in REST answers and in webhook bodies.
 */
import { createHash } from 'node:crypto';
import type { Principal } from './auth.ts';
import type { FakeUser, FakeUserRef, JiraDeploymentType } from './types.ts';

/** Where a user object appears: REST answers show e-mails as privacy allows; Cloud webhook bodies never do. */
export type UserRendering = 'rest' | 'webhook';

export type UserSearchResult = { ok: true; users: FakeUser[] } | { ok: false; errorMessages: string[] };

/** Jira's user search returns at most this many. */
const SEARCH_MAX_RESULTS = 1000;

const derivedAccountId = (seed: string): string => createHash('sha1').update(seed).digest('hex').slice(0, 24);

export class UserDirectory {
  readonly users: FakeUser[] = [];
  readonly #deployment: JiraDeploymentType;
  readonly #configured: FakeUser[];
  readonly #apiUrl: string;
  readonly #siteUrl: string;
  #nextServerKey = 10_500;
  /** Keys given to accounts created on sign-in, so the same login keeps its key across `reset()`. */
  readonly #principalKeys = new Map<string, string>();

  constructor(deployment: JiraDeploymentType, configured: FakeUser[], urls: { apiUrl: string; siteUrl: string }) {
    this.#deployment = deployment;
    this.#apiUrl = urls.apiUrl;
    this.#siteUrl = urls.siteUrl;
    this.#configured = configured.map((user) => this.#normalise(user));
    this.reset();
  }

  /** Back to the configured users: accounts created on first sign-in are forgotten. */
  reset(): void {
    this.users.length = 0;
    this.users.push(...this.#configured);
  }

  /** Whether `user` was configured (not an account created when a login first signed in). */
  isConfigured(user: FakeUser): boolean {
    return this.#configured.includes(user);
  }

  /** The user a request authenticates as; a principal no user matches gets an account on first use. */
  forPrincipal(principal: Principal): FakeUser {
    const name = principal.name;
    const lower = name.toLowerCase();
    const known =
      this.#deployment === 'Cloud'
        ? this.users.find((u) => u.emailAddress?.toLowerCase() === lower) ?? this.users.find((u) => u.accountId === name)
        : this.users.find((u) => u.name?.toLowerCase() === lower);
    if (known) return known;
    const created = this.#normalise({
      displayName: name,
      ...(this.#deployment === 'Cloud'
        ? { accountId: derivedAccountId(name), ...(name.includes('@') ? { emailAddress: name } : {}) }
        : { name, key: this.#principalKey(lower), emailAddress: name.includes('@') ? name : `${name}@example.com` }),
    });
    this.users.push(created);
    return created;
  }

  #principalKey(name: string): string {
    let key = this.#principalKeys.get(name);
    if (key === undefined) {
      key = `JIRAUSER${this.#nextServerKey++}`;
      this.#principalKeys.set(name, key);
    }
    return key;
  }

  /** A user by object identity, accountId, name, key, e-mail or display name (case-insensitive). */
  resolve(ref: FakeUserRef): FakeUser | undefined {
    if (typeof ref !== 'string') {
      return this.users.find((u) => u === ref) ?? this.users.find((u) => this.#sameIdentity(u, ref));
    }
    const lower = ref.toLowerCase();
    return (
      this.users.find((u) => u.accountId === ref || u.name?.toLowerCase() === lower || u.key === ref) ??
      this.users.find((u) => u.emailAddress?.toLowerCase() === lower || u.displayName.toLowerCase() === lower)
    );
  }

  byAccountId(accountId: string): FakeUser | undefined {
    return this.#deployment === 'Cloud' ? this.users.find((u) => u.accountId === accountId) : undefined;
  }

  /** Server: by username (case-insensitive, as Jira) or by key. */
  byNameOrKey(ref: { name?: string; key?: string }): FakeUser | undefined {
    if (this.#deployment === 'Cloud') return undefined;
    if (ref.name !== undefined) return this.users.find((u) => u.name?.toLowerCase() === ref.name!.toLowerCase());
    return this.users.find((u) => u.key === ref.key);
  }

  /** The identifier Jira names a user by in messages and changelogs: accountId on Cloud, key on Server. */
  changelogId(user: FakeUser): string {
    return (this.#deployment === 'Cloud' ? user.accountId : user.key) ?? '';
  }

  /**
   * `GET user/search`. Cloud: `query` matches a prefix of the display name (or one of its words) or of the e-mail,
   * hidden e-mails included (they match but are not shown); `username` is refused (GDPR strict mode). Server:
   * `username` matches a prefix of the username, display name or e-mail; `query` alone is refused.
   */
  search(query: Record<string, string | string[]>): UserSearchResult {
    const param = (name: string): string | undefined => {
      const value = query[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const startAt = Number(param('startAt') ?? 0);
    const maxResults = Math.min(Number(param('maxResults') ?? 50), SEARCH_MAX_RESULTS);
    if (!Number.isInteger(startAt) || startAt < 0 || !Number.isInteger(maxResults) || maxResults < 0) {
      return { ok: false, errorMessages: ["'startAt' and 'maxResults' must be non-negative integers."] };
    }
    let found: FakeUser[];
    if (this.#deployment === 'Cloud') {
      // Wording of Jira Cloud's refusal of usernames since the GDPR migration.
      if (param('username') !== undefined) return { ok: false, errorMessages: ["The query parameter 'username' is not supported in GDPR strict mode."] };
      const text = param('query');
      const accountId = param('accountId');
      if (text !== undefined && accountId !== undefined) return { ok: false, errorMessages: ["Only one of 'query' and 'accountId' can be given."] }; // message chosen by the fake
      if (accountId !== undefined) found = this.users.filter((u) => u.accountId === accountId);
      else if (text !== undefined && text !== '') found = this.users.filter((u) => u.active !== false && matchesPrefix(text, [u.displayName, ...words(u.displayName), u.emailAddress]));
      else return { ok: false, errorMessages: ["One of the query parameters 'query', 'accountId' or 'property' must be given."] }; // message chosen by the fake
    } else {
      const username = param('username');
      if (username === undefined || username === '') return { ok: false, errorMessages: ['The username query parameter was not provided'] };
      const includeActive = param('includeActive') !== 'false';
      const includeInactive = param('includeInactive') === 'true';
      found = this.users.filter(
        (u) => (u.active === false ? includeInactive : includeActive) && matchesPrefix(username, [u.name, u.displayName, ...words(u.displayName), u.emailAddress]),
      );
    }
    return { ok: true, users: found.slice(startAt, startAt + maxResults) };
  }

  /** A user object as Jira shows it; `viewer` sees their own hidden e-mail. */
  render(user: FakeUser, rendering: UserRendering, viewer?: FakeUser): Record<string, unknown> {
    const seed = encodeURIComponent(user.accountId ?? user.key ?? user.name ?? user.displayName);
    const avatarUrls = Object.fromEntries(['48x48', '24x24', '16x16', '32x32'].map((size) => [size, `${this.#siteUrl}/secure/useravatar?size=${size}&ownerId=${seed}`]));
    if (this.#deployment === 'Cloud') {
      const showEmail = rendering === 'rest' && user.emailAddress !== undefined && (!user.hideEmail || viewer === user);
      return {
        self: `${this.#apiUrl}user?accountId=${encodeURIComponent(user.accountId!)}`,
        accountId: user.accountId,
        ...(showEmail ? { emailAddress: user.emailAddress } : {}),
        avatarUrls,
        displayName: user.displayName,
        active: user.active !== false,
        timeZone: 'Etc/UTC',
        accountType: user.accountType ?? 'atlassian',
      };
    }
    return {
      self: `${this.#apiUrl}user?username=${encodeURIComponent(user.name!)}`,
      name: user.name,
      key: user.key,
      ...(user.emailAddress !== undefined ? { emailAddress: user.emailAddress } : {}),
      avatarUrls,
      displayName: user.displayName,
      active: user.active !== false,
      timeZone: 'UTC',
    };
  }

  /** Fills the dialect's identifiers; the other dialect's are dropped, as Jira would never show them. */
  #normalise(user: FakeUser): FakeUser {
    if (this.#deployment === 'Cloud') {
      return {
        accountId: user.accountId ?? derivedAccountId(user.emailAddress ?? user.name ?? user.displayName),
        accountType: user.accountType ?? 'atlassian',
        displayName: user.displayName,
        ...(user.emailAddress !== undefined ? { emailAddress: user.emailAddress } : {}),
        active: user.active !== false,
        ...(user.hideEmail ? { hideEmail: true } : {}),
      };
    }
    const name = user.name ?? user.emailAddress?.split('@')[0] ?? user.displayName.toLowerCase().replace(/\s+/g, '.');
    return {
      name,
      key: user.key ?? name,
      displayName: user.displayName,
      ...(user.emailAddress !== undefined ? { emailAddress: user.emailAddress } : {}),
      active: user.active !== false,
    };
  }

  #sameIdentity(a: FakeUser, b: FakeUser): boolean {
    if (this.#deployment === 'Cloud') return b.accountId !== undefined ? a.accountId === b.accountId : a.emailAddress !== undefined && a.emailAddress === b.emailAddress;
    return b.name !== undefined ? a.name?.toLowerCase() === b.name.toLowerCase() : a.key === b.key;
  }
}

const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== '');

function matchesPrefix(text: string, candidates: (string | undefined)[]): boolean {
  const lower = text.toLowerCase();
  return candidates.some((candidate) => candidate !== undefined && candidate.toLowerCase().startsWith(lower));
}
