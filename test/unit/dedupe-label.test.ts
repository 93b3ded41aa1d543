import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dedupeLabel, dedupeLabelProblem, groupHash } from '../../shared/domain/dedupe-label.ts';

const identity = {
  universe: 'my_universe',
  project: 'my_project',
  fingerprint: '8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40',
};
const expectedHash = createHash('sha256')
  .update('my_universe/my_project/8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40')
  .digest('hex')
  .slice(0, 12);

describe('Function: dedupeLabel', () => {
  it.each([
    ['{hash}', 'bt-{hash}', `bt-${expectedHash}`],
    ['{hash12}', 'bt-{hash12}', `bt-${expectedHash}`],
    ['{fingerprint12}', 'backtrace:{fingerprint12}', 'backtrace:8910551e27a3'],
    ['{fingerprint}', 'fp_{fingerprint}', `fp_${identity.fingerprint}`],
  ])('fills %s', (_case, pattern, expected) => {
    // Act
    const label = dedupeLabel(pattern, identity);

    // Assess
    expect(label).toBe(expected);
  });

  it('gives the same fingerprint in another project another label', () => {
    // Act
    const here = dedupeLabel('bt-{hash}', identity);
    const there = dedupeLabel('bt-{hash}', { ...identity, project: 'other' });

    // Assess
    expect(here).not.toBe(there);
    expect(groupHash(identity)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('keeps an overlong fingerprint label within 255 characters, still unique', () => {
    // Prepare
    const long = { ...identity, fingerprint: 'f'.repeat(300) };

    // Act
    const label = dedupeLabel('bt-{fingerprint}', long);

    // Assess
    expect(label.length).toBeLessThanOrEqual(255);
    expect(label.endsWith(groupHash(long))).toBe(true);
  });

  it('refuses an invalid pattern', () => {
    // Act
    const act = () => dedupeLabel('backtrace', identity);

    // Assess
    expect(act).toThrow(/must contain \{hash\}/);
  });
});

describe('Function: dedupeLabelProblem', () => {
  it.each([
    ['a pattern without a per-group token', 'backtrace', /must contain \{hash\}/],
    ['a space', 'bt {hash}', /may only contain letters, digits/],
    ['an unknown placeholder', 'bt-{hash}-{universe}', /unknown placeholder \{universe\}/],
    ['an overlong literal', `${'x'.repeat(200)}{hash}`, /too long/],
  ])('refuses %s', (_case, pattern, message) => {
    // Act
    const problem = dedupeLabelProblem(pattern);

    // Assess
    expect(problem).toMatch(message);
  });

  it.each([['bt-{hash}'], ['{hash12}'], ['crash.{fingerprint12}']])('accepts %s', (pattern) => {
    // Act
    const problem = dedupeLabelProblem(pattern);

    // Assess
    expect(problem).toBeUndefined();
  });
});
