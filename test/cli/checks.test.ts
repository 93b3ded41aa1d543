/** The pure parts of the admin command line: validate's field and state-map checks, and how a dead letter reads. */
import { describe, expect, it } from 'vitest';
import { parseConfig, type IntegrationConfig } from '../../shared/domain/config/index.ts';
import { fieldChecks, requiredFieldChecks, stateMapChecks, type FieldFacts } from '../../infra/cli/checks/field-checks.ts';
import { describeDeadLetter } from '../../infra/cli/commands/dlq.ts';
import { localIntegration } from '../e2e/support/stack-files.ts';
import { jiraFields, sampleGroup } from '../unit/domain-factories.ts';

function integrationWith(changes: { customFields?: Record<string, string>; stateMap?: unknown; mode?: string }): IntegrationConfig {
  const base = localIntegration();
  const integration = {
    ...base,
    backtrace: { ...base.backtrace, url: 'https://acme.sp.backtrace.io' },
    jira: { ...base.jira, apiUrl: 'https://acme.atlassian.net/rest/api/2/', customFields: changes.customFields ?? {} },
    sync: { ...base.sync, ...(changes.mode ? { mode: changes.mode } : {}), ...(changes.stateMap ? { stateMap: changes.stateMap } : {}) },
    ...(changes.mode === 'none' ? { jiraWebhook: undefined } : {}),
  };
  return parseConfig({ integrations: [integration] }, 'test').integrations[0]!;
}

const fields = jiraFields();
const facts: FieldFacts = {
  deployment: 'Cloud',
  fields,
  screen: fields.map((field) => ({ fieldId: field.id, name: field.name, required: ['summary', 'project', 'issuetype'].includes(field.id), hasDefaultValue: false })),
  screenName: 'CRASH / Bug',
  sample: sampleGroup(),
};

describe('Function: fieldChecks (templates)', () => {
  it.each([
    ['a number field from a number', 'Occurrences', '$occurrences', 'pass', 'renders 35'],
    ['a number field from text', 'Occurrences', '$environment', 'fail', 'number'],
    ['a list into a one-value option', 'Severity', 'Critical,Minor', 'fail', 'is a comma-separated list (2 values) but customfield_10051 ("Severity") holds one option'],
    ['a list into a multi-select', 'Platforms', 'iOS,Android', 'pass', 'renders [{"value":"iOS"},{"value":"Android"}]'],
    ['commas in a text field', 'Hostname', 'a, b', 'pass', 'renders "a, b"'],
  ])('%s', (_title, field, template, status, detail) => {
    // Act
    const { rows } = fieldChecks(integrationWith({ customFields: { [field]: template } }), 'integrations[0]', facts);

    // Assess
    const row = rows.find((candidate) => candidate.check === `integrations[0].jira.customFields[${JSON.stringify(field)}].template`);
    expect(row).toMatchObject({ status });
    expect(row?.detail).toContain(detail);
  });

  it('returns the ids the request sets, so required fields count them as filled', () => {
    // Prepare
    const screen = facts.screen.map((entry) => (entry.fieldId === 'customfield_10050' ? { ...entry, required: true } : entry));

    // Act
    const filled = fieldChecks(integrationWith({ customFields: { Hostname: '$hostname' } }), 'integrations[0]', { ...facts, screen });
    const empty = fieldChecks(integrationWith({}), 'integrations[0]', { ...facts, screen });

    // Assess
    expect([...filled.setIds].sort()).toEqual(['customfield_10050', 'description', 'issuetype', 'labels', 'project', 'summary']);
    expect(requiredFieldChecks('integrations[0]', { ...facts, screen }, filled.setIds)).toEqual([expect.objectContaining({ check: 'jira.required', status: 'pass' })]);
    expect(requiredFieldChecks('integrations[0]', { ...facts, screen }, empty.setIds)).toEqual([expect.objectContaining({ check: 'jira.required[customfield_10050]', status: 'fail' })]);
  });
});

describe('Function: stateMapChecks', () => {
  const statuses = [
    { id: '1', name: 'To Do', categoryKey: 'new' },
    { id: '3', name: 'In Progress', categoryKey: 'indeterminate' },
    { id: '10001', name: 'Done', categoryKey: 'done' },
  ];

  it.each([
    ['the default map', undefined, []],
    ['a status Jira lacks', { toJira: { resolved: { status: 'Closed' } } }, ['integrations[0].sync.stateMap.toJira.resolved']],
    ['a status named by id', { toJira: { resolved: { status: '10001' } } }, []],
  ])('%s', (_title, stateMap, failing) => {
    // Act
    const rows = stateMapChecks(integrationWith({ stateMap }), 'integrations[0]', statuses);

    // Assess
    expect(rows.filter((row) => row.status === 'fail').map((row) => row.check)).toEqual(failing);
    expect(rows.map((row) => row.check)).toEqual(['open', 'in-progress', 'resolved'].map((state) => `integrations[0].sync.stateMap.toJira.${state}`));
  });

  it('checks nothing when sync is off', () => {
    // Act / Assess
    expect(stateMapChecks(integrationWith({ mode: 'none' }), 'integrations[0]', statuses)).toEqual([]);
  });
});

describe('Function: describeDeadLetter', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const attributes = { SentTimestamp: String(now - 125_000), ApproximateReceiveCount: '5' };

  it.each([
    [
      'an error group, with the noted reason',
      { kind: 'backtrace.group', integrations: ['prod'], group: sampleGroup() },
      { reason: 'Jira refused to create the issue', at: now - 60_000 },
      { kind: 'backtrace.group', integrations: ['prod'], fingerprint: sampleGroup().fingerprint, issueKey: null, age: '2m', reason: 'Jira refused to create the issue', failedAt: '2026-12-01T11:59:00.000Z' },
    ],
    [
      'a fingerprint change, with no note',
      { kind: 'backtrace.fingerprint-updated', integration: 'prod', event: { type: 'fingerprint.updated', universe: 'u', project: 'p', fingerprint: 'ab'.repeat(32), state: 'resolved', at: '2026-12-01T11:50:00Z' } },
      undefined,
      { kind: 'backtrace.fingerprint-updated', integrations: ['prod'], fingerprint: 'ab'.repeat(32), failedAt: null, reason: expect.stringContaining('no reason noted; the worker\'s log line for messageId m-1') },
    ],
    [
      'a malformed body',
      { kind: 'nonsense' },
      undefined,
      { kind: 'unreadable', fingerprint: null, issueKey: null, reason: expect.stringContaining('the message is malformed: kind: got the string "nonsense"') },
    ],
  ])('%s', (_title, body, note, expected) => {
    // Act
    const letter = describeDeadLetter('backtrace-events', { MessageId: 'm-1', Body: JSON.stringify(body), Attributes: attributes }, now, note && { messageId: 'm-1', retryable: false, receiveCount: 5, ...note });

    // Assess
    expect(letter).toMatchObject({ queue: 'backtrace-events', id: 'm-1', receiveCount: 5, sentAt: '2026-12-01T11:57:55.000Z', ...expected });
  });
});
