import { describe, expect, it } from 'vitest';
import { buildIssueFields, type IssueFieldsIntegration } from '../../shared/domain/build-issue-fields.ts';
import type { DisplaySettings, FilterRule, IntegrationConfig } from '../../shared/domain/config/index.ts';
import { groupHash } from '../../shared/domain/dedupe-label.ts';
import { renderDescription, type DescriptionDisplay } from '../../shared/domain/issue-description.ts';
import type { SubmitRule } from '../../shared/domain/rules.ts';
import type { JiraField } from '../../shared/domain/model/jira.ts';
import { customField, jiraFields, sampleGroup } from './domain-factories.ts';

// The config's parsed types must fit the domain's structural inputs; tsc fails here if they drift apart.
export const configFitsDomain = {
  integration: (config: IntegrationConfig): IssueFieldsIntegration => config,
  display: (display: DisplaySettings): DescriptionDisplay => display,
  rule: (rule: FilterRule): SubmitRule => rule,
};

const display: DescriptionDisplay = { classifiers: true, callstack: true, attributes: true, attributeList: [] };

function integration(jira: Partial<IssueFieldsIntegration['jira']> = {}): IssueFieldsIntegration {
  return {
    backtrace: { universe: 'my_universe', project: 'my_project' },
    jira: {
      projectKey: 'CRASH',
      issueType: 'Bug',
      subject: '$classifiers in $application ($version)',
      labels: ['Backtrace'],
      fieldMapping: { labels: 'labels', mainBody: 'description' },
      customFields: {},
      dedupeLabel: 'bt-{hash}',
      ...jira,
    },
    display,
  };
}

const group = sampleGroup();
const label = `bt-${groupHash({ universe: 'my_universe', project: 'my_project', fingerprint: group.fingerprint })}`;

