/**
 * The `/api/query` requests the Backtrace adapter builds for the `issues` table (batches, anchored and escaped
 * regular expressions, paging pinned to one snapshot) and how it reads one row of the answer.
 */
import { describe, expect, it } from 'vitest';
import {
  batchQuery,
  escapeRegExp,
  fingerprintBatches,
  fingerprintPattern,
  ISSUE_COLUMNS,
  MAX_FINGERPRINTS_PER_QUERY,
  PAGE_SIZE,
  singleQuery,
} from '../../shared/adapters/backtrace/issue-queries.ts';
import { parseIssueRow } from '../../shared/adapters/backtrace/issue-row.ts';
import { PermanentError } from '../../shared/ports/errors.ts';

const fingerprints = (count: number, prefix = 'fp') => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

/** Fingerprints a regular expression is easily fooled by, and the near misses it must not match. */
const TRICKY = ['a.c', 'a*', 'a+b', 'a?', '^x', 'x$', '(g)', '[ab]', '{2}', 'p|q', 'back\\slash', 'sl/ash', 'da-sh', '.*', '', 'plain'];
const NEAR_MISSES = ['abc', 'a', 'aab', 'aa+b', 'ab', 'x', 'g', 'b', '2', 'p', 'q', 'back\\\\slash', 'backslash', 'slash', 'da\\-sh', 'anything', 'plainer', 'xplain', ' plain'];

describe('Function: fingerprintBatches', () => {
  it.each([
    [0, []],
    [1, [1]],
    [99, [99]],
    [100, [100]],
    [101, [100, 1]],
    [250, [100, 100, 50]],
    [300, [100, 100, 100]],
  ])('splits %i fingerprints into batches of %j', (count, sizes) => {
    // Prepare
    const all = fingerprints(count);

    // Act
    const batches = fingerprintBatches(all);

    // Assess
    expect(batches.map((batch) => batch.length)).toEqual(sizes);
    expect(batches.flat()).toEqual(all);
    expect(MAX_FINGERPRINTS_PER_QUERY).toBe(100);
  });

  it('drops duplicates, keeping the first occurrence\'s place, before counting batch sizes', () => {
    // Prepare
    const all = fingerprints(150);
    const withRepeats = [...all.slice(0, 120), ...all.slice(0, 50), ...all.slice(120), all[3]!];

    // Act
    const batches = fingerprintBatches(withRepeats);

    // Assess
    expect(batches.map((batch) => batch.length)).toEqual([100, 50]);
    expect(batches.flat()).toEqual(all);
  });

  it('keeps the given order rather than sorting', () => {
    // Prepare
    const reversed = fingerprints(5).reverse();

    // Act
    const batches = fingerprintBatches(reversed, 2);

    // Assess
    expect(batches).toEqual([
      ['fp0004', 'fp0003'],
      ['fp0002', 'fp0001'],
      ['fp0000'],
    ]);
  });
});

describe('Function: escapeRegExp', () => {
  it.each(TRICKY)('makes %j match itself and nothing else', (fingerprint) => {
    // Act
    const exactly = new RegExp(`^${escapeRegExp(fingerprint)}$`);

    // Assess
    expect(exactly.test(fingerprint)).toBe(true);
    expect([...TRICKY, ...NEAR_MISSES].filter((candidate) => exactly.test(candidate))).toEqual([fingerprint]);
  });

  it('leaves a hex fingerprint as it is', () => {
    // Prepare
    const fingerprint = '8910551e27a3' + '0f'.repeat(26);

    // Act
    const escaped = escapeRegExp(fingerprint);

    // Assess
    expect(escaped).toBe(fingerprint);
  });
});

describe('Function: fingerprintPattern', () => {
  it('matches exactly the given fingerprints, metacharacters and all, and none that merely contains one', () => {
    // Prepare
    const wanted = ['a.c', 'p|q', '(g)', 'back\\slash', 'da-sh', 'plain'];
    const candidates = [...TRICKY, ...NEAR_MISSES, 'a.c.d', 'xa.c', 'p|q|r', 'plain plain'];

    // Act
    const pattern = new RegExp(fingerprintPattern(wanted));

    // Assess
    expect(candidates.filter((candidate) => pattern.test(candidate)).sort()).toEqual([...wanted].sort());
  });

  it('anchors the whole alternation, not just its first and last member', () => {
    // Prepare
    const hex = ['aaaa', 'bbbb', 'cccc'];

    // Act
    const pattern = fingerprintPattern(hex);

    // Assess
    expect(pattern).toBe('^(?:aaaa|bbbb|cccc)$');
    const compiled = new RegExp(pattern);
    expect(['aaaa', 'bbbb', 'cccc', 'xbbbb', 'bbbbx', 'aaaax', 'xcccc'].filter((candidate) => compiled.test(candidate))).toEqual(hex);
  });

  it('matches each of 100 hex fingerprints and no other', () => {
    // Prepare
    const batch = Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(64, 'e'));
    const others = Array.from({ length: 100 }, (_, i) => (i + 100).toString(16).padStart(64, 'e'));

    // Act
    const pattern = new RegExp(fingerprintPattern(batch));

    // Assess
    expect(batch.every((fingerprint) => pattern.test(fingerprint))).toBe(true);
    expect(others.filter((fingerprint) => pattern.test(fingerprint))).toEqual([]);
  });
});

