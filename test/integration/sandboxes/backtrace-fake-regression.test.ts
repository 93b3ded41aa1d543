/**
 * Regressions in the Backtrace sandbox, as Backtrace makes them (reference section 3.2): a new error of a resolved or
 * muted fingerprint reopens it when one of its invariants matches (state open, `invariant_reopen_count` + 1,
 * `invariant_reopen_last_time` now, in unix seconds); without invariants resolved and muted are sticky.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBacktraceFake, type BacktraceFake, type IssueInvariant } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { pollerQuery, postIssue, postQuery, rows } from './support/coroner.ts';

const FP = '8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40';
const ana = { id: 12, username: 'ana' };
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Backtrace fake: reportError (regressions by invariant)', () => {
  let backtrace: BacktraceFake;
  const resolvedUntil = (invariants: IssueInvariant[]) => backtrace.actAs(ana).resolve('acme', 'game', FP, invariants);
  const report = (attributes: Record<string, string>) => backtrace.reportError('acme', 'game', FP, attributes);

  beforeAll(async () => {
    backtrace = await startBacktraceFake();
  });
  afterAll(() => backtrace.close());
  beforeEach(() => backtrace.reset());

  it.each([
    ['version_gt', '2.4.1', true],
    ['version_gt', '2.3.9', false],
    ['version_gt', '2.4.0', false],
    ['version_gt', '2.4', false], // missing parts are 0
    ['version_gt', '2.10.0', true], // numeric parts, not text
    ['version_gt', '3', true],
    ['version_ge', '2.4.0', true],
    ['version_ge', '2.4', true],
    ['version_ge', '2.3.99', false],
  ] as const)('%s 2.4.0 with an error in version %s: reopens = %s', (type, version, reopens) => {
    // Prepare
    resolvedUntil([{ type, field: 'version', version: '2.4.0' }]);

    // Act
    const reopened = report({ version });

    // Assess
    expect(reopened).toBe(reopens);
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject(reopens ? { state: 'open', invariantReopenCount: 1 } : { state: 'resolved', invariantReopenCount: 0, invariantReopenLastTime: 0 });
  });

  it('sets state open, counts the reopen and stamps it in unix seconds, once per reopen', () => {
    // Prepare
    resolvedUntil([{ type: 'version_gt', field: 'version', version: '2.4.0' }]);
    const before = nowSeconds();

    // Act
    const first = report({ version: '2.4.1' });
    const whileOpen = report({ version: '2.4.2' });
    const afterFirst = backtrace.getIssue('acme', 'game', FP)!;
    resolvedUntil([{ type: 'version_gt', field: 'version', version: '2.5.0' }]);
    const older = report({ version: '2.4.9' });
    const second = report({ version: '2.5.1' });

    // Assess
    expect([first, whileOpen, older, second]).toEqual([true, false, false, true]);
    expect(afterFirst.invariantReopenCount).toBe(1);
    expect(afterFirst.invariantReopenLastTime).toBeGreaterThanOrEqual(before);
    expect(afterFirst.invariantReopenLastTime).toBeLessThanOrEqual(nowSeconds());
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({ state: 'open', invariantReopenCount: 2, invariants: [{ version: '2.5.0' }] });
  });

  it('keeps a resolved or muted fingerprint without invariants as it is ("resolved" without "until" is sticky)', () => {
    // Prepare
    const muted = 'c'.repeat(64);
    backtrace.actAs(ana).resolve('acme', 'game', FP);
    backtrace.actAs(ana).mute('acme', 'game', muted);

    // Act
    const reopened = [report({ version: '99.0.0' }), backtrace.reportError('acme', 'game', muted, { version: '99.0.0' })];

    // Assess
    expect(reopened).toEqual([false, false]);
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({ state: 'resolved', invariantReopenCount: 0 });
    expect(backtrace.getIssue('acme', 'game', muted)).toMatchObject({ state: 'muted', invariantReopenCount: 0 });
  });

  it('reopens a muted fingerprint too ("mute until")', () => {
    // Prepare
    backtrace.actAs(ana).mute('acme', 'game', FP, [{ type: 'timestamp_gt', timestamp: 1 }]);

    // Act
    const reopened = report({});

    // Assess
    expect(reopened).toBe(true);
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({ state: 'open', invariantReopenCount: 1 });
  });

  it.each([
    ['timestamp_gt in the past ("until seen again")', [{ type: 'timestamp_gt', timestamp: 1 }], {}, true],
    ['timestamp_gt in the future ("after 1 day")', [{ type: 'timestamp_gt', timestamp: nowSeconds() + 86_400 }], {}, false],
    ['regular_expression on the attribute', [{ type: 'regular_expression', field: 'env', pattern: '^prod' }], { env: 'production' }, true],
    ['regular_expression that does not match', [{ type: 'regular_expression', field: 'env', pattern: '^prod' }], { env: 'staging' }, false],
    ['an invariant on an attribute the error lacks', [{ type: 'version_gt', field: 'version', version: '1.0.0' }], { env: 'production' }, false],
    ['one of several (the list is OR-ed)', [{ type: 'version_gt', field: 'version', version: '9.0.0' }, { type: 'regular_expression', field: 'env', pattern: 'prod' }], { version: '1.0.0', env: 'prod' }, true],
    ['and: every child must match', [{ type: 'and', children: [{ type: 'version_ge', field: 'version', version: '2.0.0' }, { type: 'regular_expression', field: 'env', pattern: 'prod' }] }], { version: '2.0.0', env: 'staging' }, false],
  ] as [string, IssueInvariant[], Record<string, string>, boolean][])('%s: reopens = %s', (_case, invariants, attributes, reopens) => {
    // Prepare
    resolvedUntil(invariants);

    // Act
    const reopened = report(attributes);

    // Assess
    expect(reopened).toBe(reopens);
    expect(backtrace.getIssue('acme', 'game', FP)?.state).toBe(reopens ? 'open' : 'resolved');
  });

  it('reopens by invariants written through POST /api/issue, and the poller reads the regression', async () => {
    // Prepare
    await postIssue(backtrace, { fingerprint: [FP], state: 'resolved', invariants: { action: 'set', value: [{ type: 'version_gt', field: 'version', version: '2.4.0' }] } });

    // Act
    const reopened = report({ version: '2.4.1' });
    const answer = await postQuery(backtrace, pollerQuery([FP], { offset: 0, limit: 100 }));

    // Assess
    expect(reopened).toBe(true);
    const [row] = rows(answer.json.response);
    expect(row).toMatchObject({ fingerprint: FP, state: 'open', invariant_reopen_count: 1 });
    expect(row!.invariant_reopen_last_time).toBe(backtrace.getIssue('acme', 'game', FP)!.invariantReopenLastTime);
    expect(JSON.parse(row!.invariants as string)).toEqual([{ type: 'version_gt', field: 'version', version: '2.4.0' }]);
  });

  it('leaves open and in-progress fingerprints alone, and gives a fingerprint seen for the first time its row', () => {
    // Prepare
    const fresh = 'd'.repeat(64);
    backtrace.setIssue('acme', 'game', FP, { state: 'in-progress', invariants: [{ type: 'timestamp_gt', timestamp: 1 }] });

    // Act
    const reopened = [report({}), backtrace.reportError('acme', 'game', fresh, { version: '1.0.0' })];

    // Assess
    expect(reopened).toEqual([false, false]);
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({ state: 'in-progress', invariantReopenCount: 0, modifications: 0 });
    expect(backtrace.getIssue('acme', 'game', fresh)).toMatchObject({ state: 'open', tickets: [], modifications: 0 });
  });
});
