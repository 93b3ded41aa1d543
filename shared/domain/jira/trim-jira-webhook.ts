/**
 * The trimming of a Jira webhook body for the jira-changes queue: SQS caps a message at 256 KiB, and Jira bodies
 * carry comments, avatars and the full old and new text of edited descriptions. What is kept is exactly what
 * `parseJiraWebhook` reads.
 */
import { isObject, type Json } from './jira-json.ts';
import { changelogField, changelogItems, isVersionItem } from './jira-webhook.ts';

/** The compact webhook body the jira-changes queue carries: what `parseJiraWebhook` reads, nothing more. */
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

/** A custom field's item may hold a whole text; a version name is short. */
const ITEM_TEXT_MAX = 255;

function cutStrings(item: Json): Json {
  for (const key of ['from', 'fromString', 'to', 'toString']) {
    const value = item[key];
    if (typeof value === 'string' && value.length > ITEM_TEXT_MAX) item[key] = value.slice(0, ITEM_TEXT_MAX);
  }
  return item;
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
 * project reduced to their identifying members), and the changelog items about status, resolution, assignee and
 * versions (the Fix Version items, one per version added or removed, and custom fields' items, texts cut to 255).
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
    const items = changelogItems(json)
      .filter((item) => changelogField(item) !== undefined || isVersionItem(item))
      .map((item) => cutStrings(pick(item, ITEM_KEYS) as Json));
    out.changelog = { ...(json.changelog.id === undefined ? {} : { id: json.changelog.id }), items };
  }
  return out;
}
