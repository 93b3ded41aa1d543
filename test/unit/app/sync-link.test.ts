import { describe, expect, it } from 'vitest';
import { syncLink, type SyncLinkDeps, type SyncTrigger } from '../../../shared/app/steps/sync-link.ts';
import { SYNC_LEASE_MS } from '../../../shared/app/steps/with-sync-lease.ts';
import type { JiraIssueEvent } from '../../../shared/domain/jira/jira-webhook.ts';
import { OVERWRITE_CLOCK_SKEW_MS } from '../../../shared/domain/sync/sync-plan.ts';
import type { FingerprintIssue, FingerprintRef, FingerprintState, Ticket, TicketAssignee } from '../../../shared/domain/model/backtrace.ts';
import type { JiraStatus, JiraUser } from '../../../shared/domain/model/jira.ts';
import type { LinkedLink, LinkSyncState } from '../../../shared/domain/model/link.ts';
import { ANA, BEN, BOT, DONE, IN_PROGRESS, TO_DO, type MemoryIssue } from '../../support/in-memory/jira.ts';
import { appWorld, personDelivery, INTEGRATION, integrationDocument, UNIVERSE, type AppWorld } from './app-world.ts';

const ANA_IN_BACKTRACE: TicketAssignee = { id: 12, username: 'ana', email: 'ana@acme.com' };
const BEN_IN_BACKTRACE: TicketAssignee = { id: 13, username: 'ben', email: 'ben@acme.com' };
const OTHER_INTEGRATION = 'jira-ops';
const SITE = 'https://acme.atlassian.net';
const TOKEN = 'test-lease';

const deps = (w: AppWorld): SyncLinkDeps => ({ tracker: w.jira, backtrace: w.backtrace, links: w.links, users: w.users, clock: w.clock, log: w.log });

/** The link as a worker holds it: its sync lease taken the way `withSyncLease` takes it. */
async function leased(w: AppWorld, ref: FingerprintRef): Promise<LinkedLink> {
  const lease = await w.links.acquireSync({ integration: INTEGRATION, fingerprint: ref.fingerprint, token: TOKEN, now: w.clock.now(), leaseMs: SYNC_LEASE_MS });
  if (lease.outcome !== 'acquired') throw new Error(`expected to take the lease of ${ref.fingerprint}, got ${lease.outcome}`);
  return lease.link;
}

/** syncLink on the pair, holding its lease. */
async function sync(w: AppWorld, ref: FingerprintRef, trigger: SyncTrigger) {
  return syncLink(deps(w), { integration: w.integration, link: await leased(w, ref), trigger });
}

/** Both sides as the bridge last saw them agreeing, at `at`. */
function seen(backtrace: { state: FingerprintState; assigneeIds?: number[] }, status: JiraStatus, assignee: JiraUser | null, at: number): LinkSyncState {
  return {
    backtrace: { state: backtrace.state, assigneeIds: backtrace.assigneeIds ?? [], at, reopenCount: 0 },
    jira: { statusId: status.id, statusName: status.name, categoryKey: status.categoryKey, assignee: assignee?.accountId ?? null, updatedAt: at },
  };
}

/** A person changes the fingerprint in Backtrace: its state, and the `_backtrace` entry's assignees. */
function personSets(w: AppWorld, ref: FingerprintRef, state: FingerprintState, assignees: TicketAssignee[] = [], extra: Partial<FingerprintIssue> = {}) {
  const others = w.backtrace.row(ref).tickets.filter((ticket) => ticket.watcher !== '_backtrace');
  w.backtrace.seed(ref, { ...extra, state, tickets: [{ watcher: '_backtrace', assignees }, ...others] });
}

const ours = (w: AppWorld, ref: FingerprintRef) => w.backtrace.row(ref).tickets.find((ticket) => ticket.watcher === INTEGRATION);
const assigneesOf = (w: AppWorld, ref: FingerprintRef) => w.backtrace.row(ref).tickets.find((ticket) => ticket.watcher === '_backtrace')?.assignees;

