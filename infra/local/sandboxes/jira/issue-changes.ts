/**
 * Every change to an existing issue goes through here, whoever makes it (a REST client, the bridge itself, or a test
 * acting as a person in the UI): the issue is changed, `updated` moves forward, the changelog items are written
 * as Jira writes them (reference section 6.2), the change is kept in the issue's history (what `expand=changelog`
 * shows, with the same id, items and time as the webhook), and the event is handed to the webhooks.
 */
import { fieldChangeItems, userItem } from './changelog-items.ts';
import type { FieldDef } from './fields.ts';
import type { IssueStore } from './issue-store.ts';
import type { UserDirectory } from './users.ts';
import type { Workflow } from './workflow.ts';
import type { ChangelogItem, FakeComment, FakeIssue, FakeProject, FakeResolution, FakeTransitionDef, FakeUser, JiraDeploymentType } from './types.ts';

export type IssueComment = FakeComment;

/** One field's new value in an edit: for `assignee` a {@link FakeUser} or null, for version fields the versions. */
export interface FieldEdit {
  field: FieldDef;
  value: unknown;
}

/** What happened, captured at the moment it happened (webhook bodies are rendered from it right away). */
export interface IssueEvent {
  webhookEvent: 'jira:issue_created' | 'jira:issue_updated' | 'jira:issue_deleted' | 'comment_created';
  /** `issue_event_type_name`. */
  eventType: string;
  issue: FakeIssue;
  user: FakeUser;
  /** Epoch ms: the webhook `timestamp`, and the issue's `updated` for changes. */
  at: number;
  changelog?: { id: string; items: ChangelogItem[] };
  comment?: IssueComment;
}

export type EventSink = (event: IssueEvent) => void;

const FIRST_CHANGELOG_ID = 10_100;
const FIRST_COMMENT_ID = 10_000;

export class IssueChanges {
  readonly #deployment: JiraDeploymentType;
  readonly #store: IssueStore;
  readonly #workflow: Workflow;
  readonly #users: UserDirectory;
  readonly #emit: EventSink;
  #nextChangelogId = FIRST_CHANGELOG_ID;
  #nextCommentId = FIRST_COMMENT_ID;

  readonly #apiUrl: string;

  constructor(context: { deployment: JiraDeploymentType; apiUrl: string; store: IssueStore; workflow: Workflow; users: UserDirectory; emit: EventSink }) {
    this.#deployment = context.deployment;
    this.#apiUrl = context.apiUrl;
    this.#store = context.store;
    this.#workflow = context.workflow;
    this.#users = context.users;
    this.#emit = context.emit;
  }

  reset(): void {
    this.#nextChangelogId = FIRST_CHANGELOG_ID;
    this.#nextCommentId = FIRST_COMMENT_ID;
  }

  /**
   * Announces a new issue. Cloud sends a creation changelog (one item per field set, `"field": "Status"`
   * capitalised, as real captures show); Server sends none. Creation is not a history entry: REST histories start
   * after it.
   */
  created(issue: FakeIssue, actor: FakeUser): void {
    const items: ChangelogItem[] = [];
    if (issue.assignee) items.push(this.#assigneeItem(null, issue.assignee));
    items.push({ field: 'Status', fieldtype: 'jira', fieldId: 'status', from: null, fromString: null, to: issue.status.id, toString: issue.status.name });
    this.#emit({
      webhookEvent: 'jira:issue_created',
      eventType: 'issue_created',
      issue,
      user: actor,
      at: issue.created,
      ...(this.#deployment === 'Cloud' ? { changelog: this.#changelog(items) } : {}),
    });
  }

