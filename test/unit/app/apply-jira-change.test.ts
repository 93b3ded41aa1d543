import { describe, expect, it } from 'vitest';
import { applyJiraChange } from '../../../shared/app/apply-jira-change.ts';
import { pushFingerprintChange } from '../../../shared/app/push-fingerprint-change.ts';
import { SYNC_LEASE_MS } from '../../../shared/app/steps/with-sync-lease.ts';
import { parseJiraWebhook, type JiraIssueEvent } from '../../../shared/domain/jira/jira-webhook.ts';
import type { FingerprintRef, FingerprintState, Ticket, TicketAssignee } from '../../../shared/domain/model/backtrace.ts';
import type { JiraStatus } from '../../../shared/domain/model/jira.ts';
import type { LinkedLink } from '../../../shared/domain/model/link.ts';
import type { FingerprintChangeMessage, JiraChangeMessage } from '../../../shared/domain/queue-message.ts';
import { ClaimBusyError } from '../../../shared/ports/errors.ts';
import { ANA, BEN, BOT, DONE, IN_PROGRESS, TO_DO, type MemoryIssue } from '../../support/in-memory/jira.ts';
import { CLOUD_BOT, webhookFixture } from '../sync/sync-factories.ts';
import { appWorld, INTEGRATION, integrationDocument, PROJECT, UNIVERSE, type AppWorld } from './app-world.ts';

const ANA_IN_BACKTRACE: TicketAssignee = { id: 12, username: 'ana', email: 'ana@acme.com' };
const BEN_IN_BACKTRACE: TicketAssignee = { id: 13, username: 'ben', email: 'ben@acme.com' };
const OTHER_INTEGRATION = 'jira-ops';
const SITE = 'https://acme.atlassian.net';

/** A Jira issue event as `parseJiraWebhook` gives it: the issue as Jira holds it now, changed by Ana (by default). */
function issueEvent(issue: MemoryIssue, changed: Partial<JiraIssueEvent['changed']> = {}, overrides: Partial<JiraIssueEvent> = {}): JiraIssueEvent {
  return {
    kind: 'issue',
    event: 'updated',
    issueId: issue.id,
    issueKey: issue.key,
    projectKey: issue.projectKey,
    author: ANA,
    timestamp: issue.updatedAt,
    updatedAt: issue.updatedAt,
    status: { ...issue.status },
    assignee: issue.assignee && { ...issue.assignee },
    changed: { status: false, resolution: false, assignee: false, ...changed },
    changelog: {},
    ...overrides,
  };
}

/** A real webhook body from test/fixtures/jira-webhooks/, about the in-memory issue (its id and current key). */
function fixtureEvent(name: string, issue: MemoryIssue): JiraIssueEvent {
  const body = webhookFixture(name);
  Object.assign(body.issue as Record<string, unknown>, { id: issue.id, key: issue.key });
  const parsed = parseJiraWebhook(body);
  if (parsed.kind !== 'issue') throw new Error(`fixture ${name} is not an issue event: ${JSON.stringify(parsed)}`);
  return parsed;
}

/** The `jira.webhook` message the receiver queues for a delivery our webhook secret authenticated. */
function delivery(event: JiraIssueEvent, integrations: string[] = [INTEGRATION]): JiraChangeMessage {
  return { kind: 'jira.webhook', integrations, event };
}

/** The poller's message for a Backtrace change it saw at `at`. */
function backtraceChange(fingerprint: string, at: number): FingerprintChangeMessage {
  return { kind: 'backtrace.fingerprint-updated', integration: INTEGRATION, source: 'poll', event: { type: 'fingerprint.updated', universe: UNIVERSE, project: PROJECT, fingerprint, state: 'resolved', assignees: [], at } };
}

/**
 * A linked pair both sides of which were last seen agreeing: the fingerprint `state` with `assignees` (in a
 * `_backtrace` entry), the issue as created from `issue`.
 */
