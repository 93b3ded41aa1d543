import { describe, expect, it } from 'vitest';
import { shapeFieldValue } from '../../shared/domain/field-values.ts';
import type { JiraDeployment, JiraField } from '../../shared/domain/model/jira.ts';
import { customField, systemField } from './domain-factories.ts';

/** A rendering of `text` as both forms, parts split on commas the way renderTemplateParts would. */
function rendered(text: string) {
  return { text, parts: text.split(',').map((part) => part.trim()).filter((part) => part !== '') };
}

describe('Function: shapeFieldValue', () => {
  it.each([
    ['a text field', customField('customfield_1', 'Hostname', 'string'), ' web-1 ', 'web-1'],
    ['a number', customField('customfield_2', 'Count', 'number'), '42', 42],
    ['a decimal number', customField('customfield_2', 'Count', 'number'), '-42.07', -42.07],
    ['a number in exponent form', customField('customfield_2', 'Count', 'number'), '1e3', 1000],
    ['a date', customField('customfield_3', 'Day', 'date'), '2024-05-31', '2024-05-31'],
    ['a date from unix seconds', customField('customfield_3', 'Day', 'date'), '1502953926', '2017-08-17'],
    ['a date from an ISO time', customField('customfield_3', 'Day', 'date'), '2017-08-17T23:59:59Z', '2017-08-17'],
    ['a date-time from an ISO time ($first_seen)', customField('customfield_4', 'Seen', 'datetime'), '2017-08-17T07:12:06Z', '2017-08-17T07:12:06.000+0000'],
    ['a date-time with an offset', customField('customfield_4', 'Seen', 'datetime'), '2017-08-17T09:12:06.5+02:00', '2017-08-17T07:12:06.500+0000'],
    ['a date-time from unix seconds', customField('customfield_4', 'Seen', 'datetime'), '1502953926', '2017-08-17T07:12:06.000+0000'],
    ['a date-time from unix milliseconds', customField('customfield_4', 'Seen', 'datetime'), '1502953926123', '2017-08-17T07:12:06.123+0000'],
    ['a single select', customField('customfield_5', 'Severity', 'option'), 'Critical', { value: 'Critical' }],
    ['a cascading select with a child', customField('customfield_6', 'Area', 'option-with-child'), 'Hardware > CPU', { value: 'Hardware', child: { value: 'CPU' } }],
    ['a cascading select without a child', customField('customfield_6', 'Area', 'option-with-child'), 'Hardware', { value: 'Hardware' }],
    ['a multi-select', customField('customfield_7', 'Platforms', 'array', 'option'), 'linux, windows', [{ value: 'linux' }, { value: 'windows' }]],
    ['Jira labels', systemField('labels', 'Labels', { type: 'array', items: 'string' }), 'crash reporter, backtrace', ['crash-reporter', 'backtrace']],
    ['a custom labels field', customField('customfield_8', 'Tags', 'array', 'string', 'labels'), 'a b,c', ['a-b', 'c']],
    ['another list of strings', customField('customfield_9', 'Notes', 'array', 'string', 'some-plugin:list'), 'a b,c', ['a b', 'c']],
    ['a version', customField('customfield_10', 'Found in', 'version'), '1.1.0', { name: '1.1.0' }],
    ['fix versions', systemField('fixVersions', 'Fix versions', { type: 'array', items: 'version' }), '1.1.0,1.2.0', [{ name: '1.1.0' }, { name: '1.2.0' }]],
    ['components', systemField('components', 'Components', { type: 'array', items: 'component' }), 'engine', [{ name: 'engine' }]],
    ['a group', customField('customfield_11', 'Owners', 'group'), 'jira-developers', { name: 'jira-developers' }],
    ['a list of groups', customField('customfield_12', 'Teams', 'array', 'group'), 'admins,jira-users', [{ name: 'admins' }, { name: 'jira-users' }]],
    ['a project', customField('customfield_13', 'Related project', 'project'), 'GAME', { key: 'GAME' }],
    ['a priority', systemField('priority', 'Priority', { type: 'priority' }), 'High', { name: 'High' }],
  ] as [string, JiraField, string, unknown][])('shapes %s', (_case, field, text, expected) => {
    // Act
    const result = shapeFieldValue(field, rendered(text), 'Cloud');

    // Assess
    expect(result).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['a Cloud user', 'Cloud', 'user', '5b10ac8d82e05b22cc7d4ef5', { accountId: '5b10ac8d82e05b22cc7d4ef5' }],
    ['a Server user', 'Server', 'user', 'jdoe', { name: 'jdoe' }],
    ['Cloud users', 'Cloud', 'array', '557058:a1,557058:b2', [{ accountId: '557058:a1' }, { accountId: '557058:b2' }]],
    ['Server users', 'Server', 'array', 'jsmith, bjones', [{ name: 'jsmith' }, { name: 'bjones' }]],
  ] as [string, JiraDeployment, string, string, unknown][])('shapes %s by deployment', (_case, deployment, type, text, expected) => {
    // Prepare
    const field = customField('customfield_20', 'Owner', type, type === 'array' ? 'user' : undefined, 'userpicker');

    // Act
    const result = shapeFieldValue(field, rendered(text), deployment);

    // Assess
    expect(result).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['text that is not a number', customField('customfield_2', 'Build number', 'number'), 'abc', 'Jira field customfield_2 ("Build number") takes a number, but the value from the template "$build" is "abc" (make the template render a number such as 42 or 42.07)'],
    ['NaN', customField('customfield_2', 'Build number', 'number'), 'NaN', 'takes a number'],
    ['Infinity', customField('customfield_2', 'Build number', 'number'), 'Infinity', 'takes a number'],
    ['a number with a unit', customField('customfield_2', 'Build number', 'number'), '12 MB', 'takes a number'],
    ['an impossible date', customField('customfield_3', 'Day', 'date'), '2024-02-31', 'Jira field customfield_3 ("Day") takes a date, but the value from the template "$build" is "2024-02-31"'],
    ['a time in words', customField('customfield_4', 'Seen', 'datetime'), 'yesterday', 'takes a date and time'],
    ['a cascading select without parent', customField('customfield_6', 'Area', 'option-with-child'), '> CPU', 'cascading select'],
    ['an e-mail for a Cloud user', customField('customfield_20', 'Owner', 'user'), 'ana@acme.com', 'Jira Cloud identifies users by accountId'],
  ] as [string, JiraField, string, string][])('refuses %s, naming the field and the template', (_case, field, text, message) => {
    // Act
    const result = shapeFieldValue(field, rendered(text), 'Cloud', '$build');

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain(message);
  });

  it.each([
    ['a text field', customField('customfield_1', 'Hostname', 'string')],
    ['a number field', customField('customfield_2', 'Count', 'number')],
    ['a multi-select', customField('customfield_7', 'Platforms', 'array', 'option')],
    ['labels', systemField('labels', 'Labels', { type: 'array', items: 'string' })],
  ])('leaves %s out when the template rendered nothing', (_case, field) => {
    // Act
    const result = shapeFieldValue(field, { text: '  ', parts: [] }, 'Cloud');

    // Assess
    expect(result).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['an unknown type as text', customField('customfield_30', 'Odd', 'sd-feedback'), 'x, y', 'x, y', /has the type "sd-feedback", which the bridge does not know/],
    ['a field without schema as text', { id: 'customfield_31', name: 'Legacy', custom: true }, 'x, y', 'x, y', /has no type in Jira's field list/],
    ['a list of an unknown type as strings', customField('customfield_32', 'Things', 'array', 'thing'), 'x, y', ['x', 'y'], /is a list of "thing"/],
  ] as [string, JiraField, string, unknown, RegExp][])('sends %s, with a note', (_case, field, text, value, note) => {
    // Act
    const result = shapeFieldValue(field, rendered(text), 'Cloud');

    // Assess
    expect(result.ok && result.value).toEqual(value);
    expect(result.ok && result.note).toMatch(note);
  });
});
