import { describe, expect, it } from 'vitest';
import {
  checkDeliveryId,
  checkEventTime,
  checkFingerprint,
  checkJsonDepth,
  checkWellFormed,
  decodeUtf8,
  groupLimitProblems,
  MAX_DELIVERY_ID_LENGTH,
  MAX_JSON_DEPTH,
} from '../../shared/domain/input-limits.ts';
import { replayVerdict } from '../../shared/domain/jira/replay-window.ts';
import { encodeQueueMessage, parseQueueMessage } from '../../shared/domain/queue-message.ts';

const NOW = Date.UTC(2026, 11, 1, 12);
const HEX = '8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40';
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('decodeUtf8', () => {
  it.each([
    ['ASCII', Buffer.from('{"a":1}'), '{"a":1}'],
    ['U+FFFF and U+FFFE, which are valid UTF-8', Buffer.from('"\uffff\ufffe"', 'utf8'), '"\uffff\ufffe"'],
    ['an emoji (4 bytes)', Buffer.from('"\u{1F600}"', 'utf8'), '"\u{1F600}"'],
    ['a byte-order mark, kept (JSON.parse then refuses it by name)', Buffer.from('\ufeff{}', 'utf8'), '\ufeff{}'],
  ])('decodes %s exactly', (_case, bytes, text) => {
    expect(decodeUtf8(bytes)).toEqual({ ok: true, value: text });
  });

  it.each([
    ['a lone continuation byte', Buffer.from([0x7b, 0x80, 0x7d]), 1],
    ['a truncated 3-byte sequence at the end', Buffer.from([0x22, 0x61, 0xe2, 0x82]), 2],
    ['an overlong encoding of "/"', Buffer.from([0x22, 0xc0, 0xaf, 0x22]), 1],
    ['an encoded surrogate (CESU-8)', Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), 1],
    ['a byte never used by UTF-8', Buffer.from([0x22, 0x61, 0x62, 0xff]), 3],
  ])('refuses %s, naming the byte offset, instead of replacing it', (_case, bytes, offset) => {
    expect(decodeUtf8(bytes)).toEqual({ ok: false, problem: `the body is not valid UTF-8 (at byte ${offset}): send the JSON encoded as UTF-8` });
  });
});

describe('checkWellFormed', () => {
  it.each([
    ['plain text', 'abc', true],
    ['a surrogate pair (emoji)', 'a\u{1F600}b', true],
    ['a lone high surrogate', 'a\ud83db', false],
    ['a lone low surrogate', 'a\ude00b', false],
    ['a high surrogate at the end', 'ab\ud83d', false],
  ])('%s -> well formed: %s', (_case, text, ok) => {
    const checked = checkWellFormed(text);
    expect(checked.ok).toBe(ok);
    if (!checked.ok) expect(checked.problem).toMatch(/^the body is not valid UTF-8 \(a lone surrogate at character \d+\)/);
  });
});

describe('checkJsonDepth', () => {
  it.each([
    ['flat', '{"a":1}', true],
    ['exactly the limit', nested(MAX_JSON_DEPTH), true],
    ['one past the limit', nested(MAX_JSON_DEPTH + 1), false],
    ['5,000 deep in an unknown field', `{"x":${nested(5000)}}`, false],
    ['brackets inside strings do not count', `{"x":"${'['.repeat(5000)}"}`, true],
    ['an escaped quote does not end the string', `{"x":"\\"${'{'.repeat(200)}"}`, true],
    ['an escaped backslash before the closing quote', `{"x":"\\\\","y":${nested(MAX_JSON_DEPTH)}}`, false],
  ])('%s -> within the limit: %s', (_case, text, ok) => {
    const checked = checkJsonDepth(text);
    expect(checked.ok).toBe(ok);
    if (!checked.ok) expect(checked.problem).toContain(`the body nests JSON more than ${MAX_JSON_DEPTH} levels deep`);
  });

  it('counts 1,000,000 levels without recursing (no stack to overflow)', () => {
    expect(checkJsonDepth(nested(1_000_000), 2_000_000).ok).toBe(true);
  });
});

describe('checkFingerprint', () => {
  it.each([
    ['a real fingerprint', HEX, undefined],
    ['upper-case hex', HEX.toUpperCase(), 'a character that is not lower-case hex'],
    ['a short id', 'fp1', '3 characters'],
    ['a 2,000-byte string', 'a'.repeat(2000), '2000 characters'],
    ['64 characters that are not hex', 'g'.repeat(64), 'a character that is not lower-case hex'],
    ['empty', '', '0 characters'],
  ])('%s', (_case, value, what) => {
    const checked = checkFingerprint(value);
    if (what === undefined) return expect(checked).toEqual({ ok: true, value });
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.problem).toContain(`(${what}); a Backtrace fingerprint is 64 lower-case hex characters`);
      // The refusal quotes at most 20 characters of what was sent.
      expect(checked.problem.length).toBeLessThan(300);
    }
  });
});

