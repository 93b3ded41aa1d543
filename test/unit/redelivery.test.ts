import { describe, expect, it } from 'vitest';
import { redeliveryDelaySeconds } from '../../shared/domain/redelivery.ts';

describe('Function: redeliveryDelaySeconds', () => {
  it.each([
    ['a Retry-After of 30 s is honoured', { kind: 'retryable' as const, retryAfterMs: 30_000 }, 1, 30],
    ['a Retry-After is rounded up to whole seconds', { kind: 'retryable' as const, retryAfterMs: 1_200 }, 3, 2],
    ['a zero wait still gives the queue a second', { kind: 'retryable' as const, retryAfterMs: 0 }, 1, 1],
    ['a lease of 5 minutes is waited out', { kind: 'retryable' as const, retryAfterMs: 300_000 }, 2, 300],
    ['a wait beyond SQS limits is capped at 12 h', { kind: 'retryable' as const, retryAfterMs: 50 * 3_600_000 }, 1, 43_200],
    ['an unknown wait starts at 5 s', { kind: 'retryable' as const }, 1, 5],
    ['an unknown wait doubles per delivery', { kind: 'retryable' as const }, 3, 20],
    ['an unknown wait is capped at 15 min', { kind: 'retryable' as const }, 30, 900],
    ['a permanent refusal comes back in 30 s, on its way to the DLQ', { kind: 'permanent' as const, retryAfterMs: 999_000 }, 1, 30],
  ])('%s', (_case, failure, receiveCount, expected) => {
    // Act
    const seconds = redeliveryDelaySeconds(failure, receiveCount);

    // Assess
    expect(seconds).toBe(expected);
  });
});
