/**
 * The messages the bridge's queues carry, and the one schema that reads them. Producers (the ingest route, the Jira
 * webhook receiver, the EventBridge rule's input transformer, the poller) build a {@link QueueMessageInput}; the
 * queue worker parses each record body once into a typed {@link QueueMessage} and hands it to the use-case for its
 * `kind`. Nothing downstream parses JSON or guesses a shape.
 */
import * as z from './zod-mini.ts';
import { backtraceGroupInputSchema, describeGroupIssue } from './backtrace-group.ts';
import { describeFingerprintEventIssue, fingerprintUpdatedSchema } from './sync/fingerprint-event.ts';
import { parseJiraWebhook, type JiraIssueEvent } from './jira/jira-webhook.ts';
import { describeValue, formatJsonPath } from './json-path.ts';

export const GROUP_KIND = 'backtrace.group';
export const FINGERPRINT_CHANGE_KIND = 'backtrace.fingerprint-updated';
export const JIRA_CHANGE_KIND = 'jira.webhook';

const integrationName = z.string().check(z.minLength(1));

/**
 * A Backtrace error group. `integrations` names those that accepted it (their rules passed, at the ingest route),
 * handled one after the other; absent when it did not pass the ingest route (EventBridge), so the worker picks the
 * integrations by universe and project and applies their rules itself.
 */
const groupMessage = z.object({
  kind: z.literal(GROUP_KIND),
  integrations: z.optional(z.array(integrationName).check(z.minLength(1))),
  group: backtraceGroupInputSchema,
  receivedAt: z.optional(z.string()),
});

/**
 * A Backtrace fingerprint change for one integration that syncs: seen by the poller (Backtrace pushes none), or
 * posted to the optional push route. `reconcile`: the poller found the pair disagreeing for two cycles.
 */
const fingerprintChangeMessage = z.object({
  kind: z.literal(FINGERPRINT_CHANGE_KIND),
  integration: integrationName,
  event: fingerprintUpdatedSchema,
  receivedAt: z.optional(z.string()),
  source: z.optional(z.enum(['poll', 'push'])),
  reconcile: z.optional(z.boolean()),
});

/** The webhook body trimmed for the queue, read into the issue event the worker acts on. */
const jiraIssueEvent = z.pipe(
  z.unknown(),
  z.transform((body, ctx): JiraIssueEvent => {
    const parsed = parseJiraWebhook(body);
    if (parsed.kind === 'issue') return parsed;
    const problems = parsed.kind === 'invalid' ? parsed.problems : [`(body): ${parsed.reason}`];
    // Mini's transform context has no `addIssue`; this is the issue classic's `addIssue` pushed (input: the value).
    for (const problem of problems) ctx.issues.push({ code: 'custom', message: problem, input: body });
    return z.NEVER;
  }),
);

/** A Jira webhook delivery, authenticated and trimmed by the receiver, for the sync-to-backtrace worker. */
const jiraChangeMessage = z.object({
  kind: z.literal(JIRA_CHANGE_KIND),
  /** Integrations whose webhook secret authenticated this delivery. */
  integrations: z.array(integrationName).check(z.minLength(1)),
  deliveryId: z.optional(z.string()),
  receivedAt: z.optional(z.string()),
  /** The webhook body, trimmed to what sync reads (`trimJiraWebhook`); parsed into a {@link JiraIssueEvent}. */
  event: jiraIssueEvent,
});

export const queueMessageSchema = z.discriminatedUnion('kind', [groupMessage, fingerprintChangeMessage, jiraChangeMessage]);

/** What a producer puts on a queue (before parsing: times may be strings, the Jira event is the trimmed body). */
export type QueueMessageInput = z.input<typeof queueMessageSchema>;
/** What the worker hands a use-case. */
export type QueueMessage = z.output<typeof queueMessageSchema>;
export type QueueMessageKind = QueueMessage['kind'];
export type GroupMessage = Extract<QueueMessage, { kind: typeof GROUP_KIND }>;
export type FingerprintChangeMessage = Extract<QueueMessage, { kind: typeof FINGERPRINT_CHANGE_KIND }>;
export type JiraChangeMessage = Extract<QueueMessage, { kind: typeof JIRA_CHANGE_KIND }>;

export const QUEUE_MESSAGE_KINDS: readonly QueueMessageKind[] = [GROUP_KIND, FINGERPRINT_CHANGE_KIND, JIRA_CHANGE_KIND];

/** SQS's limit on one message body, in bytes. */
export const MAX_QUEUE_MESSAGE_BYTES = 256 * 1024;

/**
 * A message as a queue record body: JSON with every character past ASCII written as a `\uXXXX` escape, so the body
 * is plain ASCII. SQS refuses U+FFFE, U+FFFF and other characters outside its set (and fauxqs, locally, astral
 * characters such as emoji); escaped, any string a valid JSON body holds crosses the queue and `JSON.parse` in
 * {@link parseQueueMessage} restores it exactly, with no second decoding step.
 *
 * @example
 * encodeQueueMessage({ kind: 'backtrace.group', group }) // '{"kind":"backtrace.group","group":{"callstack":["\uffff"],...}}'
 */
export function encodeQueueMessage(message: QueueMessageInput): string {
  return JSON.stringify(message).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type ParseQueueMessageResult = { ok: true; message: QueueMessage } | { ok: false; problems: string[] };

/** One problem line, with the hints of the part of the message it is about. */
function describeProblem(issue: z.core.$ZodIssue, message: Record<string, unknown>): string {
  const [top] = issue.path;
  if (top === 'group') return describeGroupIssue({ ...issue, path: issue.path.slice(1) }, message.group, 'group');
  if (top === 'event' && message.kind === FINGERPRINT_CHANGE_KIND) {
    return describeFingerprintEventIssue({ ...issue, path: issue.path.slice(1) }, message.event, 'event');
  }
  // The Jira event's problems come from its own parser, each already `<path>: <what> (<expected>)`.
  if (top === 'event') return issue.message.startsWith('(body)') ? `event${issue.message.slice('(body)'.length)}` : `event.${issue.message}`;
  if (top === 'kind') {
    return `kind: got ${describeValue(message.kind)} (expected one of ${QUEUE_MESSAGE_KINDS.map((kind) => `"${kind}"`).join(', ')})`;
  }
  return `${formatJsonPath(issue.path)}: ${issue.message}`;
}

/**
 * Reads one queue record body: one `JSON.parse`, one schema. Problems name the JSON path and the fix, e.g.
 * `group.fingerprint: required string is missing (...)`.
 *
 * @example
 * const parsed = parseQueueMessage(record.body);
 * if (!parsed.ok) throw new PermanentError(`the message is malformed: ${parsed.problems.join('; ')}`);
 * if (parsed.message.kind === 'backtrace.group') await syncErrorGroup(deps, parsed.message);
 */
export function parseQueueMessage(body: string): ParseQueueMessageResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, problems: ['(body): is not valid JSON (expected a queue message object with a "kind")'] };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, problems: [`(body): expected a queue message object with a "kind", got ${describeValue(json)}`] };
  }
  const result = queueMessageSchema.safeParse(json, { reportInput: true });
  if (result.success) return { ok: true, message: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => describeProblem(issue, json as Record<string, unknown>)) };
}
