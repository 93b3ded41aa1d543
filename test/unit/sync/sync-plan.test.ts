import { describe, expect, it } from 'vitest';
import type { BacktraceSide, JiraSide } from '../../../shared/domain/model/link.ts';
import {
  backtraceChanges,
  backtraceSide,
  changedInJiraByOthers,
  jiraChanges,
  jiraSide,
  madeByUs,
  overwrittenChange,
  planSync,
  startsWork,
  type PlanInput,
  type SyncFields,
} from '../../../shared/domain/sync/sync-plan.ts';
import { CLOUD_ALICE, CLOUD_BOB, CLOUD_BOT, DC_JDOE, DONE, IN_PROGRESS, TO_DO } from './sync-factories.ts';

const ALL: SyncFields = { state: true, assignee: true };
const NONE: SyncFields = { state: false, assignee: false };
const T0 = Date.UTC(2026, 11, 1, 12);

const bt = (state: BacktraceSide['state'], assigneeIds: number[] = []): BacktraceSide => ({ state, assigneeIds });
const jira = (status: { id: string; categoryKey: string }, assignee: string | null = null): JiraSide => ({ statusId: status.id, categoryKey: status.categoryKey, assignee });

/** Both sides agreed at T0: open / To Do, nobody assigned. */
const seen = { backtrace: { ...bt('open'), at: T0 }, jira: { ...jira(TO_DO), updatedAt: T0 } };

function plan(overrides: Partial<PlanInput>): { toJira: SyncFields; toBacktrace: SyncFields } {
  const { toJira, toBacktrace } = planSync({
    seen,
    backtrace: bt('open'),
    observedAt: T0 + 60_000,
    jira: jira(TO_DO),
    jiraUpdatedAt: T0,
    enabled: { toJira: ALL, toBacktrace: ALL },
    onLink: 'backtrace-wins',
    ...overrides,
  });
  return { toJira, toBacktrace };
}

describe('Function: planSync', () => {
  it.each<[string, Partial<PlanInput>, SyncFields, SyncFields]>([
    ['nothing changed on either side: nothing flows', {}, NONE, NONE],
    ['resolved in Backtrace: the state flows to Jira', { backtrace: bt('resolved') }, { state: true, assignee: false }, NONE],
    ['assigned in Backtrace: the assignee flows to Jira', { backtrace: bt('in-progress', [12]) }, ALL, NONE],
    ['moved in Jira: the state flows to Backtrace', { jira: jira(DONE), jiraUpdatedAt: T0 + 5000 }, NONE, { state: true, assignee: false }],
    ['assigned in Jira: only the assignee flows to Backtrace', { jira: jira(TO_DO, 'acc-1'), jiraUpdatedAt: T0 + 5000 }, NONE, { state: false, assignee: true }],
    [
      'a comment in Jira (updated moved, nothing synced changed): nothing flows, a muted fingerprint stays muted',
      { seen: { ...seen, backtrace: { ...bt('muted'), at: T0 } }, backtrace: bt('muted'), jiraUpdatedAt: T0 + 9000 },
      NONE,
      NONE,
    ],
    [
      'the state changed on both sides, Jira later: Jira wins',
      { backtrace: bt('resolved'), observedAt: T0 + 1000, jira: jira(IN_PROGRESS), jiraUpdatedAt: T0 + 2000 },
      NONE,
      { state: true, assignee: false },
    ],
    [
      'the state changed on both sides, Backtrace seen later than Jira changed: Backtrace wins',
      { backtrace: bt('resolved'), observedAt: T0 + 3000, jira: jira(IN_PROGRESS), jiraUpdatedAt: T0 + 2000 },
      { state: true, assignee: false },
      NONE,
    ],
    [
      'resolved in Backtrace, assigned in Jira: each field flows its own way',
      { backtrace: bt('resolved'), jira: jira(TO_DO, 'acc-1'), jiraUpdatedAt: T0 + 5000 },
      { state: true, assignee: false },
      { state: false, assignee: true },
    ],
  ])('%s', (_case, input, toJira, toBacktrace) => {
    // Act
    const result = plan(input);

    // Assess
    expect(result).toEqual({ toJira, toBacktrace });
  });

  it.each<[string, Partial<PlanInput>, SyncFields, SyncFields]>([
    ['backtrace-wins: the fingerprint goes to the new issue', { onLink: 'backtrace-wins' }, ALL, NONE],
    ['jira-wins: the issue goes to the fingerprint', { onLink: 'jira-wins' }, NONE, ALL],
    [
      'backtrace-wins, but a person moved the issue after it was created: Jira wins that field',
      { onLink: 'backtrace-wins', jiraChangedSinceCreation: { state: true, assignee: false } },
      { state: false, assignee: true },
      { state: true, assignee: false },
    ],
    [
      'one-way and a person changed Jira after creation: that field flows nowhere (never undone, never sent back)',
      { enabled: { toJira: ALL, toBacktrace: NONE }, jiraChangedSinceCreation: { state: true, assignee: true } },
      NONE,
      NONE,
    ],
  ])('at link time (nothing seen yet), %s', (_case, input, toJira, toBacktrace) => {
    // Act
    const result = plan({ seen: undefined, backtrace: bt('resolved', [12]), jira: jira(TO_DO), ...input });

    // Assess
    expect(result).toEqual({ toJira, toBacktrace });
  });

  it.each<[string, SyncFields, SyncFields]>([
    ['one-way: a Jira change flows nowhere', ALL, NONE],
    ['state only', { state: true, assignee: false }, { state: true, assignee: false }],
  ])('keeps to the directions switched on (%s)', (_case, toJira, toBacktrace) => {
    // Act
    const result = plan({ backtrace: bt('resolved'), jira: jira(TO_DO, 'acc-9'), jiraUpdatedAt: T0 + 5000, enabled: { toJira, toBacktrace } });

    // Assess: Backtrace's state and Jira's assignee changed
    expect(result).toEqual({ toJira: { state: toJira.state, assignee: false }, toBacktrace: { state: false, assignee: toBacktrace.assignee } });
  });

  it.each<[string, number, number, SyncFields, SyncFields]>([
    ['Jira changed last: repaired toward Jira', T0 + 10, T0, NONE, { state: true, assignee: true }],
    ['Backtrace changed last: repaired toward Backtrace', T0, T0 + 10, ALL, NONE],
  ])('repairs a pair that disagrees though neither changed (reconcile): %s', (_case, jiraSeenAt, backtraceSeenAt, toJira, toBacktrace) => {
    // Prepare
    const disagreeing = { backtrace: { ...bt('resolved'), at: backtraceSeenAt }, jira: { ...jira(TO_DO), updatedAt: jiraSeenAt } };

    // Act
    const result = plan({ seen: disagreeing, backtrace: bt('resolved'), jira: jira(TO_DO), reconcile: true });

    // Assess
    expect(result).toEqual({ toJira, toBacktrace });
  });
});

