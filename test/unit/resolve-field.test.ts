import { describe, expect, it } from 'vitest';
import { resolveField } from '../../shared/domain/resolve-field.ts';
import { jiraFields } from './domain-factories.ts';

describe('Function: resolveField', () => {
  it.each([
    ['a system field id', 'labels', 'labels'],
    ['a custom field id', 'customfield_10050', 'customfield_10050'],
    ['an id in other case', 'CustomField_10050', 'customfield_10050'],
    ['a JQL clause id', 'cf[10051]', 'customfield_10051'],
    ['a name', 'Hostname', 'customfield_10050'],
    ['a name in other case with spaces', '  hostNAME ', 'customfield_10050'],
    ['a system field name', 'Fix versions', 'fixVersions'],
  ])('finds a field by %s', (_case, nameOrId, id) => {
    // Act
    const result = resolveField(nameOrId, jiraFields());

    // Assess
    expect(result.ok && result.field.id).toBe(id);
  });

  it('refuses an ambiguous name, listing the candidate ids', () => {
    // Act
    const result = resolveField('Team', jiraFields());

    // Assess
    expect(!result.ok && result.problem).toBe(
      'several Jira fields are named "Team": customfield_10055 ("Team"), customfield_10056 ("team"); use the id of the one you mean',
    );
  });

  it('prefers an id over a field named like it', () => {
    // Prepare
    const fields = [...jiraFields(), { id: 'customfield_1', name: 'labels', custom: true, schema: { type: 'string' } }];

    // Act
    const result = resolveField('labels', fields);

    // Assess
    expect(result.ok && result.field.id).toBe('labels');
  });

  it.each([
    ['a typo, suggesting similar names', 'Host', /no Jira field has the id or name "Host" \(similar: customfield_10050 \("Hostname"\)\)/],
    ['an unknown name', 'Story Points', /no Jira field has the id or name "Story Points" \(check the spelling, or use the field id/],
  ])('refuses %s', (_case, nameOrId, message) => {
    // Act
    const result = resolveField(nameOrId, jiraFields());

    // Assess
    expect(!result.ok && result.problem).toMatch(message);
  });
});
