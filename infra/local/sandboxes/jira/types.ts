/**
 * Public types of the Jira sandbox (re-exported by `jira-fake.ts`). The shapes follow
 * ../shared/reference/jira-rest-v2.md sections 1, 2, 7, 8, 10 and 11.
 */
import type { FakeRateLimit } from './rate-limit.ts';
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultFilter } from '../common/fault-queue.ts';
import type { Delivery } from '../common/outbox.ts';

export type { Delivery, DeliveryAttempt } from '../common/outbox.ts';

export type JiraDeploymentType = 'Cloud' | 'Server';

export interface JiraFakeAuth {
  /** Basic credentials: Cloud `email:api-token`, Server/DC `username:password`. */
  basic?: { user: string; secret: string }[];
  /** Bearer tokens (Data Center personal access tokens). */
  bearer?: string[];
  /** OAuth 1.0a (RSA-SHA1) application link: requests must be signed with the private key matching `publicKeyPem`. */
  oauth1?: { consumerKey: string; publicKeyPem: string; accessTokens: string[] };
}

export interface FakeIssueType {
  id: string;
  name: string;
  /** Field ids (or names) the create screen requires, beyond summary, project and issue type. */
  requiredFields?: string[];
  /**
   * Field ids (or names) on the create screen. Absent = every known field (system + configured custom fields).
   * project, issuetype and summary are always on the screen; required fields are added to it.
   */
  screenFields?: string[];
}

export interface FakeProject {
  id: string;
  key: string;
  name?: string;
  issueTypes: FakeIssueType[];
  /** The project's versions (releases) at start, in release order; more come with `POST version` or `addVersion`. */
  versions?: FakeVersionSpec[];
}

/** A version to give a project: only `name` is needed (ids are numbered from 10000 across the site, as in Jira). */
export interface FakeVersionSpec {
  name: string;
  id?: string;
  description?: string;
  /** Default false. */
  released?: boolean;
  /** Default false. */
  archived?: boolean;
  /** `yyyy-mm-dd`. */
  releaseDate?: string;
}

/** A project version (Jira's `Version`), what `fixVersions` and version-picker fields point at. */
export interface FakeVersion {
  /** Numeric string, unique across the site. */
  id: string;
  /** Unique in its project (case-insensitively). */
  name: string;
  /** The owning project's id (REST shows it as a number). */
  projectId: string;
  released: boolean;
  archived: boolean;
  description?: string;
  releaseDate?: string;
}

export interface FakeField {
  /** e.g. `customfield_10010`. */
  id: string;
  name: string;
  /**
   * Jira's `JsonTypeBean`; `custom` defaults from `type`/`items` (textfield, float, select, multiselect, labels, ...).
   * A version picker is `{ type: 'array', items: 'version' }` (multiversion) or `{ type: 'version' }`: its values are
   * versions of the issue's project, set, shown and recorded in history as fixVersions are.
   */
  schema: { type: string; items?: string; custom?: string; system?: string };
  /** Option values of a select / multiselect field. */
  allowedValues?: string[];
}

