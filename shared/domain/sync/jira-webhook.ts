/**
 * Jira's issue webhooks, as the bridge reads them: which issue, who changed it, its current status and assignee
 * (the truth), and whether the changelog says status, resolution or assignee moved. Cloud and Server/Data Center
 * bodies differ (see ../../../../shared/reference/jira-rest-v2.md section 6): Cloud users carry `accountId` and no
 * e-mail, Cloud names the status item `Status` on create and sends `issue.self` without `/issue/`; Server users
 * carry `name`/`key`/`emailAddress` and assignee changelog items hold usernames or user keys.
 */
import type { JiraStatus, JiraUser } from '../../ports/issue-tracker.ts';
import { describeValue } from '../json-path.ts';

export type JiraIssueEventName = 'created' | 'updated' | 'deleted';

const ISSUE_EVENTS: Record<string, JiraIssueEventName> = {
  'jira:issue_created': 'created',
  'jira:issue_updated': 'updated',
  'jira:issue_deleted': 'deleted',
};

/** The changelog fields sync reads; everything else in a changelog is dropped from the queue message. */
const SYNCED_FIELDS = ['status', 'resolution', 'assignee'] as const;
type SyncedField = (typeof SYNCED_FIELDS)[number];

/** An issue event, reduced to what state/assignee sync decides on. */
export interface JiraIssueEvent {
  kind: 'issue';
  event: JiraIssueEventName;
  issueId: string;
  /** The current key: after a move to another project it is the new key (same `issueId`). */
  issueKey: string;
  /** `issue.fields.project.key`, else the prefix of `issueKey`. */
  projectKey: string;
  /** Who made the change (the webhook's `user`); absent when Jira sent none. */
  author?: JiraUser;
  /** The webhook's `timestamp`, epoch ms. */
  timestamp?: number;
  /** `issue.fields.updated`, epoch ms: the staleness watermark. Absent when not sent or unreadable; fall back to `timestamp`. */
  updatedAt?: number;
  /** `issue.fields.status`: the current status, the truth to map from. */
  status?: JiraStatus;
  /** `issue.fields.assignee`: the current assignee; `null` = unassigned, absent = not in the body. */
  assignee?: JiraUser | null;
  /** `issue.fields.resolution`; `null` = unresolved, absent = not in the body. */
  resolution?: { id: string; name: string } | null;
  /**
   * What this event changed, from the changelog. A create without a changelog (Server) counts everything it set as
   * changed; a delete changes nothing.
   */
  changed: { status: boolean; resolution: boolean; assignee: boolean };
  /**
   * The changelog's own view of the new values, for when the fields are not in the body: the status id, and the new
   * assignee (Cloud accountId via `tmpToAccountId`, Server username or user key; `null` = unassigned).
   */
  changelog: { statusId?: string; assignee?: string | null };
}

export interface IgnoredJiraWebhook {
  kind: 'ignored';
  /** Why, for the debug log. */
  reason: string;
  webhookEvent?: string;
}

export interface InvalidJiraWebhook {
  kind: 'invalid';
  /** `<json path>: <what is wrong> (<what is expected>)`, for the 400 body and the log. */
  problems: string[];
}

export type ParseJiraWebhookResult = JiraIssueEvent | IgnoredJiraWebhook | InvalidJiraWebhook;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
/** Jira sends ids as strings, but a few payloads (and fakes) use numbers. */
const idText = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : text(value);

const JIRA_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Epoch ms of a Jira date-time: `2016-12-08T15:55:13.000+0000` (Jira's own form, offset without colon), ISO-8601
 * with `Z`, `+hh:mm` or `+hh`, or a number of epoch ms. A missing zone is read as UTC; sub-millisecond digits are
 * dropped. Undefined when unreadable.
 */
export function parseJiraDateTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = JIRA_DATE_TIME.exec(value.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '0', zone = 'Z'] = match;
  // Truncated, not rounded, like Date.parse: a watermark must compare equal whichever parser read the same time.
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), ms);
  if (!Number.isFinite(utc)) return undefined;
  if (zone.toUpperCase() === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
  return utc - sign * offsetMinutes * 60_000;
}

/** A Jira user object (webhook `user`, `fields.assignee`) reduced to the identifying fields. */
export function readJiraUser(value: unknown): JiraUser | undefined {
  if (!isObject(value)) return undefined;
  const user: JiraUser = {};
  const accountId = text(value.accountId);
  const name = text(value.name);
  const key = text(value.key);
  const displayName = text(value.displayName);
  const emailAddress = text(value.emailAddress);
  if (accountId) user.accountId = accountId;
  if (name) user.name = name;
  if (key) user.key = key;
  if (displayName) user.displayName = displayName;
  if (emailAddress) user.emailAddress = emailAddress;
  if (typeof value.active === 'boolean') user.active = value.active;
  return user.accountId || user.name || user.key ? user : undefined;
}

