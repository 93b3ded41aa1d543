import { describe, expect, it } from 'vitest';
import { pushFingerprintChange } from '../../../shared/app/push-fingerprint-change.ts';
import { isSettled, SETTLED_LINK_TTL_MS, SettledLinks } from '../../../shared/app/settled-links.ts';
import { syncErrorGroup } from '../../../shared/app/sync-error-group.ts';
import type { SyncDeps } from '../../../shared/app/sync-deps.ts';
import type { LinkedLink } from '../../../shared/domain/model/link.ts';
import type { GroupMessage } from '../../../shared/domain/queue-message.ts';
import { sampleGroup } from '../domain-factories.ts';
import { appWorld, INTEGRATION, integrationDocument, type AppWorld } from './app-world.ts';

const GROUP = sampleGroup();
const T0 = Date.UTC(2026, 11, 2, 12);

function link(overrides: Partial<LinkedLink> = {}): LinkedLink {
  return {
    integration: INTEGRATION,
    fingerprint: 'fp1',
    status: 'linked',
    issueId: '10001',
    issueKey: 'CRASH-1',
    issueUrl: 'https://acme.atlassian.net/browse/CRASH-1',
    ticketAttached: true,
    sync: {},
    updatedAt: T0,
    ...overrides,
  } as LinkedLink;
}

describe('Function: isSettled', () => {
  it.each([
    { case: 'ticket attached, synced once, integration syncs', link: link(), syncs: true, settled: true },
    { case: 'ticket attached, never synced, integration syncs (the first sync failed: the next delivery retries it)', link: link({ sync: undefined }), syncs: true, settled: false },
    { case: 'ticket attached, never synced, integration does not sync', link: link({ sync: undefined }), syncs: false, settled: true },
    { case: 'ticket not attached yet', link: link({ ticketAttached: false }), syncs: false, settled: false },
    { case: 'ticket attachment unknown', link: link({ ticketAttached: undefined }), syncs: true, settled: false },
  ])('$case: $settled', ({ link: candidate, syncs, settled }) => {
    // Act
    const result = isSettled(candidate, syncs);

    // Assess
    expect(result).toBe(settled);
  });
});

describe('Class: SettledLinks', () => {
  it.each([
    { case: 'just remembered', after: 0, found: true },
    { case: 'a moment before the TTL ends', after: SETTLED_LINK_TTL_MS - 1, found: true },
    { case: 'at the TTL', after: SETTLED_LINK_TTL_MS, found: false },
    { case: 'long after', after: 10 * SETTLED_LINK_TTL_MS, found: false },
    { case: 'the clock went back', after: -1, found: false },
  ])('$case ($after ms): found $found', ({ after, found }) => {
    // Prepare
    const memo = new SettledLinks();
    memo.remember(INTEGRATION, link(), true, T0);

    // Act
    const result = memo.get(INTEGRATION, 'fp1', T0 + after);

    // Assess
    expect(result !== undefined).toBe(found);
  });

  it('keeps nothing that is not settled, and keys by integration and fingerprint', () => {
    // Prepare
    const memo = new SettledLinks();

    // Act
    memo.remember(INTEGRATION, link({ fingerprint: 'unsynced', sync: undefined }), true, T0);
    memo.remember(INTEGRATION, link({ fingerprint: 'fp1' }), true, T0);

    // Assess
    expect(memo.get(INTEGRATION, 'unsynced', T0)).toBeUndefined();
    expect(memo.get(INTEGRATION, 'fp1', T0)).toMatchObject({ issueKey: 'CRASH-1' });
    expect(memo.get('jira-ops', 'fp1', T0)).toBeUndefined();
  });

  it('drops the least recently looked-up entry beyond its bound', () => {
    // Prepare
    const memo = new SettledLinks({ max: 2 });
    memo.remember(INTEGRATION, link({ fingerprint: 'a' }), true, T0);
    memo.remember(INTEGRATION, link({ fingerprint: 'b' }), true, T0);
    memo.get(INTEGRATION, 'a', T0);

    // Act
    memo.remember(INTEGRATION, link({ fingerprint: 'c' }), true, T0);

    // Assess
    expect(memo.size).toBe(2);
    expect(memo.get(INTEGRATION, 'b', T0)).toBeUndefined();
    expect(memo.get(INTEGRATION, 'a', T0)).toBeDefined();
    expect(memo.get(INTEGRATION, 'c', T0)).toBeDefined();
  });

  it('forgets a link on request', () => {
    // Prepare
    const memo = new SettledLinks();
    memo.remember(INTEGRATION, link(), true, T0);

    // Act
    memo.forget(INTEGRATION, 'fp1');

    // Assess
    expect(memo.get(INTEGRATION, 'fp1', T0)).toBeUndefined();
  });
});

