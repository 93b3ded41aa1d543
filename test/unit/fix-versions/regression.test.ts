import { describe, expect, it } from 'vitest';
import { regressionDecision, regressionVersion, renderRegressionComment, reopenTarget, type RegressionInput } from '../../../shared/domain/fix-versions/regression.ts';
import { eventRegression, groupNoteFor, sameGroupNote } from '../../../shared/domain/fix-versions/group-note.ts';
import { isVersionField, versionFieldFor } from '../../../shared/domain/fix-versions/version-field.ts';
import { parseConfig, type FixVersionsConfig } from '../../../shared/domain/config/index.ts';
import { integrationDocument } from '../app/app-world.ts';
import { customField, sampleGroup, systemField } from '../domain-factories.ts';

const gt = (version: string) => ({ type: 'version_gt' as const, field: 'version', version });

function fixVersions(document: Record<string, unknown> = {}): FixVersionsConfig {
  return parseConfig({ integrations: [integrationDocument({ fixVersions: { enabled: true, ...document } })] }, 'test').integrations[0]!.fixVersions;
}

describe('Domain: regressions', () => {
  describe('acting once per reopen count', () => {
    it.each<[string, RegressionInput, ReturnType<typeof regressionDecision>]>([
      ['a new reopen of an open fingerprint: act', { state: 'open', reopenCount: 1, seenReopenCount: 0, handledCount: undefined }, { act: true, count: 1 }],
      ['in progress (its ticket linked) counts as open', { state: 'in-progress', reopenCount: 3, seenReopenCount: 2, handledCount: 2 }, { act: true, count: 3 }],
      ['the count already acted on: nothing', { state: 'open', reopenCount: 1, seenReopenCount: 0, handledCount: 1 }, { act: false, reason: 'no new reopen' }],
      ['the count already seen: nothing', { state: 'open', reopenCount: 2, seenReopenCount: 2, handledCount: 1 }, { act: false, reason: 'no new reopen' }],
      ['at link time the count is a baseline', { state: 'open', reopenCount: 4, seenReopenCount: undefined, handledCount: undefined }, { act: false, reason: 'first sight of the fingerprint: its reopen count is the baseline' }],
      [
        'resolved again before it was seen: recorded, not acted on',
        { state: 'resolved', reopenCount: 2, seenReopenCount: 1, handledCount: 1 },
        { act: false, reason: 'reopened by Backtrace, then resolved again before the bridge saw it', record: 2 },
      ],
      [
        'muted since: recorded, not acted on',
        { state: 'muted', reopenCount: 1, seenReopenCount: 0, handledCount: undefined },
        { act: false, reason: 'reopened by Backtrace, then muted again before the bridge saw it', record: 1 },
      ],
    ])('%s', (_case, input, expected) => {
      expect(regressionDecision(input)).toEqual(expected);
    });
  });

  it.each<[string, Parameters<typeof regressionVersion>, string | undefined]>([
    ['the event\'s version, noted after the resolution', [{ version: '2.4.1', at: 200 }, { ...gt('2.4.0'), at: 100 }], '2.4.1'],
    ['not an event older than the resolution: the resolved-until version', [{ version: '2.4.1', at: 50 }, { ...gt('2.4.0'), at: 100 }], '2.4.0'],
    ['not an event at or below it', [{ version: '2.4.0', at: 200 }, { ...gt('2.4.0'), at: 100 }], '2.4.0'],
    ['no event: the resolved-until version', [undefined, gt('2.4.0')], '2.4.0'],
    ['neither known', [undefined, undefined], undefined],
  ])('names the version that regressed: %s', (_case, args, expected) => {
    expect(regressionVersion(...args)).toBe(expected);
  });

  it('reopens to the configured status, else to the first status of the "new" category', () => {
    expect(reopenTarget(fixVersions().onRegression)).toEqual({ kind: 'category', key: 'new' });
    expect(reopenTarget(fixVersions({ onRegression: { status: 'Reopened' } }).onRegression)).toEqual({ kind: 'status', idOrName: 'Reopened' });
  });

  it('renders the comment template with the regression\'s variables and the attributes the bridge knows', () => {
    const input = { fingerprint: 'fp1', universe: 'acme', project: 'game', version: '2.4.1', resolvedUntil: '2.4.0', groupUrl: 'https://acme.sp.backtrace.io/p/game/fp1', attributes: { environment: 'production' } };
    expect(renderRegressionComment(fixVersions().onRegression.comment, input)).toBe('Regressed in 2.4.1 (resolved until 2.4.0): https://acme.sp.backtrace.io/p/game/fp1');
    expect(renderRegressionComment('$fingerprint came back in $environment ($version)', input)).toBe('fp1 came back in production (2.4.1)');
    expect(renderRegressionComment('Regressed in $version', { ...input, version: undefined })).toBe('Regressed in a later version');
  });

  describe('the version field', () => {
    const fields = [
      systemField('fixVersions', 'Fix versions', { type: 'array', items: 'version', system: 'fixVersions' }),
      customField('customfield_10400', 'Fixed in build', 'array', 'version', 'com.atlassian.jira.plugin.system.customfieldtypes:multiversion'),
      customField('customfield_10401', 'Build', 'string'),
    ];
    it.each<[string, string]>([
      ['fixVersions', 'fixVersions'],
      ['Fixed in build', 'customfield_10400'],
      ['customfield_10400', 'customfield_10400'],
      ['cf[10400]', 'customfield_10400'],
    ])('takes %j as %s', (jiraField, id) => {
      expect(versionFieldFor(fields, jiraField, 'integrations[0]')).toEqual({ ok: true, field: expect.objectContaining({ id }) });
    });

    it('refuses a field that holds no versions, with the config path and the fix', () => {
      expect(versionFieldFor(fields, 'Build', 'integrations[0]')).toEqual({
        ok: false,
        problem: 'integrations[0].fixVersions.jiraField: customfield_10401 ("Build") is a string field, not a version field; use "fixVersions" or a version-picker custom field (type "Version Picker (multiple versions)")',
      });
      expect(isVersionField(fields[2]!)).toBe(false);
    });

    it('refuses a field Jira does not have, with the config path', () => {
      const found = versionFieldFor(fields, 'Fixed in', 'integrations[1]');
      expect(found.ok ? '' : found.problem).toMatch(/^integrations\[1\]\.fixVersions\.jiraField: no Jira field has the id or name "Fixed in" \(similar: customfield_10400/);
    });

    it('knows the system Fix Versions even when the field list leaves it out', () => {
      expect(versionFieldFor([], 'fixVersions', 'integrations[0]')).toEqual({ ok: true, field: expect.objectContaining({ id: 'fixVersions' }) });
    });
  });

  describe('what an error-group event says', () => {
    const config = fixVersions({ rules: [{ attribute: 'environment', regex: '^production$', versionAttribute: 'app_version' }] });
    const group = sampleGroup({
      group_url: 'https://acme.sp.backtrace.io/p/game/fp',
      attributes: { environment: [['staging', 2], ['production', 9]], version: [['2.4.1', 3]], app_version: [['3.1.0', 1], ['2.9.0', 5]] },
    });

    it('keeps the group URL and the rule attributes\' most frequent values', () => {
      expect(groupNoteFor(config, group)).toEqual({ url: 'https://acme.sp.backtrace.io/p/game/fp', values: { environment: 'production' } });
      expect(sameGroupNote({ url: 'https://acme.sp.backtrace.io/p/game/fp', values: { environment: 'production' } }, groupNoteFor(config, group))).toBe(true);
      expect(sameGroupNote({ url: 'https://acme.sp.backtrace.io/p/game/fp', values: { environment: 'staging' } }, groupNoteFor(config, group))).toBe(false);
      expect(sameGroupNote(undefined, groupNoteFor(config, group))).toBe(false);
    });

    it('reads the version attribute of the rule set, and names its highest value above resolved-until', () => {
      const note = groupNoteFor(config, group);
      expect(eventRegression(config, group, note, { type: 'version_gt', field: 'app_version', version: '3.0.0' })).toBe('3.1.0');
      expect(eventRegression(config, group, note, { type: 'version_gt', field: 'app_version', version: '3.1.0' })).toBeUndefined();
      expect(eventRegression(config, group, note, null)).toBeUndefined();
    });
  });
});
