/**
 * A person in the Backtrace sandbox's UI (`actAs`): each action changes the row, as one transaction, and nothing is
 * sent anywhere, as in Backtrace, which pushes no change events (reference sections 3.7 and 5). A reader finds the
 * change by polling `POST /api/query`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startBacktraceFake, type BacktraceFake } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { pollerQuery, postQuery, rows } from './support/coroner.ts';

const FP = '8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40';
const ana = { id: 12, username: 'ana', email: 'ana@example.com' };
const ours = { watcher: 'jira-prod', short: 'CRASH-1', url: 'https://acme.atlassian.net/browse/CRASH-1', state: 'open' as const };
const untilAfter240 = [{ type: 'version_gt' as const, field: 'version', version: '2.4.0' }];

describe('Backtrace fake: a person in the UI', () => {
  let backtrace: BacktraceFake;

  beforeAll(async () => {
    backtrace = await startBacktraceFake();
  });
  afterAll(() => backtrace.close());
  beforeEach(() => backtrace.reset());
  afterEach(() => vi.restoreAllMocks());

  it('changes the row and sends nothing anywhere', async () => {
    // Prepare
    const outgoing = vi.spyOn(globalThis, 'fetch');
    const person = backtrace.actAs(ana);

    // Act
    person.assign('acme', 'game', FP, [ana]);
    person.setState('acme', 'game', FP, 'muted');
    person.resolve('acme', 'game', FP, untilAfter240);
    person.assign('acme', 'game', FP, []);
    await new Promise((resolve) => setTimeout(resolve, 50)); // room for anything sent in the background

    // Assess
    expect(outgoing).not.toHaveBeenCalled();
    expect(backtrace.requests).toEqual([]);
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({
      state: 'resolved',
      tickets: [{ watcher: '_backtrace', assignees: [] }],
      invariants: untilAfter240,
      modifications: 4,
    });
  });

  it('is what the next POST /api/query reads', async () => {
    // Prepare
    backtrace.setIssue('acme', 'game', FP, { tickets: [ours] });

    // Act
    backtrace.actAs(ana).resolve('acme', 'game', FP, untilAfter240);
    const answer = await postQuery(backtrace, pollerQuery([FP], { offset: 0, limit: 100 }));

    // Assess
    expect(rows(answer.json.response)).toEqual([
      { fingerprint: FP, state: 'resolved', ticket: JSON.stringify([ours]), invariants: JSON.stringify(untilAfter240), invariant_reopen_count: 0, invariant_reopen_last_time: 0 },
    ]);
  });

  it("writes UI assignees on the _backtrace entry (kept first) and on every ticket entry, as Backtrace's web app does", () => {
    // Prepare
    backtrace.setIssue('acme', 'game', FP, { tickets: [ours] });

    // Act
    backtrace.actAs(ana).assign('acme', 'game', FP, [ana]);

    // Assess
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({
      state: 'in-progress',
      tickets: [{ watcher: '_backtrace', assignees: [ana] }, { ...ours, assignees: [ana] }],
    });
  });

  it('resolves and mutes with or without "until": given invariants replace the old ones, none clears them', () => {
    // Prepare
    const person = backtrace.actAs(ana);
    const untilSeenAgain = [{ type: 'timestamp_gt' as const, timestamp: 1 }];

    // Act
    person.resolve('acme', 'game', FP);
    const plain = backtrace.getIssue('acme', 'game', FP);
    person.mute('acme', 'game', FP, untilSeenAgain);
    const mutedUntil = backtrace.getIssue('acme', 'game', FP);
    person.resolve('acme', 'game', FP);

    // Assess
    expect(plain?.state).toBe('resolved');
    expect(plain?.invariants).toBeUndefined();
    expect(mutedUntil).toMatchObject({ state: 'muted', invariants: untilSeenAgain });
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({ state: 'resolved', invariants: [] });
  });

  it('reopens to open, or to in-progress when the fingerprint is linked or assigned (reference section 3.1)', () => {
    // Prepare
    const linked = 'b'.repeat(64);
    backtrace.setIssue('acme', 'game', FP, { state: 'resolved' });
    backtrace.setIssue('acme', 'game', linked, { state: 'muted', tickets: [ours] });

    // Act
    backtrace.actAs(ana).reopen('acme', 'game', FP);
    backtrace.actAs(ana).reopen('acme', 'game', linked);

    // Assess
    expect(backtrace.getIssue('acme', 'game', FP)?.state).toBe('open');
    expect(backtrace.getIssue('acme', 'game', linked)?.state).toBe('in-progress');
  });

  it('makes each action one transaction: a row it creates gets the next _tx, a later action keeps it', async () => {
    // Prepare
    const before = (await postQuery(backtrace, { table: 'issues', select: ['fingerprint'] })).json._.tx as number;

    // Act
    backtrace.actAs(ana).setState('acme', 'game', FP, 'resolved');
    backtrace.actAs(ana).reopen('acme', 'game', FP);
    const after = (await postQuery(backtrace, { table: 'issues', select: ['fingerprint', '_tx'] })).json;

    // Assess
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({ tx: before + 1, modifications: 2 });
    expect(after._.tx).toBe(before + 2);
    expect(rows(after.response)).toEqual([{ fingerprint: FP, _tx: before + 1 }]);
  });

  it('refuses malformed invariants and changes nothing', () => {
    // Act
    const act = () => backtrace.actAs(ana).resolve('acme', 'game', FP, [{ type: 'version_gt', field: 'version' } as never]);

    // Assess
    expect(act).toThrow(/version_gt needs field and version/);
    expect(backtrace.getIssue('acme', 'game', FP)).toBeUndefined();
  });
});