describe('Function: batchQuery', () => {
  it('asks for the first page without pinning a snapshot', () => {
    // Act
    const query = batchQuery(['aaaa', 'b.b'], { offset: 0 });

    // Assess
    expect(query).toEqual({
      table: 'issues',
      filter: [{ fingerprint: [['regular-expression', '^(?:aaaa|b\\.b)$']] }],
      select: ['fingerprint', 'state', 'ticket', 'invariants', 'invariant_reopen_count', 'invariant_reopen_last_time'],
      order: [{ name: 'fingerprint', ordering: 'ascending' }],
      limit: PAGE_SIZE,
      offset: 0,
    });
    expect(PAGE_SIZE).toBe(100);
  });

  it('pins a later page to the given transaction with _tx at-most, in the same filter object', () => {
    // Act
    const query = batchQuery(['aaaa'], { offset: 200, tx: 9444 });

    // Assess
    expect(query).toMatchObject({ limit: 100, offset: 200 });
    expect(query.filter).toEqual([{ fingerprint: [['regular-expression', '^(?:aaaa)$']], _tx: [['at-most', 9444]] }]);
  });

  it('gives every query its own copy of the column list', () => {
    // Act
    const first = batchQuery(['aaaa'], { offset: 0 });
    (first.select as string[]).push('tags');
    const second = batchQuery(['aaaa'], { offset: 0 });

    // Assess
    expect(second.select).toEqual([...ISSUE_COLUMNS]);
  });
});

describe('Function: singleQuery', () => {
  it('asks for one fingerprint\'s row with equal, limit 1, and the same columns', () => {
    // Act
    const query = singleQuery('a.c');

    // Assess
    expect(query).toEqual({ table: 'issues', filter: [{ fingerprint: [['equal', 'a.c']] }], select: [...ISSUE_COLUMNS], limit: 1 });
  });
});

describe('Function: parseIssueRow', () => {
  const at = { universe: 'acme', project: 'game', fingerprint: '8910551e27a3' };
  const fresh = { state: 'open', tickets: [], invariants: [], reopenCount: 0 };
  const ours = { watcher: 'jira-prod', short: 'CRASH-1', url: 'https://acme.atlassian.net/browse/CRASH-1', state: 'resolved' };
  const rule = { type: 'version_gt', field: 'version', version: '2.4.0' };

  it.each([
    ['no columns at all', {}, fresh],
    ['empty columns (a row never written)', { state: '', ticket: '', invariants: '', invariant_reopen_count: 0, invariant_reopen_last_time: 0 }, fresh],
    ['null columns', { state: null, ticket: null, invariants: null, invariant_reopen_count: null, invariant_reopen_last_time: null }, fresh],
    ['JSON null in the list columns', { state: 'muted', ticket: 'null', invariants: 'null' }, { ...fresh, state: 'muted' }],
    [
      'ticket and invariants as JSON strings',
      { state: 'resolved', ticket: JSON.stringify([{ watcher: '_backtrace', assignees: [{ id: 12, username: 'ana' }] }, ours]), invariants: JSON.stringify([rule]) },
      { state: 'resolved', tickets: [{ watcher: '_backtrace', assignees: [{ id: 12, username: 'ana' }] }, ours], invariants: [rule], reopenCount: 0 },
    ],
    ['lists already decoded', { state: 'in-progress', ticket: [ours], invariants: [rule] }, { state: 'in-progress', tickets: [ours], invariants: [rule], reopenCount: 0 }],
    [
      'numbers as numbers',
      { state: 'open', invariant_reopen_count: 3, invariant_reopen_last_time: 1_767_225_600 },
      { ...fresh, reopenCount: 3, reopenLastTime: 1_767_225_600 },
    ],
    [
      'numbers as strings',
      { state: 'open', invariant_reopen_count: '3', invariant_reopen_last_time: '1767225600' },
      { ...fresh, reopenCount: 3, reopenLastTime: 1_767_225_600 },
    ],
    ['unreadable counts as zero', { invariant_reopen_count: 'many', invariant_reopen_last_time: -5 }, fresh],
    ['a fractional count rounded down', { invariant_reopen_count: '2.9' }, { ...fresh, reopenCount: 2 }],
    [
      'odd ticket entries kept as they are',
      { ticket: JSON.stringify([{ watcher: 'other-tool', custom: { nested: [1, 2] }, state: 'open' }, { no: 'watcher' }, {}]) },
      { ...fresh, tickets: [{ watcher: 'other-tool', custom: { nested: [1, 2] }, state: 'open' }, { no: 'watcher' }, {}] },
    ],
  ])('reads %s', (_case, record, expected) => {
    // Act
    const issue = parseIssueRow(record, at);

    // Assess
    expect(issue).toStrictEqual(expected);
  });

  it.each([
    ['ticket', { ticket: '[{"watcher":"jira-prod"' }, "Backtrace's ticket list of fingerprint 8910551e27a3 in acme/game is not JSON"],
    ['invariants', { invariants: '[{"type":' }, "Backtrace's invariants of fingerprint 8910551e27a3 in acme/game is not JSON"],
    ['ticket', { ticket: '{"watcher":"jira-prod"}' }, "Backtrace's ticket list of fingerprint 8910551e27a3 in acme/game is not a list"],
    ['invariants', { invariants: 42 }, "Backtrace's invariants of fingerprint 8910551e27a3 in acme/game is not a list"],
    ['state', { state: 'ignored' }, 'Backtrace reports state "ignored" for fingerprint 8910551e27a3 in acme/game'],
  ])('refuses a malformed %s column with PermanentError naming the fingerprint', (_column, record, message) => {
    // Act
    const read = () => parseIssueRow(record, at);

    // Assess
    expect(read).toThrow(PermanentError);
    expect(read).toThrow(message);
  });
});
