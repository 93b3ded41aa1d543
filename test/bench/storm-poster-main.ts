/** The entry module of the storm's poster thread (storm-poster.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { backtraceGroupPoster } from './bench-support.ts';
import { postAll, type StormPosterInput } from './storm-poster.ts';

const port = parentPort!;
const { stackUrl, deliveries, concurrency } = (workerData as { input: StormPosterInput }).input;
try {
  const posts = await postAll(backtraceGroupPoster(stackUrl), deliveries, concurrency, (at) => port.postMessage({ type: 'started', at }));
  port.postMessage({ type: 'done', firstPostAt: [...posts.firstPostAt], latencies: posts.latencies, startedAt: posts.startedAt, endedAt: posts.endedAt });
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message });
}
