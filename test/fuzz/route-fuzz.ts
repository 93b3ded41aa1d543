/**
 * Seeded fuzzing of both HTTP routes (fast-check): generated bodies and headers, from plausible deliveries with one
 * field made hostile to plain noise, POSTed to the {@link RouteHarness}. Every answer must be 2xx or 4xx and come
 * within the timeout; afterwards the queues must hold exactly the messages the 2xx answers announced, each one the
 * worker can read. `npm run fuzz` runs 10,000 per route; test/fuzz/route-fuzz.test.ts a sample.
 */
import fc from 'fast-check';
import { EVENTS_QUEUE, GOOD_BASIC, JIRA_QUEUE, jiraHeaders, jiraIssueUpdated, sample, type RouteHarness } from './route-harness.ts';

/** Strings that broke a queue or a parser once, mixed into the generated ones. */
const HOSTILE = ['\uffff', '\ufffe', '\u{1F600}', '\ud800', '\udfff', '\u0000', '\u202e', '\\', '"', '\u2028', 'x'.repeat(3000)];

const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(...HOSTILE), fc.string({ maxLength: 8 }));
const anyNumber = fc.oneof(fc.double({ noNaN: true }), fc.integer(), fc.constantFrom(1e308, -1e308, 0, -1, 2 ** 53, 1e12, 1e15, Date.now(), Date.now() / 1000));
const anyJson = fc.jsonValue({ maxDepth: 4 });
const hexFingerprint = fc.stringMatching(/^[0-9a-f]{64}$/);
const anyFingerprint = fc.oneof(hexFingerprint, anyText, fc.constantFrom('a'.repeat(2000), 'A'.repeat(64)), anyNumber);
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** One request: its body bytes and headers. */
export interface FuzzRequest {
  body: Uint8Array;
  headers: Record<string, string>;
  label: string;
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
/** JSON as JSON.stringify writes it (lone surrogates become \ud800 escapes). */
const json = (value: unknown) => utf8(JSON.stringify(value) ?? 'null');

/** A body shape, from a valid group with one hostile field to random bytes. */
const backtraceBody: fc.Arbitrary<[string, Uint8Array]> = fc.oneof(
  fc.record({ fingerprint: anyFingerprint, classifiers: fc.array(anyText, { maxLength: 3 }) }).map(({ fingerprint, classifiers }) => ['group', json({ ...sample, fingerprint, classifiers })] as [string, Uint8Array]),
  fc.record({ fingerprint: hexFingerprint, text: anyText, field: fc.constantFrom('application', 'callstack', 'project', 'universe', 'attributes', 'timestamp', 'occurrences') }).map(
    ({ fingerprint, text, field }) => {
      const value = field === 'callstack' ? [text] : field === 'attributes' ? { environment: [['production', 3]], [text]: [[text, 1]] } : field === 'timestamp' ? [1502953926, 1502953999] : text;
      return ['group-field', json({ ...sample, fingerprint, [field]: value })] as [string, Uint8Array];
    },
  ),
  fc.record({ fingerprint: hexFingerprint, first: anyNumber, last: anyNumber }).map(({ fingerprint, first, last }) => ['group-timestamp', json({ ...sample, fingerprint, timestamp: [first, last] })] as [string, Uint8Array]),
  fc.record({ fingerprint: anyFingerprint, at: fc.oneof(anyNumber, anyText), state: fc.constantFrom('open', 'resolved', 'muted', 'in-progress', 'closed') }).map(
    ({ fingerprint, at, state }) => ['fingerprint-updated', json({ type: 'fingerprint.updated', universe: 'my_universe', project: 'my_project', fingerprint, state, at })] as [string, Uint8Array],
  ),
  fc.integer({ min: 1, max: 6000 }).map((depth) => ['deep', utf8(`{"fingerprint":"${'a'.repeat(64)}","x":${deep(depth)}}`)] as [string, Uint8Array]),
  anyJson.map((value) => ['json', json(value)] as [string, Uint8Array]),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ['bytes', bytes] as [string, Uint8Array]),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => ['group-bad-utf8', new Uint8Array(Buffer.concat([Buffer.from(JSON.stringify({ ...sample, application: '' }).slice(0, -2)), bytes, Buffer.from('"}')]))] as [string, Uint8Array]),
);

const backtraceAuth = fc.oneof(
  { weight: 8, arbitrary: fc.constant(GOOD_BASIC) },
  { weight: 1, arbitrary: fc.constantFrom('', 'Basic ', 'Bearer x', `Basic ${Buffer.from('backtrace:wrong').toString('base64')}`) },
  { weight: 1, arbitrary: anyText.map((text) => `Basic ${Buffer.from(`${text}:${text}`).toString('base64')}`) },
);

