/**
 * The limits both HTTP routes hold every input to, as pure checks. Each refusal is one line naming what is wrong and
 * how to fix it; the route answers it with a 400 and enqueues nothing. Why these limits: a value the bridge accepts
 * must be one it can carry to the end (a queue message, a DynamoDB key, a Jira label), so anything that would fail
 * later, where nobody sees it, is refused here, where the sender sees it.
 */

/**
 * Deepest JSON nesting accepted. Backtrace's group and Jira's webhook bodies nest under 15 deep; a parser or a
 * schema walking a body thousands deep overflows the stack, so the depth is counted before anything parses.
 */
export const MAX_JSON_DEPTH = 64;
/** Backtrace's fingerprint: the SHA-256 of the group, 64 lower-case hex characters (reference backtrace.md 2.1, 5). */
export const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/;
export const FINGERPRINT_LENGTH = 64;
/** `X-Atlassian-Webhook-Identifier` is a short id (a UUID or a number); it becomes a DynamoDB key, whose limit is 2 KiB. */
export const MAX_DELIVERY_ID_LENGTH = 128;
/** The earliest event time taken for real (no Backtrace or Jira event predates it): earlier is a unit mistake. */
export const EARLIEST_EVENT_MS = Date.UTC(2000, 0, 1);
/** How far ahead of our clock an event time may be (clock skew), before it is refused as a mistake. */
export const MAX_CLOCK_AHEAD_MS = 24 * 3600 * 1000;

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The body's bytes as text, refusing invalid UTF-8 rather than replacing it with U+FFFD: two different
 * fingerprints must never become one.
 */
export function decodeUtf8(bytes: Uint8Array): Checked<string> {
  try {
    return { ok: true, value: fatalUtf8.decode(bytes) };
  } catch {
    return { ok: false, problem: `the body is not valid UTF-8 (at byte ${firstInvalidUtf8Byte(bytes)}): send the JSON encoded as UTF-8` };
  }
}

/** Offset of the first byte that starts no valid UTF-8 sequence (for the refusal; the decoder says only "invalid"). */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index];
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || index + length > bytes.length) return index;
    try {
      fatalUtf8.decode(bytes.subarray(index, index + length));
    } catch {
      return index;
    }
    index += length;
  }
  return index;
}

/** A string holding half of a surrogate pair alone (not text any UTF-8 body can carry). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A body API Gateway handed over as a string: refused when it holds a lone surrogate (it did not come from UTF-8). */
export function checkWellFormed(text: string): Checked<string> {
  const match = LONE_SURROGATE.exec(text);
  if (!match) return { ok: true, value: text };
  return { ok: false, problem: `the body is not valid UTF-8 (a lone surrogate at character ${match.index}): send the JSON encoded as UTF-8` };
}

/**
 * Refuses JSON text nested deeper than `limit`, counting brackets outside strings in one loop (no recursion, so no
 * depth can overflow it). Says nothing about whether the text is JSON; `JSON.parse` decides that afterwards.
 */
export function checkJsonDepth(text: string, limit = MAX_JSON_DEPTH): Checked<string> {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index++; // backslash: the next character is escaped
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      if (++depth > limit) {
        return { ok: false, problem: `the body nests JSON more than ${limit} levels deep (at character ${index}): the limit is ${limit}; send the body Backtrace or Jira sends, without the extra nesting` };
      }
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return { ok: true, value: text };
}

const preview = (value: string) => JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);

/** A fingerprint as Backtrace makes it: 64 lower-case hex characters. `path` names the field in the refusal. */
export function checkFingerprint(value: string, path = 'fingerprint'): Checked<string> {
  if (FINGERPRINT_PATTERN.test(value)) return { ok: true, value };
  const what = value.length !== FINGERPRINT_LENGTH ? `${value.length} characters` : 'a character that is not lower-case hex';
  return {
    ok: false,
    problem: `${path}: got ${preview(value)} (${what}); a Backtrace fingerprint is ${FINGERPRINT_LENGTH} lower-case hex characters (the group's SHA-256): send the fingerprint Backtrace's webhook carries`,
  };
}

/** `X-Atlassian-Webhook-Identifier`: absent is fine (no dedupe then); present, 1 to 128 printable ASCII characters. */
export function checkDeliveryId(value: string | undefined): Checked<string | undefined> {
  if (value === undefined) return { ok: true, value };
  if (value.length === 0 || value.length > MAX_DELIVERY_ID_LENGTH) {
    return { ok: false, problem: `X-Atlassian-Webhook-Identifier: is ${value.length} characters; it must be 1 to ${MAX_DELIVERY_ID_LENGTH} (Jira sends a short id; leave the header as Jira sets it)` };
  }
  if (!/^[\x21-\x7e]+$/.test(value)) {
    return { ok: false, problem: 'X-Atlassian-Webhook-Identifier: holds a space, a control or a non-ASCII character; it must be printable ASCII (leave the header as Jira sets it)' };
  }
  return { ok: true, value };
}

/**
 * An event time (epoch ms) inside [2000-01-01, now + 1 day]: a time outside cannot be a real event, and one far
 * ahead would become a watermark that silently drops every later change. `path` and `expected` name the field.
 */
export function checkEventTime(ms: number, now: number, path: string, expected: string): Checked<number> {
  if (Number.isFinite(ms) && ms >= EARLIEST_EVENT_MS && ms <= now + MAX_CLOCK_AHEAD_MS) return { ok: true, value: ms };
  const where = !Number.isFinite(ms) || ms > now + MAX_CLOCK_AHEAD_MS ? 'more than a day ahead of now' : 'before 2000-01-01';
  return { ok: false, problem: `${path}: ${describeTime(ms)} is ${where}; send ${expected}` };
}

/** ISO-8601 when a Date can hold the time (+-8.64e15 ms), else the number: `toISOString` throws past it (1e308). */
export function describeTime(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/** Everything {@link checkFingerprint} and {@link checkEventTime} refuse in an error group, one line each. */
export function groupLimitProblems(group: { fingerprint: string; timestamp?: readonly number[] }, now: number): string[] {
  const problems: string[] = [];
  const fingerprint = checkFingerprint(group.fingerprint);
  if (!fingerprint.ok) problems.push(fingerprint.problem);
  (group.timestamp ?? []).forEach((seconds, index) => {
    const time = checkEventTime(seconds * 1000, now, `timestamp[${index}]`, 'unix seconds ([first seen, last seen], as Backtrace sends them)');
    if (!time.ok) problems.push(time.problem);
  });
  return problems;
}
