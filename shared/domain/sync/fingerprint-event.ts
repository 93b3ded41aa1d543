/**
 * The `fingerprint.updated` event: our own documented contract for "a fingerprint's state or assignees changed in
 * Backtrace", posted to `POST /backtrace/events` with the same Basic credentials as error groups (README "Syncing
 * state and assignees"). Backtrace's states and ticket shape: ../shared/reference/backtrace.md sections 3.1, 3.4.
 */
import * as z from '../zod-mini.ts';
import { FINGERPRINT_STATES, type FingerprintState, type TicketAssignee } from '../model/backtrace.ts';
import { describeValue, formatJsonPath, joinJsonPath } from '../json-path.ts';

export const FINGERPRINT_UPDATED_TYPE = 'fingerprint.updated';


/** Unix seconds below this, epoch milliseconds from here (1e12 ms is 2001; 1e12 s is the year 33658). */
const SECONDS_LIMIT = 1e12;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch ms from ISO-8601 (with a zone), unix seconds (< 1e12) or epoch ms, as a number or a numeric string. */
export function normaliseEventTime(value: unknown): number | undefined {
  let numeric: number | undefined;
  if (typeof value === 'number') numeric = value;
  else if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) numeric = Number(value.trim());
  else if (typeof value === 'string' && ISO_DATE_TIME.test(value.trim())) {
    const ms = Date.parse(value.trim());
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (numeric === undefined || !Number.isFinite(numeric) || numeric < 0) return undefined;
  return Math.round(numeric < SECONDS_LIMIT ? numeric * 1000 : numeric);
}

const optionalText = z.pipe(
  z.nullish(z.string()),
  z.transform((value: string | null | undefined) => (value === null || value === '' ? undefined : value)),
);

const assignee = z.object({
  id: z.number().check(z.int(), z.nonnegative()),
  username: optionalText,
  email: optionalText,
});

const fingerprintUpdatedFields = z.object({
  type: z.literal(FINGERPRINT_UPDATED_TYPE),
  universe: z.string().check(z.minLength(1)),
  project: z.string().check(z.minLength(1)),
  fingerprint: z.string().check(z.minLength(1)),
  state: z.enum(FINGERPRINT_STATES),
  assignees: z.pipe(
    z.nullish(z.array(assignee)),
    z.transform((value: z.output<typeof assignee>[] | null | undefined) => value ?? []),
  ),
  invariants: z.pipe(z.nullish(z.array(z.unknown())), z.transform((value: unknown[] | null | undefined) => value ?? undefined)),
  invariant_reopen_count: z.pipe(
    z.nullish(z.number().check(z.int(), z.nonnegative())),
    z.transform((value: number | null | undefined) => value ?? undefined),
  ),
  at: z.pipe(
    z.union([z.string(), z.number()]),
    z.transform((value: string | number, ctx) => {
      const ms = normaliseEventTime(value);
      if (ms === undefined) {
        // Mini's transform context has no `addIssue`: push the issue it pushed.
        ctx.issues.push({ code: 'custom', message: 'not a time', input: value });
        return z.NEVER;
      }
      return ms;
    }),
  ),
});

/** A validated `fingerprint.updated` event; `at` is epoch ms and `assignees` is always a list (empty = unassigned). */
export interface FingerprintUpdatedEvent {
  type: typeof FINGERPRINT_UPDATED_TYPE;
  universe: string;
  project: string;
  fingerprint: string;
  state: FingerprintState;
  assignees: TicketAssignee[];
  invariants?: unknown[];
  invariant_reopen_count?: number;
  /** When the change happened in Backtrace, epoch ms. */
  at: number;
}

/** The event schema, producing a {@link FingerprintUpdatedEvent} (optional members absent rather than undefined). */
export const fingerprintUpdatedSchema = z.pipe(
  fingerprintUpdatedFields,
  z.transform(({ invariants, invariant_reopen_count, assignees, ...rest }: z.output<typeof fingerprintUpdatedFields>): FingerprintUpdatedEvent => ({
    ...rest,
    assignees: assignees.map(({ id, username, email }) => ({ id, ...(username === undefined ? {} : { username }), ...(email === undefined ? {} : { email }) })),
    ...(invariants === undefined ? {} : { invariants }),
    ...(invariant_reopen_count === undefined ? {} : { invariant_reopen_count }),
  })),
);

export type ParseFingerprintUpdatedResult = { ok: true; event: FingerprintUpdatedEvent } | { ok: false; problems: string[] };

const HINTS: Record<string, string> = {
  type: `"${FINGERPRINT_UPDATED_TYPE}"`,
  universe: 'the Backtrace universe name',
  project: 'the Backtrace project name',
  fingerprint: "the fingerprint's hash",
  state: `one of ${FINGERPRINT_STATES.map((state) => `"${state}"`).join(', ')}`,
  assignees: 'a list of {"id": <Backtrace user id>, "username"?, "email"?}; [] when unassigned',
  invariants: "the fingerprint's reopen criteria, a list",
  invariant_reopen_count: 'a whole number',
  at: 'when it changed: ISO-8601 with a zone, unix seconds or epoch milliseconds',
};

function hintFor(path: readonly PropertyKey[]): string {
  const [field, , member] = path;
  if (field === 'assignees' && path.length === 2) return 'an assignee object {"id": <number>, ...}';
  if (field === 'assignees' && member === 'id') return 'the Backtrace user id, a whole number';
  if (field === 'assignees' && path.length >= 3) return 'a string';
  return typeof field === 'string' ? (HINTS[field] ?? 'see README "Syncing state and assignees"') : 'a JSON object';
}

/** One zod issue about an event, as `<json path>: <what is wrong> (<what is expected>)`; `pathPrefix` nests it. */
export function describeFingerprintEventIssue(issue: z.core.$ZodIssue, body: unknown, pathPrefix = ''): string {
  const path = joinJsonPath(pathPrefix, formatJsonPath(issue.path));
  if (issue.path.length === 0) return `${path}: expected a JSON object, got ${describeValue(body)}`;
  const input = (issue as { input?: unknown }).input;
  const hint = hintFor(issue.path);
  if (input === undefined) return `${path}: required, missing (${hint})`;
  return `${path}: got ${describeValue(input)} (expected ${hint})`;
}

/** True when a body posted to the ingest route is a `fingerprint.updated` event rather than an error group. */
export function isFingerprintUpdated(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { type?: unknown }).type === FINGERPRINT_UPDATED_TYPE;
}

/**
 * Validates a `fingerprint.updated` event. Problems name the JSON path, what was
 * found and what is expected, e.g. `state: got the string "closed" (expected one of "open", ...)`.
 *
 * @example
 * const parsed = parseFingerprintUpdated(body);
 * if (!parsed.ok) return { statusCode: 400, body: parsed.problems.join('\n') };
 */
export function parseFingerprintUpdated(json: unknown): ParseFingerprintUpdatedResult {
  const result = fingerprintUpdatedSchema.safeParse(json, { reportInput: true });
  if (!result.success) return { ok: false, problems: result.error.issues.map((issue) => describeFingerprintEventIssue(issue, json)) };
  return { ok: true, event: result.data };
}
