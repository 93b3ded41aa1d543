import { describe, expect, it } from 'vitest';
import { SYNC_LEASE_MS } from '../../../shared/app/steps/with-sync-lease.ts';
import { syncNewLink, syncsAnything } from '../../../shared/app/sync-new-link.ts';
import type { IntegrationConfig } from '../../../shared/domain/config/index.ts';
import type { FingerprintIssue, FingerprintRef, FingerprintState, TicketAssignee } from '../../../shared/domain/model/backtrace.ts';
import type { JiraStatus, JiraUser } from '../../../shared/domain/model/jira.ts';
import type { LinkedLink } from '../../../shared/domain/model/link.ts';
import { ClaimBusyError } from '../../../shared/ports/errors.ts';
import { ANA, BEN, DONE, IN_PROGRESS, TO_DO } from '../../support/in-memory/jira.ts';
import { appWorld, INTEGRATION, integrationDocument, UNIVERSE, type AppWorld } from './app-world.ts';

const ANA_IN_BACKTRACE: TicketAssignee = { id: 12, username: 'ana', email: 'ana@acme.com' };
const AUTOMATION: JiraUser = { accountId: 'automation-0009', displayName: 'Automation for Jira', active: true };
const LEASE = 'claim-token';

/** syncNewLink as the group worker calls it, right after linking (`options`: the lease taken with the link, the row). */
function syncTheNewLink(w: AppWorld, link: LinkedLink, options: { token?: string; leasedSince?: number; row?: FingerprintIssue } = {}, integration: IntegrationConfig = w.integration) {
  const { config: _config, clientsFor: _clientsFor, ...deps } = w.deps;
  return syncNewLink(deps, { tracker: w.jira, backtrace: w.backtrace }, integration, link, options);
}

/** A new link: nothing seen yet, the issue just created, the sync lease held by the create flow (`LEASE`). */
function newLink(w: AppWorld, issue: { status?: JiraStatus; assignee?: JiraUser | null } = {}) {
  const linked = w.linked({ issue });
  const key = `${INTEGRATION}/${linked.ref.fingerprint}`;
  delete w.links.items.get(key)!.sync;
  w.links.leases.set(key, { token: LEASE, until: w.clock.now() + SYNC_LEASE_MS });
  const { sync: _sync, ...link } = linked.link;
  return { ...linked, link };
}

/** The fingerprint as a person left it in Backtrace before the link was made: state, assignees, our fresh ticket. */
function fingerprintIs(w: AppWorld, ref: FingerprintRef, state: FingerprintState, assignees: TicketAssignee[] | undefined) {
  const tickets = w.backtrace.row(ref).tickets;
  w.backtrace.seed(ref, { state, tickets: assignees === undefined ? tickets : [{ watcher: '_backtrace', assignees }, ...tickets] });
}

const ours = (w: AppWorld, ref: FingerprintRef) => w.backtrace.row(ref).tickets.find((ticket) => ticket.watcher === INTEGRATION);
const stored = (w: AppWorld, ref: FingerprintRef) => w.links.get(INTEGRATION, ref.fingerprint);

