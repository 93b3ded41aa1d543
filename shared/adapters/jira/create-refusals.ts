/**
 * Jira's refusals of creating an issue and of searching for one by its dedupe label, written for the admin: which
 * field, Jira's own words, and the config setting (or Jira permission) that fixes it.
 */
import type { JiraField } from '../../domain/model/jira.ts';
import type { HttpFailure } from '../http/http-failure.ts';
import { errorCollection, isLoginLockout, jiraSaid, type JiraFailureContext } from './jira-failures.ts';

/**
 * A 400 on create lists each refused field as `<field id> (<field name>): <Jira's words>` with the setting that
 * fixes it. Jira keys `errors` by field id; names come from `GET /field`.
 */
export function explainCreateRefusal(body: unknown, fields: JiraField[], projectKey: string, status: number): string {
  const { errorMessages, errors } = errorCollection(body);
  const names = new Map(fields.map((field) => [field.id, field.name]));
  const problems = [
    ...Object.entries(errors).map(([id, words]) => {
      const name = names.get(id);
      return `${id}${name ? ` (${name})` : ''}: ${words} -> ${fieldHint(id, name, words, projectKey)}`;
    }),
    ...errorMessages.map((words) => `${words} -> ${messageHint(words, projectKey)}`),
  ];
  const listed = problems.length > 0 ? problems.join('; ') : 'no reason given';
  const kind = status === 422 ? 'the project configuration (HTTP 422)' : `HTTP ${status}`;
  return `Jira refused to create the issue in project ${projectKey} (${kind}): ${listed}`;
}

export function explainCreateForbidden(projectKey: string, context: JiraFailureContext, body: unknown): string {
  return `Jira refused to create the issue (HTTP 403): the Jira user (${context.credentials}) needs Browse Projects + Create Issues in ${projectKey}${jiraSaid(body)}`;
}

export function explainSearchRefusal(failure: HttpFailure, projectKey: string, jql: string, context: JiraFailureContext): string | undefined {
  const said = jiraSaid(failure.body);
  if (failure.status === 400) {
    return `Jira refused the search ${jql} (HTTP 400): check jira.projectKey (${projectKey} must exist and be visible to the Jira user) and jira.dedupeLabel${said}`;
  }
  if (failure.status === 403 && !isLoginLockout(failure)) {
    return `Jira refused the search (HTTP 403): the Jira user (${context.credentials}) needs Browse Projects in ${projectKey}${said}`;
  }
  if (failure.status === 410) {
    return `Jira no longer serves ${failure.url} (HTTP 410): this site behaves like Jira Cloud; check jira.apiUrl${said}`;
  }
  return undefined;
}

function fieldHint(id: string, name: string | undefined, words: string, projectKey: string): string {
  const label = name ?? id;
  if (/not on the appropriate screen|cannot be set/i.test(words)) {
    const screen = `add "${label}" to the create screen of ${projectKey} in Jira`;
    if (id === 'labels') return `${screen}, or point jira.fieldMapping.labels at a labels field on that screen`;
    if (id === 'description') return `${screen}, or point jira.fieldMapping.mainBody at a text field on that screen`;
    return `${screen}, or remove it from jira.customFields (or point jira.fieldMapping at a field on that screen)`;
  }
  switch (id) {
    case 'project':
      return `check jira.projectKey (${projectKey} must exist and the Jira user must be able to create issues in it)`;
    case 'issuetype':
      return `check jira.issueType (it must be an issue type of project ${projectKey})`;
    case 'summary':
      return 'check jira.subject (the template must render a non-empty single line under 255 characters)';
    case 'labels':
      return 'check jira.fieldMapping.labels and jira.labels (labels cannot contain spaces)';
    case 'description':
      return 'check jira.fieldMapping.mainBody';
  }
  if (/required/i.test(words)) return `give "${label}" a value in jira.customFields, e.g. "${label}": "$attribute"`;
  if (/unknown/i.test(words)) return `remove "${label}" from jira.customFields, or create the field in Jira`;
  return `check the template for "${label}" in jira.customFields (or jira.fieldMapping): its value does not suit the field`;
}

function messageHint(words: string, projectKey: string): string {
  const required = /Field '([^']+)' is required/i.exec(words);
  if (required) return `give "${required[1]}" a value in jira.customFields`;
  // Jira also answers a create with 400 when the user may not create issues there (reference section 1.4).
  if (/permission/i.test(words)) return `the Jira user of jira.auth needs the Browse Projects and Create Issues permissions in ${projectKey}`;
  return `check jira.projectKey (${projectKey}), jira.issueType and jira.customFields`;
}
