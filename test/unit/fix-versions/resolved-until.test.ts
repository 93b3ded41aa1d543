import { describe, expect, it } from 'vitest';
import { invariantsFor, regressedVersion, regresses, resolvedUntilFor, versionInvariantOf } from '../../../shared/domain/fix-versions/resolved-until.ts';
import type { Versioning } from '../../../shared/domain/fix-versions/version-rules.ts';

const plain: Versioning = { versionAttribute: 'version' };
const app: Versioning = { versionAttribute: 'app_version', versionPattern: 'app-(\\d+\\.\\d+\\.\\d+)' };
const gt = (version: string, field = 'version') => ({ type: 'version_gt' as const, field, version });

describe('Domain: resolved until the highest Fix Version', () => {
  it.each<[string, string[], Versioning, ReturnType<typeof resolvedUntilFor>]>([
    ['the highest of two', ['2.3.1', '2.4.0'], plain, { invariants: [gt('2.4.0')], skipped: [] }],
    ['as releases sort (2.10 above 2.9)', ['2.9.0', '2.10.0'], plain, { invariants: [gt('2.10.0')], skipped: [] }],
    ['through the pattern, on its attribute', ['app-2.4.1', 'app-2.3.0'], app, { invariants: [gt('2.4.1', 'app_version')], skipped: [] }],
    [
      'skipping a name that gives no version',
      ['Backlog', '2.4.0'],
      plain,
      { invariants: [gt('2.4.0')], skipped: ['"Backlog" is not a version (digits and dots, e.g. 2.4.0)'] },
    ],
    ['no Fix Versions: plain resolved', [], plain, { invariants: [], skipped: [], reason: 'the issue has no Fix Versions' }],
    [
      'no name gives a version: plain resolved, saying why',
      ['Sprint 12'],
      app,
      { invariants: [], skipped: ['"Sprint 12" does not match the versionPattern app-(\\d+\\.\\d+\\.\\d+)'], reason: 'no Fix Version name gives a version ("Sprint 12" does not match the versionPattern app-(\\d+\\.\\d+\\.\\d+))' },
    ],
  ])('%s', (_case, names, versioning, expected) => {
    expect(resolvedUntilFor(names, versioning, 'version_gt')).toEqual(expected);
  });

  it('uses version_ge when the config says so', () => {
    expect(resolvedUntilFor(['1.0'], plain, 'version_ge').invariants).toEqual([{ type: 'version_ge', field: 'version', version: '1.0' }]);
  });

  it.each<[string, string, ReturnType<typeof gt> | { type: 'version_ge'; field: string; version: string }, boolean]>([
    ['a later version regresses', '2.4.1', gt('2.4.0'), true],
    ['the same version does not, with version_gt', '2.4.0', gt('2.4.0'), false],
    ['the same version does, with version_ge', '2.4.0', { type: 'version_ge', field: 'version', version: '2.4.0' }, true],
    ['an older version reopens nothing', '2.3.9', gt('2.4.0'), false],
    ['a pre-release of the fixed version is older', '2.4.0-rc.1', gt('2.4.0'), false],
    ['2.10 is later than 2.9', '2.10.0', gt('2.9.0'), true],
    ['a value that is no version reopens nothing', 'dev-build', gt('2.4.0'), false],
  ])('%s', (_case, version, invariant, expected) => {
    expect(regresses(version, invariant)).toBe(expected);
  });

  it('names the highest regressing value of a group histogram, or none', () => {
    expect(regressedVersion(['2.3.9', '2.4.1', '2.5.0-beta', 'junk'], gt('2.4.0'))).toBe('2.5.0-beta');
    expect(regressedVersion(['2.3.9', '2.4.0'], gt('2.4.0'))).toBeUndefined();
  });

  it('finds the version invariant among a row\'s invariants', () => {
    expect(versionInvariantOf([{ type: 'timestamp_gt', timestamp: 1 }, gt('1.2')])).toEqual(gt('1.2'));
    expect(versionInvariantOf([{ type: 'timestamp_gt', timestamp: 1 }])).toBeUndefined();
    expect(versionInvariantOf(undefined)).toBeUndefined();
  });

  describe('the invariants written with a state from Jira', () => {
    const base = { versioning: plain, invariant: 'version_gt' as const };
    const timestamp = { type: 'timestamp_gt', timestamp: 1_700_000_000 };
    it.each<[string, Parameters<typeof invariantsFor>[0], { write: boolean; invariants?: unknown[] }]>([
      ['resolved with Fix Versions: the version invariant', { ...base, newState: 'resolved', rowInvariants: [], fixVersions: ['2.3.1', '2.4.0'] }, { write: true, invariants: [gt('2.4.0')] }],
      ['resolved again with a higher one: replaced', { ...base, newState: 'resolved', rowInvariants: [gt('2.4.0')], fixVersions: ['2.5.0'] }, { write: true, invariants: [gt('2.5.0')] }],
      ['the same one already there: nothing written', { ...base, newState: 'resolved', rowInvariants: [gt('2.4.0')], fixVersions: ['2.4.0'] }, { write: false }],
      ['a person\'s other invariant stays', { ...base, newState: 'resolved', rowInvariants: [timestamp], fixVersions: ['2.4.0'] }, { write: true, invariants: [timestamp, gt('2.4.0')] }],
      ['resolved without Fix Versions, none there: nothing written', { ...base, newState: 'resolved', rowInvariants: [], fixVersions: [] }, { write: false }],
      ['Fix Versions removed: the version invariant goes', { ...base, newState: 'resolved', rowInvariants: [gt('2.4.0'), timestamp], fixVersions: [] }, { write: true, invariants: [timestamp] }],
      ['reopened in Jira: cleared', { ...base, newState: 'open', rowInvariants: [gt('2.4.0')], fixVersions: ['2.4.0'] }, { write: true, invariants: [] }],
      ['in progress in Jira: cleared', { ...base, newState: 'in-progress', rowInvariants: [gt('2.4.0')], fixVersions: [] }, { write: true, invariants: [] }],
      ['reopened with nothing to clear: nothing written', { ...base, newState: 'open', rowInvariants: [], fixVersions: [] }, { write: false }],
      ['muted from Jira: left alone', { ...base, newState: 'muted', rowInvariants: [gt('2.4.0')], fixVersions: [] }, { write: false }],
      ['no state written: left alone', { ...base, newState: undefined, rowInvariants: [gt('2.4.0')], fixVersions: ['3.0'] }, { write: false }],
    ])('%s', (_case, input, expected) => {
      const plan = invariantsFor(input);
      expect(plan.write).toBe(expected.write);
      if (plan.write) expect(plan.invariants).toEqual(expected.invariants);
    });
  });
});