describe('Function: backtraceChanges / jiraChanges', () => {
  it.each<[string, BacktraceSide, BacktraceSide | undefined, SyncFields]>([
    ['nothing seen yet: everything is new', bt('open'), undefined, ALL],
    ['the same state and assignees in another order', bt('open', [3, 1]), bt('open', [1, 3]), NONE],
    ['another state', bt('muted'), bt('open'), { state: true, assignee: false }],
    ['an assignee more', bt('open', [1, 2]), bt('open', [1]), { state: false, assignee: true }],
    ['open, then in progress by itself (a ticket linked, nobody assigned): the same', bt('in-progress'), bt('open'), NONE],
    ['in progress by itself, then open (the ticket unlinked): the same', bt('open'), bt('in-progress'), NONE],
    ['in progress by itself, then assigned: an assignee change, not a state change', bt('in-progress', [7]), bt('in-progress'), { state: false, assignee: true }],
    ['resolved, then reopened (in progress by itself): a state change', bt('in-progress'), bt('resolved'), { state: true, assignee: false }],
    ['assigned in progress, then unassigned open: both', bt('open'), bt('in-progress', [7]), { state: true, assignee: true }],
  ])('Backtrace: %s', (_case, current, previous, expected) => {
    // Act / Assess
    expect(backtraceChanges({ ...current, assigneeIds: [...current.assigneeIds].sort((a, b) => a - b) }, previous)).toEqual(expected);
  });

  it.each<[string, JiraSide, JiraSide | undefined, SyncFields]>([
    ['the same status and assignee, the username in other case (Data Center)', jira(DONE, 'JDoe'), jira(DONE, 'jdoe'), NONE],
    ['another status id', jira(DONE), jira(TO_DO), { state: true, assignee: false }],
    ['unassigned', jira(DONE, null), jira(DONE, 'acc-1'), { state: false, assignee: true }],
  ])('Jira: %s', (_case, current, previous, expected) => {
    // Act / Assess
    expect(jiraChanges(current, previous)).toEqual(expected);
  });
});