describe('Use-case: syncNewLink', () => {
  it.each([
    ['resolved and assigned', 'resolved', [ANA_IN_BACKTRACE], DONE, ANA, 'synced'],
    ['in progress and assigned', 'in-progress', [ANA_IN_BACKTRACE], IN_PROGRESS, ANA, 'synced'],
    ['muted (mapped to "leave")', 'muted', [], TO_DO, null, 'unchanged'],
    ['in progress by itself (a ticket, nobody assigned)', 'in-progress', [], TO_DO, null, 'unchanged'],
  ] as const)('with onLink "backtrace-wins" (the default) pushes a fingerprint %s to the new issue', async (_case, state, assignees, status: JiraStatus, assignee: JiraUser | null, outcome) => {
    // Prepare
    const w = appWorld();
    const { ref, link, issue } = newLink(w);
    const createdAt = issue.updatedAt;
    fingerprintIs(w, ref, state, [...assignees]);
    w.clock.advance(1_000);

    // Act
    const result = await syncTheNewLink(w, link, { token: LEASE });

    // Assess
    expect(result).toMatchObject({ outcome, issueKey: issue.key });
    expect(w.jira.issue(issue.id)).toMatchObject({ status, assignee });
    // Backtrace keeps its state; our ticket entry shows the issue's.
    expect(w.backtrace.row(ref).state).toBe(state);
    expect(ours(w, ref)?.state).toBe(status.id === TO_DO.id ? 'open' : state);
    // Both sides are recorded as seen, and our write with the read it was based on. The issue's time is that of its
    // own last change (its creation), whether or not the bridge then wrote it.
    const now = w.clock.now();
    expect((await stored(w, ref))?.sync).toEqual({
      backtrace: { state, assigneeIds: assignees.map((user) => user.id), at: now, reopenCount: 0 },
      jira: { statusId: status.id, statusName: status.name, categoryKey: status.categoryKey, assignee: assignee?.accountId ?? null, updatedAt: createdAt },
      ...(outcome === 'synced' ? { pushedToJira: { statusId: status.id, assignee: assignee?.accountId ?? null, at: now, basedOn: createdAt } } : {}),
    });
  });

  it('moves a new issue to Done with a resolution and assigns it, for a resolved and assigned fingerprint', async () => {
    // Prepare
    const w = appWorld();
    const { ref, link, issue } = newLink(w);
    fingerprintIs(w, ref, 'resolved', [ANA_IN_BACKTRACE]);

    // Act
    await syncTheNewLink(w, link, { token: LEASE });

    // Assess
    expect(w.jira.writes()).toEqual([`transition ${issue.id} t-${DONE.id}`, `assign ${issue.id} ${ANA.accountId}`]);
    expect(w.jira.issue(issue.id).resolution).toEqual({ id: '1', name: 'Fixed' });
    expect(w.log.lines).toContainEqual(
      expect.objectContaining({ level: 'info', message: `Synced ${issue.key} and its fingerprint`, extra: expect.objectContaining({ trigger: 'link', toJira: [`transitioned to ${DONE.name}`, `assigned to ${ANA.accountId}`] }) }),
    );
  });

  it('with onLink "jira-wins" (two-way) applies the new issue\'s status and assignee to the fingerprint', async () => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way', onLink: 'jira-wins' } })] });
    const { ref, link, issue } = newLink(w, { status: IN_PROGRESS, assignee: ANA });
    fingerprintIs(w, ref, 'open', undefined);
    await w.users.remember(UNIVERSE, [ANA_IN_BACKTRACE], w.clock.now());

    // Act
    const result = await syncTheNewLink(w, link, { token: LEASE });

    // Assess
    expect(result).toMatchObject({ outcome: 'synced', toJira: [], toBacktrace: ['state in-progress', 'tickets'] });
    expect(w.backtrace.row(ref)).toEqual({
      state: 'in-progress',
      tickets: [
        { watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] },
        { watcher: INTEGRATION, short: issue.key, url: link.issueUrl, state: 'in-progress' },
      ],
    });
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
    expect(w.jira.writes()).toEqual([]);
    expect((await stored(w, ref))?.sync).toMatchObject({ backtrace: { state: 'in-progress', assigneeIds: [12] }, jira: { statusId: IN_PROGRESS.id, assignee: ANA.accountId } });
    expect((await stored(w, ref))?.sync).not.toHaveProperty('pushedToJira');
  });

  it.each<[string, JiraUser]>([
    ['a person', BEN],
    ['an automation rule', AUTOMATION],
  ])('with backtrace-wins, gives the fingerprint the status %s set on the new issue after it was created (the changelog says so)', async (_case, author) => {
    // Prepare
    const w = appWorld();
    const { ref, link, issue } = newLink(w);
    fingerprintIs(w, ref, 'open', [ANA_IN_BACKTRACE]);
    w.clock.advance(1_000);
    w.jira.personMoves(issue.id, IN_PROGRESS, author);
    w.clock.advance(1_000);

    // Act
    const result = await syncTheNewLink(w, link, { token: LEASE });

    // Assess: the status goes to Backtrace; the assignee nobody changed in Jira still goes to Jira.
    expect(result).toMatchObject({ outcome: 'synced', toJira: [`assigned to ${ANA.accountId}`], toBacktrace: ['state in-progress', 'tickets'] });
    expect(w.jira.issue(issue.id)).toMatchObject({ status: IN_PROGRESS, assignee: ANA });
    expect(w.backtrace.row(ref).state).toBe('in-progress');
    expect(w.log.lines).toContainEqual(
      expect.objectContaining({ message: `Synced ${issue.key} and its fingerprint`, extra: expect.objectContaining({ why: { state: 'changed in Jira after the issue was created', assignee: 'sync.onLink is "backtrace-wins"' } }) }),
    );
  });

  it('with backtrace-wins, still pushes a field only the bridge itself changed since creation', async () => {
    // Prepare
    const w = appWorld();
    const { ref, link, issue } = newLink(w);
    fingerprintIs(w, ref, 'resolved', []);
    // A transition by the integration's own account (an earlier, failed first sync) is not someone else's change.
    w.clock.advance(1_000);
    await w.jira.transition(issue.id, `t-${IN_PROGRESS.id}`);
    w.clock.advance(1_000);

    // Act
    await syncTheNewLink(w, link, { token: LEASE });

    // Assess
    expect(w.jira.issue(issue.id).status).toEqual(DONE);
    expect(w.backtrace.row(ref).state).toBe('resolved');
  });

  it('with one-way sync, leaves a field a person changed in Jira after creation alone on both sides', async () => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'one-way' } })] });
    const { ref, link, issue } = newLink(w);
    fingerprintIs(w, ref, 'resolved', [ANA_IN_BACKTRACE]);
    w.clock.advance(1_000);
    w.jira.personMoves(issue.id, IN_PROGRESS, BEN);

    // Act
    const result = await syncTheNewLink(w, link, { token: LEASE });

    // Assess: the person's status is never undone, nor sent to Backtrace; the assignee still goes to Jira.
    expect(result).toMatchObject({ toJira: [`assigned to ${ANA.accountId}`] });
    expect(w.jira.issue(issue.id)).toMatchObject({ status: IN_PROGRESS, assignee: ANA });
    expect(w.jira.callsTo('transition')).toEqual([]);
    expect(w.backtrace.row(ref).state).toBe('resolved');
  });

  it('syncs under the lease the create flow took with the link, and gives it up with the record', async () => {
    // Prepare
    const w = appWorld();
    const { ref, link } = newLink(w);
    fingerprintIs(w, ref, 'resolved', []);
    const key = `${INTEGRATION}/${ref.fingerprint}`;

    // Act
    const result = await syncTheNewLink(w, link, { token: LEASE });

    // Assess
    expect(result).toMatchObject({ outcome: 'synced' });
    expect(w.links.leases.has(key)).toBe(false);
    const recorded = w.links.calls.filter((call) => call === 'acquireSync' || call === 'recordSync');
    expect(recorded).toEqual(['acquireSync', 'recordSync']);
    expect((await stored(w, ref))?.sync).toMatchObject({ backtrace: { state: 'resolved' }, jira: { statusId: DONE.id } });
  });

  it.each([
    { case: 'taken moments ago', leasedAgoMs: 1_000, calls: ['recordSync'] },
    { case: 'with less than half of it left', leasedAgoMs: SYNC_LEASE_MS / 2, calls: ['acquireSync', 'recordSync'] },
    { case: 'dated after now (a clock gone backwards)', leasedAgoMs: -1_000, calls: ['acquireSync', 'recordSync'] },
  ])('uses the create flow\'s lease $case as it is, or takes it again: $calls', async ({ leasedAgoMs, calls }) => {
    // Prepare
    const w = appWorld();
    const { ref, link } = newLink(w);
    fingerprintIs(w, ref, 'resolved', []);

    // Act
    const result = await syncTheNewLink(w, link, { token: LEASE, leasedSince: w.clock.now() - leasedAgoMs });

    // Assess: synced and released either way
    expect(result).toMatchObject({ outcome: 'synced' });
    expect(w.links.calls.filter((call) => call === 'acquireSync' || call === 'recordSync')).toEqual(calls);
    expect(w.links.leases.has(`${INTEGRATION}/${ref.fingerprint}`)).toBe(false);
    expect((await stored(w, ref))?.sync).toMatchObject({ backtrace: { state: 'resolved' }, jira: { statusId: DONE.id } });
  });

  it('answers ClaimBusyError without that token: the create flow\'s lease keeps other workers out', async () => {
    // Prepare
    const w = appWorld();
    const { ref, link } = newLink(w);
    fingerprintIs(w, ref, 'resolved', []);

    // Act
    const attempt = syncTheNewLink(w, link);

    // Assess
    await expect(attempt).rejects.toThrow(ClaimBusyError);
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.links.leases.get(`${INTEGRATION}/${ref.fingerprint}`)?.token).toBe(LEASE);
  });

  it('makes no Jira or Backtrace call for a repeat that read the link before its first sync was recorded', async () => {
    // Prepare: a repeat delivery saw the link without a sync record; the creator has synced and let go since.
    const w = appWorld();
    const { ref, link: synced } = w.linked();
    const { sync: _sync, ...stale } = synced;
    const before = structuredClone(await stored(w, ref));

    // Act
    const result = await syncTheNewLink(w, stale);

    // Assess
    expect(result).toBeUndefined();
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.links.leases.has(`${INTEGRATION}/${ref.fingerprint}`)).toBe(false);
    expect((await stored(w, ref))?.sync).toEqual(before?.sync);
  });

  it('still syncs, on a repeat, a link whose first sync really failed (no sync record in the store either)', async () => {
    // Prepare: the creator's first sync failed, and its lease is gone.
    const w = appWorld();
    const { ref, link } = newLink(w);
    w.links.leases.delete(`${INTEGRATION}/${ref.fingerprint}`);
    fingerprintIs(w, ref, 'resolved', []);

    // Act
    const result = await syncTheNewLink(w, link);

    // Assess
    expect(result).toMatchObject({ outcome: 'synced' });
    expect((await stored(w, ref))?.sync).toMatchObject({ backtrace: { state: 'resolved' }, jira: { statusId: DONE.id } });
  });

  it('uses the row the create flow hands over instead of reading the fingerprint again', async () => {
    // Prepare
    const w = appWorld();
    const { ref, link, issue } = newLink(w);
    const row: FingerprintIssue = { state: 'resolved', tickets: [{ watcher: INTEGRATION, short: issue.key, url: link.issueUrl, state: 'open' }] };

    // Act
    await syncTheNewLink(w, link, { token: LEASE, row });

    // Assess
    expect(w.backtrace.calls).toEqual([`updateIssue ${ref.fingerprint}`]);
    expect(w.jira.issue(issue.id).status).toEqual(DONE);
    expect(ours(w, ref)?.state).toBe('resolved');
  });

  describe('syncsAnything', () => {
    it.each([
      [{ mode: 'none' }, false],
      [{ mode: 'none', state: true, assignee: true }, false],
      [{ mode: 'one-way' }, true],
      [{ mode: 'one-way', state: true, assignee: false }, true],
      [{ mode: 'one-way', state: false, assignee: true }, true],
      [{ mode: 'one-way', state: false, assignee: false }, false],
      [{ mode: 'two-way' }, true],
      [{ mode: 'two-way', state: false, assignee: true }, true],
      [{ mode: 'two-way', state: false, assignee: false }, false],
    ])('for sync %j answers %s', (sync, expected) => {
      // Prepare
      const { integration } = appWorld({ integrations: [integrationDocument({ sync })] });

      // Act
      const answer = syncsAnything(integration);

      // Assess
      expect(answer).toBe(expected);
    });
  });
});
