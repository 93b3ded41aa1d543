/**
 * What the bridge needs from Jira (REST API v2), and nothing more: the narrow interface keeps the core drivable
 * end to end against a sandbox. Implemented by `shared/adapters/jira/`.
 *
 * Every method throws only {@link RetryableError} (429, 5xx, timeouts, connection errors, after the adapter's own
 * short in-process retries) or {@link PermanentError} (anything a retry cannot fix; the message names the Jira field,
 * Jira's own words and the config setting that fixes it).
 */
import type { IssueRef, JiraDeployment, JiraField, JiraIssueState, JiraTransition, JiraUser, JiraUserRef } from '../domain/model/jira.ts';
import type { PermanentError, RetryableError } from './errors.ts';

export interface IssueTracker {
  /** `GET /rest/api/2/serverInfo` `deploymentType`, cached for the life of the adapter. */
  deploymentType(): Promise<JiraDeployment>;
  /** `GET /rest/api/2/field`, cached for the life of the adapter (one container). */
  listFields(): Promise<JiraField[]>;
  /** `POST /rest/api/2/issue` with `{ fields }` already shaped. Not idempotent: callers hold a claim first. */
  createIssue(fields: Record<string, unknown>): Promise<IssueRef>;
  /**
   * Issues in `projectKey` carrying `label` in the labels field `labelsFieldId` (default `labels`; a custom labels
   * field such as `customfield_10011` is searched as `cf[10011]`), oldest first. Cloud: `POST /rest/api/2/search/jql`;
   * Data Center: `POST /rest/api/2/search`. Cloud search is eventually consistent: a just-created issue can be missing.
   */
  findIssuesByLabel(projectKey: string, label: string, labelsFieldId?: string): Promise<IssueRef[]>;
  /** `GET /rest/api/2/myself`: the integration's own Jira account (to recognise our own webhook echoes). Cached. */
  myself(): Promise<JiraUser>;
  /**
   * `GET /rest/api/2/issue/{idOrKey}?fields=status,assignee,resolution,updated,created,project`, with
   * `expand=changelog` when `changelog` is asked for (the status and assignee changes, newest first). With
   * `versionField` (`fixVersions` or a version picker's id), also that field's version names and the summary.
   * 404 -> PermanentError with status 404.
   */
  getIssueState(idOrKey: string, options?: { changelog?: boolean; versionField?: string }): Promise<JiraIssueState>;
  /** `GET /rest/api/2/issue/{idOrKey}/transitions?expand=transitions.fields`: what can happen from here. */
  listTransitions(idOrKey: string): Promise<JiraTransition[]>;
  /** `POST /rest/api/2/issue/{idOrKey}/transitions` (204), with the resolution when the screen asks for it. */
  transition(idOrKey: string, transitionId: string, options?: { resolution?: { name: string } | { id: string } }): Promise<void>;
  /** `PUT /rest/api/2/issue/{idOrKey}/assignee` (204); `null` unassigns. */
  assign(idOrKey: string, user: JiraUserRef | null): Promise<void>;
  /**
   * Users whose e-mail is `email`: Cloud `GET user/search?query=`, Data Center `GET user/search?username=`.
   * Only users whose `emailAddress` is visible and equal (case-insensitive) are returned: a Cloud user with a
   * hidden e-mail is never guessed.
   */
  findUsersByEmail(email: string): Promise<JiraUser[]>;
  /** `POST /rest/api/2/issue/{idOrKey}/comment` (201). Not idempotent: callers look for their comment first. */
  addComment(idOrKey: string, body: string): Promise<void>;
  /** `GET /rest/api/2/issue/{idOrKey}/comment`: the newest comments (up to 100), oldest first. */
  listComments(idOrKey: string): Promise<JiraComment[]>;
  /** `POST /rest/api/2/issueLink` (201): `outward` "relates to" `inward` for the type "Relates". */
  linkIssues(type: string, outwardKey: string, inwardKey: string): Promise<void>;
}

/** A comment as the bridge reads it: to find one it posted before. */
export interface JiraComment {
  id: string;
  body: string;
  author?: JiraUser;
}

export type { RetryableError, PermanentError };