function linkedPair(w: AppWorld, options: { state?: FingerprintState; assignees?: TicketAssignee[]; issue?: Partial<MemoryIssue> } = {}) {
  const { state = 'in-progress', assignees, issue: fields = {} } = options;
  const status = fields.status ?? TO_DO;
  const assignee = fields.assignee ?? null;
  const now = w.clock.now();
  const linked = w.linked({
    issue: fields,
    sync: {
      backtrace: { state, assigneeIds: (assignees ?? []).map((user) => user.id), at: now, reopenCount: 0 },
      jira: { statusId: status.id, statusName: status.name, categoryKey: status.categoryKey, assignee: assignee?.accountId ?? null, updatedAt: now },
    },
  });
  const tickets = w.backtrace.row(linked.ref).tickets;
  w.backtrace.seed(linked.ref, { state, tickets: assignees === undefined ? tickets : [{ watcher: '_backtrace', assignees }, ...tickets] });
  return linked;
}

/** A person changes the fingerprint in Backtrace: its state and ticket list as given. */
function rowIs(w: AppWorld, ref: FingerprintRef, state: FingerprintState, tickets: Ticket[]) {
  w.backtrace.seed(ref, { state, tickets });
}

const ours = (w: AppWorld, ref: FingerprintRef) => w.backtrace.row(ref).tickets.find((ticket) => ticket.watcher === INTEGRATION);
const backtraceEntry = (w: AppWorld, ref: FingerprintRef) => w.backtrace.row(ref).tickets.find((ticket) => ticket.watcher === '_backtrace');
const stored = (w: AppWorld, ref: FingerprintRef) => w.links.get(INTEGRATION, ref.fingerprint);