describe('Function: startsWork', () => {
  const input = { assigneeFlows: true, stateFlowsToJira: true, backtrace: bt('in-progress', [7]), jira: jira(TO_DO), seenJira: jira(TO_DO) };
  it.each<[string, Partial<typeof input>, boolean]>([
    ['an assignment of a fingerprint in progress, the issue still new: moves it', {}, true],
    ['no assignment flowing', { assigneeFlows: false }, false],
    ['state sync toward Jira off', { stateFlowsToJira: false }, false],
    ['unassigned (in progress by itself means open)', { backtrace: bt('in-progress') }, false],
    ['the issue already in progress', { jira: jira(IN_PROGRESS), seenJira: jira(IN_PROGRESS) }, false],
    ['a person moved the issue back to new since it was seen', { seenJira: jira(IN_PROGRESS) }, false],
  ])('%s', (_case, overrides, expected) => {
    expect(startsWork({ ...input, ...overrides })).toBe(expected);
  });
});

describe('Function: backtraceSide / jiraSide', () => {
  it("reads the fingerprint's state and the _backtrace entry's assignee ids, sorted and distinct", () => {
    // Act
    const side = backtraceSide({ state: 'in-progress', tickets: [{ watcher: 'jira-prod', short: 'CRASH-1' }, { watcher: '_backtrace', assignees: [{ id: 9 }, { id: 2 }, { id: 9 }] }] });

    // Assess
    expect(side).toEqual({ state: 'in-progress', assigneeIds: [2, 9] });
  });

  it.each([
    ['Cloud: the accountId', 'Cloud' as const, CLOUD_ALICE, CLOUD_ALICE.accountId],
    ['Data Center: the username', 'Server' as const, DC_JDOE, DC_JDOE.name],
    ['nobody', 'Cloud' as const, null, null],
  ])('names the issue\'s assignee by the deployment\'s key (%s)', (_case, deployment, assignee, expected) => {
    // Act / Assess
    expect(jiraSide({ status: IN_PROGRESS, assignee }, deployment)).toEqual({ statusId: IN_PROGRESS.id, statusName: IN_PROGRESS.name, categoryKey: IN_PROGRESS.categoryKey, assignee: expected });
  });
});

describe('Function: changedInJiraByOthers / madeByUs', () => {
  it('counts the changelog entries of everyone but the integration\'s own account', () => {
    // Prepare
    const history = [
      { at: T0 + 2, author: CLOUD_ALICE, fields: ['assignee' as const] },
      { at: T0 + 1, author: CLOUD_BOT, fields: ['status' as const] },
    ];

    // Act / Assess
    expect(changedInJiraByOthers(history, CLOUD_BOT)).toEqual({ state: false, assignee: true });
    expect(changedInJiraByOthers(history, CLOUD_ALICE)).toEqual({ state: true, assignee: false });
    expect(madeByUs(CLOUD_BOT, CLOUD_BOT)).toBe(true);
    expect(madeByUs(CLOUD_BOB, CLOUD_BOT)).toBe(false);
    expect(madeByUs(undefined, CLOUD_BOT)).toBe(false);
  });
});

describe('Function: overwrittenChange', () => {
  // The bridge read the issue at T0 (To Do), then wrote Done at T0 + 100.
  const pushed = { statusId: DONE.id, assignee: null, at: T0 + 100, basedOn: T0 };
  const delivery = (overrides: Record<string, unknown> = {}) => ({
    author: CLOUD_ALICE,
    updatedAt: T0 + 50,
    changed: { status: true, resolution: false, assignee: false },
    status: IN_PROGRESS,
    ...overrides,
  });

  it.each([
    ['a person moved it after our read, and Jira now shows our write: put back', delivery(), jira(DONE), { statusId: IN_PROGRESS.id }],
    ['the change was made before our read (we saw it when deciding)', delivery({ updatedAt: T0 }), jira(DONE), undefined],
    ['Jira shows the person\'s change (it came after our write)', delivery({ updatedAt: T0 + 200 }), jira(IN_PROGRESS), undefined],
    ['our own account made it', delivery({ author: CLOUD_BOT }), jira(DONE), undefined],
    ['it set what we set anyway', delivery({ status: DONE }), jira(DONE), undefined],
    [
      'a person unassigned after our read, our write re-assigned: put back the unassignment',
      delivery({ changed: { status: false, resolution: false, assignee: true }, assignee: null, status: DONE }),
      jira(DONE, 'bob'),
      { assignee: null },
    ],
  ])('%s', (_case, change, now, expected) => {
    // Act
    const lost = overwrittenChange(change, now, { ...pushed, ...(expected && 'assignee' in expected ? { assignee: 'bob' } : {}) }, CLOUD_BOT, 'Cloud');

    // Assess
    expect(lost).toEqual(expected);
  });

  it('finds nothing when the bridge never wrote to Jira', () => {
    // Act / Assess
    expect(overwrittenChange(delivery(), jira(DONE), undefined, CLOUD_BOT, 'Cloud')).toBeUndefined();
  });
});