/** The sample group's universe and project, as the default integration of the world files them. */
function forTheSample(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = integrationDocument();
  return integrationDocument({ backtrace: { ...(base.backtrace as object), universe: GROUP.universe, project: GROUP.project }, ...overrides });
}

const groupMessage = (): GroupMessage => ({ kind: 'backtrace.group', integrations: [INTEGRATION], group: sampleGroup() });

function worldWithMemo(integration: Record<string, unknown> = forTheSample()): { w: AppWorld; deps: SyncDeps } {
  const w = appWorld({ integrations: [integration] });
  w.backtrace.seed({ universe: GROUP.universe, project: GROUP.project, fingerprint: GROUP.fingerprint }, { state: 'open', tickets: [] });
  return { w, deps: { ...w.deps, settledLinks: new SettledLinks() } };
}

describe('Use-case: syncErrorGroup with a container memory of settled links', () => {
  it('answers repeats of a settled group with no call of any kind: not even the link table is read', async () => {
    // Prepare: the group filed and synced, then one repeat that reads the table and finds it settled
    const { w, deps } = worldWithMemo();
    await syncErrorGroup(deps, groupMessage());
    await syncErrorGroup(deps, groupMessage());
    const before = { links: w.links.calls.length, jira: w.jira.calls.length, backtrace: w.backtrace.calls.length };

    // Act
    const results = [await syncErrorGroup(deps, groupMessage()), await syncErrorGroup(deps, groupMessage())];

    // Assess
    for (const result of results) expect(result).toMatchObject([{ integration: INTEGRATION, result: { outcome: 'already-linked', issueKey: 'CRASH-1' } }]);
    expect({ links: w.links.calls.length, jira: w.jira.calls.length, backtrace: w.backtrace.calls.length }).toEqual(before);
    expect(w.jira.issues.size).toBe(1);
  });

  it('reads the table again once the memory is older than its TTL', async () => {
    // Prepare
    const { w, deps } = worldWithMemo();
    await syncErrorGroup(deps, groupMessage());
    await syncErrorGroup(deps, groupMessage());
    w.clock.advance(SETTLED_LINK_TTL_MS);
    const before = w.links.calls.length;

    // Act
    await syncErrorGroup(deps, groupMessage());

    // Assess
    expect(w.links.calls.slice(before)).toEqual(['get']);
  });

  it('reads the table for every repeat when Fix Versions is on (a repeat may carry a regressed version)', async () => {
    // Prepare
    const { w, deps } = worldWithMemo(forTheSample({ fixVersions: { enabled: true } }));
    await syncErrorGroup(deps, groupMessage());
    await syncErrorGroup(deps, groupMessage());
    const before = w.links.calls.length;

    // Act
    await syncErrorGroup(deps, groupMessage());
    await syncErrorGroup(deps, groupMessage());

    // Assess
    expect(w.links.calls.slice(before).filter((call) => call === 'get')).toEqual(['get', 'get']);
  });

  it('forgets a link this container unlinked (its Jira issue was deleted): the next delivery files a new issue at once', async () => {
    // Prepare
    const { w, deps } = worldWithMemo();
    await syncErrorGroup(deps, groupMessage());
    await syncErrorGroup(deps, groupMessage());
    const first = w.jira.issue('CRASH-1');
    w.jira.issues.delete(first.id);
    w.clock.advance(1_000);
    await pushFingerprintChange(deps, {
      kind: 'backtrace.fingerprint-updated',
      integration: INTEGRATION,
      source: 'poll',
      event: { type: 'fingerprint.updated', universe: GROUP.universe, project: GROUP.project, fingerprint: GROUP.fingerprint, state: 'resolved', assignees: [], at: w.clock.now() },
    });

    // Act
    const result = await syncErrorGroup(deps, groupMessage());

    // Assess
    expect(result).toMatchObject([{ integration: INTEGRATION, result: { outcome: 'created', issueKey: 'CRASH-2' } }]);
    expect(await w.links.get(INTEGRATION, GROUP.fingerprint)).toMatchObject({ status: 'linked', issueKey: 'CRASH-2' });
  });
});
