/**
 * A person in the Backtrace sandbox's UI (`actAs`): each action changes the row and nothing is sent anywhere, as in
 * Backtrace, which pushes no change events (reference sections 3.7 and 5). A reader finds the change by polling
 * `POST /api/query`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startBacktraceFake, type BacktraceFake } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';

const FP = '8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40';
const ana = { id: 12, username: 'ana', email: 'ana@example.com' };
const ours = { watcher: 'jira-prod', short: 'CRASH-1', url: 'https://acme.atlassian.net/browse/CRASH-1', state: 'open' as const };

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
    person.setState('acme', 'game', FP, 'resolved');
    person.assign('acme', 'game', FP, []);
    await new Promise((resolve) => setTimeout(resolve, 50)); // room for anything sent in the background

    // Assess
    expect(outgoing).not.toHaveBeenCalled();
    expect(backtrace.requests).toEqual([]);
    expect(backtrace.getIssue('acme', 'game', FP)).toEqual({ state: 'resolved', tickets: [{ watcher: '_backtrace', assignees: [] }] });
  });

  it("writes UI assignees on the _backtrace entry (kept first) and on every ticket entry, as Backtrace's web app does", () => {
    // Prepare
    backtrace.setIssue('acme', 'game', FP, { tickets: [ours] });

    // Act
    backtrace.actAs(ana).assign('acme', 'game', FP, [ana]);

    // Assess
    expect(backtrace.getIssue('acme', 'game', FP)).toEqual({
      state: 'in-progress',
      tickets: [{ watcher: '_backtrace', assignees: [ana] }, { ...ours, assignees: [ana] }],
    });
  });
});
