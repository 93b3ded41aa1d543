/**
 * A worker thread whose entry module is TypeScript: thread-bootstrap.mjs registers tsx in the thread, then imports
 * `entry`. The local stack's Lambda environments, its engines thread and the storm's poster all start this way.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOTSTRAP = new URL('./thread-bootstrap.mjs', import.meta.url);

/** Starts `entry` (a `file:` URL) in a new worker thread, with `data` as its `workerData` (plus `entry`). */
export function startTsThread(entry: URL, data: Record<string, unknown>, options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  return new Worker(BOOTSTRAP, { ...options, workerData: { ...data, entry: entry.href } });
}
