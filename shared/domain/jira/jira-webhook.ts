/**
 * Jira's issue webhooks, as the bridge reads them: which issue, who changed it, its current status and assignee
 * (the truth), and whether the changelog says status, resolution or assignee moved. Cloud and Server/Data Center
 * bodies differ (see ../shared/reference/jira-rest-v2.md section 6): Cloud users carry `accountId` and no
 * e-mail, Cloud names the status item `Status` on create and sends `issue.self` without `/issue/`; Server users
 * carry `name`/`key`/`emailAddress` and assignee changelog items hold usernames or user keys.
 */
import type { JiraStatus, JiraUser } from '../model/jira.ts';
import { describeValue } from '../json-path.ts';
import { idString, isObject, parseJiraDateTime, readJiraStatus, readJiraUser, readResolution, text, type Json } from './jira-json.ts';

export type JiraIssueEventName = 'created' | 'updated' | 'deleted';

const ISSUE_EVENTS: Record<string, JiraIssueEventName> = {
  'jira:issue_created': 'created',
  'jira:issue_updated': 'updated',
  'jira:issue_deleted': 'deleted',
};

/**
 * The webhook events the bridge asks Jira for (the CLI's `webhook` command and the local stack register these).
 * Not `jira:issue_created`: every linked issue is one the bridge created or adopted, and the bridge reads it
 * right after linking; an issue it did not link belongs to no fingerprint. A creation's delivery could only be
 * dropped, so it is not asked for, and one that still arrives (a webhook registered by hand) is answered at once.
 */
export const SUBSCRIBED_WEBHOOK_EVENTS = ['jira:issue_updated', 'jira:issue_deleted'] as const;

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
  /**
   * The changelog's version items: Jira writes one `Fix Version` item per version added or removed (and one per
   * version of a version-picker custom field, under its name). Sync reads the issue's versions themselves; these
   * say what the delivery was about. Absent when there are none.
   */
  versions?: { field: string; added?: string; removed?: string }[];
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

/** Which synced field a changelog item is about: `fieldId` when present (Cloud, newer DC), else `field` case-insensitively. */
export function changelogField(item: Json): SyncedField | undefined {
  const id = text(item.fieldId);
  const candidate = (id ?? text(item.field) ?? '').toLowerCase();
  return (SYNCED_FIELDS as readonly string[]).includes(candidate) ? (candidate as SyncedField) : undefined;
}

/**
 * A changelog item that may be about versions: the system Fix Versions (`fieldId` "fixVersions", or `field`
 * "Fix Version" on Server), or any custom field's (a version picker is known by name only to the config: the
 * worker reads the issue itself, so a custom item here is kept, not trusted).
 */
export function isVersionItem(item: Json): boolean {
  const id = text(item.fieldId)?.toLowerCase();
  const field = text(item.field)?.toLowerCase();
  return id === 'fixversions' || field === 'fix version' || field === 'fix versions' || item.fieldtype === 'custom';
}

export function changelogItems(body: Json): Json[] {
  const changelog = body.changelog;
  if (!isObject(changelog) || !Array.isArray(changelog.items)) return [];
  return changelog.items.filter(isObject);
}

function keyPrefix(issueKey: string): string {
  const dash = issueKey.lastIndexOf('-');
  return dash > 0 ? issueKey.slice(0, dash) : issueKey;
}

/**
 * Reads a Jira webhook body (parsed JSON: the caller parses the raw body once). Issue events give a {@link JiraIssueEvent}; any other
 * event (comments, worklogs, ...) is `ignored` with a reason; a body without the minimal shape (an object with
 * `webhookEvent`, and for issue events `issue.id` and `issue.key`) is `invalid`.
 *
 * @example
 * const parsed = parseJiraWebhook(JSON.parse(rawBody));
 * if (parsed.kind === 'invalid') return { statusCode: 400, body: parsed.problems.join('\n') };
 * if (parsed.kind === 'ignored') { logger.debug('dropped Jira webhook', { reason: parsed.reason }); return { statusCode: 200, body: { ignored: parsed.reason } }; }
 */
export function parseJiraWebhook(body: unknown): ParseJiraWebhookResult {
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
  const issueId = idString(issue.id);
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
  const versions = items.filter(isVersionItem).map((item) => ({
    field: text(item.field) ?? text(item.fieldId) ?? 'Fix Version',
    ...(text(item.toString) === undefined ? {} : { added: text(item.toString) }),
    ...(text(item.fromString) === undefined ? {} : { removed: text(item.fromString) }),
  }));
  if (versions.length > 0) parsed.versions = versions;
  for (const item of items) {
    const field = changelogField(item);
    if (!field) continue;
    parsed.changed[field] = true;
    if (field === 'status') {
      const to = idString(item.to);
      if (to) parsed.changelog.statusId = to;
    } else if (field === 'assignee') {
      // Cloud puts the accountId in `to` and (during the GDPR migration) `tmpToAccountId`; Server puts the username or key in `to`.
      parsed.changelog.assignee = text(item.tmpToAccountId) ?? text(item.to) ?? null;
    }
  }
  return parsed;
}

