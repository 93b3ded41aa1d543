import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda handler as the Node.js runtime calls it: `(event, context)`, returning the result or a promise of it.
 *
 * Handlers typed with `aws-lambda`'s `Handler` (which declares a third `callback` parameter) and middy handlers
 * both fit, without casts.
 * The local stack never passes a callback: callback-style handlers are gone from the nodejs24.x runtime, and ours are
 * all async.
 */
export type LambdaHandler<TEvent, TResult> = (
  event: TEvent,
  context: Context,
  ...rest: never[]
) => Promise<TResult> | TResult | void;

/** What the fake {@link Context} needs to know about the function being invoked. */
export interface LambdaContextOptions {
  /** Shown as `functionName`, and in the ARN and log group names. */
  functionName: string;
  /** The function's configured timeout; `getRemainingTimeInMillis()` counts down from it. */
  timeoutMs: number;
  /** Default 128, as a string like Lambda's. */
  memoryLimitInMB?: number;
  /** Default 'us-east-1'. */
  region?: string;
  /** Default '000000000000', the account the local engines report. */
  accountId?: string;
}

/**
 * Builds the `context` object Lambda passes to a handler, for one invocation.
 *
 * `getRemainingTimeInMillis()` is real (middy's `timeoutEarlyInMillis` and Powertools read it). The deprecated
 * `done`/`fail`/`succeed` throw, because nothing here waits for them.
 *
 * @example
 * const context = createLambdaContext({ functionName: 'sync-to-jira', timeoutMs: 30_000 });
 * await handler(event, context);
 */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const deadline = Date.now() + options.timeoutMs;
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = (): never => {
    throw new Error('context.done/fail/succeed are not supported by the local stack: return a promise instead');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 128),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${today}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Runs `work`, but settles no later than `timeoutMs`, as Lambda stops waiting for a function at its timeout.
 * The work itself keeps running (there is no process to kill in-process); its late result is ignored.
 */
export async function withinTimeout<T>(work: () => Promise<T>, timeoutMs: number, functionName: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LambdaTimeoutError(`${functionName} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Where the local stack reports what AWS would write to CloudWatch (invocation failures, dropped requests).
 * Never given event bodies or headers, so secrets cannot reach it.
 */
export type LocalLog = (level: 'info' | 'warn' | 'error', message: string) => void;

/** console.warn / console.error; info is dropped. */
export const defaultLocalLog: LocalLog = (level, message) => {
  if (level === 'error') console.error(message);
  else if (level === 'warn') console.warn(message);
};

/** The invocation ran past the function's timeout (Lambda reports `Task timed out after N seconds`). */
export class LambdaTimeoutError extends Error {
  override name = 'LambdaTimeoutError';
}
