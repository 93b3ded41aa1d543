/**
 * {@link IssueTracker} in memory: a Jira project with a three-status workflow (To Do, In Progress, Done; every status
 * reachable from every other, Done asking for a resolution), users, and the issues the bridge creates. Enough to
 * drive the use-cases through each branch in milliseconds; the real Jira dialects are the sandbox's job
 * (infra/local/sandboxes/jira). `calls` logs every call as `<method> <issue>`.
 */
import type { IssueRef, JiraDeployment, JiraField, JiraHistoryEntry, JiraIssueState, JiraStatus, JiraTransition, JiraUser, JiraUserRef } from '../../../shared/domain/model/jira.ts';
import { PermanentError } from '../../../shared/ports/errors.ts';
import type { IssueTracker, JiraComment } from '../../../shared/ports/issue-tracker.ts';
import type { Clock } from '../../../shared/ports/clock.ts';

export const TO_DO: JiraStatus = { id: '10000', name: 'To Do', categoryKey: 'new' };
export const IN_PROGRESS: JiraStatus = { id: '3', name: 'In Progress', categoryKey: 'indeterminate' };
export const DONE: JiraStatus = { id: '10001', name: 'Done', categoryKey: 'done' };
export const STATUSES = [TO_DO, IN_PROGRESS, DONE];

export const BOT: JiraUser = { accountId: 'bot-0001', displayName: 'Backtrace Bridge', active: true };
export const ANA: JiraUser = { accountId: 'ana-0002', displayName: 'Ana', emailAddress: 'ana@acme.com', active: true };
export const BEN: JiraUser = { accountId: 'ben-0003', displayName: 'Ben', emailAddress: 'ben@acme.com', active: true };

export interface MemoryIssue {
  id: string;
  key: string;
  projectKey: string;
  status: JiraStatus;
  assignee: JiraUser | null;
  resolution: { id: string; name: string } | null;
  createdAt: number;
  updatedAt: number;
  labels: string[];
  fields: Record<string, unknown>;
  /** Status and assignee changes after creation, oldest first, with their author. */
  history: JiraHistoryEntry[];
  /** Version names per version field id (`fixVersions`, or a version picker's id). */
  versions: Record<string, string[]>;
  comments: JiraComment[];
  /** Keys of the issues this one "relates to". */
  links: string[];
}

const DEFAULT_FIELDS: JiraField[] = [
  { id: 'summary', name: 'Summary', custom: false, schema: { type: 'string', system: 'summary' } },
  { id: 'description', name: 'Description', custom: false, schema: { type: 'string', system: 'description' } },
  { id: 'labels', name: 'Labels', custom: false, schema: { type: 'array', items: 'string', system: 'labels' } },
  { id: 'issuetype', name: 'Issue Type', custom: false, schema: { type: 'issuetype', system: 'issuetype' } },
  { id: 'project', name: 'Project', custom: false, schema: { type: 'project', system: 'project' } },
  { id: 'fixVersions', name: 'Fix versions', custom: false, schema: { type: 'array', items: 'version', system: 'fixVersions' } },
];

const FIXED = { id: '1', name: 'Fixed' };

export class InMemoryJira implements IssueTracker {
  readonly issues = new Map<string, MemoryIssue>();
  readonly calls: string[] = [];
  deployment: JiraDeployment = 'Cloud';
  self: JiraUser = BOT;
  users: JiraUser[] = [BOT, ANA, BEN];
  fields: JiraField[] = DEFAULT_FIELDS;
  /** An error the next call of that method throws instead of answering. */
  readonly failNext = new Map<keyof IssueTracker, Error>();
  #next = 1;

  constructor(readonly clock: Clock, readonly site = 'https://acme.atlassian.net') {}

