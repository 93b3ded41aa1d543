/**
 * Readers for the JSON Jira sends, in webhook bodies and REST answers alike: users, statuses, resolutions, ids and
 * date-times. One reader per shape, so a webhook and a REST read of the same issue compare equal (the sync
 * watermarks depend on it). Shapes: ../shared/reference/jira-rest-v2.md sections 3, 4 and 6.
 */
import type { JiraStatus, JiraUser } from '../model/jira.ts';

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A non-empty string, else undefined. */
export const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
/** Jira sends ids as strings, but a few payloads (and some servers) use numbers. */
export const idString = (value: unknown): string | undefined =>
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
  const id = idString(value.id);
  if (!id) return undefined;
  const category = isObject(value.statusCategory) ? text(value.statusCategory.key) : undefined;
  return { id, name: text(value.name) ?? id, categoryKey: category ?? 'undefined' };
}

export function readResolution(value: unknown): { id: string; name: string } | null | undefined {
  if (value === null) return null;
  if (!isObject(value)) return undefined;
  const id = idString(value.id);
  const name = text(value.name);
  return id || name ? { id: id ?? '', name: name ?? id ?? '' } : undefined;
}

