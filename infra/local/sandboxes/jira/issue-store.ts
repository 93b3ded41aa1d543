/**
 * Created issues, their keys (PROJ-1, PROJ-2, ... per project), their workflow state, and how Jira shows them back
 * (GET issue, search, webhook bodies).
 */
import { commentField } from './comments.ts';
import { PRIORITIES, renderFieldValue } from './field-values.ts';
import type { FieldCatalogue } from './fields.ts';
import { renderLinkType, type IssueLinks } from './issue-links.ts';
import type { UserDirectory, UserRendering } from './users.ts';
import { renderResolution, renderStatus, type Workflow } from './workflow.ts';
import type { FakeIssue, FakeIssueType, FakeProject, FakeUser, JiraDeploymentType } from './types.ts';

/** Numeric issue ids start here, like a young Jira site. */
const FIRST_ISSUE_ID = 10_001;

/** `expand=changelog` on GET issue shows at most this many histories, the most recent (Jira's default). */
export const CHANGELOG_MAX_RESULTS = 100;

/** Jira's timestamp format: `2024-01-31T12:00:00.000+0000`. */
export const jiraTime = (epochMs: number): string => new Date(epochMs).toISOString().replace('Z', '+0000');

export interface IssueStoreContext {
  deployment: JiraDeploymentType;
  apiUrl: string;
  siteUrl: string;
  workflow: Workflow;
  users: UserDirectory;
  links: IssueLinks;
}

/**
 * Fields `*navigable` leaves out: Jira's comment field is not navigable, so searches with their default fields do not
 * carry comments [GUESS: the reference does not list navigable fields].
 */
const NOT_NAVIGABLE = new Set(['comment']);

export class IssueStore {
  readonly issues: FakeIssue[] = [];
  readonly #counters = new Map<string, number>();
  readonly #projects = new Map<string, { project: FakeProject; issueType: FakeIssueType }>();
  readonly #apiUrl: string;
  readonly #siteUrl: string;
  readonly #workflow: Workflow;
  readonly #users: UserDirectory;
  readonly #links: IssueLinks;
  readonly #deployment: JiraDeploymentType;
  #nextId = FIRST_ISSUE_ID;

  constructor(context: IssueStoreContext) {
    this.#deployment = context.deployment;
    this.#links = context.links;
    this.#apiUrl = context.apiUrl;
    this.#siteUrl = context.siteUrl;
    this.#workflow = context.workflow;
    this.#users = context.users;
  }

