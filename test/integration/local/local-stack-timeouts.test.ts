/**
 * The local stack's worker timeout and queue visibility options keep the relation Lambda requires of an SQS event
 * source: a visibility timeout at least the function timeout.
 */
import { describe, expect, it } from 'vitest';
import { startLocalStack } from '../../../infra/local/local-stack.ts';

describe('Function: startLocalStack (worker timeout and queue visibility)', () => {
  it('refuses a visibility timeout shorter than the worker timeout, naming both options', async () => {
    // Act
    const started = startLocalStack({ log: () => undefined, pollTimers: false, workerTimeoutSeconds: 10, queueVisibilityTimeoutSeconds: 5 });

    // Assess
    await expect(started).rejects.toThrow(/queueVisibilityTimeoutSeconds \(5\) must be at least workerTimeoutSeconds \(10\)/);
  });
});
