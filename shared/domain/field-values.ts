/**
 * Turning a rendered template into the JSON value Jira's create call expects for a field, by the field's schema
 * (../shared/reference/jira-rest-v2.md sections 1.1, 1.2 and 2.4).
 */
import type { JiraDeployment, JiraField } from './model/jira.ts';
import { normaliseLabels } from './labels.ts';

/** A template rendered both ways: whole (single-value fields) and as comma-separated parts (array fields). */
export interface RenderedValue {
  text: string;
  parts: string[];
}

/**
 * `value` `undefined` means "leave the field out": the template rendered nothing, and sending an empty value would
 * either clear a default or fail with a less helpful message than Jira's own "X is required".
 * `note` explains a guess worth logging (an unknown field type sent as text).
 */
export type ShapeResult = { ok: true; value: unknown; note?: string } | { ok: false; problem: string };

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const UNIX_TIME = /^\d+(?:\.\d+)?$/;
/** Unix times at or above this are milliseconds (1e11 seconds is the year 5138). */
const MILLISECONDS_FROM = 1e11;

function label(field: JiraField): string {
  return `Jira field ${field.id} (${JSON.stringify(field.name)})`;
}

function shown(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function fromTemplate(template: string | undefined): string {
  return template === undefined ? '' : ` from the template ${JSON.stringify(template)}`;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Reads a date or time: `YYYY-MM-DD`, an ISO-8601 time, or unix seconds (or milliseconds). */
function parseTime(text: string): Date | undefined {
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly !== null) {
    const date = new Date(Date.UTC(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3])));
    // Date.UTC rolls 2024-02-31 over to March; a typo like that must be refused, not moved.
    return date.getUTCDate() === Number(dateOnly[3]) && date.getUTCMonth() === Number(dateOnly[2]) - 1 ? date : undefined;
  }
  if (UNIX_TIME.test(text)) {
    const number = Number(text);
    return new Date(number >= MILLISECONDS_FROM ? number : number * 1000);
  }
  if (ISO_LIKE.test(text)) {
    const time = Date.parse(text);
    return Number.isNaN(time) ? undefined : new Date(time);
  }
  return undefined;
}

