/**
 * Public types of the Jira fake (re-exported by `jira-fake.ts`). The shapes follow
 * ../shared/reference/jira-rest-v2.md sections 1, 2, 7, 8, 10 and 11.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultFilter } from '../shared/fault-queue.ts';

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
}

export interface FakeField {
  /** e.g. `customfield_10010`. */
  id: string;
  name: string;
  /** Jira's `JsonTypeBean`; `custom` defaults from `type`/`items` (textfield, float, select, multiselect, labels, ...). */
  schema: { type: string; items?: string; custom?: string; system?: string };
  /** Option values of a select / multiselect field. */
  allowedValues?: string[];
}

export interface JiraFakeOptions {
  /** `serverInfo.deploymentType`, and which dialect the fake speaks (search endpoints, user fields); default 'Cloud'. */
  deployment?: JiraDeploymentType;
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
}

export interface FakeIssue {
  id: string;
  key: string;
  /** `{apiUrl}issue/{id}`. */
  self: string;
  projectKey: string;
  issueTypeId: string;
  /** `fields` exactly as the client sent them (after `update` operations were folded in). */
  fields: Record<string, unknown>;
  labels: string[];
  /** Epoch ms. */
  created: number;
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
  /** Every issue created, in order. */
  issues: FakeIssue[];
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** OpenAPI violations seen (each was also answered with 400). */
  validationErrors: string[];
  /** Queue a fault for the next matching request(s). */
  failNext(spec: JiraFault): void;
  /** Forget issues, requests, violations and pending faults; issue numbering restarts at 1. */
  reset(): void;
  close(): Promise<void>;
}