describe('Step: syncLink', () => {
  describe('the plan, per trigger', () => {
    it.each<['jira' | 'backtrace']>([['jira'], ['backtrace']])(
      'reads the changelog of a link with no sync record (its first sync failed) on a %s trigger, so a person\'s Jira change is not undone',
      async (kind) => {
        // Prepare: linked, never synced; Ana resolved the issue in Jira since.
        const w = appWorld();
        const { ref, issue } = w.linked({ sync: {} });
        w.clock.advance(1_000);
        w.jira.personMoves(issue.id, DONE);

        // Act
        const trigger: SyncTrigger = kind === 'jira' ? { kind: 'jira', delivery: personDelivery(w.jira.issue(issue.id), { status: true }) } : { kind: 'backtrace', observedAt: w.clock.now() };
        const result = await sync(w, ref, trigger);

        // Assess: Jira's change wins as at link time (the changelog says a person made it), and the issue stays done.
        expect(w.jira.issue(issue.id).status).toEqual(DONE);
        expect(w.jira.callsTo('transition')).toEqual([]);
        expect(w.backtrace.row(ref).state).toBe('resolved');
        expect(result).toMatchObject({ outcome: 'synced', toJira: [] });
      },
    );

    it('at link time with backtrace-wins, moves and assigns the new issue from the fingerprint, and records both sides and our write', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = w.linked({ sync: {} });
      const createdAt = issue.updatedAt;
      personSets(w, ref, 'resolved', [ANA_IN_BACKTRACE]);
      w.clock.advance(2_000);

      // Act
      const result = await sync(w, ref, { kind: 'link' });

      // Assess
      expect(result).toMatchObject({ outcome: 'synced', issueKey: issue.key, toJira: [`transitioned to ${DONE.name}`, `assigned to ${ANA.accountId}`], toBacktrace: ['tickets'] });
      expect(w.jira.issue(issue.id)).toMatchObject({ status: DONE, assignee: ANA, resolution: { id: '1', name: 'Fixed' } });
      expect(w.jira.writes()).toEqual([`transition ${issue.id} t-${DONE.id}`, `assign ${issue.id} ${ANA.accountId}`]);
      expect(w.backtrace.row(ref)).toEqual({ state: 'resolved', tickets: [{ watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] }, { watcher: INTEGRATION, short: issue.key, url: `${SITE}/browse/${issue.key}`, state: 'resolved' }] });
      expect(result.outcome === 'issue-gone' ? undefined : result.record).toEqual({
        sync: {
          backtrace: { state: 'resolved', assigneeIds: [12], at: w.clock.now(), reopenCount: 0 },
          // The issue's own last change is its creation: the bridge's write to follow the fingerprint is not one.
          jira: { statusId: DONE.id, statusName: DONE.name, categoryKey: 'done', assignee: ANA.accountId, updatedAt: createdAt },
          pushedToJira: { statusId: DONE.id, assignee: ANA.accountId, at: w.clock.now(), basedOn: createdAt },
        },
      });
      // The Backtrace user is remembered, for mapping Jira users back by e-mail.
      expect(await w.users.findByEmail(UNIVERSE, 'ana@acme.com')).toEqual(ANA_IN_BACKTRACE);
    });

    it('at link time reads the issue with its changelog, and uses the row the create flow hands over instead of reading it', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = w.linked({ sync: {} });
      const row: FingerprintIssue = { state: 'in-progress', tickets: [{ watcher: INTEGRATION, short: issue.key, url: `${SITE}/browse/${issue.key}`, state: 'open' }] };
      const options: unknown[] = [];
      const getIssueState = w.jira.getIssueState.bind(w.jira);
      w.jira.getIssueState = async (idOrKey, option) => {
        options.push(option);
        return getIssueState(idOrKey, option);
      };

      // Act
      const result = await sync(w, ref, { kind: 'link', row });

      // Assess
      expect(result).toMatchObject({ outcome: 'unchanged', toJira: [], toBacktrace: [] });
      expect(options).toEqual([{ changelog: true }]);
      expect(w.backtrace.calls).toEqual([]);
      expect(w.jira.writes()).toEqual([]);
    });

    it('at link time gives a field someone changed in Jira after creation to Jira, and the other field to the fingerprint\'s side', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = w.linked({ sync: {} });
      personSets(w, ref, 'resolved', [ANA_IN_BACKTRACE]);
      w.clock.advance(1_000);
      w.jira.personMoves(issue.id, IN_PROGRESS);
      w.clock.advance(1_000);

      // Act
      const result = await sync(w, ref, { kind: 'link' });

      // Assess
      expect(result).toMatchObject({ outcome: 'synced', toJira: [`assigned to ${ANA.accountId}`], toBacktrace: ['state in-progress', 'tickets'] });
      expect(w.jira.issue(issue.id)).toMatchObject({ status: IN_PROGRESS, assignee: ANA });
      expect(w.backtrace.row(ref).state).toBe('in-progress');
      expect(ours(w, ref)?.state).toBe('in-progress');
    });

    it('on a Backtrace trigger sends only what changed in Backtrace since it was seen', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = w.linked();
      w.clock.advance(1_000);
      personSets(w, ref, 'in-progress', [BEN_IN_BACKTRACE]);

      // Act
      const result = await sync(w, ref, { kind: 'backtrace', observedAt: w.clock.now() });

      // Assess: in-progress by itself meant open; assigned, it is work started: Jira follows both, and our ticket
      // entry's state with it.
      expect(result).toMatchObject({ outcome: 'synced', toJira: ['transitioned to In Progress', `assigned to ${BEN.accountId}`], toBacktrace: ['tickets'] });
      expect(w.jira.issue(issue.id)).toMatchObject({ status: IN_PROGRESS, assignee: BEN });
      expect(w.jira.writes()).toEqual([`transition ${issue.id} t-${IN_PROGRESS.id}`, `assign ${issue.id} ${BEN.accountId}`]);
      expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
    });

    it('on a Jira trigger applies only what changed in Jira since it was seen', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = w.linked({ issue: { assignee: ANA }, sync: seen({ state: 'in-progress', assigneeIds: [12] }, TO_DO, ANA, w.clock.now()) });
      personSets(w, ref, 'in-progress', [ANA_IN_BACKTRACE]);
      w.clock.advance(1_000);
      w.jira.personMoves(issue.id, DONE);

      // Act
      const result = await sync(w, ref, { kind: 'jira', delivery: personDelivery(w.jira.issue(issue.id), { status: true, resolution: true }) });

      // Assess
      expect(result).toMatchObject({ outcome: 'synced', toJira: [], toBacktrace: ['state resolved', 'tickets'] });
      expect(w.backtrace.row(ref).state).toBe('resolved');
      expect(assigneesOf(w, ref)).toEqual([ANA_IN_BACKTRACE]);
      expect(w.jira.writes()).toEqual([]);
    });

    it('writes nothing when neither side changed since it was seen, and records both sides with the times of their last own changes', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = w.linked();
      const seenAt = w.clock.now();
      w.clock.advance(5_000);

      // Act
      const result = await sync(w, ref, { kind: 'backtrace', observedAt: w.clock.now() });

      // Assess
      expect(result).toEqual({
        outcome: 'unchanged',
        issueKey: issue.key,
        toJira: [],
        toBacktrace: [],
        record: {
          sync: {
            // Unchanged since seen: the fingerprint keeps the time it was seen changing, not this trigger's.
            backtrace: { state: 'in-progress', assigneeIds: [], at: seenAt, reopenCount: 0 },
            jira: { statusId: TO_DO.id, statusName: TO_DO.name, categoryKey: 'new', assignee: null, updatedAt: issue.updatedAt },
          },
        },
      });
      expect(w.jira.writes()).toEqual([]);
      expect(w.backtrace.writes()).toEqual([]);
      expect(w.log.messages('info')).toEqual([]);
    });

    it.each<[string, number, 'backtrace' | 'jira']>([
      ['Backtrace seen after the Jira change', 2_000, 'backtrace'],
      ['Backtrace seen before the Jira change', 500, 'jira'],
    ])('gives a field changed on both sides to the later change (%s)', async (_case, observedAfter, winner) => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = w.linked();
      const start = w.clock.now();
      personSets(w, ref, 'resolved');
      w.clock.advance(1_000);
      w.jira.personMoves(issue.id, IN_PROGRESS);
      w.clock.advance(5_000);

      // Act
      await sync(w, ref, { kind: 'backtrace', observedAt: start + observedAfter });

      // Assess
      expect(w.jira.issue(issue.id).status).toEqual(winner === 'backtrace' ? DONE : IN_PROGRESS);
      expect(w.backtrace.row(ref).state).toBe(winner === 'backtrace' ? 'resolved' : 'in-progress');
    });
  });

  describe('a person\'s change the bridge\'s last write overwrote', () => {
    /**
     * The bridge pushed Done (read at `basedOn`), while Ana had moved the issue to In Progress after that read: Jira
     * holds Done, Ana's webhook says In Progress.
     */
    async function overwritten(w: AppWorld, personAt: number) {
      const basedOn = w.clock.now();
      const { ref, issue } = w.linked({
        // Jira's `updated` is our write's time.
        issue: { status: DONE, updatedAt: basedOn + 2_000 },
        sync: { ...seen({ state: 'resolved' }, DONE, null, basedOn + 2_000), pushedToJira: { statusId: DONE.id, assignee: null, at: basedOn + 2_000, basedOn } },
      });
      personSets(w, ref, 'resolved');
      const delivery = { ...personDelivery(issue, { status: true, resolution: true }), status: IN_PROGRESS, updatedAt: basedOn + personAt, timestamp: basedOn + personAt };
      w.clock.advance(3_000);
      return { ref, issue, delivery };
    }

    it('puts the person\'s status back in Jira and applies it to the fingerprint, with a warning', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue, delivery } = await overwritten(w, 1_000);
      const basedOnNow = issue.updatedAt;

      // Act
      const result = await sync(w, ref, { kind: 'jira', delivery });

      // Assess
      expect(result).toMatchObject({ outcome: 'synced', toJira: [`transitioned to ${IN_PROGRESS.name} (put back)`], toBacktrace: ['state in-progress', 'tickets'] });
      expect(w.jira.issue(issue.id).status).toEqual(IN_PROGRESS);
      expect(w.backtrace.row(ref).state).toBe('in-progress');
      expect(ours(w, ref)?.state).toBe('in-progress');
      expect(w.log.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: `A change to ${issue.key} made while the bridge wrote it was overwritten; putting it back`, extra: expect.objectContaining({ lost: { statusId: IN_PROGRESS.id } }) }),
      );
      // What the bridge wrote last is now the put-back status, decided on the issue as read in this sync.
      expect(result.outcome === 'issue-gone' ? undefined : result.record.sync?.pushedToJira).toEqual({ statusId: IN_PROGRESS.id, assignee: null, at: w.clock.now(), basedOn: basedOnNow });
    });

    it('puts a person\'s assignee back too, and applies it to the fingerprint by the sync.users pair', async () => {
      // Prepare
      const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way', users: [{ backtrace: { ...BEN_IN_BACKTRACE }, jira: BEN.accountId }] } })] });
      const basedOn = w.clock.now();
      const { ref, issue } = w.linked({ sync: { ...seen({ state: 'in-progress' }, TO_DO, null, basedOn + 2_000), pushedToJira: { statusId: TO_DO.id, assignee: null, at: basedOn + 2_000, basedOn } } });
      const delivery = { ...personDelivery(issue, { assignee: true }), assignee: BEN, updatedAt: basedOn + 1_000 };
      w.clock.advance(3_000);

      // Act
      const result = await sync(w, ref, { kind: 'jira', delivery });

      // Assess
      expect(result).toMatchObject({ outcome: 'synced', toJira: [`assigned to ${BEN.accountId} (put back)`], toBacktrace: ['tickets'] });
      expect(w.jira.issue(issue.id).assignee).toEqual(BEN);
      expect(assigneesOf(w, ref)).toEqual([BEN_IN_BACKTRACE]);
    });

    it('puts a person\'s status back when the change is stamped after the write, but within the clock skew', async () => {
      // Prepare: our write was at basedOn + 2 s; Jira's clock stamps the change at most OVERWRITE_CLOCK_SKEW_MS later.
      const w = appWorld();
      const { ref, issue, delivery } = await overwritten(w, 2_000 + OVERWRITE_CLOCK_SKEW_MS);

      // Act
      const result = await sync(w, ref, { kind: 'jira', delivery });

      // Assess
      expect(result).toMatchObject({ outcome: 'synced', toJira: [`transitioned to ${IN_PROGRESS.name} (put back)`], toBacktrace: ['state in-progress', 'tickets'] });
      expect(w.jira.issue(issue.id).status).toEqual(IN_PROGRESS);
      expect(w.backtrace.row(ref).state).toBe('in-progress');
    });

    it('puts a person\'s assignee back and maps it to Backtrace by e-mail, from the issue read again (the delivery carries no e-mail)', async () => {
      // Prepare: no sync.users pair; Ben is known to Backtrace by his e-mail only. Cloud deliveries often hide it.
      const w = appWorld();
      await w.users.remember(UNIVERSE, [BEN_IN_BACKTRACE], w.clock.now());
      const basedOn = w.clock.now();
      const { ref, issue } = w.linked({ sync: { ...seen({ state: 'in-progress' }, TO_DO, null, basedOn + 2_000), pushedToJira: { statusId: TO_DO.id, assignee: null, at: basedOn + 2_000, basedOn } } });
      const withoutEmail: JiraUser = { accountId: BEN.accountId, displayName: BEN.displayName, active: true };
      const delivery = { ...personDelivery(issue, { assignee: true }), assignee: withoutEmail, updatedAt: basedOn + 1_000, timestamp: basedOn + 1_000 };
      w.clock.advance(3_000);

      // Act
      const result = await sync(w, ref, { kind: 'jira', delivery });

      // Assess
      expect(result).toMatchObject({ outcome: 'synced', toJira: [`assigned to ${BEN.accountId} (put back)`], toBacktrace: ['tickets'] });
      expect(w.jira.issue(issue.id).assignee).toEqual(BEN);
      // Read once for the sync, once more after the put-back: its full record, e-mail included.
      expect(w.jira.callsTo('getIssueState')).toEqual([`getIssueState ${issue.id}`, `getIssueState ${issue.id}`]);
      expect(assigneesOf(w, ref)).toEqual([BEN_IN_BACKTRACE]);
      expect(w.log.messages('info').filter((message) => message.startsWith('Assignee not synced'))).toEqual([]);
      expect(result.outcome === 'issue-gone' ? undefined : result.record.sync).toMatchObject({
        backtrace: { assigneeIds: [BEN_IN_BACKTRACE.id] },
        jira: { assignee: BEN.accountId },
        pushedToJira: { assignee: BEN.accountId },
      });
    });

    it.each<[string, (w: AppWorld, delivery: JiraIssueEvent, issue: MemoryIssue) => JiraIssueEvent]>([
      ['the change was made before the read the write was based on', (_w, delivery) => ({ ...delivery, updatedAt: delivery.updatedAt! - 1_500, timestamp: delivery.updatedAt! - 1_500 })],
      [
        'the change was made after the write, beyond the clock skew (the write did not overwrite it)',
        // The write was at basedOn + 2 s, the delivery's change at basedOn + 1 s.
        (_w, delivery) => ({ ...delivery, updatedAt: delivery.updatedAt! + 1_000 + OVERWRITE_CLOCK_SKEW_MS + 1, timestamp: delivery.updatedAt! + 1_000 + OVERWRITE_CLOCK_SKEW_MS + 1 }),
      ],
      [
        'Jira no longer holds what the bridge wrote (someone changed it since)',
        (w, delivery, issue) => {
          w.jira.personMoves(issue.id, TO_DO, BEN);
          return delivery;
        },
      ],
      ['the delivery is the integration\'s own write', (_w, delivery) => ({ ...delivery, author: BOT })],
    ])('puts nothing back when %s', async (_case, adjust) => {
      // Prepare
      const w = appWorld();
      const { ref, issue, delivery } = await overwritten(w, 1_000);
      const adjusted = adjust(w, delivery, issue);
      const before = w.jira.issue(issue.id).status;

      // Act
      const result = await sync(w, ref, { kind: 'jira', delivery: adjusted });

      // Assess
      expect(result).toMatchObject({ toJira: [] });
      expect(w.jira.issue(issue.id).status).toEqual(before);
      expect(w.jira.writes()).toEqual([]);
      expect(w.log.messages('warn')).toEqual([]);
    });
  });

  it('follows a move to another project: the record carries the new key and URL, and our ticket entry shows them', async () => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    const other: Ticket = { watcher: OTHER_INTEGRATION, short: 'OPS-4', url: `${SITE}/browse/OPS-4`, state: 'open' };
    w.backtrace.seed(ref, { state: 'in-progress', tickets: [...w.backtrace.row(ref).tickets, other] });
    const oldKey = issue.key;
    Object.assign(w.jira.issue(issue.id), { key: 'GAME-3', projectKey: 'GAME' });

    // Act
    const result = await sync(w, ref, { kind: 'jira', delivery: personDelivery(w.jira.issue(issue.id), {}) });

    // Assess
    expect(result).toMatchObject({ outcome: 'synced', issueKey: 'GAME-3', toJira: [], toBacktrace: ['tickets'], record: { issueKey: 'GAME-3', issueUrl: `${SITE}/browse/GAME-3` } });
    expect(w.backtrace.row(ref).tickets).toEqual([{ watcher: INTEGRATION, short: 'GAME-3', url: `${SITE}/browse/GAME-3`, state: 'open' }, other]);
    expect(w.log.messages('info')).toContain(`Jira issue ${oldKey} is now GAME-3`);
  });

  it('records no new key when the issue has not moved', async () => {
    // Prepare
    const w = appWorld();
    const { ref } = w.linked();

    // Act
    const result = await sync(w, ref, { kind: 'backtrace', observedAt: w.clock.now() });

    // Assess
    expect(result.outcome === 'issue-gone' ? undefined : Object.keys(result.record)).toEqual(['sync']);
  });

  it.each<[string, SyncTrigger['kind']]>([
    ['a Backtrace change', 'backtrace'],
    ['a Jira delivery', 'jira'],
    ['a new link', 'link'],
  ])('on %s for an issue Jira answers 404 for, removes our ticket entry (only ours) and the link', async (_case, kind) => {
    // Prepare
    const w = appWorld();
    const { ref, issue } = w.linked();
    const others: Ticket[] = [
      { watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] },
      { watcher: OTHER_INTEGRATION, short: 'OPS-4', url: `${SITE}/browse/OPS-4`, state: 'open' },
    ];
    w.backtrace.seed(ref, { state: 'in-progress', tickets: [others[0]!, ...w.backtrace.row(ref).tickets, others[1]!] });
    const link = await leased(w, ref);
    w.jira.issues.delete(issue.id);
    const trigger: SyncTrigger = kind === 'backtrace' ? { kind, observedAt: w.clock.now() } : kind === 'jira' ? { kind, delivery: personDelivery(issue, {}) } : { kind };

    // Act
    const result = await syncLink(deps(w), { integration: w.integration, link, trigger });

    // Assess
    expect(result).toEqual({ outcome: 'issue-gone' });
    expect(w.backtrace.row(ref)).toEqual({ state: 'in-progress', tickets: others });
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
    expect(await w.links.get(INTEGRATION, ref.fingerprint)).toBeUndefined();
    expect(w.jira.writes()).toEqual([]);
    expect(w.log.messages('info')).toContain(`Jira has no issue ${issue.key} any more: unlinked from the fingerprint`);
  });

  describe('what it answers to record', () => {
    it('the fingerprint as Backtrace holds it after the write, with its reopen count', async () => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = w.linked();
      personSets(w, ref, 'open', [], { reopenCount: 3 });
      w.clock.advance(1_000);
      w.jira.personMoves(issue.id, IN_PROGRESS);

      // Act
      const result = await sync(w, ref, { kind: 'jira', delivery: personDelivery(w.jira.issue(issue.id), { status: true }) });

      // Assess: the fingerprint goes in-progress, and that is what is recorded as seen. Its time stays that of its
      // last change of its own: open and Backtrace's automatic in-progress (the link's) mean the same.
      expect(w.backtrace.row(ref).state).toBe('in-progress');
      expect(result.outcome === 'issue-gone' ? undefined : result.record.sync).toEqual({
        backtrace: { state: 'in-progress', assigneeIds: [], at: w.clock.now() - 1_000, reopenCount: 3 },
        jira: { statusId: IN_PROGRESS.id, statusName: IN_PROGRESS.name, categoryKey: 'indeterminate', assignee: null, updatedAt: w.jira.issue(issue.id).updatedAt },
      });
    });

    it.each<[string, (w: AppWorld, ref: FingerprintRef, issue: MemoryIssue) => void, boolean]>([
      ['Jira was written', (w, ref) => personSets(w, ref, 'resolved'), true],
      ['only Backtrace was written', (w, _ref, issue) => w.jira.personMoves(issue.id, DONE), false],
      ['a write to Jira was wanted but no transition leads there', (w, ref) => {
        personSets(w, ref, 'resolved');
        w.jira.listTransitions = async () => [];
      }, false],
    ])('pushedToJira only when Jira was written (%s)', async (_case, change, written) => {
      // Prepare
      const w = appWorld();
      const { ref, issue } = w.linked();
      w.clock.advance(1_000);
      change(w, ref, issue);
      w.clock.advance(1_000);

      // Act
      const result = await sync(w, ref, { kind: 'backtrace', observedAt: w.clock.now() });

      // Assess
      const record = result.outcome === 'issue-gone' ? undefined : result.record.sync;
      if (written) expect(record?.pushedToJira).toEqual({ statusId: DONE.id, assignee: null, at: w.clock.now(), basedOn: w.clock.now() - 2_000 });
      else expect(record).not.toHaveProperty('pushedToJira');
      expect(w.jira.writes()).toHaveLength(written ? 1 : 0);
    });
  });
});