/** `fields.status` -> JiraStatus; undefined when it lacks an id. A status without a category reads as 'undefined'. */
export function readJiraStatus(value: unknown): JiraStatus | undefined {
  if (!isObject(value)) return undefined;
  const id = idText(value.id);
  if (!id) return undefined;
  const category = isObject(value.statusCategory) ? text(value.statusCategory.key) : undefined;
  return { id, name: text(value.name) ?? id, categoryKey: category ?? 'undefined' };
}

function readResolution(value: unknown): { id: string; name: string } | null | undefined {
  if (value === null) return null;
  if (!isObject(value)) return undefined;
  const id = idText(value.id);
  const name = text(value.name);
  return id || name ? { id: id ?? '', name: name ?? id ?? '' } : undefined;
}

/** Which synced field a changelog item is about: `fieldId` when present (Cloud, newer DC), else `field` case-insensitively. */
function changelogField(item: Json): SyncedField | undefined {
  const id = text(item.fieldId);
  const candidate = (id ?? text(item.field) ?? '').toLowerCase();
  return (SYNCED_FIELDS as readonly string[]).includes(candidate) ? (candidate as SyncedField) : undefined;
}

function changelogItems(body: Json): Json[] {
  const changelog = body.changelog;
  if (!isObject(changelog) || !Array.isArray(changelog.items)) return [];
  return changelog.items.filter(isObject);
}

function keyPrefix(issueKey: string): string {
  const dash = issueKey.lastIndexOf('-');
  return dash > 0 ? issueKey.slice(0, dash) : issueKey;
}

/**
 * Reads a Jira webhook body (a JSON string is parsed first). Issue events give a {@link JiraIssueEvent}; any other
 * event (comments, worklogs, ...) is `ignored` with a reason; a body without the minimal shape (an object with
 * `webhookEvent`, and for issue events `issue.id` and `issue.key`) is `invalid`.
 *
 * @example
 * const parsed = parseJiraWebhook(JSON.parse(rawBody));
 * if (parsed.kind === 'invalid') return { statusCode: 400, body: parsed.problems.join('\n') };
 * if (parsed.kind === 'ignored') { logger.debug('dropped Jira webhook', { reason: parsed.reason }); return { statusCode: 204 }; }
 */
export function parseJiraWebhook(json: unknown): ParseJiraWebhookResult {
  let body = json;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return { kind: 'invalid', problems: ['(body): is not valid JSON (expected a Jira webhook body)'] };
    }
  }
  if (!isObject(body)) return { kind: 'invalid', problems: [`(body): expected a JSON object, got ${describeValue(body)} (a Jira webhook body)`] };
  const webhookEvent = body.webhookEvent;
  if (typeof webhookEvent !== 'string' || webhookEvent === '') {
    return {
      kind: 'invalid',
      problems: [`webhookEvent: ${webhookEvent === undefined ? 'required, missing' : `got ${describeValue(webhookEvent)}`} (the Jira event name, e.g. "jira:issue_updated")`],
    };
  }
  const event = ISSUE_EVENTS[webhookEvent];
  if (!event) {
    return {
      kind: 'ignored',
      webhookEvent,
      reason: `${webhookEvent.slice(0, 60)} events are not synced (only ${Object.keys(ISSUE_EVENTS).join(', ')})`,
    };
  }

  const issue = body.issue;
  if (!isObject(issue)) {
    return { kind: 'invalid', problems: [`issue: ${issue === undefined ? 'required, missing' : `got ${describeValue(issue)}`} (the issue the ${webhookEvent} event is about)`] };
  }
  const problems: string[] = [];
  const issueId = idText(issue.id);
  const issueKey = text(issue.key);
  if (!issueId) problems.push(`issue.id: ${issue.id === undefined ? 'required, missing' : `got ${describeValue(issue.id)}`} (the Jira issue id, e.g. "10010")`);
  if (!issueKey) problems.push(`issue.key: ${issue.key === undefined ? 'required, missing' : `got ${describeValue(issue.key)}`} (the Jira issue key, e.g. "CRASH-12")`);
  if (!issueId || !issueKey) return { kind: 'invalid', problems };

  const fields = isObject(issue.fields) ? issue.fields : {};
  const project = isObject(fields.project) ? text(fields.project.key) : undefined;
  const parsed: JiraIssueEvent = {
    kind: 'issue',
    event,
    issueId,
    issueKey,
    projectKey: project ?? keyPrefix(issueKey),
    changed: { status: false, resolution: false, assignee: false },
    changelog: {},
  };
  const author = readJiraUser(body.user);
  if (author) parsed.author = author;
  if (typeof body.timestamp === 'number' && Number.isFinite(body.timestamp)) parsed.timestamp = body.timestamp;
  const updatedAt = parseJiraDateTime(fields.updated);
  if (updatedAt !== undefined) parsed.updatedAt = updatedAt;
  const status = readJiraStatus(fields.status);
  if (status) parsed.status = status;
  if (fields.assignee === null) parsed.assignee = null;
  else if (fields.assignee !== undefined) {
    const assignee = readJiraUser(fields.assignee);
    if (assignee) parsed.assignee = assignee;
  }
  const resolution = readResolution(fields.resolution);
  if (resolution !== undefined) parsed.resolution = resolution;

  if (event === 'deleted') return parsed;
  const items = changelogItems(body);
  if (event === 'created' && !isObject(body.changelog)) {
    // Server sends no changelog on create: everything the issue has was just set.
    parsed.changed = { status: status !== undefined, resolution: resolution != null, assignee: parsed.assignee != null };
    return parsed;
  }
  for (const item of items) {
    const field = changelogField(item);
    if (!field) continue;
    parsed.changed[field] = true;
    if (field === 'status') {
      const to = idText(item.to);
      if (to) parsed.changelog.statusId = to;
    } else if (field === 'assignee') {
      // Cloud puts the accountId in `to` and (during the GDPR migration) `tmpToAccountId`; Server puts the username or key in `to`.
      parsed.changelog.assignee = text(item.tmpToAccountId) ?? text(item.to) ?? null;
    }
  }
  return parsed;
}

