/**
 * The error group Backtrace's webhook integration posts (one group per POST). See
 * ../shared/reference/backtrace.md section 2.1 and the sample in ../../../shared/fixtures/backtrace/.
 */
import * as z from './zod-mini.ts';
import { describeValue, formatJsonPath, joinJsonPath } from './json-path.ts';

/** One histogram entry: an attribute value and how many objects of the group carry it. */
export type AttributeCount = [value: string | number | boolean | null, count: number];

const nonEmptyString = z.string().check(z.minLength(1));
const attributeCount = z.tuple([z.union([z.string(), z.number(), z.boolean(), z.null()]), z.number()]);

/**
 * Zod schema of the webhook body. Unknown extra fields are kept (`looseObject`): Backtrace may add fields, and
 * refusing them would drop real crashes; keeping them lets later code (and logs) see them.
 */
export const backtraceGroupSchema = z.looseObject({
  universe: nonEmptyString,
  project: nonEmptyString,
  fingerprint: nonEmptyString,
  application: z.optional(z.string()),
  href: z.optional(z.string()),
  group_url: z.optional(z.string()),
  callstack: z.optional(z.array(z.string())),
  occurrences: z.optional(z.number()),
  object_id: z.optional(z.string()),
  timestamp: z.optional(z.tuple([z.number(), z.number()])),
  classifiers: z.optional(z.array(z.string())),
  hosts: z.optional(z.number()),
  guids: z.optional(z.number()),
  attributes: z.optional(z.record(z.string(), z.array(attributeCount))),
});

/** A validated Backtrace error group (extra fields Backtrace sent are kept as `unknown`). */
export type BacktraceGroup = z.output<typeof backtraceGroupSchema>;

export type ParseGroupResult = { ok: true; group: BacktraceGroup } | { ok: false; problems: string[] };

const OPTIONAL_FIELDS = [
  'application', 'href', 'group_url', 'callstack', 'occurrences', 'object_id', 'timestamp', 'classifiers', 'hosts',
  'guids', 'attributes',
] as const;

/** What each field is, said the way the admin reading a refusal needs it. */
const FIELD_HINTS: Record<string, string> = {
  universe: "Backtrace's webhook body names the universe the error group belongs to",
  project: "Backtrace's webhook body names the project the error group belongs to",
  fingerprint: "Backtrace's webhook body carries the error group's fingerprint",
  application: 'the name of the binary that produced the error',
  href: 'the Backtrace instance URL',
  group_url: 'the link to the error group in Backtrace',
  callstack: 'a list of frame names, innermost first',
  occurrences: 'the number of errors in the group',
  object_id: 'the id of the latest error object, a hex string',
  timestamp: '[first seen, last seen] in unix seconds',
  classifiers: 'a list of classifier names',
  hosts: 'the number of distinct hosts',
  guids: 'the number of distinct GUIDs',
  attributes: 'a histogram: attribute name -> list of [value, count] pairs',
};

function hintFor(path: readonly PropertyKey[]): string {
  const [field] = path;
  if (field === 'attributes' && path.length >= 2) {
    if (path.length === 2) return 'a list of [value, count] pairs';
    if (path.length === 3) return 'a [value, count] pair';
    return path[3] === 1 ? 'the count is a number' : 'the value is a string, number, boolean or null';
  }
  if (field === 'timestamp' && path.length === 2) return 'unix seconds';
  if ((field === 'callstack' || field === 'classifiers') && path.length === 2) return 'each item is a string';
  return typeof field === 'string' ? (FIELD_HINTS[field] ?? 'see the Backtrace webhook documentation') : 'a JSON object';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const hint = hintFor(issue.path);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = issue.expected === 'tuple' ? 'array' : issue.expected;
      if (input === undefined) return `required ${expected} is missing (${hint})`;
      return `expected ${article(expected)} ${expected}, got ${describeValue(input)} (${hint})`;
    }
    case 'too_small':
      if (issue.origin === 'string') return `must not be empty (${hint})`;
      return `has too few items (${hint})`;
    case 'too_big':
      return `has too many items (${hint})`;
    case 'invalid_union':
      return `got ${describeValue(input)} (${hint})`;
    default:
      return `${issue.message} (${hint})`;
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** Backtrace may send `null` for a field it has no value for; that means "absent", not "malformed". */
function dropNullOptionals(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const record = input as Record<string, unknown>;
  if (!OPTIONAL_FIELDS.some((field) => record[field] === null)) return input;
  const copy = { ...record };
  for (const field of OPTIONAL_FIELDS) if (copy[field] === null) delete copy[field];
  return copy;
}

/** The group schema as bodies reach it: `null` for an optional field reads as absent. */
export const backtraceGroupInputSchema = z.pipe(z.transform(dropNullOptionals), backtraceGroupSchema);

/** One zod issue about a group, as `<json path>: <what is wrong> (<what is expected>)`; `pathPrefix` nests it. */
export function describeGroupIssue(issue: z.core.$ZodIssue, input: unknown, pathPrefix = ''): string {
  const path = joinJsonPath(pathPrefix, formatJsonPath(issue.path));
  return `${path}: ${issue.path.length === 0 ? `expected a JSON object, got ${describeValue(input)}` : describeIssue(issue)}`;
}

/**
 * Validates one webhook body. Problems name the JSON path and what is expected, e.g.
 * `fingerprint: required string is missing (Backtrace's webhook body carries the error group's fingerprint)`.
 *
 * @example
 * const parsed = parseBacktraceGroup(JSON.parse(body));
 * if (!parsed.ok) return { statusCode: 400, body: parsed.problems.join('\n') };
 */
export function parseBacktraceGroup(input: unknown): ParseGroupResult {
  const result = backtraceGroupInputSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, group: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => describeGroupIssue(issue, input)) };
}

/** EventBridge `detail-type` of the events carrying one error group in `detail` (the stack's rule matches it). */
export const EVENTBRIDGE_DETAIL_TYPE = 'Backtrace Error Group';
