import { describe, expect, it } from 'vitest';
import { pushFingerprintChange } from '../../../shared/app/push-fingerprint-change.ts';
import type { FingerprintState, TicketAssignee } from '../../../shared/domain/model/backtrace.ts';
import type { FingerprintChangeMessage } from '../../../shared/domain/queue-message.ts';
import { PermanentError } from '../../../shared/ports/errors.ts';
import { ANA, DONE, IN_PROGRESS, TO_DO } from '../../support/in-memory/jira.ts';
import { appWorld, INTEGRATION, integrationDocument, PROJECT, UNIVERSE, type AppWorld } from './app-world.ts';

const ANA_IN_BACKTRACE: TicketAssignee = { id: 12, username: 'ana', email: 'ana@acme.com' };

/** The message the ingest route queues for a change at `at`; the use-case reads the row, not the message's state. */
function change(fingerprint: string, at: number, state: FingerprintState = 'resolved', assignees: TicketAssignee[] = []): FingerprintChangeMessage {
  return { kind: 'backtrace.fingerprint-updated', integration: INTEGRATION, event: { type: 'fingerprint.updated', universe: UNIVERSE, project: PROJECT, fingerprint, state, assignees, at } };
}

/** A person changes the row in Backtrace: state and the `_backtrace` assignees. */
function personSets(w: AppWorld, ref: { universe: string; project: string; fingerprint: string }, state: FingerprintState, assignees: TicketAssignee[] = []) {
  const row = w.backtrace.row(ref);
  w.backtrace.seed(ref, { state, tickets: [{ watcher: '_backtrace', assignees }, ...row.tickets.filter((ticket) => ticket.watcher !== '_backtrace')] });
}

describe('Use-case: pushFingerprintChange', () => {
  it.each([
    ['resolved', DONE],
    ['open', TO_DO],
    ['in-progress', IN_PROGRESS],
  ] as const)('moves the issue to the status mapped from %s, by its category, and records what Jira holds', async (state, expected) => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked({ issue: { status: state === 'open' ? DONE : TO_DO } });
    personSets(w, ref, state, state === 'in-progress' ? [ANA_IN_BACKTRACE] : []);

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now(), state));

    // Assess
    expect(result).toMatchObject({ outcome: 'pushed', issueKey: issue.key });
    expect(w.jira.issue(issue.id).status).toEqual(expected);
    const link = await w.links.get(INTEGRATION, ref.fingerprint);
    expect(link?.sync).toMatchObject({ backtraceChangeAt: w.clock.now(), pushedToJira: { statusId: expected.id } });
    // Our ticket entry on the fingerprint shows the issue's new state.
    expect(w.backtrace.row(ref).tickets.find((ticket) => ticket.watcher === INTEGRATION)?.state).toBe(state);
  });

  it('assigns the Jira user found by the Backtrace assignee\'s e-mail, and remembers the Backtrace user', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    personSets(w, ref, 'in-progress', [ANA_IN_BACKTRACE]);

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now(), 'in-progress', [ANA_IN_BACKTRACE]));

    // Assess
    expect(result).toMatchObject({ outcome: 'pushed', actions: [`transitioned to ${IN_PROGRESS.name}`, `assigned to ${ANA.accountId}`] });
    expect(w.jira.issue(issue.id).assignee?.accountId).toBe(ANA.accountId);
    expect(await w.users.findByEmail(UNIVERSE, 'ANA@acme.com')).toEqual(ANA_IN_BACKTRACE);
  });

  it('leaves a new issue in its first status when Backtrace marked the fingerprint in-progress by itself (a ticket, nobody assigned)', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    personSets(w, ref, 'in-progress', []);

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now(), 'in-progress'));

    // Assess
    expect(result).toMatchObject({ outcome: 'unchanged', actions: [] });
    expect(w.jira.issue(issue.id).status).toEqual(TO_DO);
    expect(w.jira.writes()).toEqual([]);
  });

  it.each([
    ['a fingerprint nobody linked', (w: AppWorld) => ({ fingerprint: 'never-linked', at: w.clock.now() }), 'not-linked'],
    [
      'a change older than the last one applied',
      (w: AppWorld) => ({ fingerprint: w.linked({ sync: { backtraceChangeAt: w.clock.now() } }).ref.fingerprint, at: w.clock.now() - 1 }),
      'stale',
    ],
  ] as const)('drops %s without a Jira call', async (_case, prepare, outcome) => {
    // Prepare
    const w = appWorld();
    const { fingerprint, at } = prepare(w);

    // Act
    const result = await pushFingerprintChange(w.deps, change(fingerprint, at));

    // Assess
    expect(result).toEqual({ outcome });
    expect(w.jira.calls).toEqual([]);
  });

  it('drops the echo of its own Backtrace write: the row holds what the bridge last pushed, and the change came after it', async () => {
    // Prepare
    const w = appWorld();
    const { ref } = w.linked({ sync: { pushedToBacktrace: { state: 'resolved', assigneeIds: [], at: Date.UTC(2026, 11, 1, 11) } } });
    personSets(w, ref, 'resolved');

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now()));

    // Assess
    expect(result).toEqual({ outcome: 'echo' });
    expect(w.jira.calls).toEqual([]);
  });

  it('takes a change made before the bridge\'s last write for a person\'s, even when the row now looks like that write', async () => {
    // Prepare
    const w = appWorld();
    const writtenAt = w.clock.now();
    const { ref, issue } = w.linked({ sync: { pushedToBacktrace: { state: 'resolved', assigneeIds: [], at: writtenAt } } });
    personSets(w, ref, 'resolved');

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, writtenAt - 500));

    // Assess
    expect(result).toMatchObject({ outcome: 'pushed' });
    expect(w.jira.issue(issue.id).status).toEqual(DONE);
  });

  it('checks both sides once more, unguarded, when a newer change was recorded while it wrote', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    personSets(w, ref, 'resolved');
    const at = w.clock.now();
    // A newer change is recorded by another worker right after our first Jira write.
    const transition = w.jira.transition.bind(w.jira);
    w.jira.transition = async (...args) => {
      await transition(...args);
      await w.links.updateSync(INTEGRATION, ref.fingerprint, { now: at + 10 }, { watermark: 'backtraceChangeAt', value: at + 10 });
      personSets(w, ref, 'open');
    };

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, at));

    // Assess
    expect(result).toMatchObject({ outcome: 'pushed' });
    expect(w.log.messages('info')).toContain('A newer Backtrace change was applied meanwhile; checking Jira once more');
    // The second look follows the newer row, and the newer watermark stands.
    expect(w.jira.issue(issue.id).status).toEqual(TO_DO);
    expect((await w.links.get(INTEGRATION, ref.fingerprint))?.sync?.backtraceChangeAt).toBe(at + 10);
  });

  it.each([
    ['none', 'sync-off'],
    ['two-way', 'pushed'],
    ['one-way', 'pushed'],
  ])('with sync.mode %s answers %s', async (mode, outcome) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode }, ...(mode === 'two-way' ? {} : { jiraWebhook: undefined }) })] });
    const { ref } = w.linked();
    personSets(w, ref, 'resolved');

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now()));

    // Assess
    expect(result.outcome).toBe(outcome);
  });

  it('refuses for good a message naming an integration the config no longer has', async () => {
    // Prepare
    const w = appWorld();

    // Act
    const attempt = pushFingerprintChange(w.deps, { ...change('fp', w.clock.now()), integration: 'renamed' });

    // Assess
    await expect(attempt).rejects.toThrow(PermanentError);
    await expect(attempt).rejects.toThrow('integration "renamed", which is not in the config');
  });
});
