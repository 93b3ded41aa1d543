/**
 * What `npm run bench` and its storm mode share: percentiles, shuffling, a pool of concurrent posts, and posting the
 * documented Backtrace webhook body for a fingerprint with the local stack's webhook credentials.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_SECRETS_FILE } from '../../infra/local/local-stack.ts';

/** The value at percentile `p` of an ascending list (0 when empty). */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Fisher-Yates, in place. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** `work` on every item, at most `width` at once, in order of the list. */
export async function runPool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** A poster of the sample error group (infra/local/sample-backtrace-group.json) under a given fingerprint; throws unless 202. */
export function backtraceGroupPoster(stackUrl: string): (fingerprint: string) => Promise<void> {
  const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const secrets = JSON.parse(readFileSync(DEFAULT_SECRETS_FILE, 'utf8')) as Record<string, string>;
  const credentials = JSON.parse(secrets['local/webhook-basic-auth']!) as { username: string; password: string };
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  return async (fingerprint) => {
    const response = await fetch(`${stackUrl}/backtrace/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ ...sample, fingerprint }),
    });
    await response.text();
    if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
  };
}