/** Jira's date picker format: `2011-10-03`. */
function jiraDate(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** Jira's date-time format, in UTC: `2011-10-19T10:29:29.908+0000`. */
function jiraDateTime(date: Date): string {
  return `${jiraDate(date)}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}+0000`;
}

function userValue(
  field: JiraField,
  text: string,
  deployment: JiraDeployment,
  template: string | undefined,
): ShapeResult {
  if (deployment === 'Server') return { ok: true, value: { name: text } };
  if (text.includes('@') || /\s/.test(text)) {
    return {
      ok: false,
      problem: `${label(field)} is a user field, and Jira Cloud identifies users by accountId (such as 5b10ac8d82e05b22cc7d4ef5), but the value${fromTemplate(template)} is ${shown(text)} (use the user's accountId)`,
    };
  }
  return { ok: true, value: { accountId: text } };
}

/** Shapes one item of a single-value field or of an array; `undefined` for a type we do not know. */
function shapeItem(
  type: string,
  field: JiraField,
  text: string,
  deployment: JiraDeployment,
  template: string | undefined,
): ShapeResult | undefined {
  switch (type) {
    case 'string':
      return { ok: true, value: text };
    case 'number': {
      const number = Number(text);
      if (!NUMBER.test(text) || !Number.isFinite(number)) {
        return {
          ok: false,
          problem: `${label(field)} takes a number, but the value${fromTemplate(template)} is ${shown(text)} (make the template render a number such as 42 or 42.07)`,
        };
      }
      return { ok: true, value: number };
    }
    case 'date':
    case 'datetime': {
      const date = parseTime(text);
      if (date === undefined || Number.isNaN(date.getTime())) {
        return {
          ok: false,
          problem: `${label(field)} takes a ${type === 'date' ? 'date' : 'date and time'}, but the value${fromTemplate(template)} is ${shown(text)} (render YYYY-MM-DD, an ISO-8601 time such as $first_seen, or unix seconds)`,
        };
      }
      return { ok: true, value: type === 'date' ? jiraDate(date) : jiraDateTime(date) };
    }
    case 'option':
      return { ok: true, value: { value: text } };
    case 'option-with-child': {
      // "Parent > Child", as a cascading select reads; without ">" only the parent is chosen.
      const separator = text.indexOf('>');
      if (separator === -1) return { ok: true, value: { value: text } };
      const parent = text.slice(0, separator).trim();
      const child = text.slice(separator + 1).trim();
      if (parent === '') {
        return {
          ok: false,
          problem: `${label(field)} is a cascading select, but the value${fromTemplate(template)} is ${shown(text)} with no parent option (write "Parent > Child")`,
        };
      }
      return { ok: true, value: child === '' ? { value: parent } : { value: parent, child: { value: child } } };
    }
    case 'user':
      return userValue(field, text, deployment, template);
    case 'project':
      return { ok: true, value: { key: text } };
    case 'version':
    case 'group':
    case 'component':
    case 'priority':
    case 'resolution':
    case 'issuetype':
    case 'securitylevel':
      return { ok: true, value: { name: text } };
    default:
      return undefined;
  }
}

function isLabelsField(field: JiraField): boolean {
  return field.schema?.system === 'labels' || (field.schema?.custom?.endsWith(':labels') ?? false);
}

/**
 * Shapes a rendered template for `field`: string -> text; number -> a JSON number (refused when not a number);
 * date -> `YYYY-MM-DD`; datetime -> `YYYY-MM-DDTHH:mm:ss.SSS+0000`; option -> `{value}`; option-with-child
 * ("Parent > Child") -> `{value, child: {value}}`; user -> Cloud `{accountId}` / Server `{name}`; version, group,
 * component, priority -> `{name}`; project -> `{key}`; arrays of these -> one item per comma-separated part; labels
 * -> parts with whitespace replaced by `-`. An unknown type gets the text, with a note.
 *
 * @param template the template the value came from, quoted in problems.
 * @example
 * shapeFieldValue(severityField, { text: 'Critical', parts: ['Critical'] }, 'Cloud'); // { ok: true, value: { value: 'Critical' } }
 */
export function shapeFieldValue(
  field: JiraField,
  rendered: RenderedValue,
  deployment: JiraDeployment,
  template?: string,
): ShapeResult {
  const schema = field.schema;
  if (schema?.type === 'array') {
    const items = schema.items ?? '';
    const parts = rendered.parts.map((part) => part.trim()).filter((part) => part !== '');
    if (items === 'string') {
      const value = isLabelsField(field) ? normaliseLabels(parts) : parts;
      return value.length === 0 ? { ok: true, value: undefined } : { ok: true, value };
    }
    if (parts.length === 0) return { ok: true, value: undefined };
    const values: unknown[] = [];
    for (const part of parts) {
      const shaped = shapeItem(items, field, part, deployment, template);
      if (shaped === undefined) {
        return {
          ok: true,
          value: parts,
          note: `${label(field)} is a list of "${items}", a type the bridge does not know; sent the parts as strings`,
        };
      }
      if (!shaped.ok) return shaped;
      values.push(shaped.value);
    }
    return { ok: true, value: values };
  }

  const text = rendered.text.trim();
  if (text === '') return { ok: true, value: undefined };
  if (schema === undefined) {
    return { ok: true, value: text, note: `${label(field)} has no type in Jira's field list; sent the text` };
  }
  return (
    shapeItem(schema.type, field, text, deployment, template) ?? {
      ok: true,
      value: text,
      note: `${label(field)} has the type "${schema.type}", which the bridge does not know; sent the text`,
    }
  );
}
