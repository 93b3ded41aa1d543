/**
 * The runtime inside one worker thread of the local stack's threaded mode (see `startSqsPoller`'s `thread` option):
 * one thread is one Lambda execution environment. It loads the handler module once (the init phase, a cold start),
 * then runs one invocation at a time, each message from the poller carrying the event and what the Context needs,
 * and posts the result or the error back. The poller ends the thread with `worker.terminate()` to kill the
 * environment mid-invocation, and starts a new thread (a new cold start) for the next invocation.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLambdaContext, type LambdaHandler } from './lambda-context.ts';

/** What the poller gives the thread when it starts it. */
export interface LambdaThreadData {
  /** `file:` URL of the handler module. */
  moduleUrl: string;
  /** Its export; default 'handler'. */
  exportName?: string;
  functionName: string;
  region: string;
  /** Resolve `*.localhost` to 127.0.0.1 in this thread too (the main thread's DNS patch does not reach it). */
  interceptLocalhostDns?: boolean;
}

/** The poller's request for one invocation. */
export interface LambdaThreadInvoke {
  type: 'invoke';
  awsRequestId: string;
  event: unknown;
  /** Epoch ms of the function's timeout, so `getRemainingTimeInMillis()` counts down to the poller's deadline. */
  deadline: number;
}

/** What the thread posts back. */
export type LambdaThreadMessage =
  | { type: 'ready'; initMs: number }
  | { type: 'result'; awsRequestId: string; result: unknown }
  | { type: 'error'; awsRequestId: string; error: { name: string; message: string } };

const port = parentPort;
if (!port) throw new Error('lambda-thread.ts runs inside a worker thread started by the local stack');
const data = workerData as LambdaThreadData;
const initStarted = performance.now();
if (data.interceptLocalhostDns) (await import('fauxqs')).interceptLocalhostDns();
const loaded = (await import(data.moduleUrl)) as Record<string, unknown>;
const handler = loaded[data.exportName ?? 'handler'] as LambdaHandler<unknown, unknown> | undefined;
if (typeof handler !== 'function') throw new Error(`${data.moduleUrl} exports no function "${data.exportName ?? 'handler'}"`);

port.on('message', (message: LambdaThreadInvoke) => {
  const context = { ...createLambdaContext({ functionName: data.functionName, timeoutMs: Math.max(0, message.deadline - Date.now()), region: data.region }), awsRequestId: message.awsRequestId };
  void (async () => {
    try {
      const result = await handler(message.event, context);
      port.postMessage({ type: 'result', awsRequestId: message.awsRequestId, result } satisfies LambdaThreadMessage);
    } catch (error) {
      const { name, message: text } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      port.postMessage({ type: 'error', awsRequestId: message.awsRequestId, error: { name, message: text } } satisfies LambdaThreadMessage);
    }
  })();
});
port.postMessage({ type: 'ready', initMs: performance.now() - initStarted } satisfies LambdaThreadMessage);
