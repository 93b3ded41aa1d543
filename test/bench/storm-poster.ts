/**
 * The storm's load generator in a worker thread: Backtrace's side of the wire. It posts the error-group events for
 * the given fingerprints, `concurrency` at a time, and answers when each fingerprint was first posted and how long
 * each post took. In a thread of its own it no longer takes the event loop the HTTP API and the handlers run on
 * (in AWS, Backtrace is another machine).
 */
import { startTsThread } from '../../infra/local/ts-thread.ts';
import { runPool } from './bench-support.ts';

export interface StormPosts {
  /** Epoch ms of each fingerprint's first post. */
  firstPostAt: Map<string, number>;
  /** Every post's answer time, ms, unsorted. */
  latencies: number[];
  /** Epoch ms when the first post started and the last one was answered. */
  startedAt: number;
  endedAt: number;
}

export interface StormPosterInput {
  stackUrl: string;
  deliveries: string[];
  concurrency: number;
}

type PosterMessage = { type: 'started'; at: number } | { type: 'done'; firstPostAt: [string, number][]; latencies: number[]; startedAt: number; endedAt: number } | { type: 'failed'; message: string };

const ENTRY = new URL('./storm-poster-main.ts', import.meta.url);

/**
 * Posts every delivery with `post`, `concurrency` at a time, noting each fingerprint's first post and each answer
 * time; `onStarted` runs as the first post goes out. The poster thread runs this, and so does `--one-thread`.
 */
export async function postAll(post: (fingerprint: string) => Promise<void>, deliveries: string[], concurrency: number, onStarted: (at: number) => void = () => undefined): Promise<StormPosts> {
  const firstPostAt = new Map<string, number>();
  const latencies: number[] = [];
  const startedAt = Date.now();
  onStarted(startedAt);
  await runPool(deliveries, concurrency, async (fingerprint) => {
    const t0 = performance.now();
    if (!firstPostAt.has(fingerprint)) firstPostAt.set(fingerprint, Date.now());
    await post(fingerprint);
    latencies.push(performance.now() - t0);
  });
  return { firstPostAt, latencies, startedAt, endedAt: Date.now() };
}

/** Posts every delivery from a worker thread; `onStarted` runs when the first post goes out. Rejects on the first post not answered 202. */
export function postFromThread(input: StormPosterInput, onStarted: (at: number) => void = () => undefined): Promise<StormPosts> {
  const worker = startTsThread(ENTRY, { input });
  return new Promise<StormPosts>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`storm poster thread exited with code ${code}`)));
    worker.on('message', (message: PosterMessage) => {
      if (message.type === 'started') return onStarted(message.at);
      if (message.type === 'failed') reject(new Error(`storm poster: ${message.message}`));
      else resolve({ firstPostAt: new Map(message.firstPostAt), latencies: message.latencies, startedAt: message.startedAt, endedAt: message.endedAt });
      void worker.terminate();
    });
  });
}
