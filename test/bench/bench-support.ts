/**
 * What `npm run bench` and its storm mode share: percentiles, shuffling, a pool of concurrent posts, and posting the
 * documented Backtrace webhook body for a fingerprint with the local stack's webhook credentials.
 */
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
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
  // node:http with a keep-alive agent rather than fetch, the lighter of the two per request: the bench's client is
  // not what it measures, and it shares the machine with the stack it measures.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(`${stackUrl}/backtrace/events`);
  return (fingerprint) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ ...sample, fingerprint });
      const request = httpRequest(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization } }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 202 ? resolve() : reject(new Error(`ingest answered ${response.statusCode}`))));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });
}
