import { describe, expect, it } from 'vitest';
import { maxConcurrencyForRate } from '../../../shared/domain/pacing/worker-concurrency.ts';

describe('Function: maxConcurrencyForRate', () => {
  it.each([
    { rate: 1, expected: 2, why: 'the event source minimum' },
    { rate: 5, expected: 2, why: 'ceil(5 x 2 s x 2 / 10) = 2' },
    { rate: 25, expected: 10, why: 'the default pace: 50 new groups in flight, x2 for batches that are half repeats' },
    { rate: 50, expected: 20, why: 'the storm bench pace' },
    { rate: 51, expected: 21, why: 'rounded up: never fewer records in flight than the pace needs' },
    { rate: 2_500, expected: 1_000, why: 'ceil(2,500 x 2 s x 2 / 10) = 1,000, the event source maximum' },
    { rate: 10_000, expected: 1_000, why: 'capped at the event source maximum' },
  ])('$rate requests/s -> $expected invocations ($why)', ({ rate, expected }) => {
    // Act
    const invocations = maxConcurrencyForRate(rate);

    // Assess
    expect(invocations).toBe(expected);
  });
});
