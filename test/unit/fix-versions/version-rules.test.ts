import { describe, expect, it } from 'vitest';
import { ruleAttributes, versioningFor } from '../../../shared/domain/fix-versions/version-rules.ts';
import { parseConfig, type FixVersionsConfig } from '../../../shared/domain/config/index.ts';
import { integrationDocument } from '../app/app-world.ts';

function fixVersions(document: Record<string, unknown>): FixVersionsConfig {
  return parseConfig({ integrations: [integrationDocument({ fixVersions: { enabled: true, ...document } })] }, 'test').integrations[0]!.fixVersions;
}

const config = fixVersions({
  versionAttribute: 'version',
  versionPattern: 'app-(\\d+\\.\\d+\\.\\d+)',
  rules: [
    { attribute: 'environment', regex: '^production$', versionAttribute: 'app_version', versionPattern: '(\\d+\\.\\d+)' },
    { attribute: 'environment', regex: '^staging', versionAttribute: 'build' },
    { attribute: 'product', regex: 'console', versionPattern: 'console-(\\S+)' },
  ],
});

describe('Domain: Fix Versions rule sets', () => {
  it.each<[string, Record<string, string>, ReturnType<typeof versioningFor>]>([
    ['production: its own attribute and pattern', { environment: 'production' }, { versionAttribute: 'app_version', versionPattern: '(\\d+\\.\\d+)', rule: 0 }],
    ['staging-eu: its attribute, the top-level pattern', { environment: 'staging-eu' }, { versionAttribute: 'build', versionPattern: 'app-(\\d+\\.\\d+\\.\\d+)', rule: 1 }],
    ['the console product: the top-level attribute, its pattern', { environment: 'dev', product: 'xbox-console' }, { versionAttribute: 'version', versionPattern: 'console-(\\S+)', rule: 2 }],
    ['the first matching rule wins', { environment: 'production', product: 'console' }, { versionAttribute: 'app_version', versionPattern: '(\\d+\\.\\d+)', rule: 0 }],
    ['no rule matches: the top level', { environment: 'qa' }, { versionAttribute: 'version', versionPattern: 'app-(\\d+\\.\\d+\\.\\d+)' }],
    ['the attribute unknown: the top level', {}, { versionAttribute: 'version', versionPattern: 'app-(\\d+\\.\\d+\\.\\d+)' }],
  ])('%s', (_case, attributes, expected) => {
    expect(versioningFor(config, attributes)).toEqual(expected);
  });

  it('remembers each attribute the rules key on once', () => {
    expect(ruleAttributes(config)).toEqual(['environment', 'product']);
  });

  it('reads the whole Jira version name when no pattern is set anywhere', () => {
    expect(versioningFor(fixVersions({}), {})).toEqual({ versionAttribute: 'version' });
  });
});
