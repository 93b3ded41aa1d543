import { describe, expect, it } from 'vitest';
import { pushFingerprintChange } from '../../../shared/app/push-fingerprint-change.ts';
import { SYNC_LEASE_MS } from '../../../shared/app/steps/with-sync-lease.ts';
import type { FingerprintRef, FingerprintState, Ticket, TicketAssignee } from '../../../shared/domain/model/backtrace.ts';
import type { JiraStatus } from '../../../shared/domain/model/jira.ts';
import type { LinkSyncState } from '../../../shared/domain/model/link.ts';
import type { FingerprintChangeMessage } from '../../../shared/domain/queue-message.ts';
import { ClaimBusyError, PermanentError } from '../../../shared/ports/errors.ts';
import { ANA, DONE, IN_PROGRESS, TO_DO } from '../../support/in-memory/jira.ts';
import { appWorld, INTEGRATION, integrationDocument, PROJECT, UNIVERSE, type AppWorld } from './app-world.ts';

const ANA_IN_BACKTRACE: TicketAssignee = { id: 12, username: 'ana', email: 'ana@acme.com' };
const OTHER_INTEGRATION = 'jira-ops';
const SITE = 'https://acme.atlassian.net';

/** The message the poller queues for a change it saw at `at`; the use-case reads the row, not the message's state. */
function change(fingerprint: string, at: number, options: { state?: FingerprintState; assignees?: TicketAssignee[]; reconcile?: boolean } = {}): FingerprintChangeMessage {
  const { state = 'resolved', assignees = [], reconcile } = options;
  return {
    kind: 'backtrace.fingerprint-updated',
    integration: INTEGRATION,
    source: 'poll',
    ...(reconcile === undefined ? {} : { reconcile }),
    event: { type: 'fingerprint.updated', universe: UNIVERSE, project: PROJECT, fingerprint, state, assignees, at },
  };
}

/** A person changes the row in Backtrace: state and the `_backtrace` assignees. */
function personSets(w: AppWorld, ref: FingerprintRef, state: FingerprintState, assignees: TicketAssignee[] = []) {
  const row = w.backtrace.row(ref);
  w.backtrace.seed(ref, { state, tickets: [{ watcher: '_backtrace', assignees }, ...row.tickets.filter((ticket) => ticket.watcher !== '_backtrace')] });
}

/** Both sides as the bridge last saw them: the fingerprint at `backtraceAt`, the issue at `jiraAt`. */
function seen(state: FingerprintState, status: JiraStatus, backtraceAt: number, jiraAt: number): LinkSyncState {
  return {
    backtrace: { state, assigneeIds: [], at: backtraceAt, reopenCount: 0 },
    jira: { statusId: status.id, statusName: status.name, categoryKey: status.categoryKey, assignee: null, updatedAt: jiraAt },
  };
}

const stored = (w: AppWorld, ref: FingerprintRef) => w.links.get(INTEGRATION, ref.fingerprint);
const ours = (w: AppWorld, ref: FingerprintRef) => w.backtrace.row(ref).tickets.find((ticket) => ticket.watcher === INTEGRATION);

