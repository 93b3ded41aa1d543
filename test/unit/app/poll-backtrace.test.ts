import { describe, expect, it } from 'vitest';
import { applyJiraChange } from '../../../shared/app/apply-jira-change.ts';
import { pollBacktrace, polls, type PollDeps } from '../../../shared/app/poll-backtrace.ts';
import { pushFingerprintChange } from '../../../shared/app/push-fingerprint-change.ts';
import type { SyncDeps } from '../../../shared/app/sync-deps.ts';
import type { IntegrationConfig } from '../../../shared/domain/config/index.ts';
import type { JiraIssueEvent } from '../../../shared/domain/jira/jira-webhook.ts';
import type { FingerprintIssue, FingerprintRef, FingerprintState, TicketAssignee } from '../../../shared/domain/model/backtrace.ts';
import type { JiraStatus, JiraUser } from '../../../shared/domain/model/jira.ts';
import type { LinkSyncState } from '../../../shared/domain/model/link.ts';
import { parseQueueMessage } from '../../../shared/domain/queue-message.ts';
import { ANA, BEN, DONE, IN_PROGRESS, TO_DO, type MemoryIssue } from '../../support/in-memory/jira.ts';
import { appWorld, INTEGRATION, integrationDocument, PROJECT, UNIVERSE, type AppWorld } from './app-world.ts';

const ANA_IN_BACKTRACE: TicketAssignee = { id: 12, username: 'ana', email: 'ana@acme.com' };
const INTERVAL_MS = 60_000;

const deps = (w: AppWorld): PollDeps => ({ backtraceFor: async () => w.backtrace, links: w.links, queue: w.queue, clock: w.clock, log: w.log });

/** Both sides as last seen: the fingerprint `state` (with `assigneeIds`), the issue in `status`. */
function seen(state: FingerprintState, status: JiraStatus, at: number, assigneeIds: number[] = []): LinkSyncState {
  return {
    backtrace: { state, assigneeIds, at, reopenCount: 0 },
    jira: { statusId: status.id, statusName: status.name, categoryKey: status.categoryKey, assignee: null, updatedAt: at },
  };
}

/** A person changes the row in Backtrace. */
function rowIs(w: AppWorld, ref: FingerprintRef, row: Partial<FingerprintIssue>) {
  w.backtrace.seed(ref, { ...w.backtrace.row(ref), ...row });
}

/** A linked pair that was last seen `state` in Backtrace and `status` in Jira; the row is still as seen. */
function pair(w: AppWorld, state: FingerprintState, status: JiraStatus, assignees: TicketAssignee[] = []) {
  const linked = w.linked({ issue: { status }, sync: seen(state, status, w.clock.now(), assignees.map((user) => user.id)) });
  rowIs(w, linked.ref, { state, tickets: [...(assignees.length > 0 ? [{ watcher: '_backtrace', assignees }] : []), ...w.backtrace.row(linked.ref).tickets] });
  return linked;
}

const disagreeSince = async (w: AppWorld, ref: FingerprintRef) => (await w.links.get(INTEGRATION, ref.fingerprint))?.sync?.disagreeSince;
const stored = async (w: AppWorld, ref: FingerprintRef) => (await w.links.get(INTEGRATION, ref.fingerprint))?.sync;

/** A person's webhook delivery, authenticated for the integration: the issue as Jira holds it now, `changed` by `author`. */
function personDelivery(w: AppWorld, issue: MemoryIssue, changed: Partial<JiraIssueEvent['changed']>, author: JiraUser = ANA) {
  const now = w.jira.issue(issue.id);
  const event: JiraIssueEvent = {
    kind: 'issue',
    event: 'updated',
    issueId: now.id,
    issueKey: now.key,
    projectKey: now.projectKey,
    author,
    timestamp: now.updatedAt,
    updatedAt: now.updatedAt,
    status: { ...now.status },
    assignee: now.assignee && { ...now.assignee },
    changed: { status: false, resolution: false, assignee: false, ...changed },
    changelog: {},
  };
  return { kind: 'jira.webhook' as const, integrations: [INTEGRATION], event };
}

/** The backtrace-events worker's turn: every message the poller queued, read as the worker reads it, synced in order. */
async function work(w: AppWorld, syncDeps: SyncDeps = w.deps) {
  for (const { message } of w.queue.sent.splice(0)) {
    const parsed = parseQueueMessage(JSON.stringify(message));
    if (!parsed.ok || parsed.message.kind !== 'backtrace.fingerprint-updated') throw new Error(`expected a fingerprint change, got ${JSON.stringify(message)}`);
    await pushFingerprintChange(syncDeps, parsed.message);
  }
}