export interface JiraFakeOptions {
  /** `serverInfo.deploymentType`, and which dialect the fake speaks (search endpoints, user fields); default 'Cloud'. */
  deployment?: JiraDeploymentType;
  /**
   * `serverInfo.version` of a Server/Data Center fake, e.g. '10.3.0'; default '9.12.15'. From 10.0 the admin
   * webhooks live at `/rest/jira-webhook/1.0/webhooks` instead of `/rest/webhooks/1.0/webhook` (section 6.3);
   * before 8.4 only the old bulk createmeta exists, from 9.0 only the paged one (reference section 2). Ignored for
   * Cloud.
   */
  serverVersion?: string;
  /** Data Center context path such as '/jira'; default ''. */
  contextPath?: string;
  /** Accepted credentials; default Basic `bot@example.com` / `sandbox-token`. Every request is checked. */
  auth?: JiraFakeAuth;
  /** Default: project CRASH (id 10000) with issue types Bug (10004) and Task (10002). */
  projects?: FakeProject[];
  /** Custom fields, added to Jira's system fields. */
  fields?: FakeField[];
  /** Cloud-like eventual consistency: new issues stay invisible to search for this long; default 0. */
  searchLagMs?: number;
  /**
   * Validate every request against the Jira Cloud REST v2 OpenAPI document: `true` for the shared copy
   * (`../shared/reference/jira-cloud-rest-v2.openapi.json` beside the repository), or a path. Default false.
   */
  openApiValidation?: boolean | string;
  /**
   * Jira users (section 4). Cloud users are addressed by `accountId`, Server users by `name`; the default list has
   * the bot matching the default credentials plus a few colleagues (see `defaultJiraUsers`). A principal that
   * authenticates without a matching user (a PAT, another configured login) gets an account on first use.
   */
  users?: FakeUser[];
  /**
   * The workflow every project uses. Default: Cloud the simplified workflow (global transitions to every status, no
   * screens, resolution set to Done by the workflow), Server the classic one (Start/Stop Progress, Resolve Issue
   * with a resolution screen, Reopen Issue). `extraStatuses` add statuses (with global transitions into them) to
   * the default; `statuses` + `transitions` replace it.
   */
  workflow?: FakeWorkflowOptions;
  /** Resolutions; default Cloud Done/Won't Do/Duplicate/Cannot Reproduce, Server Fixed/Won't Fix/Duplicate/Done. */
  resolutions?: FakeResolution[];
  /** Webhooks to deliver issue events to (more can be added with `addWebhook`). */
  webhooks?: FakeWebhook | FakeWebhook[];
  /** Cloud's burst limit (rate-limit.ts): a token bucket per method and endpoint; default none. */
  rateLimit?: FakeRateLimit;
}

/**
 * A Jira user. Cloud: `accountId` (derived from the e-mail when absent), `accountType`, `hideEmail` (privacy
 * setting: the e-mail is never shown to others, but user search still matches it). Server/DC: `name`, `key`
 * (may differ from the name, e.g. `JIRAUSER10100`; default = name), e-mail always shown.
 */
export interface FakeUser {
  accountId?: string;
  accountType?: 'atlassian' | 'app' | 'customer';
  name?: string;
  key?: string;
  displayName: string;
  emailAddress?: string;
  /** Default true. Inactive users cannot be assigned. */
  active?: boolean;
  /** Cloud privacy setting: hide the e-mail from everyone but the user. */
  hideEmail?: boolean;
}

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface FakeStatus {
  id: string;
  name: string;
  category: StatusCategoryKey;
}

export interface FakeResolution {
  id: string;
  name: string;
}

export interface FakeTransitionDef {
  id: string;
  name: string;
  /** Status ids the transition leaves from; absent = global (from every other status). */
  from?: string[];
  /** Target status id. */
  to: string;
  /** The transition screen: with `resolution`, the resolution field is on it (required or optional). */
  screen?: { resolution?: 'required' | 'optional' };
  /** A post-function sets this resolution (by name) when no resolution is given; Cloud's simplified Done does. */
  setsResolution?: string;
  /** `issue_event_type_name` of the webhook; default `issue_generic`. */
  eventType?: string;
}

export interface FakeWorkflowOptions {
  /** Statuses added to the default workflow, each reachable by a global transition named after it. */
  extraStatuses?: FakeStatus[];
  /** Replace the default workflow (give both). The first status is where new issues start unless `initialStatusId`. */
  statuses?: FakeStatus[];
  transitions?: FakeTransitionDef[];
  initialStatusId?: string;
}

export type JiraWebhookEvent = 'jira:issue_created' | 'jira:issue_updated' | 'jira:issue_deleted' | 'comment_created';

