import { describe, expect, it } from 'vitest';
import { ExpiringLru } from '../../shared/domain/expiring-lru.ts';

const T0 = Date.UTC(2026, 11, 2, 12);

describe('Class: ExpiringLru', () => {
  it.each([
    { case: 'just set', lookUpAfterMs: 0, found: true },
    { case: 'a moment before the TTL', lookUpAfterMs: 9_999, found: true },
    { case: 'at the TTL', lookUpAfterMs: 10_000, found: false },
    { case: 'after the TTL', lookUpAfterMs: 60_000, found: false },
    { case: 'with the clock gone backwards', lookUpAfterMs: -1, found: false },
  ])('finds an entry $case: $found', ({ lookUpAfterMs, found }) => {
    // Prepare
    const lru = new ExpiringLru<string>({ ttlMs: 10_000, max: 10 });
    lru.set('a', 'value', T0);

    // Act
    const result = lru.get('a', T0 + lookUpAfterMs);

    // Assess
    expect(result).toBe(found ? 'value' : undefined);
    expect(lru.size).toBe(found ? 1 : 0);
  });

  it('does not extend an entry\'s life when it is looked up, only when it is set again', () => {
    // Prepare
    const lru = new ExpiringLru<number>({ ttlMs: 10_000, max: 10 });
    lru.set('a', 1, T0);

    // Act
    const looked = [lru.get('a', T0 + 6_000), lru.get('a', T0 + 10_000)];
    lru.set('a', 2, T0 + 10_000);
    const afterSet = lru.get('a', T0 + 19_999);

    // Assess
    expect(looked).toEqual([1, undefined]);
    expect(afterSet).toBe(2);
  });

  it('drops the least recently looked-up entry beyond its size, not the oldest set', () => {
    // Prepare
    const lru = new ExpiringLru<string>({ ttlMs: 60_000, max: 2 });
    lru.set('a', 'A', T0);
    lru.set('b', 'B', T0 + 1);
    lru.get('a', T0 + 2);

    // Act
    lru.set('c', 'C', T0 + 3);

    // Assess
    expect([lru.get('a', T0 + 4), lru.get('b', T0 + 4), lru.get('c', T0 + 4)]).toEqual(['A', undefined, 'C']);
    expect(lru.size).toBe(2);
  });

  it('forgets a deleted entry', () => {
    // Prepare
    const lru = new ExpiringLru<string>({ ttlMs: 60_000, max: 2 });
    lru.set('a', 'A', T0);

    // Act
    lru.delete('a');

    // Assess
    expect(lru.get('a', T0)).toBeUndefined();
  });
});
