import { describe, expect, it } from 'vitest';
import { advance, capacity, initialBucket, penalize, reserve, type BucketState } from '../../../shared/domain/pacing/token-bucket.ts';
import { requeueDelaySeconds } from '../../../shared/domain/redelivery.ts';

const T0 = 1_800_000_000_000;
const bucket = (fields: Partial<BucketState>): BucketState => ({ tokens: 0, at: T0, rate: 50, holdUntil: 0, decreasedAt: 0, ...fields });

describe('Function: advance (refill and additive increase)', () => {
  it.each([
    ['refills rate x elapsed', bucket({ tokens: 0 }), 50, 100, { tokens: 5, rate: 50 }],
    ['stops at the capacity (a fifth of a second at the rate)', bucket({ tokens: 0 }), 50, 5_000, { tokens: 10, rate: 50 }],
    ['pays back reservations first', bucket({ tokens: -20 }), 50, 200, { tokens: -10, rate: 50 }],
    ['refills nothing during a Retry-After hold', bucket({ tokens: -1, rate: 25, holdUntil: T0 + 2_000 }), 50, 1_000, { tokens: -1, rate: 25 }],
    ['raises the rate by a tenth of the ceiling per second after the hold', bucket({ tokens: -100, rate: 25, holdUntil: T0 + 1_000 }), 50, 3_000, { rate: 35, tokens: -40 }],
    ['never raises the rate above the ceiling', bucket({ tokens: 0, rate: 45 }), 50, 10_000, { rate: 50, tokens: 10 }],
    ['applies a lowered ceiling at once', bucket({ tokens: 0, rate: 50 }), 10, 0, { rate: 10, tokens: 0 }],
    ['does not run backwards when this clock is behind the stored one', bucket({ tokens: 3 }), 50, -500, { tokens: 3, rate: 50 }],
  ])('%s', (_case, state, ceiling, elapsedMs, expected) => {
    // Act
    const next = advance(state, ceiling, T0 + elapsedMs);

    // Assess
    expect(next.rate).toBeCloseTo(expected.rate, 6);
    expect(next.tokens).toBeCloseTo(expected.tokens, 6);
  });
});

describe('Function: reserve', () => {
  it.each([
    ['a token left: no wait', bucket({ tokens: 3 }), 1_000, { granted: true, waitMs: 0, tokens: 2 }],
    ['no token left: waits one interval', bucket({ tokens: 0 }), 1_000, { granted: true, waitMs: 20, tokens: -1 }],
    ['behind nine reservations: waits ten intervals', bucket({ tokens: -9 }), 1_000, { granted: true, waitMs: 200, tokens: -10 }],
    ['a hold is waited out before the deficit', bucket({ tokens: 0, holdUntil: T0 + 1_000 }), 5_000, { granted: true, waitMs: 1_020, tokens: -1 }],
    ['a wait beyond the budget takes nothing', bucket({ tokens: -500 }), 5_000, { granted: false, waitMs: 10_020, tokens: undefined }],
  ])('%s', (_case, state, budgetMs, expected) => {
    // Act
    const reservation = reserve(state, 50, T0, budgetMs);

    // Assess
    expect(reservation.granted).toBe(expected.granted);
    expect(reservation.waitMs).toBe(expected.waitMs);
    if (reservation.granted) expect(reservation.state.tokens).toBeCloseTo(expected.tokens ?? Number.NaN, 6);
  });

  it('lines up 100 back-to-back requests one interval apart, at the rate', () => {
    // Prepare
    let state = initialBucket(50, T0);
    const waits: number[] = [];

    // Act
    for (let i = 0; i < 100; i++) {
      const reservation = reserve(state, 50, T0, 60_000);
      if (!reservation.granted) throw new Error('refused');
      waits.push(reservation.waitMs);
      state = reservation.state;
    }

    // Assess: the first `capacity` go at once, then one every 20 ms: 100 requests in 1.8 s, i.e. 50/s after the burst.
    expect(waits.filter((wait) => wait === 0)).toHaveLength(capacity(50));
    expect(waits.at(-1)).toBe(1_800);
    expect(waits[50]! - waits[49]!).toBe(20);
  });
});

describe('Function: penalize (multiplicative decrease on 429)', () => {
  it.each([
    ['halves the rate and holds until Retry-After', bucket({ tokens: 8 }), 2_000, { rate: 25, holdUntil: T0 + 2_000, tokens: 0 }],
    ['without Retry-After: halves, no hold', bucket({ tokens: 8 }), undefined, { rate: 25, holdUntil: 0, tokens: 0 }],
    ['keeps reservations owed', bucket({ tokens: -4 }), 1_000, { rate: 25, holdUntil: T0 + 1_000, tokens: -4 }],
    ['never below 5 % of the ceiling', bucket({ rate: 3 }), 1_000, { rate: 2.5, holdUntil: T0 + 1_000, tokens: 0 }],
    ['a 429 within a second of the last decrease does not halve again', bucket({ rate: 25, decreasedAt: T0 - 500, holdUntil: T0 + 500 }), 1_000, { rate: 25, holdUntil: T0 + 1_000, tokens: 0 }],
    ['a 429 a second after the last decrease halves again', bucket({ rate: 25, decreasedAt: T0 - 1_000 }), 1_000, { rate: 12.5, holdUntil: T0 + 1_000, tokens: 0 }],
  ])('%s', (_case, state, retryAfterMs, expected) => {
    // Act
    const next = penalize(state, 50, T0, retryAfterMs);

    // Assess
    expect(next).toMatchObject(expected);
  });

  it('after a 429 the rate climbs back to the ceiling in 5 s once Retry-After has passed', () => {
    // Prepare
    const hit = penalize(initialBucket(50, T0), 50, T0, 1_000);

    // Act
    const during = advance(hit, 50, T0 + 1_000);
    const midway = advance(hit, 50, T0 + 3_500);
    const after = advance(hit, 50, T0 + 6_000);

    // Assess
    expect([during.rate, midway.rate, after.rate]).toEqual([25, 37.5, 50]);
  });

  it('refuses a ceiling that is not a positive rate', () => {
    expect(() => initialBucket(0, T0)).toThrow(/positive rate/);
  });
});

describe('Function: requeueDelaySeconds (DelaySeconds of a waiting message)', () => {
  it.each([
    ['Retry-After 30 s', 30_000, 30],
    ['rounded up to whole seconds', 1_200, 2],
    ['a wait under a second still waits one', 20, 1],
    ['no known wait: one second', undefined, 1],
    ['capped at SQS DelaySeconds maximum (15 min)', 3_600_000, 900],
  ])('%s', (_case, waitMs, expected) => {
    expect(requeueDelaySeconds(waitMs)).toBe(expected);
  });
});
