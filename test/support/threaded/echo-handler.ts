/**
 * A handler for the thread pool's tests: answers which thread ran it and how many invocations its module instance
 * served; `{ "wait": ms }` makes it take that long; `{ "crash": true }` ends its thread with an uncaught error,
 * as a crashing Lambda environment ends.
 */
import { threadId } from 'node:worker_threads';

let invocations = 0;

export const handler = async (event: { wait?: number; crash?: boolean }) => {
  invocations++;
  if (event.crash) {
    setTimeout(() => {
      throw new Error('environment crashed');
    }, 0);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
  if (event.wait) await new Promise((resolve) => setTimeout(resolve, event.wait));
  return { threadId, invocations };
};