export interface FakeWebhook {
  /** Where to POST; may carry a query string (e.g. a `?token=` for Jira versions that cannot sign). */
  url: string;
  /** HMAC-SHA256 key: deliveries carry `X-Hub-Signature: sha256=<hex>` over the exact bytes sent. */
  secret?: string;
  /** Default: the three issue events. `comment_created` is sent only when listed. */
  events?: JiraWebhookEvent[];
  /** Only issues this JQL matches (the fake's JQL subset, e.g. `project = CRASH`); default every issue. */
  jql?: string;
  /** Retries after the first attempt (on 408/409/425/429/5xx/connection errors); default 5, as Cloud. */
  maxRetries?: number;
  /** Delay before each retry (Cloud waits minutes; the fake compresses it); default 50 ms. */
  retryDelayMs?: number | number[];
  /** Deadline of one attempt; default 5 s. */
  timeoutMs?: number;
}

/** Who a UI helper acts as, or whom it assigns: a {@link FakeUser}, or its accountId, name, key, e-mail or display name. */
export type FakeUserRef = FakeUser | string;

/**
 * What a person does in Jira's UI; each change bumps `updated`, emits webhooks and (transitions, assignments, field
 * edits such as fix versions, moves) becomes a history entry by that person, as Jira does.
 */
export interface JiraUiSession {
  /** Moves the issue to the named status through a transition available from its current status. */
  transition(issueKey: string, statusName: string, options?: { resolution?: string }): FakeIssue;
  assign(issueKey: string, user: FakeUserRef | null): FakeIssue;
  comment(issueKey: string, text: string): FakeIssue;
  /**
   * Sets the issue's fix versions (or, with `field`, a version-picker field's, by id or name) to exactly these
   * versions of its project, by name: one history entry with one item per version added or removed, announced as
   * `jira:issue_updated` (`issue_updated`). Nothing changes, and nothing is announced, when the list is the same.
   */
  setFixVersions(issueKey: string, versionNames: string[], options?: { field?: string }): FakeIssue;
  /** Adds a version to a project (as a project admin does on the Releases page); no webhook (the fake sends no version events). */
  addVersion(projectKey: string, version: FakeVersionSpec): FakeVersion;
  /** Creates an issue in a project (default the first) with the given fields (summary defaulted). */
  createIssue(fields?: Record<string, unknown> & { projectKey?: string }): FakeIssue;
  deleteIssue(issueKey: string): void;
  /** Moves the issue to another project: a new key, the same id; the old key keeps resolving to it. */
  moveIssue(issueKey: string, newProjectKey: string): FakeIssue;
}

export interface FakeIssue {
  id: string;
  key: string;
  /** `{apiUrl}issue/{id}`. */
  self: string;
  projectKey: string;
  issueTypeId: string;
  /**
   * `fields` as the client sent them (after `update` operations were folded in), except that version fields
   * (fixVersions, versions, version pickers) hold the {@link FakeVersion}s they name, in the project's version order.
   */
  fields: Record<string, unknown>;
  labels: string[];
  /** Epoch ms. */
  created: number;
  /** Current workflow status. */
  status: FakeStatus;
  assignee: FakeUser | null;
  /** Set on entering a done status (by the screen or a post-function), cleared on leaving it. */
  resolution: FakeResolution | null;
  /** Epoch ms the resolution was set; null while unresolved. */
  resolutionDate: number | null;
  /** Epoch ms of the last change; strictly increasing per issue. */
  updated: number;
  /** Keys the issue had before it was moved (Jira keeps resolving them). */
  previousKeys: string[];
  comments: FakeComment[];
  /**
   * Every change since creation (transitions, assignments, field edits, moves), oldest first: what
   * `expand=changelog` shows, newest first. Creation, comments and links are not in it, as the fake keeps it.
   */
  history: FakeHistory[];
}

export interface FakeComment {
  id: string;
  author: FakeUser;
  body: string;
  /** Epoch ms; comments are never edited, so it is also `updated`. */
  created: number;
  /** Restriction to a group or role, as given when the comment was added. */
  visibility?: { type?: string; value?: string; identifier?: string | null };
}

/**
 * A changelog item, the same in webhook `changelog.items[]` and REST `changelog.histories[].items[]` (reference
 * section 6.2). Cloud names users by accountId and repeats it in `tmp*AccountId`; Server by user key.
 */