  /** An issue that exists in Jira (made by a person, or by the bridge before a crash). */
  addIssue(issue: Partial<MemoryIssue> & { projectKey?: string } = {}): MemoryIssue {
    const n = this.#next++;
    const projectKey = issue.projectKey ?? 'CRASH';
    const now = this.clock.now();
    const stored: MemoryIssue = { id: String(10000 + n), key: `${projectKey}-${n}`, projectKey, status: TO_DO, assignee: null, resolution: null, createdAt: now, updatedAt: now, labels: [], fields: {}, history: [], versions: {}, comments: [], links: [], ...issue };
    this.issues.set(stored.id, stored);
    return stored;
  }

  /** A person moves the issue (no webhook here: the test decides what the bridge is told). */
  personMoves(idOrKey: string, status: JiraStatus, person: JiraUser = ANA): void {
    const issue = this.#find(idOrKey);
    issue.status = status;
    issue.resolution = status.categoryKey === 'done' ? FIXED : null;
    this.#changed(issue, person, 'status');
  }

  personAssigns(idOrKey: string, user: JiraUser | null, person: JiraUser = ANA): void {
    const issue = this.#find(idOrKey);
    issue.assignee = user;
    this.#changed(issue, person, 'assignee');
  }

  /** A person sets the issue's Fix Versions (or a version picker's, by field id). */
  personSetsVersions(idOrKey: string, names: string[], field = 'fixVersions', person: JiraUser = ANA): void {
    const issue = this.#find(idOrKey);
    issue.versions[field] = [...names];
    issue.updatedAt = this.clock.now();
    issue.history.push({ at: issue.updatedAt, author: { ...person }, fields: [] });
  }

  issue(idOrKey: string): MemoryIssue {
    return this.#find(idOrKey);
  }

  /** Calls of one method, e.g. `callsTo('transition')`. */
  callsTo(method: keyof IssueTracker): string[] {
    return this.calls.filter((call) => call === method || call.startsWith(`${method} `));
  }

  /** The calls that change Jira. */
  writes(): string[] {
    return this.calls.filter((call) => /^(createIssue|transition|assign|addComment|linkIssues)\b/.test(call));
  }

  async deploymentType(): Promise<JiraDeployment> {
    this.#call('deploymentType');
    return this.deployment;
  }

  async listFields(): Promise<JiraField[]> {
    this.#call('listFields');
    return structuredClone(this.fields);
  }

  async createIssue(fields: Record<string, unknown>): Promise<IssueRef> {
    this.#call('createIssue');
    const project = (fields.project as { key?: string } | undefined)?.key ?? 'CRASH';
    const issue = this.addIssue({ projectKey: project, labels: Array.isArray(fields.labels) ? (fields.labels as string[]) : [], fields: structuredClone(fields) });
    return { id: issue.id, key: issue.key, url: `${this.site}/browse/${issue.key}` };
  }

  async findIssuesByLabel(projectKey: string, label: string, labelsFieldId = 'labels'): Promise<IssueRef[]> {
    this.#call('findIssuesByLabel', label);
    return [...this.issues.values()]
      .filter((issue) => issue.projectKey === projectKey && (labelsFieldId === 'labels' ? issue.labels : ((issue.fields[labelsFieldId] as string[] | undefined) ?? [])).includes(label))
      .map((issue) => ({ id: issue.id, key: issue.key, url: `${this.site}/browse/${issue.key}` }));
  }

  async myself(): Promise<JiraUser> {
    this.#call('myself');
    return { ...this.self };
  }

  async getIssueState(idOrKey: string, options?: { changelog?: boolean; versionField?: string }): Promise<JiraIssueState> {
    this.#call('getIssueState', idOrKey);
    const issue = this.#find(idOrKey);
    return {
      id: issue.id,
      key: issue.key,
      projectKey: issue.projectKey,
      status: { ...issue.status },
      assignee: issue.assignee && { ...issue.assignee },
      resolution: issue.resolution,
      createdAt: issue.createdAt,
      updatedAt: issue.updatedAt,
      ...(options?.changelog ? { history: structuredClone(issue.history).filter((entry) => entry.fields.length > 0).reverse() } : {}),
      ...(options?.versionField ? { fixVersions: [...(issue.versions[options.versionField] ?? [])].sort(), summary: String(issue.fields.summary ?? '') } : {}),
    };
  }

