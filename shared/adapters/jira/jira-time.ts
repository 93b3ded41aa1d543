/**
 * Jira's timestamps as epoch milliseconds. Jira writes ISO-8601 with a colon-less offset and milliseconds
 * (`2026-11-27T19:50:00.000+0000`, Server `2016-12-08T07:55:13.755+0000`, Cloud `2009-12-16T23:46:10.612-0600`),
 * a form `Date.parse` is not required to accept, so the offset is normalised first. Webhook `timestamp` is already
 * epoch ms and passes through.
 */

const JIRA_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Epoch ms of a Jira time, or undefined when the value is not one. A time without an offset is read as UTC.
 *
 * @example
 * parseJiraTime('2026-11-27T19:50:00.000+0000'); // 1795809000000
 * parseJiraTime('2009-12-16T23:46:10.612-0600'); // 1261028770612
 */
export function parseJiraTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = JIRA_TIME.exec(value.trim());
  if (!match) return undefined;
  const [, date, hoursMinutes, seconds = '00', fraction = '', offset = 'Z'] = match;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const zone = offset.toUpperCase() === 'Z' ? 'Z' : normaliseOffset(offset);
  const parsed = Date.parse(`${date}T${hoursMinutes}:${seconds}.${millis}${zone}`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** `+0000` / `+00` / `+00:00` -> `+00:00`. */
function normaliseOffset(offset: string): string {
  const digits = offset.slice(1).replace(':', '');
  const minutes = digits.length > 2 ? digits.slice(2) : '00';
  return `${offset[0]}${digits.slice(0, 2)}:${minutes}`;
}
