/** The entry module of the storm's poster thread (storm-poster.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { backtraceGroupPoster, runPool } from './bench-support.ts';
import type { StormPosterInput } from './storm-poster.ts';

const port = parentPort!;
const { stackUrl, deliveries, concurrency } = (workerData as { input: StormPosterInput }).input;
try {
  const postGroup = backtraceGroupPoster(stackUrl);
  const firstPostAt = new Map<string, number>();
  const latencies: number[] = [];
  const startedAt = Date.now();
  port.postMessage({ type: 'started', at: startedAt });
  await runPool(deliveries, concurrency, async (fingerprint) => {
    const t0 = performance.now();
    if (!firstPostAt.has(fingerprint)) firstPostAt.set(fingerprint, Date.now());
    await postGroup(fingerprint);
    latencies.push(performance.now() - t0);
  });
  port.postMessage({ type: 'done', firstPostAt: [...firstPostAt], latencies, startedAt, endedAt: Date.now() });
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message });
}
