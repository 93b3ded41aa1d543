/**
 * What the bridge needs from Jira (REST API v2), and nothing more: the narrow interface keeps the core drivable
 * end to end against a fake. Implemented by `shared/adapters/jira/`.
 *
 * Every method throws only {@link RetryableError} (429, 5xx, timeouts, connection errors, after the adapter's own
 * short in-process retries) or {@link PermanentError} (anything a retry cannot fix; the message names the Jira field,
 * Jira's own words and the config setting that fixes it).
 */
import type { RetryableError, PermanentError } from './errors.ts';

export type JiraDeployment = 'Cloud' | 'Server';

/** One entry of `GET /rest/api/2/field`, reduced to what shaping a value needs. */
export interface JiraField {
  id: string;
  name: string;
  custom: boolean;
  /** `schema` as Jira reports it; absent for a few system fields. */
  schema?: { type: string; items?: string; system?: string; custom?: string; customId?: number };
}

export interface IssueRef {
  id: string;
  key: string;
  /** Browse URL a human opens: `{site}/browse/{key}`. */
  url: string;
}

/** A Jira user as the bridge needs it: Cloud identifies by `accountId`, Data Center by `name` (and `key`). */
export interface JiraUser {
  accountId?: string;
  name?: string;
  key?: string;
  displayName?: string;
  /** Absent when Jira hides it (Cloud privacy settings; always absent in webhook bodies). */
  emailAddress?: string;
  active?: boolean;
}

/** How a user is written to Jira: `{accountId}` on Cloud, `{name}` on Data Center. */
export type JiraUserRef = { accountId: string } | { name: string };

export interface JiraStatus {
  id: string;
  name: string;
  /** `statusCategory.key`: 'new' | 'indeterminate' | 'done' (or 'undefined'). Decide by this, never by name. */
  categoryKey: string;
}

/** The fields of an issue that state/assignee sync reads. */
export interface JiraIssueState {
  id: string;
  key: string;
  projectKey: string;
  status: JiraStatus;
  assignee: JiraUser | null;
  resolution: { id: string; name: string } | null;
  /** `fields.updated`, epoch ms. */
  updatedAt: number;
}

export interface JiraTransition {
  id: string;
  name: string;
  to: JiraStatus;
  /** Present when the transition screen has a resolution field (`expand=transitions.fields`). */
  resolution?: { required: boolean; allowedValues: { id: string; name: string }[] };
}

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

  // --- State and assignee sync (issue 3) ---------------------------------------------------------------------
  /** `GET /rest/api/2/myself`: the integration's own Jira account (to recognise our own webhook echoes). Cached. */
  myself(): Promise<JiraUser>;
  /** `GET /rest/api/2/issue/{idOrKey}?fields=status,assignee,resolution,updated,project`. 404 -> PermanentError. */
  getIssueState(idOrKey: string): Promise<JiraIssueState>;
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
}

export type { RetryableError, PermanentError };
