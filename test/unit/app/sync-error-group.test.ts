import { describe, expect, it } from 'vitest';
import { syncErrorGroup } from '../../../shared/app/sync-error-group.ts';
import type { SyncDeps } from '../../../shared/app/sync-deps.ts';
import type { FingerprintRef, TicketAssignee } from '../../../shared/domain/model/backtrace.ts';
import type { GroupMessage } from '../../../shared/domain/queue-message.ts';
import { ClaimBusyError, PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import { ANA, DONE, InMemoryJira, TO_DO } from '../../support/in-memory/jira.ts';
import { sampleGroup } from '../domain-factories.ts';
import { appWorld, INTEGRATION, integrationDocument, type AppWorld } from './app-world.ts';

const OPS = 'jira-ops';
const QA = 'jira-qa';
const SITE = 'https://acme.atlassian.net';
const ANA_IN_BACKTRACE: TicketAssignee = { id: 12, username: 'ana', email: 'ana@acme.com' };
const GROUP = sampleGroup();
const REF: FingerprintRef = { universe: GROUP.universe, project: GROUP.project, fingerprint: GROUP.fingerprint };

/** An integration for the sample group's universe and project ("my_universe"/"my_project"), filing into `projectKey`. */
function forTheSample(overrides: Record<string, unknown> = {}, projectKey = 'CRASH'): Record<string, unknown> {
  const base = integrationDocument();
  return integrationDocument({
    backtrace: { ...(base.backtrace as object), universe: GROUP.universe, project: GROUP.project },
    jira: { ...(base.jira as object), projectKey },
    ...overrides,
  });
}

const ops = (overrides: Record<string, unknown> = {}) => forTheSample({ name: OPS, ...overrides }, 'OPS');
const qa = (overrides: Record<string, unknown> = {}) => forTheSample({ name: QA, ...overrides }, 'QA');

/** The message the ingest route queues (naming the integrations whose rules passed), or the EventBridge rule's (none). */
function groupMessage(integrations?: string[]): GroupMessage {
  return { kind: 'backtrace.group', ...(integrations ? { integrations } : {}), group: sampleGroup() };
}

/** Each integration on its own Jira site: `w.jira` for the first, a fresh in-memory Jira for the others. */
function ownJiras(w: AppWorld, names: string[]): { deps: SyncDeps; jiras: Record<string, InMemoryJira> } {
  const jiras = Object.fromEntries(names.map((name, index) => [name, index === 0 ? w.jira : new InMemoryJira(w.clock)]));
  return { deps: { ...w.deps, clientsFor: async (integration) => ({ tracker: jiras[integration.name]!, backtrace: w.backtrace }) }, jiras };
}

const entry = (w: AppWorld, watcher: string) => w.backtrace.row(REF).tickets.find((ticket) => ticket.watcher === watcher);

describe('Use-case: syncErrorGroup', () => {
  it('gives a named integration one Jira issue and runs the first sync: a resolved, assigned fingerprint gets a Done, assigned issue', async () => {
    // Prepare
    const w = appWorld({ integrations: [forTheSample()] });
    w.backtrace.seed(REF, { state: 'resolved', tickets: [{ watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] }] });

    // Act
    const result = await syncErrorGroup(w.deps, groupMessage([INTEGRATION]));
    const tableCalls = [...w.links.calls];

    // Assess
    expect(result).toMatchObject([{ integration: INTEGRATION, fingerprint: GROUP.fingerprint, result: { outcome: 'created', issueKey: 'CRASH-1' } }]);
    expect(w.jira.callsTo('createIssue')).toHaveLength(1);
    const issue = w.jira.issue('CRASH-1');
    expect(issue).toMatchObject({ projectKey: 'CRASH', status: DONE, assignee: ANA });
    const link = await w.links.get(INTEGRATION, GROUP.fingerprint);
    expect(link).toMatchObject({ status: 'linked', issueId: issue.id, issueKey: 'CRASH-1', ticketAttached: true });
    // The first sync's bookkeeping: what Jira holds after it, so the link is not synced again, and the read of the
    // new issue the write was based on.
    expect(link?.sync?.pushedToJira).toEqual({ statusId: DONE.id, assignee: ANA.accountId, at: w.clock.now(), basedOn: issue.createdAt });
    expect(entry(w, INTEGRATION)).toEqual({ watcher: INTEGRATION, short: 'CRASH-1', url: `${SITE}/browse/CRASH-1`, state: 'resolved' });
    expect(w.log.lines).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'Error group synced to Jira', extra: expect.objectContaining({ integration: INTEGRATION, outcome: 'created', issueKey: 'CRASH-1' }) }),
    );
    // The table writes of a new group: the claim, the link (with the sync lease), the ticket, the first sync's record.
    expect(tableCalls).toEqual(['get', 'claim', 'completeClaim', 'markTicketAttached', 'recordSync']);
  });

  it('makes no Jira call and no Backtrace write for a repeat delivery of a linked, synced group', async () => {
    // Prepare
    const w = appWorld({ integrations: [forTheSample()] });
    w.backtrace.seed(REF, { state: 'resolved', tickets: [] });
    await syncErrorGroup(w.deps, groupMessage([INTEGRATION]));
    const jiraCalls = w.jira.calls.length;
    const backtraceWrites = w.backtrace.writes().length;

    // Act
    const result = await syncErrorGroup(w.deps, groupMessage([INTEGRATION]));

    // Assess
    expect(result).toMatchObject([{ integration: INTEGRATION, result: { outcome: 'already-linked', issueKey: 'CRASH-1' } }]);
    expect(w.jira.calls.slice(jiraCalls)).toEqual([]);
    expect(w.backtrace.writes().slice(backtraceWrites)).toEqual([]);
    expect(w.jira.issues.size).toBe(1);
  });

  it('refuses for good a message naming an integration the config no longer has, before any call', async () => {
    // Prepare
    const w = appWorld({ integrations: [forTheSample()] });

    // Act
    const attempt = syncErrorGroup(w.deps, groupMessage([INTEGRATION, 'renamed']));

    // Assess
    await expect(attempt).rejects.toThrow(PermanentError);
    await expect(attempt).rejects.toThrow('the message names integration "renamed", which is not in the config (was it renamed or removed?)');
    expect(w.jira.calls).toEqual([]);
    expect(w.links.calls).toEqual([]);
  });

  it('routes a group from EventBridge (no integrations named) to every integration of its universe and project whose rules submit it', async () => {
    // Prepare
    const filtered = ops({ rules: [{ action: 'filter', attribute: 'environment', regex: '^production$' }] });
    const submitted = qa({ rules: [{ action: 'filter', attribute: '.*', regex: '.*' }, { action: 'submit', attribute: 'version', regex: '^1\\.2\\.3$' }] });
    const elsewhere = integrationDocument({ name: 'jira-other' });
    const w = appWorld({ integrations: [forTheSample(), filtered, submitted, elsewhere] });

    // Act
    const result = await syncErrorGroup(w.deps, groupMessage());

    // Assess
    expect(result.map((synced) => [synced.integration, synced.result.outcome, synced.result.issueKey])).toEqual([
      [INTEGRATION, 'created', 'CRASH-1'],
      [QA, 'created', 'QA-2'],
    ]);
    expect(await w.links.get(OPS, GROUP.fingerprint)).toBeUndefined();
    expect(await w.links.get('jira-other', GROUP.fingerprint)).toBeUndefined();
    expect(entry(w, OPS)).toBeUndefined();
    expect(w.log.lines).toContainEqual({
      level: 'info',
      message: 'Event filtered by a rule',
      extra: { integration: OPS, fingerprint: GROUP.fingerprint, reason: 'rule 0 (filter "environment" =~ "^production$") is the last rule that matched: filtered out' },
    });
  });

  it('gives nothing to a group no integration takes, and says so', async () => {
    // Prepare
    const w = appWorld({ integrations: [forTheSample({ rules: [{ action: 'filter', attribute: 'environment', regex: 'production' }] }), integrationDocument({ name: 'jira-other' })] });

    // Act
    const result = await syncErrorGroup(w.deps, groupMessage());

    // Assess
    expect(result).toEqual([]);
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.log.messages('info')).toEqual(['Event filtered by a rule', 'No integration takes this error group']);
  });

  it('gives two integrations on one fingerprint each their own issue, and both ticket entries survive', async () => {
    // Prepare
    const w = appWorld({ integrations: [forTheSample(), ops()] });
    w.backtrace.seed(REF, { state: 'open', tickets: [{ watcher: '_backtrace', assignees: [] }] });

    // Act
    const result = await syncErrorGroup(w.deps, groupMessage([INTEGRATION, OPS]));

    // Assess
    expect(result.map((synced) => [synced.integration, synced.result.outcome, synced.result.issueKey])).toEqual([
      [INTEGRATION, 'created', 'CRASH-1'],
      [OPS, 'created', 'OPS-2'],
    ]);
    expect(w.backtrace.row(REF).tickets).toEqual([
      { watcher: '_backtrace', assignees: [] },
      { watcher: INTEGRATION, short: 'CRASH-1', url: `${SITE}/browse/CRASH-1`, state: 'open' },
      { watcher: OPS, short: 'OPS-2', url: `${SITE}/browse/OPS-2`, state: 'open' },
    ]);
    for (const [name, key] of [[INTEGRATION, 'CRASH-1'], [OPS, 'OPS-2']] as const) {
      // An open, unassigned fingerprint next to a new To Do issue: both sides seen (the fingerprint in-progress by
      // itself once a ticket is attached), nothing written to Jira, so no write is recorded.
      const link = await w.links.get(name, GROUP.fingerprint);
      expect(link).toMatchObject({ status: 'linked', issueKey: key, sync: { backtrace: { state: 'in-progress' }, jira: { statusId: TO_DO.id } } });
      expect(link?.sync).not.toHaveProperty('pushedToJira');
    }
  });

  it('still syncs the other integration when one fails, then throws the failure', async () => {
    // Prepare
    const w = appWorld({ integrations: [forTheSample(), ops()] });
    const { deps, jiras } = ownJiras(w, [INTEGRATION, OPS]);
    const outage = new RetryableError('Jira answered 503 Service Unavailable', { retryAfterMs: 2_000, notApplied: true });
    jiras[INTEGRATION]!.failNext.set('listFields', outage);

    // Act
    const attempt = syncErrorGroup(deps, groupMessage([INTEGRATION, OPS]));

    // Assess
    await expect(attempt).rejects.toBe(outage);
    expect(await w.links.get(OPS, GROUP.fingerprint)).toMatchObject({ status: 'linked', issueKey: 'OPS-1', sync: expect.any(Object) });
    expect(entry(w, OPS)).toMatchObject({ short: 'OPS-1' });
    // The failed integration handed its claim back, so the retry goes ahead at once.
    expect(await w.links.get(INTEGRATION, GROUP.fingerprint)).toMatchObject({ status: 'claimed', leaseUntil: 0 });
    expect(jiras[INTEGRATION]!.callsTo('createIssue')).toEqual([]);
    expect(w.log.lines).toContainEqual({
      level: 'warn',
      message: 'Error group not synced for one integration',
      extra: { integration: INTEGRATION, fingerprint: GROUP.fingerprint, error: 'Jira answered 503 Service Unavailable' },
    });
  });

  const permanent = (message: string) => () => new PermanentError(message, { status: 400 });
  const retryable = (message: string, retryAfterMs?: number) => () => new RetryableError(message, { ...(retryAfterMs === undefined ? {} : { retryAfterMs }), notApplied: true });
  it.each([
    ['the retryable one with the soonest retryAfterMs, before a permanent one', [permanent('field refused'), retryable('busy', 5_000), retryable('rate limited', 1_000)], 2],
    ['a retryable one, even when a permanent one came first', [permanent('field refused'), retryable('rate limited', 5_000), undefined], 1],
    ['a retryable one without a wait before one with a wait', [retryable('rate limited', 1_000), retryable('timed out'), undefined], 1],
    ['the first permanent one when none can be retried', [permanent('field refused'), undefined, permanent('project gone')], 0],
  ] as const)('throws the most urgent failure: %s', async (_case, failures, expected) => {
    // Prepare
    const w = appWorld({ integrations: [forTheSample(), ops(), qa()] });
    const names = [INTEGRATION, OPS, QA];
    const { deps, jiras } = ownJiras(w, names);
    const errors = failures.map((make) => make?.());
    errors.forEach((error, index) => {
      if (error) jiras[names[index]!]!.failNext.set('listFields', error);
    });

    // Act
    const attempt = syncErrorGroup(deps, groupMessage(names));

    // Assess
    await expect(attempt).rejects.toBe(errors[expected]);
    // Every integration was tried: those that did not fail are linked.
    for (const [index, name] of names.entries()) {
      expect((await w.links.get(name, GROUP.fingerprint))?.status).toBe(errors[index] ? 'claimed' : 'linked');
    }
  });

  it('waits quietly for a fingerprint another worker is creating the issue for (a debug line, not a warning)', async () => {
    // Prepare
    const w = appWorld({ integrations: [forTheSample(), ops()] });
    await w.links.claim({ integration: OPS, ...REF, token: 'other-worker', now: w.clock.now() - 2_000, leaseMs: 300_000 });

    // Act
    const attempt = syncErrorGroup(w.deps, groupMessage([INTEGRATION, OPS]));

    // Assess
    await expect(attempt).rejects.toThrow(ClaimBusyError);
    await expect(attempt).rejects.toMatchObject({ retryAfterMs: 2_000 });
    expect(await w.links.get(INTEGRATION, GROUP.fingerprint)).toMatchObject({ status: 'linked' });
    expect(w.log.lines).toContainEqual(expect.objectContaining({ level: 'debug', message: 'Error group not synced for one integration', extra: expect.objectContaining({ integration: OPS }) }));
    expect(w.log.messages('warn')).toEqual([]);
  });

  it('goes no further than a fingerprint another worker holds: that worker handles the later integrations, and their ticket entries cannot race', async () => {
    // Prepare: another delivery of the same group is creating the first integration's issue
    const w = appWorld({ integrations: [forTheSample(), ops()] });
    await w.links.claim({ integration: INTEGRATION, ...REF, token: 'other-worker', now: w.clock.now() - 2_000, leaseMs: 300_000 });

    // Act
    const attempt = syncErrorGroup(w.deps, groupMessage([INTEGRATION, OPS]));

    // Assess: back to the queue, and nothing done for the second integration meanwhile
    await expect(attempt).rejects.toThrow(ClaimBusyError);
    expect(await w.links.get(OPS, GROUP.fingerprint)).toBeUndefined();
    expect(w.jira.callsTo('createIssue')).toEqual([]);
    expect(entry(w, OPS)).toBeUndefined();
  });

  it('syncs on the next delivery a link whose first sync failed, without creating another issue', async () => {
    // Prepare
    const w = appWorld({ integrations: [forTheSample()] });
    w.backtrace.seed(REF, { state: 'resolved', tickets: [] });
    w.jira.failNext.set('transition', new RetryableError('Jira answered 502 Bad Gateway'));
    await expect(syncErrorGroup(w.deps, groupMessage([INTEGRATION]))).rejects.toThrow('Jira answered 502 Bad Gateway');
    const failed = await w.links.get(INTEGRATION, GROUP.fingerprint);
    expect(failed).toMatchObject({ status: 'linked', issueKey: 'CRASH-1' });
    expect(failed?.sync).toBeUndefined();
    expect(w.jira.issue('CRASH-1').status).toEqual(TO_DO);

    // Act
    const result = await syncErrorGroup(w.deps, groupMessage([INTEGRATION]));

    // Assess
    expect(result).toMatchObject([{ result: { outcome: 'already-linked', issueKey: 'CRASH-1' } }]);
    expect(w.jira.callsTo('createIssue')).toHaveLength(1);
    expect(w.jira.issue('CRASH-1').status).toEqual(DONE);
    expect((await w.links.get(INTEGRATION, GROUP.fingerprint))?.sync?.pushedToJira).toMatchObject({ statusId: DONE.id });
    expect(entry(w, INTEGRATION)).toMatchObject({ short: 'CRASH-1', state: 'resolved' });
  });

  it('runs no link-time sync when its claim was taken over and another worker linked another issue (superseded)', async () => {
    // Prepare
    const w = appWorld({ integrations: [forTheSample()] });
    w.backtrace.seed(REF, { state: 'resolved', tickets: [] });
    const theirs = w.jira.addIssue();
    // A slower worker took the claim over and linked its own issue just before ours could complete.
    w.links.beforeComplete = () => {
      w.links.seedLinked({ integration: INTEGRATION, ...REF, issueId: theirs.id, issueKey: theirs.key, issueUrl: `${SITE}/browse/${theirs.key}` });
    };

    // Act
    const result = await syncErrorGroup(w.deps, groupMessage([INTEGRATION]));

    // Assess
    expect(result).toMatchObject([{ integration: INTEGRATION, result: { outcome: 'superseded', issueKey: 'CRASH-2' } }]);
    expect(w.jira.callsTo('getIssueState')).toEqual([]);
    expect(w.jira.callsTo('transition')).toEqual([]);
    expect(w.jira.issue(theirs.id).status).toEqual(TO_DO);
    expect(w.jira.issue('CRASH-2').status).toEqual(TO_DO);
    const link = await w.links.get(INTEGRATION, GROUP.fingerprint);
    expect(link).toMatchObject({ status: 'linked', issueId: theirs.id });
    expect(link?.sync).toBeUndefined();
    expect(w.backtrace.writes()).toEqual([]);
    expect(w.log.messages('error')).toContainEqual(expect.stringContaining(`Duplicate Jira issue: CRASH-2 carries this group's dedupe label, and ${theirs.key} is linked instead`));
  });
});
