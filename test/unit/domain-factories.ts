/**
 * Factories for the pure domain tests: the documented Backtrace webhook sample (infra/local/sample-backtrace-group.json,
 * a copy of /shared/fixtures/backtrace/webhook-group-sample.json) and Jira field catalogue entries.
 */
import { readFileSync } from 'node:fs';
import { parseBacktraceGroup, type BacktraceGroup } from '../../shared/domain/backtrace-group.ts';
import type { JiraField } from '../../shared/domain/model/jira.ts';

const sampleText = readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8');

/** The raw sample body, a fresh copy each call. */
export function sampleBody(): Record<string, unknown> {
  return JSON.parse(sampleText) as Record<string, unknown>;
}

/** The sample group, parsed, with top-level fields replaced by `overrides` (`undefined` removes a field). */
export function sampleGroup(overrides: Record<string, unknown> = {}): BacktraceGroup {
  const body = { ...sampleBody(), ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete body[key];
  const parsed = parseBacktraceGroup(body);
  if (!parsed.ok) throw new Error(`factory produced an invalid group: ${parsed.problems.join('; ')}`);
  return parsed.group;
}

export function systemField(id: string, name: string, schema: JiraField['schema']): JiraField {
  return { id, name, custom: false, schema: schema && { ...schema, system: id } };
}

const CUSTOM = 'com.atlassian.jira.plugin.system.customfieldtypes:';

export function customField(id: string, name: string, type: string, items?: string, customType?: string): JiraField {
  return {
    id,
    name,
    custom: true,
    schema: { type, ...(items === undefined ? {} : { items }), custom: `${CUSTOM}${customType ?? 'textfield'}` },
  };
}

/** A Jira field catalogue like `GET /rest/api/2/field` on a Cloud site with a few custom fields. */
export function jiraFields(): JiraField[] {
  return [
    systemField('summary', 'Summary', { type: 'string' }),
    systemField('description', 'Description', { type: 'string' }),
    systemField('environment', 'Environment', { type: 'string' }),
    systemField('labels', 'Labels', { type: 'array', items: 'string' }),
    systemField('project', 'Project', { type: 'project' }),
    systemField('issuetype', 'Issue Type', { type: 'issuetype' }),
    systemField('fixVersions', 'Fix versions', { type: 'array', items: 'version' }),
    systemField('components', 'Components', { type: 'array', items: 'component' }),
    systemField('assignee', 'Assignee', { type: 'user' }),
    systemField('priority', 'Priority', { type: 'priority' }),
    customField('customfield_10050', 'Hostname', 'string'),
    customField('customfield_10051', 'Severity', 'option', undefined, 'select'),
    customField('customfield_10052', 'Platforms', 'array', 'option', 'multiselect'),
    customField('customfield_10053', 'Occurrences', 'number', undefined, 'float'),
    customField('customfield_10054', 'Crash tags', 'array', 'string', 'labels'),
    customField('customfield_10055', 'Team', 'string'),
    customField('customfield_10056', 'team', 'option', undefined, 'select'),
    customField('customfield_10057', 'First seen', 'datetime', undefined, 'datetime'),
    customField('customfield_10058', 'Crash notes', 'string', undefined, 'textarea'),
  ];
}
