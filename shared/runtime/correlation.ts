/**
 * The correlation keys of the work in progress (integration, fingerprint, Jira key, delivery id) on every log line
 * written for it, from the queued message to the ticket. The records of a batch are processed concurrently, so the
 * keys live in an AsyncLocalStorage per record instead of in the shared logger's appended keys (which concurrent
 * records would overwrite).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../ports/logger.ts';

const current = new AsyncLocalStorage<Record<string, unknown>>();

/** Run `work` with `keys` (added to the enclosing ones) on every line a {@link correlatedLogger} writes meanwhile. */
export function withCorrelation<T>(keys: Record<string, unknown>, work: () => T): T {
  const defined = Object.fromEntries(Object.entries(keys).filter(([, value]) => value !== undefined));
  return current.run({ ...current.getStore(), ...defined }, work);
}

/** The correlation keys in effect here (empty outside {@link withCorrelation}). */
export function correlationKeys(): Record<string, unknown> {
  return { ...current.getStore() };
}

/**
 * `base` with the correlation keys in effect put first on every line; fields the caller gives win, so a line about
 * another fingerprint still names that one.
 */
export function correlatedLogger(base: Logger): Logger {
  const at =
    (level: keyof Logger) =>
    (message: string, ...extra: Record<string, unknown>[]): void => {
      const keys = current.getStore();
      if (keys === undefined || Object.keys(keys).length === 0) base[level](message, ...extra);
      else base[level](message, Object.assign({}, keys, ...extra) as Record<string, unknown>);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
