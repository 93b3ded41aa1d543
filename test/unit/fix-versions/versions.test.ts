import { describe, expect, it } from 'vitest';
import { captureGroups, compareVersions, highestVersion, parseVersion, versionFromName } from '../../../shared/domain/fix-versions/versions.ts';

const order = (a: string, b: string): number => Math.sign(compareVersions(parseVersion(a)!, parseVersion(b)!));

describe('Domain: release versions', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ['1.10', '1.9', 1],
    ['1.9', '1.10', -1],
    ['1.2', '1.2.0', 0],
    ['1.2.0.0', '1.2', 0],
    ['2.0.0-rc.1', '2.0.0', -1],
    ['2.0.0', '2.0.0-rc.1', 1],
    ['2.0.0-alpha', '2.0.0-alpha.1', -1],
    ['2.0.0-alpha.1', '2.0.0-alpha.beta', -1],
    ['2.0.0-beta.2', '2.0.0-beta.11', -1],
    ['2.0.0-rc.1', '1.9.9', 1],
    ['1.2.3+build.7', '1.2.3', 0],
    ['1.2.3+build.7', '1.2.3+build.9', 0],
    ['v2.4.0', '2.4.0', 0],
    ['10.0', '9.99.99', 1],
  ])('orders %s against %s as %d', (a, b, expected) => {
    expect(order(a, b)).toBe(expected);
  });

  it.each(['', 'latest', '2.x', '1..2', '1.2.', 'release 1', '-1.0', '1.0-', '99999999999999999999.1'])('refuses %j as a version', (text) => {
    expect(parseVersion(text)).toBeUndefined();
  });

  it('picks the highest version as releases sort, keeping the text it was read from', () => {
    const versions = ['2.3.1', '2.4.0-rc.2', '2.4.0', '2.10.0-beta', '2.9'].map((text) => parseVersion(text)!);
    expect(highestVersion(versions)?.text).toBe('2.10.0-beta');
    expect(highestVersion([])).toBeUndefined();
  });

  it.each<[string, number]>([
    ['app-(\\d+\\.\\d+\\.\\d+)', 1],
    ['(\\d+)\\.(\\d+)', 2],
    ['\\d+', 0],
    ['(?:app-)?(\\d+(?:\\.\\d+)*)', 1],
    ['(?<version>\\d+\\.\\d+)', 1],
  ])('counts the capture groups of %s: %d', (pattern, groups) => {
    expect(captureGroups(pattern)).toBe(groups);
  });

  describe('a Jira version name read through versionPattern', () => {
    it.each<[string, string | undefined, string]>([
      ['2.4.0', undefined, '2.4.0'],
      ['app-2.4.1', 'app-(\\d+\\.\\d+\\.\\d+)', '2.4.1'],
      ['Mobile app-2.4.1 (hotfix)', 'app-(\\d+\\.\\d+\\.\\d+)', '2.4.1'],
      ['Release 3.1', '(\\d+\\.\\d+)', '3.1'],
    ])('reads %j with %s as %s', (name, pattern, version) => {
      const read = versionFromName(name, pattern);
      expect(read).toEqual({ ok: true, version: expect.objectContaining({ text: version }) });
    });

    it('refuses a name the pattern does not match, naming the name and the pattern', () => {
      expect(versionFromName('Sprint 12', 'app-(\\d+\\.\\d+\\.\\d+)')).toEqual({ ok: false, reason: '"Sprint 12" does not match the versionPattern app-(\\d+\\.\\d+\\.\\d+)' });
    });

    it('refuses a name that is no version without a pattern, never guessing one', () => {
      const read = versionFromName('Next release', undefined);
      expect(read.ok).toBe(false);
      expect(read.ok ? '' : read.reason).toContain('"Next release" is not a version');
    });
  });
});
