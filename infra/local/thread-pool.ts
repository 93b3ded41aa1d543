/**
 * A function's execution environments as a pool of worker threads (thread-container.ts), for an HTTP API route: each
 * invocation runs in a free environment, or waits for one, as Lambda's concurrent executions do. Handlers in the
 * pool run on other cores than the HTTP server that calls them. An environment that ends (a crash) is replaced by a
 * new one (a cold start) for the next invocation.
 */
import type { Context } from 'aws-lambda';
import type { LambdaHandler } from './lambda-context.ts';
import { startThreadContainer, type ThreadContainer, type ThreadedHandler } from './thread-container.ts';

export interface LambdaThreadPool {
  /** The route's handler: runs the invocation in a free environment of the pool. */
  handler: LambdaHandler<unknown, unknown>;
  /** Environments started so far (each a cold start). */
  readonly coldStarts: number;
  /** Ends every environment. */
  stop(): Promise<void>;
}

/** Starts `size` environments of `handler` (their init phases run now, in parallel). */
export async function startLambdaThreadPool(handler: ThreadedHandler, functionName: string, region: string, size: number): Promise<LambdaThreadPool> {
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`${functionName}: a thread pool needs at least one environment, got ${size}`);
  let coldStarts = 0;
  const start = async () => {
    coldStarts++;
    return startThreadContainer(handler, functionName, region);
  };
  const idle: ThreadContainer[] = await Promise.all(Array.from({ length: size }, start));
  const waiting: { resolve: (container: ThreadContainer) => void; reject: (error: unknown) => void }[] = [];
  let stopped = false;
  const all = new Set(idle);

  const acquire = async (): Promise<ThreadContainer> => {
    const free = idle.pop();
    if (free) return free.alive ? free : replace(free);
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
  const replace = async (dead: ThreadContainer) => {
    all.delete(dead);
    const fresh = await start();
    all.add(fresh);
    return fresh;
  };
  const release = (container: ThreadContainer) => {
    const next = waiting.shift();
    // A replacement that cannot start (its init fails) fails the invocation that waited for it, not the process.
    if (next) (container.alive ? Promise.resolve(container) : replace(container)).then(next.resolve, next.reject);
    else idle.push(container);
  };

  return {
    get coldStarts() {
      return coldStarts;
    },
    handler: async (event: unknown, context: Context) => {
      if (stopped) throw new Error(`${functionName}: the thread pool is stopped`);
      const container = await acquire();
      try {
        return await container.invoke(event, context.awsRequestId, Date.now() + context.getRemainingTimeInMillis());
      } finally {
        release(container);
      }
    },
    stop: async () => {
      stopped = true;
      await Promise.all([...all].map((container) => container.kill('the local stack stopped')));
    },
  };
}
