import { describe, expect, it } from 'vitest';
import { applyJiraChange } from '../../../shared/app/apply-jira-change.ts';
import { parseJiraWebhook, type JiraIssueEvent } from '../../../shared/domain/jira/jira-webhook.ts';
import type { FingerprintRef, FingerprintState, Ticket, TicketAssignee } from '../../../shared/domain/model/backtrace.ts';
import type { JiraStatus, JiraUser } from '../../../shared/domain/model/jira.ts';
import type { JiraChangeMessage } from '../../../shared/domain/queue-message.ts';
import { ANA, BEN, DONE, IN_PROGRESS, TO_DO, type MemoryIssue } from '../../support/in-memory/jira.ts';
import { CLOUD_BOT, webhookFixture } from '../sync/sync-factories.ts';
import { appWorld, INTEGRATION, integrationDocument, UNIVERSE, type AppWorld } from './app-world.ts';

const ANA_IN_BACKTRACE: TicketAssignee = { id: 12, username: 'ana', email: 'ana@acme.com' };
const BEN_IN_BACKTRACE: TicketAssignee = { id: 13, username: 'ben', email: 'ben@acme.com' };
const OTHER_INTEGRATION = 'jira-ops';
const SITE = 'https://acme.atlassian.net';

/** A Jira issue event as `parseJiraWebhook` gives it: made by Ana, touching the `changed` fields. */
function issueEvent(issue: MemoryIssue, changed: Partial<JiraIssueEvent['changed']> = {}, overrides: Partial<JiraIssueEvent> = {}): JiraIssueEvent {
  return {
    kind: 'issue',
    event: 'updated',
    issueId: issue.id,
    issueKey: issue.key,
    projectKey: issue.projectKey,
    author: ANA,
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
function delivery(event: JiraIssueEvent): JiraChangeMessage {
  return { kind: 'jira.webhook', integrations: [INTEGRATION], event };
}

/** A person changes the fingerprint in Backtrace: its state and ticket list as given. */
function rowIs(w: AppWorld, ref: FingerprintRef, state: FingerprintState, tickets: Ticket[]) {
  w.backtrace.seed(ref, { state, tickets });
}

const ours = (w: AppWorld, ref: FingerprintRef) => w.backtrace.row(ref).tickets.find((ticket) => ticket.watcher === INTEGRATION);
const backtraceEntry = (w: AppWorld, ref: FingerprintRef) => w.backtrace.row(ref).tickets.find((ticket) => ticket.watcher === '_backtrace');

describe('Use-case: applyJiraChange', () => {
  it.each([
    ['an issue no fingerprint is linked to', (w: AppWorld) => w.jira.addIssue()],
    [
      'an issue only an integration the delivery was not authenticated for links',
      (w: AppWorld) => {
        const issue = w.jira.addIssue();
        w.links.seedLinked({ integration: OTHER_INTEGRATION, universe: UNIVERSE, project: 'game', fingerprint: 'fp-ops', issueId: issue.id, issueKey: issue.key, issueUrl: `${SITE}/browse/${issue.key}` });
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

  it('unlinks a deleted issue: our ticket entry goes, Backtrace\'s and other integrations\' entries stay, the link is gone', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue, link } = w.linked();
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
    expect(await w.links.get(INTEGRATION, ref.fingerprint)).toBeUndefined();
    expect(w.jira.calls).toEqual([]);
    expect(w.log.messages('info')).toContain(`Jira issue ${issue.key} was deleted: unlinked from the fingerprint`);
  });

  it('ignores a late deletion of an issue the fingerprint is no longer linked to', async () => {
    // Prepare
    const w = appWorld();
    const old = w.jira.addIssue();
    w.jira.issues.delete(old.id);
    const { ref, issue } = w.linked();
    const before = w.backtrace.row(ref);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(old, {}, { event: 'deleted' })));

    // Assess
    expect(result).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.backtrace.row(ref)).toEqual(before);
    expect(await w.links.get(INTEGRATION, ref.fingerprint)).toMatchObject({ status: 'linked', issueId: issue.id });
  });

  it('leaves the link alone when the fingerprint was linked to another issue while the deletion was being handled', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    const replacement = w.jira.addIssue();
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
    expect(await w.links.get(INTEGRATION, ref.fingerprint)).toMatchObject({ status: 'linked', issueId: replacement.id, issueKey: replacement.key });
  });

  it.each([
    [
      "by author: the integration's own Jira account made it",
      (w: AppWorld) => {
        w.jira.self = CLOUD_BOT;
        const linked = w.linked({ issue: { assignee: null } });
        // The fixture's unassign was made by "Backtrace Bridge", the account the integration's token belongs to.
        return { ...linked, event: fixtureEvent('cloud_issue_updated_unassigned.json', linked.issue) };
      },
      "made by the integration's own Jira account",
    ],
    [
      'by content: the issue holds exactly what the bridge last pushed',
      (w: AppWorld) => {
        const linked = w.linked({ issue: { status: DONE, assignee: null }, sync: { pushedToJira: { statusId: DONE.id, assignee: null, at: w.clock.now() } } });
        return { ...linked, event: issueEvent(linked.issue, { status: true, resolution: true }) };
      },
      'the issue holds exactly what the bridge last pushed to Jira',
    ],
  ])('drops our own echo %s, writing nothing and leaving the watermark alone', async (_case, prepare, reason) => {
    // Prepare
    const w = appWorld();
    const { ref, event } = prepare(w);
    rowIs(w, ref, 'open', [{ watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] }, ...w.backtrace.row(ref).tickets]);
    const before = w.backtrace.row(ref);

    // Act
    const result = await applyJiraChange(w.deps, delivery(event));

    // Assess
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'echo', detail: reason }]);
    expect(w.backtrace.writes()).toEqual([]);
    expect(w.backtrace.row(ref)).toEqual(before);
    expect((await w.links.get(INTEGRATION, ref.fingerprint))?.sync?.jiraUpdatedAt).toBeUndefined();
    expect(w.log.lines).toContainEqual(expect.objectContaining({ level: 'debug', message: 'Echo of our own Jira write dropped', extra: expect.objectContaining({ reason }) }));
  });

  it('takes a person\'s change for a person\'s after a bridge push, once the issue no longer holds what was pushed', async () => {
    // Prepare
    const w = appWorld();
    // We pushed Done; a person then moved the issue on to In Progress.
    const { ref, issue } = w.linked({ sync: { pushedToJira: { statusId: DONE.id, assignee: null, at: w.clock.now() } } });
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, IN_PROGRESS);
    rowIs(w, ref, 'resolved', w.backtrace.row(ref).tickets);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true }, { author: BEN })));

    // Assess
    expect(result).toMatchObject([{ outcome: 'applied' }]);
    expect(w.backtrace.row(ref).state).toBe('in-progress');
  });

  it.each([
    ['a description edit (no synced field in the changelog)', {}, {}],
    ['a status change while sync.state is off', { state: false }, { status: true, resolution: true }],
    ['an assignee change while sync.assignee is off', { assignee: false }, { assignee: true }],
  ])('ignores %s', async (_case, sync, changed) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way', ...sync } })] });
    const { ref, issue } = w.linked();
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);
    w.jira.personAssigns(issue.id, ANA);
    await w.users.remember(UNIVERSE, [ANA_IN_BACKTRACE], w.clock.now());

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, changed)));

    // Assess
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'ignored', detail: 'no synced field changed' }]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.links.calls).not.toContain('updateSync');
  });

  it('drops a stale delivery (Jira\'s issue is older than the last change applied) without writing', async () => {
    // Prepare
    const w = appWorld();
    const watermark = w.clock.now();
    const { ref, issue } = w.linked({ issue: { status: DONE, updatedAt: watermark - 1000 }, sync: { jiraUpdatedAt: watermark } });

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true })));

    // Assess
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'stale' }]);
    expect(w.backtrace.writes()).toEqual([]);
    expect(w.backtrace.row(ref).state).toBe('in-progress');
    expect(w.links.calls).not.toContain('updateSync');
  });

  it('still follows a move on a stale delivery: the link and the ticket entry show the new key, the state is left alone', async () => {
    // Prepare
    const w = appWorld();
    const watermark = w.clock.now();
    const { ref, issue } = w.linked({ issue: { status: DONE, updatedAt: watermark - 1000 }, sync: { jiraUpdatedAt: watermark } });
    const oldKey = issue.key;
    Object.assign(w.jira.issue(issue.id), { key: 'GAME-3', projectKey: 'GAME' });

    // Act: a late delivery still carries the key the issue had before the move.
    const result = await applyJiraChange(w.deps, delivery(issueEvent({ ...issue, key: oldKey, projectKey: 'CRASH' }, { status: true, resolution: true })));

    // Assess
    expect(result).toEqual([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'stale' }]);
    expect(await w.links.get(INTEGRATION, ref.fingerprint)).toMatchObject({ issueId: issue.id, issueKey: 'GAME-3', issueUrl: `${SITE}/browse/GAME-3`, sync: { jiraUpdatedAt: watermark } });
    expect(w.backtrace.row(ref)).toEqual({ state: 'in-progress', tickets: [{ watcher: INTEGRATION, short: 'GAME-3', url: `${SITE}/browse/GAME-3`, state: 'open' }] });
  });

  it('follows a move to another project (same id, new key): the link\'s key and URL and our ticket entry change, nothing else', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    const other: Ticket = { watcher: OTHER_INTEGRATION, short: 'OPS-4', url: `${SITE}/browse/OPS-4`, state: 'resolved' };
    rowIs(w, ref, 'in-progress', [...w.backtrace.row(ref).tickets, other]);
    const oldKey = issue.key;
    w.clock.advance(1000);
    Object.assign(w.jira.issue(issue.id), { key: 'GAME-3', projectKey: 'GAME', updatedAt: w.clock.now() });

    // Act
    const result = await applyJiraChange(w.deps, delivery(fixtureEvent('cloud_issue_moved.json', w.jira.issue(issue.id))));

    // Assess
    expect(result).toMatchObject([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'applied' }]);
    expect(await w.links.get(INTEGRATION, ref.fingerprint)).toMatchObject({ status: 'linked', issueId: issue.id, issueKey: 'GAME-3', issueUrl: `${SITE}/browse/GAME-3` });
    expect(w.backtrace.row(ref)).toEqual({ state: 'in-progress', tickets: [{ watcher: INTEGRATION, short: 'GAME-3', url: `${SITE}/browse/GAME-3`, state: 'open' }, other] });
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
    expect(w.log.messages('info')).toContain(`Jira issue ${oldKey} is now GAME-3`);
  });

  it.each([
    ['To Do (category new)', TO_DO, 'resolved', 'open', {}],
    ['In Progress (category indeterminate)', IN_PROGRESS, 'open', 'in-progress', {}],
    ['Done (category done)', DONE, 'open', 'resolved', {}],
    ['Done, overridden by status name in sync.stateMap.toBacktrace.statuses', DONE, 'open', 'muted', { toBacktrace: { statuses: { done: 'muted' } } }],
    ['In Progress, overridden by status id', IN_PROGRESS, 'open', 'resolved', { toBacktrace: { statuses: { [IN_PROGRESS.id]: 'resolved' } } }],
  ] as const)('sets the fingerprint and our ticket entry to the state mapped from %s, in one Backtrace write', async (_case, status: JiraStatus, before, expected, stateMap) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way', stateMap } })] });
    const { ref, issue } = w.linked({ issue: { status: status.id === TO_DO.id ? DONE : TO_DO } });
    rowIs(w, ref, before, w.backtrace.row(ref).tickets);
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, status);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true })));

    // Assess
    expect(result).toMatchObject([{ integration: INTEGRATION, fingerprint: ref.fingerprint, outcome: 'applied' }]);
    expect(w.backtrace.row(ref).state).toBe(expected);
    expect(ours(w, ref)?.state).toBe(expected);
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
    expect(w.jira.writes()).toEqual([]);
    // The watermark is Jira's `updated`; what Backtrace now holds is recorded (its change event is our echo).
    expect((await w.links.get(INTEGRATION, ref.fingerprint))?.sync).toEqual({
      jiraUpdatedAt: w.jira.issue(issue.id).updatedAt,
      pushedToBacktrace: { state: expected, assigneeIds: [], at: w.clock.now() },
      pushedToJira: { at: w.clock.now() },
    });
    expect(w.log.messages('info')).toContain(`Synced ${issue.key} to the fingerprint`);
  });

  it.each([
    ['an explicit sync.users pair naming the Backtrace user id', { users: [{ backtrace: 13, jira: BEN.accountId }] }, BEN, false, [{ id: 13 }]],
    ['an explicit sync.users pair naming the Backtrace user', { users: [{ backtrace: { ...BEN_IN_BACKTRACE }, jira: BEN.accountId }] }, BEN, false, [BEN_IN_BACKTRACE]],
    ['the e-mail of a Backtrace user the bridge has seen', {}, BEN, true, [BEN_IN_BACKTRACE]],
  ] as const)('sets the fingerprint\'s assignees from %s, leaving its state alone', async (_case, sync, jiraUser: JiraUser, seen, expected) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way', ...sync } })] });
    const { ref, issue } = w.linked({ issue: { assignee: ANA } });
    rowIs(w, ref, 'in-progress', [{ watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] }, ...w.backtrace.row(ref).tickets]);
    if (seen) await w.users.remember(UNIVERSE, [BEN_IN_BACKTRACE], w.clock.now());
    w.clock.advance(1000);
    w.jira.personAssigns(issue.id, jiraUser);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { assignee: true })));

    // Assess
    expect(result).toMatchObject([{ outcome: 'applied', detail: 'tickets' }]);
    expect(backtraceEntry(w, ref)?.assignees).toEqual(expected);
    expect(w.backtrace.row(ref).state).toBe('in-progress');
    expect(ours(w, ref)).toEqual({ watcher: INTEGRATION, short: issue.key, url: `${SITE}/browse/${issue.key}`, state: 'open' });
    expect((await w.links.get(INTEGRATION, ref.fingerprint))?.sync?.pushedToBacktrace).toEqual({ state: 'in-progress', assigneeIds: expected.map((user) => user.id), at: w.clock.now() });
  });

  it('unassigns the fingerprint when the issue is unassigned in Jira', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked({ issue: { assignee: ANA } });
    rowIs(w, ref, 'in-progress', [{ watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] }, ...w.backtrace.row(ref).tickets]);
    w.clock.advance(1000);
    w.jira.personAssigns(issue.id, null);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { assignee: true })));

    // Assess
    expect(result).toMatchObject([{ outcome: 'applied', detail: 'tickets' }]);
    expect(backtraceEntry(w, ref)?.assignees).toEqual([]);
    expect(w.backtrace.row(ref).state).toBe('in-progress');
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
    // What the bridge records is what Backtrace holds now (nobody), so the change it causes is known for its echo.
    expect((await w.links.get(INTEGRATION, ref.fingerprint))?.sync?.pushedToBacktrace).toEqual({ state: 'in-progress', assigneeIds: [], at: w.clock.now() });
  });

  it('skips an assignee it cannot tell for sure, with a log line, and leaves Backtrace\'s assignees alone', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    rowIs(w, ref, 'in-progress', [{ watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] }, ...w.backtrace.row(ref).tickets]);
    w.clock.advance(1000);
    w.jira.personAssigns(issue.id, BEN);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { assignee: true })));

    // Assess
    expect(result).toMatchObject([{ outcome: 'unchanged' }]);
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

  it('applies only the field the changelog touched: an assignee change never overwrites a muted state', async () => {
    // Prepare
    const w = appWorld();
    // The issue sits in To Do (which maps to open), while the fingerprint was muted in Backtrace.
    const { ref, issue } = w.linked({ issue: { status: TO_DO } });
    rowIs(w, ref, 'muted', [{ watcher: '_backtrace', assignees: [] }, ...w.backtrace.row(ref).tickets]);
    await w.users.remember(UNIVERSE, [ANA_IN_BACKTRACE], w.clock.now());
    w.clock.advance(1000);
    w.jira.personAssigns(issue.id, ANA);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { assignee: true })));

    // Assess
    expect(result).toMatchObject([{ outcome: 'applied' }]);
    expect(w.backtrace.row(ref).state).toBe('muted');
    expect(backtraceEntry(w, ref)?.assignees).toEqual([ANA_IN_BACKTRACE]);
    expect(ours(w, ref)?.state).toBe('open');
  });

  it('applies a status change delivered after a newer assignee change was already applied (Jira has not changed since)', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked({ issue: { status: TO_DO } });
    rowIs(w, ref, 'open', w.backtrace.row(ref).tickets);
    await w.users.remember(UNIVERSE, [ANA_IN_BACKTRACE], w.clock.now());
    // A person resolves the issue, then assigns it; the assignee delivery arrives first.
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);
    w.clock.advance(1000);
    w.jira.personAssigns(issue.id, ANA);
    await applyJiraChange(w.deps, delivery(issueEvent(issue, { assignee: true })));
    expect(w.backtrace.row(ref).state).toBe('open');

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true })));

    // Assess
    expect(result).toMatchObject([{ outcome: 'applied', detail: 'state resolved, tickets' }]);
    expect(w.backtrace.row(ref).state).toBe('resolved');
    expect(backtraceEntry(w, ref)?.assignees).toEqual([ANA_IN_BACKTRACE]);
    expect((await w.links.get(INTEGRATION, ref.fingerprint))?.sync?.jiraUpdatedAt).toBe(w.jira.issue(issue.id).updatedAt);
  });

  it.each([
    ['one-way', { mode: 'one-way' }],
    ['none', { mode: 'none' }],
  ])('with sync.mode %s applies nothing to Backtrace', async (_mode, sync) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync, jiraWebhook: undefined })] });
    const { ref, issue } = w.linked();
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);
    w.jira.personAssigns(issue.id, ANA);

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true, assignee: true })));

    // Assess
    expect(result).toMatchObject([{ outcome: 'ignored' }]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.backtrace.row(ref).state).toBe('in-progress');
  });

  it('checks the fingerprint once more, unguarded, when a newer Jira change was recorded while it wrote', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    rowIs(w, ref, 'open', w.backtrace.row(ref).tickets);
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);
    // Right after our first Backtrace write, a person moves the issue on and another worker records that change.
    let newer: number | undefined;
    const updateIssue = w.backtrace.updateIssue.bind(w.backtrace);
    w.backtrace.updateIssue = async (...args) => {
      await updateIssue(...args);
      if (newer !== undefined) return;
      w.clock.advance(1000);
      w.jira.personMoves(issue.id, IN_PROGRESS);
      newer = w.jira.issue(issue.id).updatedAt;
      await w.links.updateSync(INTEGRATION, ref.fingerprint, { now: w.clock.now() }, { watermark: 'jiraUpdatedAt', value: newer });
    };

    // Act
    const result = await applyJiraChange(w.deps, delivery(issueEvent(issue, { status: true, resolution: true })));

    // Assess
    expect(result).toMatchObject([{ outcome: 'applied' }]);
    expect(w.log.messages('info')).toContain('A newer Jira change was applied meanwhile; checking the fingerprint once more');
    // The second look follows the issue as it is now, and the newer watermark stands.
    expect(w.backtrace.row(ref).state).toBe('in-progress');
    expect(ours(w, ref)?.state).toBe('in-progress');
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`, `updateIssue ${ref.fingerprint}`]);
    expect((await w.links.get(INTEGRATION, ref.fingerprint))?.sync?.jiraUpdatedAt).toBe(newer);
  });

  it('applies the delivery to every authenticated integration linked to the issue', async () => {
    // Prepare
    const second = integrationDocument({ name: OTHER_INTEGRATION, jira: { ...(integrationDocument().jira as object), dedupeLabel: 'bt2-{hash}' } });
    const w = appWorld({ integrations: [integrationDocument(), second] });
    const { ref, issue } = w.linked();
    w.links.seedLinked({ integration: OTHER_INTEGRATION, ...ref, issueId: issue.id, issueKey: issue.key, issueUrl: `${SITE}/browse/${issue.key}` });
    w.clock.advance(1000);
    w.jira.personMoves(issue.id, DONE);

    // Act
    const result = await applyJiraChange(w.deps, { ...delivery(issueEvent(issue, { status: true, resolution: true })), integrations: [INTEGRATION, OTHER_INTEGRATION] });

    // Assess
    expect(result.map((applied) => [applied.integration, applied.outcome])).toEqual([
      [INTEGRATION, 'applied'],
      [OTHER_INTEGRATION, 'applied'],
    ]);
    expect(w.backtrace.row(ref).state).toBe('resolved');
    expect(w.backtrace.row(ref).tickets.map((ticket) => [ticket.watcher, ticket.short, ticket.state])).toEqual([
      [INTEGRATION, issue.key, 'resolved'],
      [OTHER_INTEGRATION, issue.key, 'resolved'],
    ]);
  });
});