/** Poll cycles one interval apart (the first right away), each followed by the worker's turn; the reports. */
async function cycles(w: AppWorld, count: number, integration: IntegrationConfig = w.integration, syncDeps: SyncDeps = w.deps) {
  const reports = [];
  for (let n = 0; n < count; n++) {
    if (n > 0) w.clock.advance(INTERVAL_MS);
    reports.push(await pollBacktrace(deps(w), integration));
    await work(w, syncDeps);
  }
  return reports;
}

describe('Use-case: pollBacktrace', () => {
  it('makes no Jira call, one Backtrace query and no write in an idle cycle', async () => {
    // Prepare
    const w = appWorld();
    for (let n = 0; n < 3; n++) w.linked();

    // Act
    const report = await pollBacktrace(deps(w), w.integration);

    // Assess
    expect(report).toEqual({ integration: INTEGRATION, linked: 3, queries: 1, changes: 0, repairs: 0, missing: 0, durationMs: 0 });
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual(['readFingerprints 3']);
    expect(w.queue.sent).toEqual([]);
    expect(w.links.calls).toEqual(['listLinked']);
    expect(w.log.messages('debug')).toEqual(['Backtrace poll cycle']);
    expect(w.log.messages('info')).toEqual([]);
  });

  it('reads 250 linked fingerprints (listed page by page) in ceil(250 / 100) = 3 queries', async () => {
    // Prepare
    const w = appWorld();
    for (let n = 0; n < 250; n++) w.linked();

    // Act
    const report = await pollBacktrace(deps(w), w.integration);

    // Assess
    expect(report).toMatchObject({ linked: 250, queries: 3, changes: 0, missing: 0 });
    // The adapter splits one call into queries of at most 100 fingerprints; every linked one is asked for.
    expect(w.backtrace.calls).toEqual(['readFingerprints 250']);
    expect(w.queue.sent).toEqual([]);
  });

  it.each<[string, Partial<FingerprintIssue>]>([
    ['its state', { state: 'resolved' }],
    ['its assignees', { tickets: [{ watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] }] }],
    ['its reopen count (a regression, reopened and resolved again between two cycles)', { reopenCount: 1, invariants: [{ version: '1.2.0' }] }],
  ])('queues one change, with the row\'s data and source "poll", for a fingerprint whose %s changed', async (_case, change) => {
    // Prepare
    const w = appWorld();
    w.linked();
    const { ref, issue } = w.linked();
    const row = { ...w.backtrace.row(ref), ...change, tickets: [...(change.tickets ?? []), ...w.backtrace.row(ref).tickets] };
    w.backtrace.seed(ref, row);
    w.clock.advance(INTERVAL_MS);

    // Act
    const report = await pollBacktrace(deps(w), w.integration);

    // Assess
    expect(report).toMatchObject({ linked: 2, changes: 1, repairs: 0 });
    expect(w.queue.sent).toEqual([
      {
        message: {
          kind: 'backtrace.fingerprint-updated',
          integration: INTEGRATION,
          source: 'poll',
          receivedAt: new Date(w.clock.now()).toISOString(),
          event: {
            type: 'fingerprint.updated',
            universe: UNIVERSE,
            project: PROJECT,
            fingerprint: ref.fingerprint,
            state: row.state,
            assignees: change.tickets ? [ANA_IN_BACKTRACE] : [],
            ...(change.invariants ? { invariants: change.invariants } : {}),
            invariant_reopen_count: change.reopenCount ?? 0,
            at: w.clock.now(),
          },
        },
      },
    ]);
    // It is a message the backtrace-events worker reads.
    expect(parseQueueMessage(JSON.stringify(w.queue.sent[0]!.message)).ok).toBe(true);
    expect(w.jira.calls).toEqual([]);
    expect(w.jira.issue(issue.id).status).toEqual(TO_DO);
    expect(w.log.lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'Backtrace poll cycle', extra: expect.objectContaining({ changes: 1 }) }));
  });

  it('queues a change for a link the bridge has never seen the fingerprint of', async () => {
    // Prepare
    const w = appWorld();
    const { ref } = w.linked({ sync: {} });

    // Act
    const report = await pollBacktrace(deps(w), w.integration);

    // Assess
    expect(report).toMatchObject({ changes: 1 });
    expect(w.queue.sent.map(({ message }) => message)).toMatchObject([{ kind: 'backtrace.fingerprint-updated', source: 'poll', event: { fingerprint: ref.fingerprint, state: 'in-progress' } }]);
  });

  it('counts a linked fingerprint Backtrace returns no row for, and queues nothing for it', async () => {
    // Prepare
    const w = appWorld();
    w.linked();
    const { ref } = w.linked();
    w.backtrace.rows.delete(`${UNIVERSE}/${PROJECT}/${ref.fingerprint}`);

    // Act
    const report = await pollBacktrace(deps(w), w.integration);

    // Assess
    expect(report).toMatchObject({ linked: 2, missing: 1, changes: 0 });
    expect(w.queue.sent).toEqual([]);
    expect(w.log.lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'Backtrace poll cycle', extra: expect.objectContaining({ missing: 1 }) }));
  });

  describe('the reconcile', () => {
    it('notes a pair whose seen sides disagree, queues a repair a cycle later, and notes it again from the repair', async () => {
      // Prepare: resolved in Backtrace, To Do in Jira, as both were last seen (a write that could not be made).
      const w = appWorld();
      const { ref, link } = pair(w, 'resolved', TO_DO);
      const first = w.clock.now();

      // Act
      const noted = await pollBacktrace(deps(w), w.integration);
      const noteAfterFirst = await disagreeSince(w, ref);
      w.clock.advance(INTERVAL_MS);
      const repaired = await pollBacktrace(deps(w), w.integration);
      const second = w.clock.now();
      const noteAfterRepair = await disagreeSince(w, ref);
      w.clock.advance(INTERVAL_MS / 2);
      const tooSoon = await pollBacktrace(deps(w), w.integration);

      // Assess
      expect(noted).toMatchObject({ changes: 0, repairs: 0 });
      expect(repaired).toMatchObject({ changes: 0, repairs: 1 });
      expect(tooSoon).toMatchObject({ changes: 0, repairs: 0 });
      expect(noteAfterFirst).toBe(first);
      // Noted again as if first seen a cycle from now: a further repair waits two cycles.
      expect(noteAfterRepair).toBe(second + INTERVAL_MS);
      expect(w.queue.sent.map(({ message }) => message)).toEqual([
        expect.objectContaining({ kind: 'backtrace.fingerprint-updated', source: 'poll', reconcile: true, event: expect.objectContaining({ fingerprint: ref.fingerprint, state: 'resolved', at: second }) }),
      ]);
      expect(w.log.lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: 'The fingerprint and its Jira issue still disagree a cycle later; repairing toward the side that changed last',
          extra: { integration: INTEGRATION, fingerprint: ref.fingerprint, issueKey: link.issueKey, backtrace: 'resolved', jiraStatus: TO_DO.name },
        }),
      );
      expect(w.jira.calls).toEqual([]);
    });

    it('clears the note once the sides agree again', async () => {
      // Prepare
      const w = appWorld();
      const { ref } = w.linked({ sync: { ...seen('resolved', DONE, w.clock.now()), disagreeSince: w.clock.now() - INTERVAL_MS / 2 } });
      rowIs(w, ref, { state: 'resolved' });

      // Act
      const report = await pollBacktrace(deps(w), w.integration);

      // Assess
      expect(report).toMatchObject({ changes: 0, repairs: 0 });
      expect(await disagreeSince(w, ref)).toBeUndefined();
      expect(w.queue.sent).toEqual([]);
    });

    it.each<[string, FingerprintState, JiraStatus, TicketAssignee[], boolean]>([
      ['in-progress by itself (nobody assigned) next to a new issue', 'in-progress', TO_DO, [], true],
      ['muted (mapped to "leave") next to any status', 'muted', IN_PROGRESS, [], true],
      ['resolved next to Done', 'resolved', DONE, [], true],
      ['in-progress and assigned next to In Progress', 'in-progress', IN_PROGRESS, [ANA_IN_BACKTRACE], true],
      ['in-progress and assigned next to a new issue', 'in-progress', TO_DO, [ANA_IN_BACKTRACE], false],
      ['open next to Done', 'open', DONE, [], false],
    ])('judges a pair seen %s by the state maps (agree: %s)', async (_case, state, status, assignees, agree) => {
      // Prepare
      const w = appWorld();
      const { ref } = pair(w, state, status, assignees);

      // Act
      await pollBacktrace(deps(w), w.integration);

      // Assess
      expect(await disagreeSince(w, ref)).toBe(agree ? undefined : w.clock.now());
      expect(w.links.calls.includes('noteDisagreement')).toBe(!agree);
      expect(w.queue.sent).toEqual([]);
    });

    it('waits twice as long before each further repair of a pair no repair mends: 2, then 3, then 5 cycles', async () => {
      // Prepare: a disagreement no repair can mend (the queued repairs are never worked off).
      const w = appWorld();
      const { ref } = pair(w, 'resolved', TO_DO);
      const first = w.clock.now();

      // Act
      const repairs: number[] = [];
      const notes: (number | undefined)[] = [];
      for (let n = 0; n < 10; n++) {
        if (n > 0) w.clock.advance(INTERVAL_MS);
        repairs.push((await pollBacktrace(deps(w), w.integration)).repairs);
        notes.push(await disagreeSince(w, ref));
      }

      // Assess: noted; repaired a cycle later; then after 2 more cycles (1 interval waited + 1 to confirm), then
      // after 3 (2 + 1), then after 5 (4 + 1): a repair that cannot help does not warn every other cycle forever.
      expect(repairs).toEqual([0, 1, 0, 1, 0, 0, 1, 0, 0, 0]);
      expect(notes.slice(0, 4)).toEqual([first, first + 2 * INTERVAL_MS, first + 2 * INTERVAL_MS, first + 5 * INTERVAL_MS]);
      expect(notes[6]).toBe(first + 10 * INTERVAL_MS);
      expect(w.queue.sent.map(({ message }) => message)).toEqual([
        expect.objectContaining({ reconcile: true, event: expect.objectContaining({ fingerprint: ref.fingerprint, at: first + INTERVAL_MS }) }),
        expect.objectContaining({ reconcile: true, event: expect.objectContaining({ fingerprint: ref.fingerprint, at: first + 3 * INTERVAL_MS }) }),
        expect.objectContaining({ reconcile: true, event: expect.objectContaining({ fingerprint: ref.fingerprint, at: first + 6 * INTERVAL_MS }) }),
      ]);
      expect(w.log.messages('warn')).toHaveLength(3);
    });

    it('counts the repairs back to none once the pair agrees again', async () => {
      // Prepare: two repairs queued, then the sides agree (a person resolved the issue too).
      const w = appWorld();
      const { ref, issue } = pair(w, 'resolved', TO_DO);
      for (let n = 0; n < 4; n++) {
        if (n > 0) w.clock.advance(INTERVAL_MS);
        await pollBacktrace(deps(w), w.integration);
      }
      expect((await w.links.get(INTEGRATION, ref.fingerprint))?.sync?.repairs).toBe(2);
      const link = (await w.links.get(INTEGRATION, ref.fingerprint))!;
      w.links.items.set(`${INTEGRATION}/${ref.fingerprint}`, { ...link, sync: { ...link.sync, jira: { ...link.sync!.jira!, statusId: DONE.id, statusName: DONE.name, categoryKey: 'done' } } });
      w.jira.personMoves(issue.id, DONE);

      // Act
      w.clock.advance(INTERVAL_MS);
      await pollBacktrace(deps(w), w.integration);

      // Assess
      const after = await w.links.get(INTEGRATION, ref.fingerprint);
      expect(after?.sync?.disagreeSince).toBeUndefined();
      expect(after?.sync?.repairs).toBeUndefined();
    });

    it.each([
      ['two-way, state sync off', { mode: 'two-way', state: false }],
      ['one-way, state sync off', { mode: 'one-way', state: false }],
    ])('with %s never notes or repairs a state difference (the states may differ for good)', async (_case, sync) => {
      // Prepare: one pair seen disagreeing, and one noted before state sync was switched off.
      const w = appWorld({ integrations: [integrationDocument({ sync })] });
      const fresh = pair(w, 'resolved', TO_DO);
      const noted = w.linked({ issue: { status: TO_DO }, sync: { ...seen('resolved', TO_DO, w.clock.now()), disagreeSince: w.clock.now() - 2 * INTERVAL_MS } });
      rowIs(w, noted.ref, { state: 'resolved' });

      // Act
      const reports = await cycles(w, 3);

      // Assess: the poller still polls (assignees sync), and leaves both pairs alone.
      expect(polls(w.integration)).toBe(true);
      expect(reports.map((report) => [report.linked, report.changes, report.repairs])).toEqual([
        [2, 0, 0],
        [2, 0, 0],
        [2, 0, 0],
      ]);
      expect(w.links.calls).not.toContain('noteDisagreement');
      expect(await disagreeSince(w, fresh.ref)).toBeUndefined();
      expect(await disagreeSince(w, noted.ref)).toBe(w.clock.now() - 4 * INTERVAL_MS);
      expect(w.log.messages('warn')).toEqual([]);
      expect(w.jira.calls).toEqual([]);
      expect(w.jira.issue(fresh.issue.id).status).toEqual(TO_DO);
      expect(w.backtrace.row(fresh.ref).state).toBe('resolved');
    });

    it('sends a change, not a repair, for a disagreeing pair whose fingerprint changed', async () => {
      // Prepare
      const w = appWorld();
      const { ref } = w.linked({ sync: { ...seen('resolved', TO_DO, w.clock.now()), disagreeSince: w.clock.now() - INTERVAL_MS } });
      rowIs(w, ref, { state: 'open' });

      // Act
      const report = await pollBacktrace(deps(w), w.integration);

      // Assess
      expect(report).toMatchObject({ changes: 1, repairs: 0 });
      expect(w.queue.sent.map(({ message }) => message)).toEqual([expect.not.objectContaining({ reconcile: true })]);
    });
  });

  describe('the repair goes toward the side that changed last on its own (webhook, poll cycles, the queued repair worked off)', () => {
    /**
     * One-way: resolved in Backtrace, Done in Jira, seen agreeing at `seenAt`; Ana moves the issue to In Progress 10 s
     * later, and her webhook is synced 5 s after that (one-way: nothing flows to the fingerprint).
     */
    async function movedInJiraWhileOneWay() {
      const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'one-way' } })] });
      const seenAt = w.clock.now();
      const { ref, issue } = pair(w, 'resolved', DONE);
      w.clock.advance(10_000);
      w.jira.personMoves(issue.id, IN_PROGRESS);
      const movedAt = w.clock.now();
      w.clock.advance(5_000);
      const applied = await applyJiraChange(w.deps, personDelivery(w, issue, { status: true }));
      w.clock.advance(INTERVAL_MS - 15_000);
      return { w, ref, issue, seenAt, movedAt, applied };
    }

    it('one-way: the repair of a person\'s Jira move (synced, so the sides disagree) does not move Jira back', async () => {
      // Prepare
      const { w, ref, issue, seenAt, movedAt, applied } = await movedInJiraWhileOneWay();

      // Act: two cycles over a pair whose sides disagree.
      const reports = await cycles(w, 2);

      // Assess: Jira changed last and one-way never writes Backtrace, so there is nothing to repair: no repair queued.
      expect(applied).toMatchObject([{ outcome: 'synced', detail: 'Backtrace: tickets' }]);
      expect(reports.map((report) => [report.changes, report.repairs])).toEqual([
        [0, 0],
        [0, 0],
      ]);
      // Jira changed last, by its own time; the fingerprint's time is still the one it was seen agreeing at.
      expect(await stored(w, ref)).toMatchObject({ backtrace: { state: 'resolved', at: seenAt }, jira: { statusId: IN_PROGRESS.id, updatedAt: movedAt } });
      // So the repair is toward Jira, which one-way never writes to Backtrace: nothing moves.
      expect(w.jira.issue(issue.id).status).toEqual(IN_PROGRESS);
      expect(w.jira.writes()).toEqual([]);
      expect(w.backtrace.row(ref).state).toBe('resolved');
    });

    it('two-way: Jira changed last (a move made while the integration was one-way): the repair brings the fingerprint to the issue', async () => {
      // Prepare: the operator has since switched the integration to two-way.
      const { w, ref, issue, seenAt, movedAt } = await movedInJiraWhileOneWay();
      const twoWay = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way' } })] });
      const syncDeps: SyncDeps = { ...w.deps, config: twoWay.config };
      const times = await stored(w, ref);

      // Act
      const reports = await cycles(w, 2, twoWay.integration, syncDeps);

      // Assess: the times on the link say Jira changed last, and the repair follows them.
      expect(times).toMatchObject({ backtrace: { at: seenAt }, jira: { updatedAt: movedAt } });
      expect(reports.map((report) => report.repairs)).toEqual([0, 1]);
      expect(w.backtrace.row(ref).state).toBe('in-progress');
      expect(w.jira.issue(issue.id).status).toEqual(IN_PROGRESS);
      expect(w.jira.writes()).toEqual([]);
      expect(await stored(w, ref)).toMatchObject({ backtrace: { state: 'in-progress', at: seenAt }, jira: { statusId: IN_PROGRESS.id, updatedAt: movedAt } });
    });

    it('two-way: Backtrace changed last (a resolve Jira could not take; a comment since is no change of Jira\'s own): the repair brings the issue to the fingerprint', async () => {
      // Prepare: seen agreeing (in-progress by itself, To Do); a person resolves the fingerprint, and the poller's change
      // finds no transition to Done.
      const w = appWorld();
      const { ref, issue } = w.linked();
      const seenAt = w.clock.now();
      const listTransitions = w.jira.listTransitions.bind(w.jira);
      w.jira.listTransitions = async () => [];
      w.clock.advance(INTERVAL_MS);
      rowIs(w, ref, { state: 'resolved' });
      const [changed] = await cycles(w, 1);
      const resolvedSeenAt = w.clock.now();
      // Ben comments on the issue: Jira's `updated` moves, no synced field does.
      w.clock.advance(INTERVAL_MS / 2);
      w.jira.issue(issue.id).updatedAt = w.clock.now();
      const commented = await applyJiraChange(w.deps, personDelivery(w, issue, {}, BEN));
      w.clock.advance(INTERVAL_MS / 2);
      w.jira.listTransitions = listTransitions;
      const times = await stored(w, ref);

      // Act: a cycle notes the disagreement, the next queues a repair, the worker syncs it.
      const reports = await cycles(w, 2);

      // Assess
      expect(changed).toMatchObject({ changes: 1, repairs: 0 });
      expect(commented).toMatchObject([{ outcome: 'unchanged' }]);
      // The fingerprint's time is when its resolve was seen; the issue's is still its own last change (the comment is not one).
      expect(times).toMatchObject({ backtrace: { state: 'resolved', at: resolvedSeenAt }, jira: { statusId: TO_DO.id, updatedAt: seenAt } });
      expect(reports.map((report) => report.repairs)).toEqual([0, 1]);
      expect(w.jira.issue(issue.id).status).toEqual(DONE);
      expect(w.jira.writes()).toEqual([`transition ${issue.id} t-${DONE.id}`]);
      expect(w.backtrace.row(ref).state).toBe('resolved');
      // The bridge's write to follow the fingerprint is no change of Jira's own: the issue keeps its time.
      expect(await stored(w, ref)).toMatchObject({ backtrace: { at: resolvedSeenAt }, jira: { statusId: DONE.id, updatedAt: seenAt }, pushedToJira: { statusId: DONE.id } });
    });
  });

  it.each([
    ['sync.mode "none"', { mode: 'none' }, false],
    ['state and assignee sync switched off', { mode: 'two-way', state: false, assignee: false }, false],
    ['one-way', { mode: 'one-way' }, true],
    ['two-way, assignee only', { mode: 'two-way', state: false }, true],
  ])('polls an integration with %s: %s', async (_case, sync, expected) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync })] });
    const { ref } = w.linked();
    rowIs(w, ref, { state: 'resolved' });

    // Act
    const report = await pollBacktrace(deps(w), w.integration);

    // Assess
    expect(polls(w.integration)).toBe(expected);
    expect(report).toMatchObject(expected ? { linked: 1, queries: 1, changes: 1 } : { linked: 0, queries: 0, changes: 0 });
    expect(w.links.calls).toEqual(expected ? ['listLinked'] : []);
    expect(w.backtrace.calls).toEqual(expected ? ['readFingerprints 1'] : []);
    expect(w.queue.sent).toHaveLength(expected ? 1 : 0);
  });

  it('makes no Backtrace query when nothing is linked', async () => {
    // Prepare
    const w = appWorld();
    let clients = 0;

    // Act
    const report = await pollBacktrace({ ...deps(w), backtraceFor: async () => {
      clients += 1;
      return w.backtrace;
    } }, w.integration);

    // Assess
    expect(report).toMatchObject({ linked: 0, queries: 0 });
    expect(clients).toBe(0);
    expect(w.backtrace.calls).toEqual([]);
  });
});
