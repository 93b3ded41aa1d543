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
}

export type { RetryableError, PermanentError };