describe('Use-case: applyJiraChange', () => {
  it.each([
    ['an issue no fingerprint is linked to', (w: AppWorld) => w.jira.addIssue()],
    [
      'an issue only an integration the delivery was not authenticated for links',
      (w: AppWorld) => {
        const issue = w.jira.addIssue();
        w.links.seedLinked({ integration: OTHER_INTEGRATION, universe: UNIVERSE, project: PROJECT, fingerprint: 'fp-ops', issueId: issue.id, issueKey: issue.key, issueUrl: `${SITE}/browse/${issue.key}` });
        return issue;
      },
    ],
  ])('drops a delivery for %s without a Backtrace or a Jira call', async (_case, prepare) => {
    // Prepare
    const w = appWorld();
    const issue = prepare(w);
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true })));

    // Assess
    expect(result).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.jira.calls).toEqual([]);
    expect(w.log.messages('debug')).toContain('Jira webhook for an issue no fingerprint is linked to');
  });

  it.each<[string, (w: AppWorld, issue: MemoryIssue) => JiraIssueEvent]>([
    [
      'a real Cloud unassign made by the account the integration\'s token belongs to',
      (w, issue) => {
        w.jira.self = CLOUD_BOT;
        return fixtureEvent('cloud_issue_updated_unassigned.json', issue);
      },
    ],
    [
      'the bridge\'s own transition',
      (w, issue) => {
        w.jira.issue(issue.id).status = DONE;
        return issueEvent(issue, { status: true, resolution: true }, { author: BOT });
      },
    ],
  ])('drops the echo of our own write (%s) without reading either side', async (_case, prepare) => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = linkedPair(w, { assignees: [ANA_IN_BACKTRACE], issue: { assignee: ANA } });
    const event = prepare(w, issue);
    const before = w.backtrace.row(ref);
    const sync = (await stored(w, ref))?.sync;

    // Act
    const result = await applyJiraChange(w.deps, delivery(event));

    // Assess
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'echo', detail: "made by the integration's own Jira account" }]);
    expect(w.jira.callsTo('getIssueState')).toEqual([]);
    expect(w.jira.writes()).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.backtrace.row(ref)).toEqual(before);
    expect(w.links.calls).not.toContain('acquireSync');
    expect((await stored(w, ref))?.sync).toEqual(sync);
    expect(w.log.messages('debug')).toContain('Echo of our own Jira write dropped');
  });

  it.each<[string, (w: AppWorld, issue: MemoryIssue, ref: FingerprintRef) => Promise<JiraIssueEvent>, string]>([
    [
      'the creation of the linked issue (a real Cloud create, whoever Jira names)',
      async (_w, issue) => fixtureEvent('cloud_issue_created.json', issue),
      'the creation of the linked issue (made by the bridge, read at link time)',
    ],
    [
      'a transition without an author, to what the link records as our last write, at its time',
      async (w, issue, ref) => {
        const at = w.clock.now();
        w.links.items.get(`${INTEGRATION}/${ref.fingerprint}`)!.sync!.pushedToJira = { statusId: DONE.id, at, basedOn: at - 1_000 };
        w.jira.issue(issue.id).status = DONE;
        const { author: _author, ...event } = issueEvent(issue, { status: true, resolution: true }, { updatedAt: at, timestamp: at });
        return event;
      },
      "sets what the bridge's last recorded write set, at its time",
    ],
  ])('drops the echo of our own %s with no call to Jira at all (not even for its own account)', async (_case, prepare, detail) => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = linkedPair(w, { assignees: [ANA_IN_BACKTRACE], issue: { assignee: ANA } });
    const event = await prepare(w, issue, ref);
    const before = w.backtrace.row(ref);

    // Act
    const result = await applyJiraChange(w.deps, delivery(event));

    // Assess
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'echo', detail }]);
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.backtrace.row(ref)).toEqual(before);
    expect(w.links.calls).not.toContain('acquireSync');
  });

  it.each([
    ['To Do (category new)', TO_DO, DONE, 'resolved', 'open', {}],
    ['In Progress (category indeterminate)', IN_PROGRESS, TO_DO, 'open', 'in-progress', {}],
    ['Done (category done)', DONE, TO_DO, 'open', 'resolved', {}],
    ['Done, overridden by status name in sync.stateMap.toBacktrace.statuses', DONE, TO_DO, 'open', 'muted', { toBacktrace: { statuses: { done: 'muted' } } }],
    ['In Progress, overridden by status id', IN_PROGRESS, TO_DO, 'open', 'resolved', { toBacktrace: { statuses: { [IN_PROGRESS.id]: 'resolved' } } }],
  ] as const)('sets the fingerprint and our ticket entry to the state mapped from %s, in one Backtrace write', async (_case, status: JiraStatus, from: JiraStatus, before, expected, stateMap) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way', stateMap } })] });
    const { ref, issue } = linkedPair(w, { state: before, issue: { status: from } });
    const seenAt = w.clock.now();
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, status);
    w.clock.advance(1000);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true })));

    // Assess
    // Our ticket entry already showed "open" before a move to To Do.
    const detail = [`Backtrace: state ${expected}`, ...(expected === 'open' ? [] : ['Backtrace: tickets'])].join(', ');
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'synced', detail }]);
    expect(w.backtrace.row(ref).state).toBe(expected);
    expect(ours(w, ref)?.state).toBe(expected);
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
    expect(w.jira.writes()).toEqual([]);
    // Both sides as they are now are what the bridge saw; it wrote nothing to Jira. Each side keeps the time of its
    // own last change: the issue's is the person's move, the fingerprint's is unchanged (the bridge's write to follow
    // Jira is no change of Backtrace's own).
    expect((await stored(w, ref))?.sync).toEqual({
      backtrace: { state: expected, assigneeIds: [], at: seenAt, reopenCount: 0 },
      jira: { statusId: status.id, statusName: status.name, categoryKey: status.categoryKey, assignee: null, updatedAt: w.jira.issue(issue.id).updatedAt },
    });
    expect(w.log.messages('info')).toContain(`Synced ${issue.key} and its fingerprint`);
  });

  it.each([
    ['an explicit sync.users pair naming the Backtrace user id', { users: [{ backtrace: 13, jira: BEN.accountId }] }, false, [{ id: 13 }]],
    ['an explicit sync.users pair naming the Backtrace user', { users: [{ backtrace: { ...BEN_IN_BACKTRACE }, jira: BEN.accountId }] }, false, [BEN_IN_BACKTRACE]],
    ['the e-mail of a Backtrace user the bridge has seen', {}, true, [BEN_IN_BACKTRACE]],
  ] as const)('sets the fingerprint\'s assignees from %s, leaving its state alone', async (_case, sync, seen, expected) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way', ...sync } })] });
    const { ref, issue } = linkedPair(w, { assignees: [ANA_IN_BACKTRACE], issue: { assignee: ANA } });
    const seenAt = w.clock.now();
    if (seen) await w.users.remember(UNIVERSE, [BEN_IN_BACKTRACE], w.clock.now());
    w.clock.advance(1000);
    w.jira.personAssigns(issue.id, BEN);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { assignee: true })));

    // Assess
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'synced', detail: 'Backtrace: tickets' }]);
    expect(backtraceEntry(w, ref)?.assignees).toEqual(expected);
    expect(w.backtrace.row(ref).state).toBe('in-progress');
    expect(ours(w, ref)).toEqual({ watcher: INTEGRATION, short: issue.key, url: `${SITE}/browse/${issue.key}`, state: 'open' });
    expect(w.jira.writes()).toEqual([]);
    // The assignees the bridge wrote to follow Jira are no change of Backtrace's own: the fingerprint keeps its time.
    expect((await stored(w, ref))?.sync?.backtrace).toEqual({ state: 'in-progress', assigneeIds: expected.map((user) => user.id), at: seenAt, reopenCount: 0 });
  });

  it('unassigns the fingerprint when the issue is unassigned in Jira', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = linkedPair(w, { assignees: [ANA_IN_BACKTRACE], issue: { assignee: ANA } });
    w.clock.advance(1000);
    w.jira.personAssigns(issue.id, null);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { assignee: true })));

    // Assess
    expect(result).toMatchObject([{ outcome: 'synced', detail: 'Backtrace: tickets' }]);
    expect(backtraceEntry(w, ref)?.assignees).toEqual([]);
    expect(w.backtrace.row(ref).state).toBe('in-progress');
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
    expect((await stored(w, ref))?.sync?.backtrace?.assigneeIds).toEqual([]);
  });

  it('leaves Backtrace\'s assignees alone, with a log line, for a Jira user it cannot tell for sure', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = linkedPair(w, { assignees: [ANA_IN_BACKTRACE], issue: { assignee: ANA } });
    w.clock.advance(1000);
    w.jira.personAssigns(issue.id, BEN);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { assignee: true })));

    // Assess
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'unchanged' }]);
    expect(backtraceEntry(w, ref)?.assignees).toEqual([ANA_IN_BACKTRACE]);
    expect(w.backtrace.writes()).toEqual([]);
    expect(w.log.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: expect.stringContaining('Assignee not synced to Backtrace: skipped: no Backtrace user with the e-mail ben@acme.com has been seen yet'),
        extra: expect.objectContaining({ jiraUser: BEN.displayName, fingerprint: ref.fingerprint }),
      }),
    );
  });

  it.each<[string, (w: AppWorld, issue: MemoryIssue) => JiraIssueEvent]>([
    ['a description edit (a real Server body, no synced field in its changelog)', (_w, issue) => fixtureEvent('issue_updated_fields_updated.json', issue)],
    ['a comment', (_w, issue) => issueEvent(issue)],
  ])('writes nothing for %s: a muted fingerprint stays muted', async (_case, event) => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = linkedPair(w, { state: 'muted', assignees: [] });
    const before = w.backtrace.row(ref);
    w.clock.advance(1000);
    w.jira.issue(issue.id).updatedAt = w.clock.now();

    // Act
    const result = await applyJiraChange(w.deps, delivery(event(w, issue)));

    // Assess
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'unchanged' }]);
    expect(w.backtrace.row(ref)).toEqual(before);
    expect(w.backtrace.writes()).toEqual([]);
    expect(w.jira.writes()).toEqual([]);
  });

  it('ends in the newest state when deliveries arrive out of order: the later one finds nothing left to do', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = linkedPair(w, { state: 'open', assignees: [] });
    await w.users.remember(UNIVERSE, [ANA_IN_BACKTRACE], w.clock.now());
    // A person resolves the issue, then assigns it; the assignee delivery arrives first.
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);
    const moved = issueEvent(issue, { status: true, resolution: true });
    w.clock.advance(1000);
    w.jira.personAssigns(issue.id, ANA);
    const assigned = issueEvent(issue, { assignee: true });
    const first = await applyJiraChange(w.deps, delivery(assigned));
    w.clock.advance(1000);

    // Act
    const late = await applyJiraChange(w.deps, delivery(moved));

    // Assess
    expect(first).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'synced', detail: 'Backtrace: state resolved, Backtrace: tickets' }]);
    expect(late).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'unchanged' }]);
    expect(w.backtrace.row(ref).state).toBe('resolved');
    expect(backtraceEntry(w, ref)?.assignees).toEqual([ANA_IN_BACKTRACE]);
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
  });

  it.each([
    ['one-way', 'synced', { mode: 'one-way' }],
    ['none', 'sync-off', { mode: 'none' }],
  ])('with sync.mode %s answers %s, applies nothing to the fingerprint and writes nothing to Jira', async (_mode, outcome, sync) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync })] });
    const { ref, issue } = linkedPair(w, { assignees: [] });
    await w.users.remember(UNIVERSE, [ANA_IN_BACKTRACE], w.clock.now());
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);
    w.jira.personAssigns(issue.id, ANA);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true, assignee: true })));

    // Assess: one-way still keeps our ticket entry showing the issue's state; "none" does not even read.
    expect(result).toHaveLength(1);
    expect(result).toMatchObject([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome }]);
    expect(w.backtrace.row(ref).state).toBe('in-progress');
    expect(backtraceEntry(w, ref)?.assignees).toEqual([]);
    expect(w.jira.writes()).toEqual([]);
    expect(w.jira.issue(issue.id)).toMatchObject({ status: DONE, assignee: ANA });
  });

  it('with sync.mode "none" answers sync-off for each linked integration, with no Jira or Backtrace call and no lease taken', async () => {
    // Prepare: two integrations, both off, link the fingerprint to the issue.
    const none = { sync: { mode: 'none' } };
    const second = integrationDocument({ name: OTHER_INTEGRATION, ...none, jira: { ...(integrationDocument().jira as object), dedupeLabel: 'bt2-{hash}' } });
    const w = appWorld({ integrations: [integrationDocument(none), second] });
    const { ref, issue, link } = linkedPair(w);
    const { integration: _integration, ...shared } = structuredClone(link) as LinkedLink;
    w.links.seedLinked({ ...shared, integration: OTHER_INTEGRATION });
    const before = { row: w.backtrace.row(ref), sync: (await stored(w, ref))?.sync };
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);
    w.links.calls.length = 0;

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true }), [INTEGRATION, OTHER_INTEGRATION]));

    // Assess
    expect(result).toEqual([
      { integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'sync-off', detail: 'sync.mode is "none"' },
      { integration: OTHER_INTEGRATION, fingerprint: ref.fingerprint, outcome: 'sync-off', detail: 'sync.mode is "none"' },
    ]);
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.links.calls).toEqual(['findByIssueId']);
    expect(w.backtrace.row(ref)).toEqual(before.row);
    expect((await stored(w, ref))?.sync).toEqual(before.sync);
  });

  it('follows a move to another project (same id, new key): the link\'s key and URL and our ticket entry change, nothing else', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = linkedPair(w);
    const other: Ticket = { watcher: OTHER_INTEGRATION, short: 'OPS-4', url: `${SITE}/browse/OPS-4`, state: 'resolved' };
    rowIs(w, ref, 'in-progress', [...w.backtrace.row(ref).tickets, other]);
    const oldKey = issue.key;
    w.clock.advance(1000);
    Object.assign(w.jira.issue(issue.id), { key: 'GAME-3', projectKey: 'GAME', updatedAt: w.clock.now() });

    // Act
    const result = await applyJiraChange(w.deps, delivery(fixtureEvent('cloud_issue_moved.json', w.jira.issue(issue.id))));

    // Assess
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'synced', detail: 'Backtrace: tickets' }]);
    expect(await stored(w, ref)).toMatchObject({ status: 'linked', issueId: issue.id, issueKey: 'GAME-3', issueUrl: `${SITE}/browse/GAME-3` });
    expect(w.backtrace.row(ref)).toEqual({ state: 'in-progress', tickets: [{ watcher: INTEGRATION, short: 'GAME-3', url: `${SITE}/browse/GAME-3`, state: 'open' }, other] });
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
    expect(w.jira.writes()).toEqual([]);
    expect(w.log.messages('info')).toContain(`Jira issue ${oldKey} is now GAME-3`);
  });

  describe('a delivered deletion', () => {
    it('unlinks when Jira confirms it (404): our ticket entry goes, Backtrace\'s and other integrations\' entries stay', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue, link } = linkedPair(w);
      const others: Ticket[] = [
        { watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] },
        { watcher: OTHER_INTEGRATION, short: 'OPS-4', url: `${SITE}/browse/OPS-4`, state: 'open' },
      ];
      rowIs(w, ref, 'in-progress', [others[0]!, { watcher: INTEGRATION, short: issue.key, url: link.issueUrl, state: 'open' }, others[1]!]);
      w.jira.issues.delete(issue.id);

      // Act
      const result = await applyJiraChange(w.deps, delivery(fixtureEvent('cloud_issue_deleted.json', issue)));

      // Assess
      expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'unlinked' }]);
      expect(w.backtrace.row(ref)).toEqual({ state: 'in-progress', tickets: others });
      expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
      expect(await stored(w, ref)).toBeUndefined();
      expect(w.jira.writes()).toEqual([]);
      expect(w.log.messages('info')).toContain(`Jira has no issue ${issue.key} any more: unlinked from the fingerprint`);
    });

    it('keeps the link when Jira still has the issue (a replayed or mistaken deletion), touching nothing', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue, link } = linkedPair(w);
      const before = w.backtrace.row(ref);

      // Act
      const result = await applyJiraChange(w.deps, delivery(fixtureEvent('cloud_issue_deleted.json', issue)));

      // Assess
      expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'kept', detail: 'Jira still has the issue' }]);
      expect(await stored(w, ref)).toMatchObject({ status: 'linked', issueId: link.issueId, issueKey: link.issueKey });
      expect(w.backtrace.calls).toEqual([]);
      expect(w.backtrace.row(ref)).toEqual(before);
      expect(w.jira.writes()).toEqual([]);
      expect(w.log.messages('warn')).toContain(`Jira sent a deletion of ${issue.key}, but Jira still has the issue: the link stays`);
    });

    it('ignores a late deletion of an issue the fingerprint is no longer linked to', async () => {
      // Prepare
      const w = appWorld();
      const old = w.jira.addIssue();
      w.jira.issues.delete(old.id);
      const { ref, issue } = linkedPair(w);
      const before = w.backtrace.row(ref);

      // Act
      const result = await applyJiraChange(w.deps, delivery(issueEvent(old, {}, { event: 'deleted' })));

      // Assess
      expect(result).toEqual([]);
      expect(w.backtrace.calls).toEqual([]);
      expect(w.backtrace.row(ref)).toEqual(before);
      expect(await stored(w, ref)).toMatchObject({ status: 'linked', issueId: issue.id });
    });

    it('leaves the link alone when the fingerprint was linked to another issue while the deletion was being handled', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = linkedPair(w);
      const replacement = w.jira.addIssue();
      w.jira.issues.delete(issue.id);
      // Another worker links the fingerprint to a new issue right after we read the row.
      const getIssue = w.backtrace.getIssue.bind(w.backtrace);
      w.backtrace.getIssue = async (...args) => {
        const row = await getIssue(...args);
        w.links.seedLinked({ integration: INTEGRATION, ...ref, issueId: replacement.id, issueKey: replacement.key, issueUrl: `${SITE}/browse/${replacement.key}` });
        return row;
      };

      // Act
      const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, {}, { event: 'deleted' })));

      // Assess
      expect(result).toMatchObject([{ outcome: 'unlinked' }]);
      expect(await stored(w, ref)).toMatchObject({ status: 'linked', issueId: replacement.id, issueKey: replacement.key });
    });
  });

  describe('a person moving the issue while the bridge writes it', () => {
    it('puts the person\'s status back when the bridge\'s transition overwrote it, and applies it to the fingerprint', async () => {
      // Prepare: the fingerprint is resolved in Backtrace, and the poller's change goes to Jira.
      const w = appWorld();
      const { ref, issue } = linkedPair(w);
      w.clock.advance(1000);
      rowIs(w, ref, 'resolved', w.backtrace.row(ref).tickets);
      const seenAt = w.clock.now();
      // Between the bridge's Jira read and its transition, Ana moves the issue to In Progress.
      let anasChange: JiraIssueEvent | undefined;
      const listTransitions = w.jira.listTransitions.bind(w.jira);
      w.jira.listTransitions = async (idOrKey) => {
        if (!anasChange) {
          w.clock.advance(500);
          w.jira.personMoves(issue.id, IN_PROGRESS);
          anasChange = issueEvent(issue, { status: true });
          w.clock.advance(500);
        }
        return listTransitions(idOrKey);
      };
      await pushFingerprintChange(w.deps, backtraceChange(ref.fingerprint, seenAt));
      expect(w.jira.issue(issue.id).status).toEqual(DONE);
      w.clock.advance(2000);

      // Act: Ana's webhook arrives.
      const result = await applyJiraChange(w.deps, delivery(anasChange!));

      // Assess
      expect(result).toEqual([
        { integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'synced', detail: `Jira: transitioned to ${IN_PROGRESS.name} (put back), Backtrace: state in-progress, Backtrace: tickets` },
      ]);
      expect(w.jira.issue(issue.id).status).toEqual(IN_PROGRESS);
      expect(w.backtrace.row(ref).state).toBe('in-progress');
      expect(ours(w, ref)?.state).toBe('in-progress');
      expect(w.log.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: `A change to ${issue.key} made while the bridge wrote it was overwritten; putting it back`, extra: expect.objectContaining({ lost: { statusId: IN_PROGRESS.id } }) }),
      );
      // Both sides agree, as recorded; the echo of the put-back changes nothing.
      expect((await stored(w, ref))?.sync).toMatchObject({ backtrace: { state: 'in-progress' }, jira: { statusId: IN_PROGRESS.id }, pushedToJira: { statusId: IN_PROGRESS.id } });
      const echo = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true }, { author: BOT })));
      expect(echo).toMatchObject([{ outcome: 'echo' }]);
    });

    it('puts nothing back when the person\'s change came before the read the bridge\'s write was based on (that write was the later change)', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = linkedPair(w);
      w.clock.advance(1000);
      w.jira.personMoves(issue.id, IN_PROGRESS);
      const anasChange = issueEvent(issue, { status: true });
      // The fingerprint is resolved after that, so the bridge's push is the later change.
      w.clock.advance(1000);
      rowIs(w, ref, 'resolved', w.backtrace.row(ref).tickets);
      await pushFingerprintChange(w.deps, backtraceChange(ref.fingerprint, w.clock.now()));
      expect(w.jira.issue(issue.id).status).toEqual(DONE);
      const writes = w.jira.writes().length;
      w.clock.advance(2000);

      // Act
      const result = await applyJiraChange(w.deps, delivery(anasChange));

      // Assess
      expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'unchanged' }]);
      expect(w.jira.issue(issue.id).status).toEqual(DONE);
      expect(w.jira.writes()).toHaveLength(writes);
      expect(w.backtrace.row(ref).state).toBe('resolved');
      expect(w.log.messages('warn')).toEqual([]);
    });

    it('puts nothing back from a late delivery of a change made after the bridge\'s write: a newer change is not undone by it', async () => {
      // Prepare: the fingerprint is resolved, and the poller's change moves the issue to Done.
      const w = appWorld();
      const { ref, issue } = linkedPair(w);
      w.clock.advance(1000);
      rowIs(w, ref, 'resolved', w.backtrace.row(ref).tickets);
      await pushFingerprintChange(w.deps, backtraceChange(ref.fingerprint, w.clock.now()));
      const pushedAt = w.clock.now();
      expect(w.jira.issue(issue.id).status).toEqual(DONE);
      // A minute later Ana moves it to In Progress; a minute after that Ben moves it back to Done.
      w.clock.advance(60_000);
      w.jira.personMoves(issue.id, IN_PROGRESS, ANA);
      const anasChange = issueEvent(issue, { status: true, resolution: true });
      w.clock.advance(60_000);
      w.jira.personMoves(issue.id, DONE, BEN);
      const bensChange = issueEvent(issue, { status: true, resolution: true }, { author: BEN });
      w.clock.advance(1000);

      // Act: Ben's delivery is processed first, Ana's late one second.
      const bens = await applyJiraChange(w.deps, delivery(bensChange));
      w.clock.advance(1000);
      const anas = await applyJiraChange(w.deps, delivery(anasChange));

      // Assess: Done on both sides; the only Jira write is the bridge's first transition.
      expect(bens).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'unchanged' }]);
      expect(anas).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'unchanged' }]);
      expect(w.jira.issue(issue.id).status).toEqual(DONE);
      expect(w.jira.writes()).toEqual([`transition ${issue.id} t-${DONE.id}`]);
      expect(w.backtrace.row(ref).state).toBe('resolved');
      expect(ours(w, ref)?.state).toBe('resolved');
      expect(w.log.messages('warn')).toEqual([]);
      expect((await stored(w, ref))?.sync).toMatchObject({ backtrace: { state: 'resolved' }, jira: { statusId: DONE.id }, pushedToJira: { statusId: DONE.id, at: pushedAt } });
    });
  });

  it('answers ClaimBusyError while another worker syncs the pair, and writes nothing', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = linkedPair(w);
    await w.links.acquireSync({ integration: INTEGRATION, fingerprint: ref.fingerprint, token: 'link-time-sync', now: w.clock.now(), leaseMs: SYNC_LEASE_MS });
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);

    // Act
    const attempt = applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true })));

    // Assess
    await expect(attempt).rejects.toThrow(ClaimBusyError);
    expect(w.jira.callsTo('getIssueState')).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.backtrace.row(ref).state).toBe('in-progress');
  });

  it('applies the delivery to every authenticated integration linked to the issue', async () => {
    // Prepare
    const second = integrationDocument({ name: OTHER_INTEGRATION, jira: { ...(integrationDocument().jira as object), dedupeLabel: 'bt2-{hash}' } });
    const w = appWorld({ integrations: [integrationDocument(), second] });
    const { ref, issue, link } = linkedPair(w);
    const { integration: _integration, ...shared } = structuredClone(link) as LinkedLink;
    w.links.seedLinked({ ...shared, integration: OTHER_INTEGRATION });
    rowIs(w, ref, 'in-progress', [...w.backtrace.row(ref).tickets, { watcher: OTHER_INTEGRATION, short: issue.key, url: link.issueUrl, state: 'open' }]);
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true }), [INTEGRATION, OTHER_INTEGRATION]));

    // Assess
    expect(result.map((applied) => [applied.integration, applied.outcome])).toEqual([
      [INTEGRATION, 'synced'],
      [OTHER_INTEGRATION, 'synced'],
    ]);
    expect(w.backtrace.row(ref).state).toBe('resolved');
    expect(w.backtrace.row(ref).tickets.map((ticket) => [ticket.watcher, ticket.short, ticket.state])).toEqual([
      [INTEGRATION, issue.key, 'resolved'],
      [OTHER_INTEGRATION, issue.key, 'resolved'],
    ]);
    expect(w.jira.writes()).toEqual([]);
    for (const integration of [INTEGRATION, OTHER_INTEGRATION]) {
      expect((await w.links.get(integration, ref.fingerprint))?.sync).toMatchObject({ backtrace: { state: 'resolved' }, jira: { statusId: DONE.id } });
    }
  });
});