export const backtraceRequests: fc.Arbitrary<FuzzRequest> = fc.tuple(backtraceBody, backtraceAuth).map(([[label, body], authorization]) => ({
  label,
  body,
  headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
}));

const HOUR = 3600_000;
const jiraBody: fc.Arbitrary<[string, Uint8Array]> = fc.oneof(
  fc.record({ summary: anyText, age: fc.integer({ min: -2 * HOUR, max: 4 * HOUR }) }).map(({ summary, age }) => ['issue-updated', json(jiraIssueUpdated({ summary, timestamp: Date.now() - age }))] as [string, Uint8Array]),
  fc.record({ timestamp: fc.oneof(anyNumber, anyText, anyJson) }).map(({ timestamp }) => ['timestamp', json(jiraIssueUpdated({ timestamp }))] as [string, Uint8Array]),
  fc.record({ key: anyText, extra: fc.dictionary(anyText, anyJson, { maxKeys: 3 }) }).map(({ key, extra }) => ['issue-fields', json(jiraIssueUpdated({ key, extra }))] as [string, Uint8Array]),
  fc.integer({ min: 1, max: 6000 }).map((depth) => ['deep', utf8(JSON.stringify(jiraIssueUpdated()).replace(/}$/, `,"x":${deep(depth)}}`))] as [string, Uint8Array]),
  anyJson.map((value) => ['json', json(value)] as [string, Uint8Array]),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ['bytes', bytes] as [string, Uint8Array]),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => ['issue-bad-utf8', new Uint8Array(Buffer.concat([Buffer.from(JSON.stringify(jiraIssueUpdated({ summary: '' })).replace(/"summary":""/, '"summary":"')), bytes, Buffer.from('"')]))] as [string, Uint8Array]),
);

const deliveryId = fc.oneof(
  { weight: 6, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 200 }).filter((id) => id.trim() === id && id.length > 0) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(3000), 'x'.repeat(129), 'x'.repeat(128)) },
);

export const jiraRequests: fc.Arbitrary<FuzzRequest> = fc
  .tuple(jiraBody, deliveryId, fc.integer({ min: 0, max: 9 }))
  .map(([[label, body], id, signing]) => ({
    label,
    body,
    // One in ten unsigned or wrongly signed: the rest reach the parser.
    headers: jiraHeaders(body, { deliveryId: id, ...(signing === 0 ? { signature: null } : signing === 1 ? { signature: `sha256=${'0'.repeat(64)}` } : {}) }),
  }));

export interface FuzzReport {
  route: string;
  inputs: number;
  statuses: Record<string, number>;
  /** Messages the 2xx answers announced, and those found on the queue afterwards. */
  announced: number;
  enqueued: number;
  unreadable: number;
  ms: number;
}

/** How many messages an answer says it queued (0 for anything but 2xx). */
function announcedBy(route: 'backtrace' | 'jira', status: number, body: Record<string, unknown>): number {
  if (status < 200 || status > 299) return 0;
  if (route === 'jira') return typeof body.queued === 'string' ? 1 : 0;
  const accepted = Array.isArray(body.accepted) ? body.accepted.length : 0;
  // A group is one message for all the integrations that accepted it; a fingerprint change, one per integration.
  return 'filtered' in body ? Math.min(accepted, 1) : accepted;
}

/**
 * Runs `numRuns` generated requests against one route and checks every answer; throws (fast-check's report, with the
 * seed and the shrunk counterexample) on a 5xx or a hang. Returns the figures for the queue check.
 */
export async function fuzzRoute(harness: RouteHarness, route: 'backtrace' | 'jira', options: { numRuns: number; seed: number }): Promise<FuzzReport> {
  const statuses: Record<string, number> = {};
  let announced = 0;
  const startedAt = performance.now();
  const path = route === 'backtrace' ? '/backtrace/events' : '/jira/webhook';
  await fc.assert(
    fc.asyncProperty(route === 'backtrace' ? backtraceRequests : jiraRequests, async (request) => {
      const answer = await harness.post(path, request.body, request.headers);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      if (answer.status >= 500 || answer.status < 200) throw new Error(`${request.label}: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      if (answer.status >= 400 && typeof answer.body.message !== 'string') throw new Error(`${request.label}: a ${answer.status} without a message`);
      announced += announcedBy(route, answer.status, answer.body);
    }),
    { numRuns: options.numRuns, seed: options.seed, endOnFailure: true },
  );
  const drained = await harness.drain(route === 'backtrace' ? EVENTS_QUEUE : JIRA_QUEUE);
  return { route, inputs: options.numRuns, statuses, announced, enqueued: drained.parsed.length + drained.unreadable.length, unreadable: drained.unreadable.length, ms: Math.round(performance.now() - startedAt) };
}