describe('checkDeliveryId', () => {
  it.each([
    ['absent', undefined, true],
    ['a UUID', '1f2e3d4c-0000-4000-8000-000000000001', true],
    ['a number', '12345', true],
    ['exactly the limit', 'x'.repeat(MAX_DELIVERY_ID_LENGTH), true],
    ['one past the limit', 'x'.repeat(MAX_DELIVERY_ID_LENGTH + 1), false],
    ['3,000 characters', 'x'.repeat(3000), false],
    ['empty', '', false],
    ['with a space', 'a b', false],
    ['with a non-ASCII character', 'caf\u00e9', false],
  ])('%s -> accepted: %s', (_case, value, ok) => {
    const checked = checkDeliveryId(value);
    expect(checked.ok).toBe(ok);
    if (!checked.ok) expect(checked.problem).toMatch(/^X-Atlassian-Webhook-Identifier: /);
  });
});

describe('checkEventTime', () => {
  it.each([
    ['now', NOW, undefined],
    ['a day ahead (clock skew)', NOW + 24 * 3600_000, undefined],
    ['a day and a second ahead', NOW + 24 * 3600_000 + 1000, `at: ${new Date(NOW + 24 * 3600_000 + 1000).toISOString()} is more than a day ahead of now`],
    ['1e308', 1e308, 'at: 1e+308 is more than a day ahead of now'],
    ['Infinity', Infinity, 'at: Infinity is more than a day ahead of now'],
    ['NaN', NaN, 'at: NaN is more than a day ahead of now'],
    ['1999', Date.UTC(1999, 11, 31), 'at: 1999-12-31T00:00:00.000Z is before 2000-01-01'],
    ['-1e308', -1e308, 'at: -1e+308 is before 2000-01-01'],
  ])('%s', (_case, ms, problem) => {
    const checked = checkEventTime(ms, NOW, 'at', 'epoch ms');
    if (problem === undefined) return expect(checked).toEqual({ ok: true, value: ms });
    expect(checked).toEqual({ ok: false, problem: `${problem}; send epoch ms` });
  });
});

describe('groupLimitProblems', () => {
  it.each([
    ['a real group', { fingerprint: HEX, timestamp: [1502953926, 1502953999] }, []],
    ['no timestamp', { fingerprint: HEX }, []],
    ['a non-hex fingerprint', { fingerprint: 'warm-up' }, [expect.stringMatching(/^fingerprint: got "warm-up" \(7 characters\)/)]],
    ['timestamps in ms (a unit mistake) and 1e308', { fingerprint: HEX, timestamp: [NOW, 1e308] }, [expect.stringMatching(/^timestamp\[0\]: .* is more than a day ahead/), expect.stringMatching(/^timestamp\[1\]: Infinity is more than a day ahead/)]],
  ])('%s', (_case, group, problems) => {
    expect(groupLimitProblems(group, NOW)).toEqual(problems);
  });
});

describe('replayVerdict', () => {
  const HOUR = 3600_000;
  it.each([
    ['a delivery fired now', { timestamp: NOW }, 'fresh'],
    ['one fired exactly the window ago', { timestamp: NOW - 2 * HOUR }, 'fresh'],
    ['one fired the window and a second ago', { timestamp: NOW - 2 * HOUR - 1000 }, 'stale'],
    ['one dated only by issue.fields.updated, old', { updatedAt: NOW - 3 * HOUR }, 'stale'],
    ['one whose timestamp is fresh though the issue was updated long ago (timestamp decides)', { timestamp: NOW, updatedAt: NOW - 30 * 24 * HOUR }, 'fresh'],
    ['one from 2016 (a captured fixture)', { timestamp: 1481183713759 }, 'stale'],
    ['one dated 0 (epoch)', { timestamp: 0 }, 'stale'],
    ['one with no time at all', {}, 'fresh'],
    ['one with timestamp 1e308', { timestamp: 1e308 }, 'invalid'],
    ['one with issue.fields.updated two days ahead', { timestamp: NOW, updatedAt: NOW + 48 * HOUR }, 'invalid'],
  ])('%s -> %s', (_case, event, kind) => {
    const verdict = replayVerdict(event, NOW, 7200);
    expect(verdict.kind).toBe(kind);
    if (verdict.kind === 'invalid') expect(verdict.problem).toMatch(/^(timestamp|issue\.fields\.updated): .* is more than a day ahead of now; send the time Jira set/);
    if (verdict.kind === 'stale') expect(verdict.ageSeconds).toBeGreaterThan(7200);
  });
});

describe('encodeQueueMessage', () => {
  const group = (text: string) => ({ kind: 'backtrace.group' as const, integrations: ['a'], group: { universe: 'u', project: 'p', fingerprint: HEX, classifiers: [text] } });

  it.each([
    ['U+FFFF', '\uffff'],
    ['U+FFFE', '\ufffe'],
    ['an emoji', '\u{1F600}'],
    ['a lone surrogate (JSON "\\ud800")', '\ud800'],
    ['control characters', '\u0000\u0001\u001f'],
    ['DEL, Latin-1 and CJK', '\u007f\u00e9\u4e2d'],
    ['backslashes and quotes', '\\"\\u0041'],
  ])('writes %s as ASCII only, and the worker reads it back exactly', (_case, text) => {
    const body = encodeQueueMessage(group(text));
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    const parsed = parseQueueMessage(body);
    expect(parsed.ok && parsed.message.kind === 'backtrace.group' ? parsed.message.group.classifiers : parsed).toEqual([text]);
  });
});