describe('Use-case: pushFingerprintChange', () => {
  it.each<[FingerprintState, TicketAssignee[], JiraStatus, FingerprintState, JiraStatus]>([
    ['resolved', [], DONE, 'in-progress', TO_DO],
    ['open', [], TO_DO, 'resolved', DONE],
    ['in-progress', [ANA_IN_BACKTRACE], IN_PROGRESS, 'open', TO_DO],
  ])('moves the issue to the status mapped from %s, by its category, and records both sides and its write', async (state, assignees, expected, before, from) => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked({ issue: { status: from }, sync: seen(before, from, w.clock.now(), w.clock.now()) });
    const readAt = issue.updatedAt;
    w.clock.advance(1_000);
    personSets(w, ref, state, assignees);

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now(), { state, assignees }));

    // Assess
    const assignee = assignees.length > 0 ? ANA.accountId : null;
    expect(result).toEqual({
      outcome: 'synced',
      issueKey: issue.key,
      toJira: [`transitioned to ${expected.name}`, ...(assignee ? [`assigned to ${assignee}`] : [])],
      toBacktrace: state === 'open' ? [] : ['tickets'],
    });
    expect(w.jira.issue(issue.id).status).toEqual(expected);
    expect(w.jira.callsTo('transition')).toEqual([`transition ${issue.id} t-${expected.id}`]);
    // The fingerprint's time is when its change was seen; the issue keeps its own last change's time (the bridge's
    // write to follow Backtrace is no change of Jira's own).
    const now = w.clock.now();
    expect((await stored(w, ref))?.sync).toEqual({
      backtrace: { state, assigneeIds: assignees.map((user) => user.id), at: now, reopenCount: 0 },
      jira: { statusId: expected.id, statusName: expected.name, categoryKey: expected.categoryKey, assignee, updatedAt: readAt },
      pushedToJira: { statusId: expected.id, assignee, at: now, basedOn: readAt },
    });
    // Our ticket entry on the fingerprint shows the issue's new state; the lease is given up.
    expect(ours(w, ref)?.state).toBe(state);
    expect(w.links.leases.size).toBe(0);
  });

  it('assigns the Jira user found by the Backtrace assignee\'s e-mail, and remembers the Backtrace user', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    w.clock.advance(1_000);
    personSets(w, ref, 'in-progress', [ANA_IN_BACKTRACE]);

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now(), { state: 'in-progress', assignees: [ANA_IN_BACKTRACE] }));

    // Assess: in-progress by itself (a ticket, nobody assigned) meant open; assigned, it means work started, so the
    // issue moves to In Progress as it is assigned, and our ticket entry says in-progress.
    expect(result).toEqual({ outcome: 'synced', issueKey: issue.key, toJira: ['transitioned to In Progress', `assigned to ${ANA.accountId}`], toBacktrace: ['tickets'] });
    expect(w.jira.callsTo('findUsersByEmail')).toEqual(['findUsersByEmail ana@acme.com']);
    expect(w.jira.issue(issue.id)).toMatchObject({ status: IN_PROGRESS, assignee: ANA });
    expect(await w.users.findByEmail(UNIVERSE, 'ANA@acme.com')).toEqual(ANA_IN_BACKTRACE);
  });

  it('leaves a new issue in its first status when Backtrace marked the fingerprint in-progress by itself (a ticket, nobody assigned)', async () => {
    // Prepare
    const w = appWorld();
    // Last seen open (before our ticket was attached); Backtrace then moved it to in-progress on its own.
    const { ref, issue } = w.linked({ sync: seen('open', TO_DO, Date.UTC(2026, 11, 1, 11), Date.UTC(2026, 11, 1, 11)) });
    personSets(w, ref, 'in-progress');

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now(), { state: 'in-progress' }));

    // Assess
    expect(result).toMatchObject({ outcome: 'unchanged', toJira: [] });
    expect(w.jira.issue(issue.id).status).toEqual(TO_DO);
    expect(w.jira.writes()).toEqual([]);
    expect((await stored(w, ref))?.sync?.backtrace?.state).toBe('in-progress');
  });

  it('drops a change older than what the bridge last saw of the fingerprint, without a Jira call', async () => {
    // Prepare
    const w = appWorld();
    const { ref } = w.linked();
    personSets(w, ref, 'resolved');
    const before = (await stored(w, ref))?.sync;

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now() - 1));

    // Assess
    expect(result).toEqual({ outcome: 'stale' });
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect((await stored(w, ref))?.sync).toEqual(before);
    expect(w.log.messages('debug')).toContain('Fingerprint change older than what the bridge last saw; dropped');
    expect(w.links.leases.size).toBe(0);
  });

  it('writes nothing when the row is what the bridge last saw (its own write seen again, or a change undone)', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    w.clock.advance(60_000);

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now(), { state: 'in-progress' }));

    // Assess
    expect(result).toEqual({ outcome: 'unchanged', issueKey: issue.key, toJira: [], toBacktrace: [] });
    expect(w.jira.writes()).toEqual([]);
    expect(w.backtrace.writes()).toEqual([]);
    expect((await stored(w, ref))?.sync?.pushedToJira).toBeUndefined();
  });

  it.each([
    ['the Backtrace change is the later one (seen after the Jira change)', 3_000, DONE, 'resolved'],
    ['the Jira change is the later one', 1_000, IN_PROGRESS, 'in-progress'],
  ] as const)('lets the later change win when the state changed on both sides: %s', async (_case, seenAfter, status: JiraStatus, state) => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    const start = w.clock.now();
    personSets(w, ref, 'resolved');
    w.clock.advance(2_000);
    w.jira.personMoves(issue.id, IN_PROGRESS);
    w.clock.advance(2_000);

    // Act
    await pushFingerprintChange(w.deps, change(ref.fingerprint, start + seenAfter));

    // Assess: both sides end agreeing on the winner.
    expect(w.jira.issue(issue.id).status).toEqual(status);
    expect(w.backtrace.row(ref).state).toBe(state);
    expect(ours(w, ref)?.state).toBe(state);
  });

  it('answers ClaimBusyError for a pair another worker is syncing, reading nothing', async () => {
    // Prepare
    const w = appWorld();
    const { ref } = w.linked();
    personSets(w, ref, 'resolved');
    await w.links.acquireSync({ integration: INTEGRATION, fingerprint: ref.fingerprint, token: 'another-worker', now: w.clock.now() - 30_000, leaseMs: SYNC_LEASE_MS });

    // Act
    const attempt = pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now()));

    // Assess
    await expect(attempt).rejects.toThrow(ClaimBusyError);
    await expect(attempt).rejects.toMatchObject({ retryAfterMs: 2_000 });
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.links.leases.get(`${INTEGRATION}/${ref.fingerprint}`)?.token).toBe('another-worker');
  });

  it('answers not-linked for a fingerprint nobody linked, without a call', async () => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await pushFingerprintChange(w.deps, change('never-linked', w.clock.now()));

    // Assess
    expect(result).toEqual({ outcome: 'not-linked' });
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
  });

  it.each([
    ['sync.mode "none"', 'sync-off', { mode: 'none' }],
    ['state and assignee sync switched off', 'sync-off', { mode: 'two-way', state: false, assignee: false }],
    ['one-way', 'synced', { mode: 'one-way' }],
    ['two-way', 'synced', { mode: 'two-way' }],
  ])('with %s answers %s', async (_case, outcome, sync) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync })] });
    const { ref, issue } = w.linked();
    w.clock.advance(1_000);
    personSets(w, ref, 'resolved');

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now()));

    // Assess
    expect(result.outcome).toBe(outcome);
    expect(w.jira.issue(issue.id).status).toEqual(outcome === 'synced' ? DONE : TO_DO);
    if (outcome === 'sync-off') expect([...w.jira.calls, ...w.backtrace.calls, ...w.links.calls]).toEqual([]);
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

  describe('reconcile (the poller found the seen sides disagreeing for a cycle)', () => {
    it.each([
      ['Backtrace changed last: the issue follows the fingerprint', 0, 10, DONE, 'resolved'],
      ['Jira changed last: the fingerprint follows the issue', 10, 0, TO_DO, 'open'],
    ] as const)('%s', async (_case, jiraLater, backtraceLater, status: JiraStatus, state) => {
      // Prepare: resolved in Backtrace, To Do in Jira, as both were last seen (a write that could not be made).
      const w = appWorld();
      const t = w.clock.now();
      const { ref, issue } = w.linked({ sync: seen('resolved', TO_DO, t + backtraceLater, t + jiraLater) });
      personSets(w, ref, 'resolved');
      w.clock.advance(120_000);

      // Act
      const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now(), { reconcile: true }));

      // Assess
      expect(result.outcome).toBe('synced');
      expect(w.jira.issue(issue.id).status).toEqual(status);
      expect(w.backtrace.row(ref).state).toBe(state);
      expect(ours(w, ref)?.state).toBe(state);
    });

    it('repairs even with a change time older than what was seen, and a plain change of the same pair repairs nothing', async () => {
      // Prepare
      const w = appWorld();
      const t = w.clock.now();
      const { ref, issue } = w.linked({ sync: seen('resolved', TO_DO, t + 10, t) });
      personSets(w, ref, 'resolved');
      w.clock.advance(120_000);
      const plain = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now()));
      expect(plain).toMatchObject({ outcome: 'unchanged' });
      expect(w.jira.issue(issue.id).status).toEqual(TO_DO);

      // Act
      const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, t, { reconcile: true }));

      // Assess
      expect(result).toMatchObject({ outcome: 'synced', toJira: [`transitioned to ${DONE.name}`] });
      expect(w.jira.issue(issue.id).status).toEqual(DONE);
    });
  });

  it('unlinks when Jira answers 404 for the issue: the link and our ticket entry go, other entries stay', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    const others: Ticket[] = [
      { watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] },
      { watcher: OTHER_INTEGRATION, short: 'OPS-4', url: `${SITE}/browse/OPS-4`, state: 'open' },
    ];
    w.backtrace.seed(ref, { state: 'resolved', tickets: [others[0]!, ...w.backtrace.row(ref).tickets, others[1]!] });
    w.jira.issues.delete(issue.id);

    // Act
    const result = await pushFingerprintChange(w.deps, change(ref.fingerprint, w.clock.now()));

    // Assess
    expect(result).toEqual({ outcome: 'issue-gone' });
    expect(await stored(w, ref)).toBeUndefined();
    expect(w.backtrace.row(ref)).toEqual({ state: 'resolved', tickets: others });
    expect(w.jira.writes()).toEqual([]);
    expect(w.log.messages('info')).toContain(`Jira has no issue ${issue.key} any more: unlinked from the fingerprint`);
  });
});
