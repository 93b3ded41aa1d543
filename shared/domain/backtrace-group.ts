/**
 * The error group Backtrace's webhook integration posts (one group per POST), and the three envelopes it reaches the
 * worker in. See ../../shared/reference/backtrace.md section 2.1 and the sample in fixtures/backtrace/.
 */
import { z } from 'zod';
import { describeValue, formatJsonPath, joinJsonPath } from './json-path.ts';

/** One histogram entry: an attribute value and how many objects of the group carry it. */
export type AttributeCount = [value: string | number | boolean | null, count: number];

const nonEmptyString = z.string().min(1);
const attributeCount = z.tuple([z.union([z.string(), z.number(), z.boolean(), z.null()]), z.number()]);

/**
 * Zod schema of the webhook body. Unknown extra fields are kept (`looseObject`): Backtrace may add fields, and
 * refusing them would drop real crashes; keeping them lets later code (and logs) see them.
 */
export const backtraceGroupSchema = z.looseObject({
  universe: nonEmptyString,
  project: nonEmptyString,
  fingerprint: nonEmptyString,
  application: z.string().optional(),
  href: z.string().optional(),
  group_url: z.string().optional(),
  callstack: z.array(z.string()).optional(),
  occurrences: z.number().optional(),
  object_id: z.string().optional(),
  timestamp: z.tuple([z.number(), z.number()]).optional(),
  classifiers: z.array(z.string()).optional(),
  hosts: z.number().optional(),
  guids: z.number().optional(),
  attributes: z.record(z.string(), z.array(attributeCount)).optional(),
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

/**
 * Validates one webhook body. Problems name the JSON path and what is expected, e.g.
 * `fingerprint: required string is missing (Backtrace's webhook body carries the error group's fingerprint)`.
 *
 * @param pathPrefix prefix for problem paths when the group is nested (`detail`, `group`).
 * @example
 * const parsed = parseBacktraceGroup(JSON.parse(body));
 * if (!parsed.ok) return { statusCode: 400, body: parsed.problems.join('\n') };
 */
export function parseBacktraceGroup(input: unknown, pathPrefix = ''): ParseGroupResult {
  const result = backtraceGroupSchema.safeParse(dropNullOptionals(input), { reportInput: true });
  if (result.success) return { ok: true, group: result.data };
  const problems = result.error.issues.map((issue) => {
    const path = joinJsonPath(pathPrefix, formatJsonPath(issue.path));
    return `${path}: ${issue.path.length === 0 ? `expected a JSON object, got ${describeValue(input)}` : describeIssue(issue)}`;
  });
  return { ok: false, problems };
}

/** EventBridge `detail-type` of an error group event (see ARCHITECTURE data flow). */
export const EVENTBRIDGE_DETAIL_TYPE = 'Backtrace Error Group';
/** `kind` of the ingest function's queue message. */
export const QUEUE_MESSAGE_KIND = 'backtrace.group';

/** Where an error group came from; useful in logs. */
export type EnvelopeSource = 'webhook' | 'eventbridge' | 'queue';

export type ParseEnvelopeResult =
  | { ok: true; group: BacktraceGroup; /** The integrations the ingest accepted it for (queue messages only). */ integrations?: string[]; source: EnvelopeSource }
  | { ok: false; problems: string[] };

/**
 * Recognises the shapes an error group reaches the worker in:
 * (a) the bare webhook body; (b) an EventBridge event `{ 'detail-type': 'Backtrace Error Group', detail: group }`;
 * (c) the ingest function's queue message `{ kind: 'backtrace.group', integration, group }`.
 * A string is parsed as JSON first (an SQS record body is a string).
 *
 * Only (c) names the integration; for (a) and (b) the caller picks it (by route or by universe/project).
 */
export function parseEnvelope(body: unknown): ParseEnvelopeResult {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { ok: false, problems: ['(body): is not valid JSON (expected a Backtrace error group as a JSON object)'] };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problems: [`(body): expected a JSON object, got ${describeValue(value)}`] };
  }
  const record = value as Record<string, unknown>;

  if ('kind' in record) {
    if (record.kind !== QUEUE_MESSAGE_KIND) {
      return {
        ok: false,
        problems: [`kind: got ${describeValue(record.kind)} (this worker handles "${QUEUE_MESSAGE_KIND}" messages)`],
      };
    }
    const problems: string[] = [];
    // `integrations` (every integration of the group, handled in turn) or, from older messages, one `integration`.
    const named = Array.isArray(record.integrations) ? record.integrations : [record.integration];
    if (named.length === 0 || !named.every((name) => typeof name === 'string' && name !== '')) {
      problems.push(
        `integrations: expected the integration names as non-empty strings, got ${describeValue(record.integrations ?? record.integration)}`,
      );
    }
    const parsed = parseBacktraceGroup(record.group, 'group');
    if (!parsed.ok) problems.push(...parsed.problems);
    if (problems.length > 0 || !parsed.ok) return { ok: false, problems };
    return { ok: true, group: parsed.group, integrations: named as string[], source: 'queue' };
  }

  if ('detail-type' in record) {
    if (record['detail-type'] !== EVENTBRIDGE_DETAIL_TYPE) {
      return {
        ok: false,
        problems: [
          `detail-type: got ${describeValue(record['detail-type'])} (the bridge handles "${EVENTBRIDGE_DETAIL_TYPE}" events)`,
        ],
      };
    }
    const parsed = parseBacktraceGroup(record.detail, 'detail');
    return parsed.ok ? { ok: true, group: parsed.group, source: 'eventbridge' } : parsed;
  }

  const parsed = parseBacktraceGroup(record);
  return parsed.ok ? { ok: true, group: parsed.group, source: 'webhook' } : parsed;
}
