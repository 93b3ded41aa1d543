import { afterEach, describe, expect, it } from 'vitest';
import { threadId } from 'node:worker_threads';
import { createLambdaContext } from '../../../infra/local/lambda-context.ts';
import { startLambdaThreadPool, type LambdaThreadPool } from '../../../infra/local/thread-pool.ts';

const echo = { moduleUrl: new URL('../../support/threaded/echo-handler.ts', import.meta.url).href };
type Echo = { threadId: number; invocations: number };

describe('Function: startLambdaThreadPool', () => {
  let pool: LambdaThreadPool | undefined;

  afterEach(async () => {
    await pool?.stop();
    pool = undefined;
  });

  const invoke = (event: unknown) => pool!.handler(event, createLambdaContext({ functionName: 'echo', timeoutMs: 30_000 })) as Promise<Echo>;

  it('runs invocations in its environments, at most one per environment at a time, each warm after its cold start', async () => {
    // Prepare
    pool = await startLambdaThreadPool(echo, 'echo', 'us-east-1', 2);

    // Act: five slow invocations at once on two environments
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => invoke({ wait: 300 })));
    const elapsed = Date.now() - started;

    // Assess
    const threads = new Set(results.map((result) => result.threadId));
    expect(threads.size).toBe(2);
    expect(threads.has(threadId)).toBe(false);
    // Two at a time: three rounds of 300 ms, never all five at once.
    expect(elapsed).toBeGreaterThanOrEqual(850);
    expect(results.map((result) => result.invocations).sort()).toEqual([1, 1, 2, 2, 3]);
    expect(pool.coldStarts).toBe(2);
  });

  it('replaces an environment that crashed with a cold one for the next invocation', async () => {
    // Prepare
    pool = await startLambdaThreadPool(echo, 'echo', 'us-east-1', 1);
    const before = await invoke({});

    // Act
    await expect(invoke({ crash: true })).rejects.toThrow(/execution environment ended mid-invocation/);
    const after = await invoke({});

    // Assess
    expect(after.threadId).not.toBe(before.threadId);
    expect(after.invocations).toBe(1);
    expect(pool.coldStarts).toBe(2);
  });

  it('refuses an empty pool', async () => {
    await expect(startLambdaThreadPool(echo, 'echo', 'us-east-1', 0)).rejects.toThrow(/at least one environment, got 0/);
  });
});
