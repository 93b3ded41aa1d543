import { describe, expect, it } from 'vitest';
import { isFingerprintUpdated, normaliseEventTime, parseFingerprintUpdated } from '../../../shared/domain/sync/fingerprint-event.ts';

const AT_MS = Date.UTC(2026, 10, 27, 10, 15, 30, 250);

function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: 'fingerprint.updated',
    universe: 'acme',
    project: 'game',
    fingerprint: 'f1e2d3c4b5a6978812345678',
    state: 'resolved',
    assignees: [{ id: 12, username: 'alice', email: 'alice@acme.com' }],
    at: '2026-11-27T10:15:30.250Z',
    ...overrides,
  };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete body[key];
  return body;
}

describe('Function: parseFingerprintUpdated', () => {
  it('reads a full event', () => {
    // Prepare
    const body = event({ invariants: [{ type: 'timestamp_gt', timestamp: 1 }], invariant_reopen_count: 2 });

    // Act
    const result = parseFingerprintUpdated(body);

    // Assess
    expect(result).toEqual({
      ok: true,
      event: {
        type: 'fingerprint.updated',
        universe: 'acme',
        project: 'game',
        fingerprint: 'f1e2d3c4b5a6978812345678',
        state: 'resolved',
        assignees: [{ id: 12, username: 'alice', email: 'alice@acme.com' }],
        invariants: [{ type: 'timestamp_gt', timestamp: 1 }],
        invariant_reopen_count: 2,
        at: AT_MS,
      },
    });
  });

  it('takes the parsed body only: JSON text is refused, not parsed a second time', () => {
    // Act
    const result = parseFingerprintUpdated(JSON.stringify(event()));

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([expect.stringMatching(/^\(body\): expected a JSON object, got the string "\{/)]);
  });

  it.each([
    ['ISO-8601 with Z', '2026-11-27T10:15:30.250Z', AT_MS],
    ['ISO-8601 with an offset', '2026-11-27T11:15:30.250+01:00', AT_MS],
    ['ISO-8601 with an offset without colon', '2026-11-27T11:15:30.250+0100', AT_MS],
    ['unix seconds', 1_795_774_530, 1_795_774_530_000],
    ['unix seconds with a fraction', 1_795_774_530.25, AT_MS],
    ['epoch milliseconds', AT_MS, AT_MS],
    ['unix seconds as a string', '1795774530', 1_795_774_530_000],
  ])('normalises `at` given as %s to epoch ms', (_case, at, expected) => {
    // Act
    const result = parseFingerprintUpdated(event({ at }));

    // Assess
    expect(result.ok && result.event.at).toBe(expected);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', []],
  ])('reads assignees %s as unassigned', (_case, assignees) => {
    // Act
    const result = parseFingerprintUpdated(event({ assignees }));

    // Assess
    expect(result.ok && result.event.assignees).toEqual([]);
  });

  it('drops null or empty username and e-mail of an assignee', () => {
    // Act
    const result = parseFingerprintUpdated(event({ assignees: [{ id: 3, username: null, email: '' }] }));

    // Assess
    expect(result.ok && result.event.assignees).toEqual([{ id: 3 }]);
  });

  it.each([
    ['another type', { type: 'fingerprint.created' }, 'type: got the string "fingerprint.created" (expected "fingerprint.updated")'],
    ['a missing fingerprint', { fingerprint: undefined }, "fingerprint: required, missing (the fingerprint's hash)"],
    ['an empty universe', { universe: '' }, 'universe: got the string "" (expected the Backtrace universe name)'],
    ['an unknown state', { state: 'closed' }, 'state: got the string "closed" (expected one of "open", "in-progress", "resolved", "muted")'],
    ['assignees as an object', { assignees: { id: 1 } }, 'assignees: got an object (expected a list of {"id": <Backtrace user id>'],
    ['an assignee without id', { assignees: [{ username: 'bob' }] }, 'assignees[0].id: required, missing (the Backtrace user id, a whole number)'],
    ['an assignee id as text', { assignees: [{ id: '12' }] }, 'assignees[0].id: got the string "12" (expected the Backtrace user id, a whole number)'],
    ['an assignee e-mail as a number', { assignees: [{ id: 1, email: 5 }] }, 'assignees[0].email: got the number 5 (expected a string)'],
    ['an assignee that is not an object', { assignees: [7] }, 'assignees[0]: got the number 7 (expected an assignee object'],
    ['a missing `at`', { at: undefined }, 'at: required, missing (when it changed: ISO-8601 with a zone, unix seconds or epoch milliseconds)'],
    ['an `at` that is not a time', { at: 'yesterday' }, 'at: got the string "yesterday" (expected when it changed'],
    ['an ISO `at` without a zone', { at: '2026-11-27T10:15:30' }, 'at: got the string "2026-11-27T10:15:30" (expected when it changed'],
    ['a negative `at`', { at: -5 }, 'at: got the number -5 (expected when it changed'],
    ['an `at` as a boolean', { at: true }, 'at: got true (expected when it changed'],
    ['invariants that are not a list', { invariants: 'x' }, 'invariants: got the string "x" (expected the fingerprint\'s reopen criteria, a list)'],
  ])('refuses %s, naming the path', (_case, overrides, problem) => {
    // Act
    const result = parseFingerprintUpdated(event(overrides));

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join('\n')).toContain(problem);
  });

  it('lists every problem at once', () => {
    // Act
    const result = parseFingerprintUpdated(event({ state: 'closed', universe: undefined }));

    // Assess
    expect(!result.ok && result.problems).toHaveLength(2);
  });

  it.each([
    ['an array', [], '(body): expected a JSON object, got an array of 0'],
    ['null', null, '(body): expected a JSON object, got null'],
    ['JSON text', '{"type":', '(body): expected a JSON object, got the string "{\\"type\\":"'],
  ])('refuses %s as the body', (_case, body, problem) => {
    // Act
    const result = parseFingerprintUpdated(body);

    // Assess
    expect(!result.ok && result.problems[0]).toContain(problem);
  });
});

describe('Function: normaliseEventTime', () => {
  it.each([
    ['the last unix second before the ms threshold', 999_999_999_999, 999_999_999_999_000],
    ['the first epoch ms at the threshold', 1_000_000_000_000, 1_000_000_000_000],
    ['zero', 0, 0],
    ['not a number', Number.NaN, undefined],
    ['infinity', Number.POSITIVE_INFINITY, undefined],
    ['an object', {}, undefined],
  ])('reads %s', (_case, value, expected) => {
    // Act
    const ms = normaliseEventTime(value);

    // Assess
    expect(ms).toBe(expected);
  });
});

describe('Function: isFingerprintUpdated', () => {
  it.each([
    ['a fingerprint.updated event', event(), true],
    ['an error group', { universe: 'acme', project: 'game', fingerprint: 'f' }, false],
    ['another type', { type: 'group' }, false],
    ['null', null, false],
  ])('tells %s', (_case, body, expected) => {
    // Act
    const result = isFingerprintUpdated(body);

    // Assess
    expect(result).toBe(expected);
  });
});