  /** Moves the issue along `transition`: resolution given, else set by a post-function; leaving done clears it. */
  transition(issue: FakeIssue, transition: FakeTransitionDef, resolution: FakeResolution | undefined, actor: FakeUser, now: number): void {
    const from = issue.status;
    const to = this.#workflow.status(transition.to)!;
    const before = issue.resolution;
    let after: FakeResolution | null;
    if (to.category === 'done') {
      after = resolution ?? (transition.setsResolution ? this.#workflow.resolution({ name: transition.setsResolution })! : before);
    } else {
      after = null;
    }
    issue.status = to;
    issue.resolution = after;
    const at = this.#touch(issue, now);
    if (after?.id !== before?.id) issue.resolutionDate = after ? at : null;
    const items: ChangelogItem[] = [];
    if (after?.id !== before?.id) {
      items.push({ field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: before?.id ?? null, fromString: before?.name ?? null, to: after?.id ?? null, toString: after?.name ?? null });
    }
    items.push({ field: 'status', fieldtype: 'jira', fieldId: 'status', from: from.id, fromString: from.name, to: to.id, toString: to.name });
    this.#emit({ webhookEvent: 'jira:issue_updated', eventType: transition.eventType ?? 'issue_generic', issue, user: actor, at, changelog: this.#record(issue, actor, at, items) });
  }

  /** Assigns (or with null unassigns). Assigning the current assignee again changes nothing and announces nothing. */
  assign(issue: FakeIssue, user: FakeUser | null, actor: FakeUser, now: number): void {
    const before = issue.assignee;
    if (before === user || (before && user && this.#users.changelogId(before) === this.#users.changelogId(user))) return;
    issue.assignee = user;
    const at = this.#touch(issue, now);
    this.#emit({ webhookEvent: 'jira:issue_updated', eventType: 'issue_assigned', issue, user: actor, at, changelog: this.#record(issue, actor, at, [this.#assigneeItem(before, user)]) });
  }

  /**
   * Edits fields (`PUT issue`, or a person in the UI): one history entry with every field's items, announced as
   * `jira:issue_updated` (`issue_updated`). An edit that changes nothing writes nothing and announces nothing [GUESS:
   * as re-assigning the same person; the reference does not say what Jira does on an edit without changes].
   */
  edit(issue: FakeIssue, edits: FieldEdit[], actor: FakeUser, now: number): void {
    const context = { deployment: this.#deployment, users: this.#users, apiUrl: this.#apiUrl };
    const items = edits.flatMap(({ field, value }) => fieldChangeItems(field, this.#current(issue, field), value, context));
    if (items.length === 0) return;
    for (const { field, value } of edits) {
      if (field.id === 'assignee') issue.assignee = value as FakeUser | null;
      else if (field.id === 'labels') {
        issue.labels = (value ?? []) as string[];
        issue.fields.labels = issue.labels;
      } else issue.fields[field.id] = value;
    }
    const at = this.#touch(issue, now);
    this.#emit({ webhookEvent: 'jira:issue_updated', eventType: 'issue_updated', issue, user: actor, at, changelog: this.#record(issue, actor, at, items) });
  }

  /** A comment: Jira announces it as an issue update (`issue_commented`, no changelog) and as `comment_created`. */
  comment(issue: FakeIssue, body: string, actor: FakeUser, now: number, visibility?: IssueComment['visibility']): IssueComment {
    const at = this.#touch(issue, now);
    const comment: IssueComment = { id: String(this.#nextCommentId++), author: actor, body, created: at, ...(visibility ? { visibility } : {}) };
    issue.comments.push(comment);
    this.#emit({ webhookEvent: 'jira:issue_updated', eventType: 'issue_commented', issue, user: actor, at, comment });
    this.#emit({ webhookEvent: 'comment_created', eventType: 'comment_created', issue, user: actor, at, comment });
    return comment;
  }

  /** Deletes the issue; the webhook shows it as it was, without a changelog. */
  delete(issue: FakeIssue, actor: FakeUser, now: number): void {
    const at = Math.max(now, issue.updated + 1);
    this.#emit({ webhookEvent: 'jira:issue_deleted', eventType: 'issue_deleted', issue, user: actor, at });
    this.#store.remove(issue);
  }

  /** Moves the issue to another project: new key, same id (the changelog names both keys and projects). */
  move(issue: FakeIssue, project: FakeProject, actor: FakeUser, now: number): void {
    const oldKey = issue.key;
    const oldProject = this.#store.projectOf(issue);
    this.#store.move(issue, project);
    const at = this.#touch(issue, now);
    const items: ChangelogItem[] = [
      { field: 'project', fieldtype: 'jira', fieldId: 'project', from: oldProject.id, fromString: oldProject.name ?? oldProject.key, to: project.id, toString: project.name ?? project.key },
      { field: 'Key', fieldtype: 'jira', fieldId: 'issuekey', from: null, fromString: oldKey, to: null, toString: issue.key },
    ];
    this.#emit({ webhookEvent: 'jira:issue_updated', eventType: 'issue_moved', issue, user: actor, at, changelog: this.#record(issue, actor, at, items) });
  }

  /** `updated` moves strictly forward, so two changes within one millisecond still order. */
  #touch(issue: FakeIssue, now: number): number {
    issue.updated = Math.max(now, issue.updated + 1);
    return issue.updated;
  }

  #changelog(items: ChangelogItem[]): { id: string; items: ChangelogItem[] } {
    return { id: String(this.#nextChangelogId++), items };
  }

  /**
   * A change after creation: a changelog for the webhook, and the same id, items (copied, so a test that edits a
   * delivery body cannot rewrite history) and time in the issue's history, by `actor`.
   */
  #record(issue: FakeIssue, actor: FakeUser, at: number, items: ChangelogItem[]): { id: string; items: ChangelogItem[] } {
    const changelog = this.#changelog(items);
    issue.history.push({ id: changelog.id, author: actor, created: at, items: items.map((item) => ({ ...item })) });
    return changelog;
  }

  /** The field's value before an edit, where the issue keeps it. */
  #current(issue: FakeIssue, field: FieldDef): unknown {
    if (field.id === 'assignee') return issue.assignee;
    if (field.id === 'labels') return issue.labels;
    return issue.fields[field.id];
  }

  #assigneeItem(before: FakeUser | null, after: FakeUser | null): ChangelogItem {
    return userItem({ field: 'assignee', fieldtype: 'jira', fieldId: 'assignee' }, before, after, { deployment: this.#deployment, users: this.#users });
  }
}