/** The compact webhook body the jira-changes queue carries: what {@link parseJiraWebhook} reads, nothing more. */
export interface TrimmedJiraWebhook {
  webhookEvent?: unknown;
  timestamp?: unknown;
  user?: unknown;
  issue?: {
    id?: unknown;
    key?: unknown;
    self?: unknown;
    fields?: { status?: unknown; resolution?: unknown; assignee?: unknown; updated?: unknown; project?: unknown; summary?: unknown };
  };
  changelog?: { id?: unknown; items: unknown[] };
}

const USER_KEYS = ['accountId', 'name', 'key', 'displayName', 'emailAddress', 'active'];
const ITEM_KEYS = ['field', 'fieldtype', 'fieldId', 'from', 'fromString', 'to', 'toString', 'tmpFromAccountId', 'tmpToAccountId'];

function pick(value: unknown, keys: string[]): unknown {
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

function trimStatus(value: unknown): unknown {
  if (!isObject(value)) return value;
  const out = pick(value, ['id', 'name']) as Json;
  if (isObject(value.statusCategory)) out.statusCategory = pick(value.statusCategory, ['id', 'key', 'name']);
  return out;
}

/**
 * Shrinks a webhook body for the queue (SQS caps a message at 256 KiB, and Jira bodies carry comments, avatars and
 * the full old and new text of edited descriptions): keeps `webhookEvent`, `timestamp`, `user`, and `issue` with
 * `id`, `key`, `self` and the fields status, resolution, assignee, updated, project, summary (users, statuses and the
 * project reduced to their identifying members), and the changelog items about status, resolution and assignee.
 * `parseJiraWebhook(trimJiraWebhook(body))` reads the same as `parseJiraWebhook(body)`.
 */
export function trimJiraWebhook(json: unknown): TrimmedJiraWebhook {
  if (!isObject(json)) return {};
  const out: TrimmedJiraWebhook = {};
  if (json.webhookEvent !== undefined) out.webhookEvent = json.webhookEvent;
  if (json.timestamp !== undefined) out.timestamp = json.timestamp;
  if (json.user !== undefined) out.user = pick(json.user, USER_KEYS);
  if (isObject(json.issue)) {
    const issue = json.issue;
    const trimmed: NonNullable<TrimmedJiraWebhook['issue']> = {};
    for (const key of ['id', 'key', 'self'] as const) if (issue[key] !== undefined) trimmed[key] = issue[key];
    if (isObject(issue.fields)) {
      const fields = issue.fields;
      const kept: NonNullable<NonNullable<TrimmedJiraWebhook['issue']>['fields']> = {};
      if (fields.status !== undefined) kept.status = trimStatus(fields.status);
      if (fields.resolution !== undefined) kept.resolution = pick(fields.resolution, ['id', 'name']);
      if (fields.assignee !== undefined) kept.assignee = pick(fields.assignee, USER_KEYS);
      if (fields.updated !== undefined) kept.updated = fields.updated;
      if (fields.project !== undefined) kept.project = pick(fields.project, ['id', 'key', 'name']);
      if (typeof fields.summary === 'string') kept.summary = fields.summary.slice(0, 1000);
      trimmed.fields = kept;
    }
    out.issue = trimmed;
  }
  if (isObject(json.changelog)) {
    const items = changelogItems(json).filter((item) => changelogField(item) !== undefined).map((item) => pick(item, ITEM_KEYS));
    out.changelog = { ...(json.changelog.id === undefined ? {} : { id: json.changelog.id }), items };
  }
  return out;
}
