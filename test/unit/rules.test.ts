import { describe, expect, it } from 'vitest';
import { shouldSubmit, type SubmitRule } from '../../shared/domain/rules.ts';
import { sampleGroup } from './domain-factories.ts';

const filterAll: SubmitRule = { action: 'filter', attribute: '.*', regex: '.*' };
const submitNyc: SubmitRule = { action: 'submit', attribute: 'datacenter', regex: 'nyc' };

function groupIn(datacenter: string | undefined) {
  const attributes = { ...sampleGroup().attributes, ...(datacenter === undefined ? {} : { datacenter: [[datacenter, 3]] }) };
  return sampleGroup({ attributes });
}

describe('Function: shouldSubmit', () => {
  it('submits every group when there are no rules', () => {
    // Act
    const decision = shouldSubmit(sampleGroup(), []);

    // Assess
    expect(decision).toEqual({ submit: true, reason: 'no submit/filter rules: every group is submitted' });
  });

  it.each([
    ['a group from nyc', 'nyc', true, 1],
    ['a group from nyc-2 (the value regex is not anchored)', 'nyc-2', true, 1],
    ['a group from sfo', 'sfo', false, 0],
    ['a group without a datacenter', undefined, false, 0],
  ])("follows Backtrace's example (filter .* .*, then submit datacenter =~ nyc) for %s", (_case, datacenter, submit, ruleIndex) => {
    // Act
    const decision = shouldSubmit(groupIn(datacenter), [filterAll, submitNyc]);

    // Assess
    expect(decision).toMatchObject({ submit, ruleIndex });
  });

  it.each([
    ['no rule matches: submitted by default', [{ action: 'filter', attribute: 'environment', regex: '^qa$' }], true, undefined],
    ['a filter rule matches', [{ action: 'filter', attribute: 'environment', regex: 'staging' }], false, 0],
    ['a later submit overrides an earlier filter', [{ action: 'filter', attribute: 'environment', regex: 'staging' }, { action: 'submit', attribute: 'version', regex: '^1\\.1' }], true, 1],
    ['a later filter overrides an earlier submit', [{ action: 'submit', attribute: 'version', regex: '.' }, { action: 'filter', attribute: 'environment', regex: 'devel' }], false, 1],
    ['a non-matching later rule leaves the earlier decision', [{ action: 'filter', attribute: 'version', regex: '1\\.2\\.2' }, { action: 'submit', attribute: 'environment', regex: 'qa' }], false, 0],
    ['the attribute name is anchored: env does not match environment', [{ action: 'filter', attribute: 'env', regex: '.*' }], true, undefined],
    ['the attribute name is a regex', [{ action: 'filter', attribute: 'env.*', regex: 'production' }], false, 0],
    ['any value of the histogram counts, not just the top one', [{ action: 'filter', attribute: 'environment', regex: '^devel$' }], false, 0],
    ['built-ins count as attributes', [{ action: 'filter', attribute: 'classifiers', regex: '^exception$' }], false, 0],
    ['the application built-in', [{ action: 'submit', attribute: 'application', regex: '\\.exe$' }], true, 0],
  ] as [string, SubmitRule[], boolean, number | undefined][])('decides when %s', (_case, rules, submit, ruleIndex) => {
    // Act
    const decision = shouldSubmit(sampleGroup(), rules);

    // Assess
    expect(decision.submit).toBe(submit);
    expect(decision.ruleIndex).toBe(ruleIndex);
  });

  it('says which rule decided, for the log', () => {
    // Act
    const decision = shouldSubmit(groupIn('sfo'), [filterAll, submitNyc]);

    // Assess
    expect(decision.reason).toBe('rule 0 (filter ".*" =~ ".*") is the last rule that matched: filtered out');
  });

  it('filters every group with filter .* .*, even one without attributes', () => {
    // Prepare
    const group = sampleGroup({ attributes: undefined });

    // Act
    const decision = shouldSubmit(group, [filterAll]);

    // Assess
    expect(decision.submit).toBe(false);
  });
});