  async addComment(idOrKey: string, body: string): Promise<void> {
    this.#call('addComment', idOrKey);
    const issue = this.#find(idOrKey);
    issue.comments.push({ id: String(issue.comments.length + 1), body, author: { ...this.self } });
  }

  async listComments(idOrKey: string): Promise<JiraComment[]> {
    this.#call('listComments', idOrKey);
    return structuredClone(this.#find(idOrKey).comments);
  }

  async linkIssues(type: string, outwardKey: string, inwardKey: string): Promise<void> {
    this.#call('linkIssues', `${type} ${outwardKey} ${inwardKey}`);
    const outward = this.#find(outwardKey);
    this.#find(inwardKey);
    outward.links.push(inwardKey);
  }

  async listTransitions(idOrKey: string): Promise<JiraTransition[]> {
    this.#call('listTransitions', idOrKey);
    const issue = this.#find(idOrKey);
    return STATUSES.filter((status) => status.id !== issue.status.id).map((status) => ({
      id: `t-${status.id}`,
      name: `Move to ${status.name}`,
      to: { ...status },
      ...(status.categoryKey === 'done' ? { resolution: { required: true, allowedValues: [FIXED] } } : {}),
    }));
  }

  async transition(idOrKey: string, transitionId: string, options?: { resolution?: { name: string } | { id: string } }): Promise<void> {
    this.#call('transition', `${idOrKey} ${transitionId}`);
    const issue = this.#find(idOrKey);
    const to = STATUSES.find((status) => `t-${status.id}` === transitionId && status.id !== issue.status.id);
    if (!to) throw new PermanentError(`Transition id '${transitionId}' is not valid for this issue`);
    if (to.categoryKey === 'done' && !options?.resolution) throw new PermanentError('Resolution is required');
    issue.status = to;
    issue.resolution = to.categoryKey === 'done' ? FIXED : null;
    this.#changed(issue, this.self, 'status');
  }

  async assign(idOrKey: string, user: JiraUserRef | null): Promise<void> {
    this.#call('assign', `${idOrKey} ${user === null ? 'nobody' : 'accountId' in user ? user.accountId : user.name}`);
    const issue = this.#find(idOrKey);
    const found = user === null ? null : this.users.find((candidate) => ('accountId' in user ? candidate.accountId === user.accountId : candidate.name === user.name));
    if (found === undefined) throw new PermanentError('User cannot be assigned issues');
    issue.assignee = found;
    this.#changed(issue, this.self, 'assignee');
  }

  async findUsersByEmail(email: string): Promise<JiraUser[]> {
    this.#call('findUsersByEmail', email);
    return this.users.filter((user) => user.emailAddress?.toLowerCase() === email.toLowerCase()).map((user) => ({ ...user }));
  }

  #changed(issue: MemoryIssue, author: JiraUser, field: 'status' | 'assignee'): void {
    issue.updatedAt = this.clock.now();
    issue.history.push({ at: issue.updatedAt, author: { ...author }, fields: [field] });
  }

  #call(method: keyof IssueTracker, detail?: string): void {
    this.calls.push(detail === undefined ? method : `${method} ${detail}`);
    const failure = this.failNext.get(method);
    if (failure) {
      this.failNext.delete(method);
      throw failure;
    }
  }

  #find(idOrKey: string): MemoryIssue {
    const issue = this.issues.get(idOrKey) ?? [...this.issues.values()].find((candidate) => candidate.key === idOrKey);
    if (!issue) throw new PermanentError(`Jira answered 404 for issue ${idOrKey}: Issue does not exist or you do not have permission to see it`, { status: 404 });
    return issue;
  }
}
