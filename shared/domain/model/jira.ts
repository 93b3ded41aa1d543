/**
 * Jira's vocabulary as the bridge speaks it (REST API v2): deployments, fields, issues, statuses, transitions and
 * users, Cloud and Server/Data Center alike. Facts: ../shared/reference/jira-rest-v2.md.
 */

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
  /** `fields.created`, epoch ms. */
  createdAt?: number;
  /** The changes since creation that sync cares about, newest first (only when asked for: `expand=changelog`). */
  history?: JiraHistoryEntry[];
  /** The names of the versions in the Fix Versions field asked for (`fixVersions` or a version picker), sorted. */
  fixVersions?: string[];
  /** `fields.summary` (only when Fix Versions are read: a regression's new issue quotes it). */
  summary?: string;
}

/** One entry of an issue's changelog, reduced to what sync reads: who changed status or assignee, and when. */
export interface JiraHistoryEntry {
  /** Epoch ms. */
  at: number;
  author?: JiraUser;
  /** The synced fields this entry changed. */
  fields: ('status' | 'assignee')[];
}

export interface JiraTransition {
  id: string;
  name: string;
  to: JiraStatus;
  /** Present when the transition screen has a resolution field (`expand=transitions.fields`). */
  resolution?: { required: boolean; allowedValues: { id: string; name: string }[] };
}