export interface ChangelogItem {
  field: string;
  fieldtype: 'jira' | 'custom';
  fieldId: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
  tmpFromAccountId?: string | null;
  tmpToAccountId?: string | null;
}

/** One change to an issue: its id and items are those of the webhook announcing it, `created` its `timestamp`. */
export interface FakeHistory {
  id: string;
  author: FakeUser;
  /** Epoch ms; the issue's `updated` right after the change. */
  created: number;
  items: ChangelogItem[];
}

export interface RecordedRequest {
  method: string;
  /** Pathname as received (context path included, query excluded). */
  path: string;
  query: Record<string, string | string[]>;
  /** Parsed JSON body, or the raw text when it is not JSON; absent for an empty body. */
  body?: unknown;
  /** Headers as received, credentials included: never print them. */
  headers: IncomingHttpHeaders;
  /** The status the sandbox answered with, once it has answered (a fault's, a 429 of the rate limit, ...). */
  status?: number;
  /** Epoch ms the request arrived. */
  at?: number;
}

export interface JiraFault extends FaultFilter {
  /** Status to answer with. Absent (with `delayMs`) = answer normally, just late. */
  status?: number;
  /** `Retry-After` header value (seconds), e.g. '2'. */
  retryAfter?: string;
  /** Response body; default a Jira-like ErrorCollection for the status; `null` = empty body. */
  body?: unknown;
  /** Wait this long before answering (to drive client timeouts). A late create still creates the issue. */
  delayMs?: number;
  /** Cloud rate-limit headers on the fault (section 8.1): RateLimit-Reason and X-RateLimit-*. */
  rateLimit?: { reason?: string; limit?: number; remaining?: number; reset?: string; nearLimit?: boolean };
  /** Any further response headers. */
  headers?: Record<string, string>;
}

export interface JiraFake {
  /** Site URL: `http://127.0.0.1:PORT` + context path (browse links are `{url}/browse/{key}`). */
  url: string;
  /** `{url}/rest/api/2/`. */
  apiUrl: string;
  deployment: JiraDeploymentType;
  /** Every issue that exists, in creation order (a deleted issue is removed). */
  issues: FakeIssue[];
  /** Every project version, configured ones first, then in creation order. */
  versions: FakeVersion[];
  /** Users of the site (configured plus those created on first sign-in). */
  users: FakeUser[];
  /** The issue by id, key or previous key, as Jira resolves it. */
  findIssue(idOrKey: string): FakeIssue | undefined;
  /** Act in Jira's UI as `user` (any user of the site): changes are made and announced like REST changes. */
  actAs(user: FakeUserRef): JiraUiSession;
  /** Registers a webhook (e.g. once the receiver's URL is known). */
  addWebhook(webhook: FakeWebhook): void;
  /**
   * As the person on Jira's OAuth authorize page (`/plugins/servlet/oauth/authorize`): approve (or deny) a request
   * token as a user of the site; returns the verifier Jira displays. Needs `auth.oauth1`.
   */
  approveOAuthToken(requestToken: string, user: FakeUserRef, decision?: 'allow' | 'deny'): { ok: true; verifier?: string } | { ok: false; message: string };
  /** Unregisters every webhook, e.g. to hold deliveries back and replay them later in another order. */
  removeWebhooks(): void;
  /** Every webhook delivery, in the order the events happened, with each attempt's outcome. */
  webhookDeliveries: Delivery[];
  /** Resolves when no webhook delivery or retry is pending. */
  webhooksIdle(): Promise<void>;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** OpenAPI violations seen (each was also answered with 400). */
  validationErrors: string[];
  /** Queue a fault for the next matching request(s). */
  failNext(spec: JiraFault): void;
  /** Set (or with undefined, lift) the burst limit; every bucket starts full. */
  setRateLimit(limit: FakeRateLimit | undefined): void;
  /**
   * Forget issues, their comments and links, requests, violations, pending faults, webhook deliveries (pending ones
   * are cancelled), users created on first sign-in and versions added after start; issue numbering restarts at 1.
   * Webhooks stay registered.
   */
  reset(): void;
  close(): Promise<void>;
}
