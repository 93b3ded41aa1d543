/**
 * One Lambda execution environment of the local stack's threaded mode: a `node:worker_threads` Worker running
 * lambda-thread.ts with its own module instances (its own clients, caches and cold start), sharing the process's
 * environment variables. `kill()` ends it at once with `worker.terminate()`, whatever the invocation is doing, as
 * Lambda's sandbox dying does: the invocation's remaining work stops, and requests already sent stay sent.
 */
import { SHARE_ENV } from 'node:worker_threads';
import { startTsThread } from './ts-thread.ts';
import type { LambdaThreadData, LambdaThreadInvoke, LambdaThreadMessage } from './lambda-thread.ts';

/** Where a threaded handler lives. */
export interface ThreadedHandler {
  /** `file:` URL of the handler module (e.g. `new URL('../../functions/sync-to-jira.ts', import.meta.url).href`). */
  moduleUrl: string;
  /** Default 'handler'. */
  exportName?: string;
  /** Resolve `*.localhost` to 127.0.0.1 in the thread (handlers whose SQS endpoint is fauxqs' queue host); default false. */
  interceptLocalhostDns?: boolean;
}

/** The environment ended before the invocation settled: killed, crashed, or stopped with the poller. */
export class LambdaEnvironmentEndedError extends Error {
  override name = 'LambdaEnvironmentEndedError';
}

export interface ThreadContainer {
  /** Runs one invocation (one at a time, as an environment does); rejects with the handler's error or when the environment ends. */
  invoke(event: unknown, awsRequestId: string, deadline: number): Promise<unknown>;
  /** Ends the environment now (`worker.terminate()`); a pending invocation rejects with {@link LambdaEnvironmentEndedError}. */
  kill(reason: string): Promise<void>;
  /** False once it was killed or its thread exited. */
  readonly alive: boolean;
  /** Milliseconds the init phase took (loading the handler module), once ready. */
  readonly initMs: number | undefined;
}

const ENTRY = new URL('./lambda-thread.ts', import.meta.url);

/** Starts the thread; resolves when the handler module is loaded (the init phase), rejects when that fails. */
export async function startThreadContainer(handler: ThreadedHandler, functionName: string, region: string): Promise<ThreadContainer> {
  const data: LambdaThreadData = { moduleUrl: handler.moduleUrl, functionName, region, ...(handler.exportName ? { exportName: handler.exportName } : {}), ...(handler.interceptLocalhostDns ? { interceptLocalhostDns: true } : {}) };
  const worker = startTsThread(ENTRY, { ...data }, { env: SHARE_ENV });
  let alive = true;
  let initMs: number | undefined;
  let pending: { awsRequestId: string; resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  let endReason = 'the thread exited';

  const ended = (why: string) => {
    alive = false;
    const waiting = pending;
    pending = undefined;
    waiting?.reject(new LambdaEnvironmentEndedError(`${functionName}: the execution environment ended mid-invocation (${why})`));
  };

  await new Promise<void>((resolve, reject) => {
    const failInit = (error: Error) => reject(new Error(`${functionName}: init failed in its worker thread: ${error.message}`, { cause: error }));
    worker.once('error', failInit);
    worker.once('exit', (code) => failInit(new Error(`thread exited with code ${code}`)));
    worker.once('message', (message: LambdaThreadMessage) => {
      if (message.type !== 'ready') return failInit(new Error(`unexpected first message ${message.type}`));
      initMs = message.initMs;
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      resolve();
    });
  });

  worker.on('message', (message: LambdaThreadMessage) => {
    if (message.type === 'ready' || !pending || pending.awsRequestId !== message.awsRequestId) return;
    const { resolve, reject } = pending;
    pending = undefined;
    if (message.type === 'result') resolve(message.result);
    else reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
  });
  // An error no invocation caught (an unhandled rejection) ends the thread, as it ends a Lambda environment.
  worker.on('error', (error) => {
    endReason = `uncaught ${error.name}: ${error.message}`;
  });
  worker.on('exit', () => ended(endReason));

  return {
    get alive() {
      return alive;
    },
    get initMs() {
      return initMs;
    },
    invoke: (event, awsRequestId, deadline) =>
      new Promise<unknown>((resolve, reject) => {
        if (!alive) return reject(new LambdaEnvironmentEndedError(`${functionName}: the execution environment has ended`));
        if (pending) return reject(new Error(`${functionName}: an environment runs one invocation at a time`));
        pending = { awsRequestId, resolve, reject };
        worker.postMessage({ type: 'invoke', awsRequestId, event, deadline } satisfies LambdaThreadInvoke);
      }),
    kill: async (reason) => {
      if (!alive) return;
      endReason = reason;
      ended(reason);
      await worker.terminate();
    },
  };
}
