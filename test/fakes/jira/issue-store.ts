/**
 * Created issues, their keys (PROJ-1, PROJ-2, ... per project) and how Jira shows them back (GET issue, search).
 */
import { renderFieldValue } from './field-values.ts';
import type { FieldCatalogue } from './fields.ts';
import type { FakeIssue, FakeIssueType, FakeProject } from './types.ts';

/** Numeric issue ids start here, like a young Jira site. */
const FIRST_ISSUE_ID = 10_001;

/** Jira's timestamp format: `2024-01-31T12:00:00.000+0000`. */
export const jiraTime = (epochMs: number): string => new Date(epochMs).toISOString().replace('Z', '+0000');

export class IssueStore {
  readonly issues: FakeIssue[] = [];
  readonly #counters = new Map<string, number>();
  readonly #projects = new Map<string, { project: FakeProject; issueType: FakeIssueType }>();
  readonly #apiUrl: string;
  readonly #siteUrl: string;

  constructor(apiUrl: string, siteUrl: string) {
    this.#apiUrl = apiUrl;
    this.#siteUrl = siteUrl;
  }

  create(project: FakeProject, issueType: FakeIssueType, fields: Record<string, unknown>, now: number): FakeIssue {
    const number = (this.#counters.get(project.key) ?? 0) + 1;
    this.#counters.set(project.key, number);
    const id = String(FIRST_ISSUE_ID + this.issues.length);
    const issue: FakeIssue = {
      id,
      key: `${project.key}-${number}`,
      self: `${this.#apiUrl}issue/${id}`,
      projectKey: project.key,
      issueTypeId: issueType.id,
      fields,
      labels: Array.isArray(fields.labels) ? (fields.labels as string[]) : [],
      created: now,
    };
    this.issues.push(issue);
    this.#projects.set(id, { project, issueType });
    return issue;
  }

  /** By numeric id or by key (keys match case-insensitively, as in Jira). */
  find(idOrKey: string): FakeIssue | undefined {
    return this.issues.find((i) => i.id === idOrKey || i.key.toUpperCase() === idOrKey.toUpperCase());
  }

  reset(): void {
    this.issues.length = 0;
    this.#counters.clear();
    this.#projects.clear();
  }

  /** Every field value the issue has, as Jira renders it (`fields` of GET issue). */
  allFields(issue: FakeIssue, catalogue: FieldCatalogue): Record<string, unknown> {
    const { project, issueType } = this.#projects.get(issue.id)!;
    const out: Record<string, unknown> = {};
    for (const field of catalogue.all) out[field.id] = renderFieldValue(field, issue.fields[field.id], this.#apiUrl);
    out.project = {
      self: `${this.#apiUrl}project/${project.id}`,
      id: project.id,
      key: project.key,
      name: project.name ?? project.key,
      projectTypeKey: 'software',
    };
    out.issuetype = {
      self: `${this.#apiUrl}issuetype/${issueType.id}`,
      id: issueType.id,
      name: issueType.name,
      subtask: false,
      iconUrl: `${this.#siteUrl}/images/icons/issuetypes/${issueType.name.toLowerCase()}.png`,
    };
    out.labels = issue.labels;
    for (const multi of ['fixVersions', 'versions', 'components']) out[multi] ??= [];
    out.status = {
      self: `${this.#apiUrl}status/10000`,
      name: 'To Do',
      id: '10000',
      statusCategory: { self: `${this.#apiUrl}statuscategory/2`, id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
    };
    out.created = jiraTime(issue.created);
    out.updated = jiraTime(issue.created);
    return out;
  }

  /**
   * The issue as Jira returns it. `fieldsParam` is Jira's `fields` list (`*all`, `*navigable`, ids, `-id` to
   * exclude); undefined means all fields.
   */
  render(issue: FakeIssue, catalogue: FieldCatalogue, fieldsParam: string[] | undefined): Record<string, unknown> {
    const all = this.allFields(issue, catalogue);
    return { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: issue.id, self: issue.self, key: issue.key, fields: selectFields(all, fieldsParam) };
  }
}

function selectFields(all: Record<string, unknown>, fieldsParam: string[] | undefined): Record<string, unknown> {
  if (fieldsParam === undefined) return all;
  const include = new Set<string>();
  const exclude = new Set<string>();
  let everything = false;
  for (const name of fieldsParam) {
    if (name === '*all' || name === '*navigable') everything = true;
    else if (name.startsWith('-')) exclude.add(name.slice(1));
    else if (name !== '') include.add(name);
  }
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(all)) {
    if ((everything || include.has(id)) && !exclude.has(id)) out[id] = value;
  }
  return out;
}

/** Jira accepts `fields` as repeated params and/or comma-separated values. */
export function parseFieldsParam(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
}