describe('Function: buildIssueFields', () => {
  it('builds the create fields for the sample group with the defaults', () => {
    // Act
    const result = buildIssueFields({ group, integration: integration(), fields: jiraFields(), deployment: 'Cloud' });

    // Assess
    expect(result).toEqual({
      ok: true,
      fields: {
        project: { key: 'CRASH' },
        issuetype: { name: 'Bug' },
        summary: 'exception in my_app.exe (1.1.0)',
        labels: ['Backtrace', label],
        description: renderDescription(group, display),
      },
      dedupeLabel: label,
      labelsFieldId: 'labels',
      notes: [],
    });
  });

  it('fills custom fields by name or id, shaped by their type', () => {
    // Prepare
    const customFields = {
      Hostname: 'Hostname: $hostname, Version: $version',
      customfield_10051: 'Critical',
      Platforms: '$environment,linux',
      occurrences: '$occurrences',
      'First seen': '$first_seen',
      'Crash tags': 'release ${version}, $classifiers',
    };

    // Act
    const result = buildIssueFields({ group, integration: integration({ customFields }), fields: jiraFields(), deployment: 'Cloud' });

    // Assess
    expect(result.ok && result.fields).toMatchObject({
      customfield_10050: 'Hostname: , Version: 1.1.0',
      customfield_10051: { value: 'Critical' },
      customfield_10052: [{ value: 'production' }, { value: 'linux' }],
      customfield_10053: 35,
      customfield_10057: '2017-08-17T07:12:06.000+0000',
      customfield_10054: ['release-1.1.0', 'exception'],
    });
  });

  it('leaves out a custom field whose template renders nothing', () => {
    // Act
    const result = buildIssueFields({ group, integration: integration({ customFields: { Hostname: '$hostname' } }), fields: jiraFields(), deployment: 'Cloud' });

    // Assess
    expect(result.ok && Object.keys(result.fields)).not.toContain('customfield_10050');
  });

  it('shapes user fields for the deployment', () => {
    // Prepare
    const fields: JiraField[] = [...jiraFields(), customField('customfield_10099', 'Triage owner', 'user', undefined, 'userpicker')];
    const customFields = { 'Triage owner': '$owner' };
    const owned = sampleGroup({ attributes: { owner: [['jdoe', 1]] } });

    // Act
    const cloud = buildIssueFields({ group: sampleGroup({ attributes: { owner: [['557058:abc', 1]] } }), integration: integration({ customFields }), fields, deployment: 'Cloud' });
    const server = buildIssueFields({ group: owned, integration: integration({ customFields }), fields, deployment: 'Server' });

    // Assess
    expect(cloud.ok && cloud.fields.customfield_10099).toEqual({ accountId: '557058:abc' });
    expect(server.ok && server.fields.customfield_10099).toEqual({ name: 'jdoe' });
  });

  it('lets a custom field override the labels, but always keeps the dedupe label', () => {
    // Act
    const result = buildIssueFields({
      group,
      integration: integration({ customFields: { Labels: 'crash, $environment' } }),
      fields: jiraFields(),
      deployment: 'Cloud',
    });

    // Assess
    expect(result.ok && result.fields.labels).toEqual(['crash', 'production', label]);
  });

  it('keeps the dedupe label even when the labels override renders nothing', () => {
    // Act
    const result = buildIssueFields({ group, integration: integration({ customFields: { labels: '$nothere' } }), fields: jiraFields(), deployment: 'Cloud' });

    // Assess
    expect(result.ok && result.fields.labels).toEqual([label]);
  });

  it('lets a custom field override the main body and the summary', () => {
    // Act
    const result = buildIssueFields({
      group,
      integration: integration({ customFields: { Description: 'See $group_url', summary: 'Crash\nin $application' } }),
      fields: jiraFields(),
      deployment: 'Cloud',
    });

    // Assess
    expect(result.ok && result.fields.description).toBe(`See ${group.group_url}`);
    expect(result.ok && result.fields.summary).toBe('Crash in my_app.exe');
  });

  it('follows a remapped labels and main body field', () => {
    // Act
    const result = buildIssueFields({
      group,
      integration: integration({ fieldMapping: { labels: 'Crash tags', mainBody: 'Crash notes' }, labels: ['Back trace'] }),
      fields: jiraFields(),
      deployment: 'Server',
    });

    // Assess
    expect(result.ok && result.labelsFieldId).toBe('customfield_10054');
    expect(result.ok && result.fields.customfield_10054).toEqual(['Back-trace', label]);
    expect(result.ok && result.fields.customfield_10058).toBe(renderDescription(group, display));
    expect(result.ok && Object.keys(result.fields)).not.toContain('labels');
    expect(result.ok && Object.keys(result.fields)).not.toContain('description');
  });

  it('reports every problem at once, each with its config path and fix', () => {
    // Prepare
    const fields = [...jiraFields(), customField('customfield_10100', 'Build', 'number', undefined, 'float')];
    const customFields = {
      Host: '$hostname',
      Team: 'core',
      Build: '$version',
      Project: 'OTHER',
      customfield_10051: 'A',
      Severity: 'B',
    };

    // Act
    const result = buildIssueFields({
      group,
      integration: integration({ customFields, dedupeLabel: 'backtrace', fieldMapping: { labels: 'Severity', mainBody: 'Fix versions' } }),
      fields,
      deployment: 'Cloud',
      configPath: 'integrations[2]',
    });

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      expect.stringMatching(/^integrations\[2\]\.jira\.dedupeLabel: must contain \{hash\}/),
      'integrations[2].jira.fieldMapping.labels: customfield_10051 ("Severity") is of type "option"; name a labels field (Jira\'s "labels" or a custom Labels field), because the bridge keeps its dedupe label there',
      'integrations[2].jira.fieldMapping.mainBody: fixVersions ("Fix versions") is of type "array of version"; name a text field such as "description"',
      expect.stringMatching(/^integrations\[2\]\.jira\.customFields\["Host"\]: no Jira field has the id or name "Host" \(similar: customfield_10050 \("Hostname"\)\)$/),
      expect.stringMatching(/^integrations\[2\]\.jira\.customFields\["Team"\]: several Jira fields are named "Team": customfield_10055 \("Team"\), customfield_10056 \("team"\)/),
      'integrations[2].jira.customFields["Build"]: Jira field customfield_10100 ("Build") takes a number, but the value from the template "$version" is "1.1.0" (make the template render a number such as 42 or 42.07)',
      'integrations[2].jira.customFields["Project"]: set the project with jira.projectKey instead',
      'integrations[2].jira.customFields["Severity"]: sets customfield_10051 ("Severity") again, as customFields["customfield_10051"] does; keep one',
    ]);
  });

  it('refuses a single-line text field as the main body (it holds 255 characters), and accepts a multi-line one', () => {
    // Prepare
    const fields = [...jiraFields(), customField('customfield_10060', 'Steps seen', 'string', undefined, 'textarea')];

    // Act
    const singleLine = buildIssueFields({ group, integration: integration({ fieldMapping: { labels: 'labels', mainBody: 'Hostname' } }), fields, deployment: 'Cloud' });
    const multiLine = buildIssueFields({ group, integration: integration({ fieldMapping: { labels: 'labels', mainBody: 'Steps seen' } }), fields, deployment: 'Cloud' });

    // Assess
    expect(!singleLine.ok && singleLine.problems).toEqual([
      'integration.jira.fieldMapping.mainBody: customfield_10050 ("Hostname") is a single-line text field (255 characters); name a multi-line text field such as "description"',
    ]);
    expect(multiLine.ok && typeof multiLine.fields.customfield_10060).toBe('string');
  });

  it('prefixes problems with "integration" when no config path is given', () => {
    // Act
    const result = buildIssueFields({ group, integration: integration({ fieldMapping: { labels: 'Etiketten', mainBody: 'description' } }), fields: jiraFields(), deployment: 'Cloud' });

    // Assess
    expect(!result.ok && result.problems[0]).toMatch(/^integration\.jira\.fieldMapping\.labels: no Jira field has the id or name "Etiketten"/);
  });
});