  /** A new issue in the workflow's initial status, assigned as `fields.assignee` says (if anyone). */
  create(project: FakeProject, issueType: FakeIssueType, fields: Record<string, unknown>, now: number): FakeIssue {
    const id = String(this.#nextId++);
    const issue: FakeIssue = {
      id,
      key: this.#nextKey(project),
      self: `${this.#apiUrl}issue/${id}`,
      projectKey: project.key,
      issueTypeId: issueType.id,
      fields,
      labels: Array.isArray(fields.labels) ? (fields.labels as string[]) : [],
      created: now,
      status: this.#workflow.initial,
      assignee: this.#assigneeOnCreate(fields.assignee),
      resolution: null,
      resolutionDate: null,
      updated: now,
      previousKeys: [],
      comments: [],
      history: [],
    };
    this.issues.push(issue);
    this.#projects.set(id, { project, issueType });
    return issue;
  }

  /** By numeric id, key or a key the issue had before a move (keys match case-insensitively, as in Jira). */
  find(idOrKey: string): FakeIssue | undefined {
    const upper = idOrKey.toUpperCase();
    return this.issues.find((i) => i.id === idOrKey || i.key.toUpperCase() === upper) ?? this.issues.find((i) => i.previousKeys.some((k) => k.toUpperCase() === upper));
  }

  /** Deletes the issue, and its links with it. */
  remove(issue: FakeIssue): void {
    const index = this.issues.indexOf(issue);
    if (index >= 0) this.issues.splice(index, 1);
    this.#links.forget(issue);
  }

  /** Moves the issue to `project` under a new key; it keeps its id, and its issue type when the project has it. */
  move(issue: FakeIssue, project: FakeProject): void {
    const current = this.#projects.get(issue.id)!;
    const issueType = project.issueTypes.find((t) => t.id === current.issueType.id) ?? project.issueTypes[0]!;
    issue.previousKeys.push(issue.key);
    issue.key = this.#nextKey(project);
    issue.projectKey = project.key;
    issue.issueTypeId = issueType.id;
    this.#projects.set(issue.id, { project, issueType });
  }

  projectOf(issue: FakeIssue): FakeProject {
    return this.#projects.get(issue.id)!.project;
  }

  reset(): void {
    this.issues.length = 0;
    this.#counters.clear();
    this.#projects.clear();
    this.#nextId = FIRST_ISSUE_ID;
  }

  /**
   * Every field value the issue has, as Jira renders it (`fields` of GET issue). In webhook bodies user-valued
   * fields carry no e-mail on Cloud; `viewer` sees their own hidden e-mail in REST answers.
   */
  allFields(issue: FakeIssue, catalogue: FieldCatalogue, rendering: UserRendering = 'rest', viewer?: FakeUser): Record<string, unknown> {
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
    out.issuetype = this.#issueType(issueType);
    out.labels = issue.labels;
    for (const multi of ['fixVersions', 'versions', 'components']) out[multi] ??= [];
    out.status = renderStatus(issue.status, this.#apiUrl, this.#siteUrl);
    out.assignee = issue.assignee ? this.#users.render(issue.assignee, rendering, viewer) : null;
    out.resolution = issue.resolution ? renderResolution(issue.resolution, this.#apiUrl) : null;
    out.resolutiondate = issue.resolutionDate === null ? null : jiraTime(issue.resolutionDate);
    out.created = jiraTime(issue.created);
    out.updated = jiraTime(issue.updated);
    out.comment = commentField(issue, { deployment: this.#deployment, apiUrl: this.#apiUrl, users: this.#users }, rendering, viewer);
    out.issuelinks = this.#issueLinks(issue);
    return out;
  }

  /**
   * `fields.issuelinks`: each link seen from this issue, oldest first. The other end is `outwardIssue` when this issue
   * is the source and `inwardIssue` when it is the destination (`issue-links.ts`), with the key fields of the spec's
   * `Fields` (summary, status, priority when set, issuetype; the spec's examples spell it `issuetype`).
   */
  #issueLinks(issue: FakeIssue): Record<string, unknown>[] {
    return this.#links.of(issue).flatMap((link) => {
      const outward = link.sourceId === issue.id;
      const other = this.issues.find((i) => i.id === (outward ? link.destinationId : link.sourceId));
      if (!other) return [];
      return [{ id: link.id, self: `${this.#apiUrl}issueLink/${link.id}`, type: renderLinkType(link.type, this.#apiUrl), [outward ? 'outwardIssue' : 'inwardIssue']: this.#linkedIssue(other) }];
    });
  }

  #linkedIssue(issue: FakeIssue): Record<string, unknown> {
    const { issueType } = this.#projects.get(issue.id)!;
    const priority = issue.fields.priority as { id?: unknown; name?: unknown } | undefined;
    const rendered = priority ? PRIORITIES.find((p) => p.id === priority.id || p.name === priority.name) : undefined;
    return {
      id: issue.id,
      key: issue.key,
      self: `${this.#apiUrl}issue/${issue.id}`,
      fields: {
        summary: issue.fields.summary,
        status: renderStatus(issue.status, this.#apiUrl, this.#siteUrl),
        ...(rendered ? { priority: { self: `${this.#apiUrl}priority/${rendered.id}`, ...rendered } } : {}),
        issuetype: this.#issueType(issueType),
      },
    };
  }

  #issueType(issueType: FakeIssueType): Record<string, unknown> {
    return {
      self: `${this.#apiUrl}issuetype/${issueType.id}`,
      id: issueType.id,
      name: issueType.name,
      subtask: false,
      iconUrl: `${this.#siteUrl}/images/icons/issuetypes/${issueType.name.toLowerCase()}.png`,
    };
  }

  #nextKey(project: FakeProject): string {
    const number = (this.#counters.get(project.key) ?? 0) + 1;
    this.#counters.set(project.key, number);
    return `${project.key}-${number}`;
  }

  /** A known user, or (for a name/accountId the site does not know) a stand-in so the issue still shows it. */
  #assigneeOnCreate(value: unknown): FakeUser | null {
    if (typeof value !== 'object' || value === null) return null;
    const ref = value as { accountId?: unknown; id?: unknown; name?: unknown; key?: unknown };
    const id = [ref.accountId, ref.id, ref.name, ref.key].find((v): v is string => typeof v === 'string' && v !== '');
    if (id === undefined || id === '-1') return null;
    return this.#users.resolve(id) ?? { ...(typeof ref.name === 'string' ? { name: ref.name, key: ref.name } : { accountId: id }), displayName: id, active: true };
  }

  /**
   * The issue as Jira returns it. `fieldsParam` is Jira's `fields` list (`*all`, `*navigable`, ids, `-id` to
   * exclude); undefined means all fields. `expand` is Jira's expand list; of its options only `changelog` is
   * answered (the others are left out, as if not asked).
   */
  render(issue: FakeIssue, catalogue: FieldCatalogue, fieldsParam: string[] | undefined, viewer?: FakeUser, expand: string[] = []): Record<string, unknown> {
    const all = this.allFields(issue, catalogue, 'rest', viewer);
    return {
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: issue.id,
      self: issue.self,
      key: issue.key,
      fields: selectFields(all, fieldsParam),
      ...(expand.includes('changelog') ? { changelog: this.changelog(issue, viewer) } : {}),
    };
  }

  /**
   * `changelog` of `expand=changelog` (the `PageOfChangelogs` schema): the most recent histories first, at most
   * {@link CHANGELOG_MAX_RESULTS}; `total` counts them all, `maxResults` those on the page (as Jira's answers show:
   * a client sees `total > maxResults` when older ones were left out). Authors are rendered as in other REST answers.
   */
  changelog(issue: FakeIssue, viewer?: FakeUser): Record<string, unknown> {
    const recent = issue.history.slice(-CHANGELOG_MAX_RESULTS).reverse();
    return {
      startAt: 0,
      maxResults: recent.length,
      total: issue.history.length,
      histories: recent.map((history) => ({
        id: history.id,
        author: this.#users.render(history.author, 'rest', viewer),
        created: jiraTime(history.created),
        items: history.items,
      })),
    };
  }
}

function selectFields(all: Record<string, unknown>, fieldsParam: string[] | undefined): Record<string, unknown> {
  if (fieldsParam === undefined) return all;
  const include = new Set<string>();
  const exclude = new Set<string>();
  let everything = false;
  let navigable = false;
  for (const name of fieldsParam) {
    if (name === '*all') everything = true;
    else if (name === '*navigable') navigable = true;
    else if (name.startsWith('-')) exclude.add(name.slice(1));
    else if (name !== '') include.add(name);
  }
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(all)) {
    const wanted = everything || include.has(id) || (navigable && !NOT_NAVIGABLE.has(id));
    if (wanted && !exclude.has(id)) out[id] = value;
  }
  return out;
}

/** Jira accepts `fields` as repeated params and/or comma-separated values. */
export function parseFieldsParam(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** `expand` is a comma-separated list (repeated params are folded in too); absent = nothing expanded. */
export const parseExpandParam = (value: unknown): string[] => parseFieldsParam(value) ?? [];
