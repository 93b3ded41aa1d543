/**
 * HTTP Basic credentials as Backtrace's webhook integration sends them (its auth fields are mandatory, see
 * ../shared/reference/backtrace.md section 2.1), compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Parse an `Authorization: Basic base64(user:pass)` header; undefined when absent or malformed. */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Read the stored credentials from a secret value: JSON `{"username": "...", "password": "..."}` or `user:pass`.
 * Throws an error naming the expected forms, never echoing the value.
 */
export function parseStoredCredentials(secretValue: string, secretName: string): BasicCredentials {
  const trimmed = secretValue.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as Partial<BasicCredentials>;
      if (typeof parsed.username === 'string' && typeof parsed.password === 'string') {
        return { username: parsed.username, password: parsed.password };
      }
    } catch {
      // fall through to the error below
    }
  } else {
    const colon = trimmed.indexOf(':');
    if (colon > 0) return { username: trimmed.slice(0, colon), password: trimmed.slice(colon + 1) };
  }
  throw new Error(
    `secret "${secretName}" must hold {"username":"...","password":"..."} or "username:password" (the credentials set on Backtrace's webhook integration)`,
  );
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time equality: hashing first makes both sides the same length, so length leaks nothing either. */
export function credentialsMatch(given: BasicCredentials, expected: BasicCredentials): boolean {
  const user = timingSafeEqual(digest(given.username), digest(expected.username));
  const pass = timingSafeEqual(digest(given.password), digest(expected.password));
  return user && pass;
}
