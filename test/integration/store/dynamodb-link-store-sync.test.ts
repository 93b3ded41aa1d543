import { randomUUID } from 'node:crypto';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbBacktraceUserDirectory } from '../../../shared/adapters/dynamodb/backtrace-user-directory.ts';
import { DynamoDbDeliveryLog } from '../../../shared/adapters/dynamodb/delivery-log.ts';
import { DynamoDbLinkStore } from '../../../shared/adapters/dynamodb/link-store.ts';
import { BY_ISSUE_ID_INDEX } from '../../../shared/adapters/dynamodb/link-table.ts';
import type { LinkedLink, LinkSyncState } from '../../../shared/domain/model/link.ts';
import type { SyncRecord } from '../../../shared/ports/link-store.ts';
import { startLinkTableOnDynalite, type LinkTableOnDynalite } from './link-table-on-dynalite.ts';
import { lostResponseClient } from './lost-response-client.ts';

const T0 = Date.UTC(2026, 0, 1);
const INTEGRATION = 'jira-prod';
const LEASE_MS = 30_000;

let table: LinkTableOnDynalite;
let store: DynamoDbLinkStore;
let deliveries: DynamoDbDeliveryLog;
let users: DynamoDbBacktraceUserDirectory;

beforeAll(async () => {
  table = await startLinkTableOnDynalite();
  store = new DynamoDbLinkStore({ client: table.client, tableName: table.tableName });
  deliveries = new DynamoDbDeliveryLog({ client: table.client, tableName: table.tableName });
  users = new DynamoDbBacktraceUserDirectory({ client: table.client, tableName: table.tableName });
});

afterAll(async () => {
  await table?.close();
});

const newFingerprint = () => randomUUID().replaceAll('-', '');

/**
 * A linked fingerprint (claimed, then completed), with its own issue id so GSI lookups stay per test. With
 * `syncLeaseMs` the completion also takes the sync lease for the claim token, as the link-time sync does.
 */
async function linkedFingerprint(issueKey = 'CRASH-1', options: { integration?: string; fingerprint?: string; syncLeaseMs?: number } = {}) {
  const integration = options.integration ?? INTEGRATION;
  const fingerprint = options.fingerprint ?? newFingerprint();
  const token = randomUUID();
  const issue = { id: `id-${integration}-${fingerprint}`, key: issueKey, url: `https://jira.example.com/browse/${issueKey}` };
  await store.claim({ integration, fingerprint, universe: 'acme', project: 'game', token, now: T0, leaseMs: 60_000 });
  const link = await store.completeClaim({ integration, fingerprint, token, issue, now: T0 + 1, ...(options.syncLeaseMs === undefined ? {} : { syncLeaseMs: options.syncLeaseMs }) });
  if (!link) throw new Error(`setup: could not link ${integration}/${fingerprint}`);
  return { fingerprint, issue, token, link };
}

/** A fingerprint that is only claimed (someone is creating its issue). */
async function claimedFingerprint() {
  const fingerprint = newFingerprint();
  const token = randomUUID();
  await store.claim({ integration: INTEGRATION, fingerprint, universe: 'acme', project: 'game', token, now: T0, leaseMs: 60_000 });
  return { fingerprint, token };
}

const acquire = (fingerprint: string, token: string, now: number, leaseMs = LEASE_MS) =>
  store.acquireSync({ integration: INTEGRATION, fingerprint, token, now, leaseMs });

/** A sync's closing write, which gives the lease up (as the sync use-cases write). */
const record = (fingerprint: string, token: string, fields: Partial<SyncRecord> = {}) =>
  store.recordSync({ integration: INTEGRATION, fingerprint, token, now: T0 + 100, release: true, ...fields });

/** Runs `count` tasks, `width` at a time (dynalite and the SDK's sockets stay comfortable). */
async function inBatches<T>(count: number, width: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += width) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, i) => task(start + i)))));
  }
  return results;
}

/** Every synced field set, numbers of every size. */
const FULL_SYNC: LinkSyncState = {
  backtrace: { state: 'resolved', assigneeIds: [3, 7, 12], at: T0 + 10, reopenCount: 2 },
  jira: { statusId: '10001', statusName: 'Done', categoryKey: 'done', assignee: '5b10ac8d82e05b22cc7d4ef5', updatedAt: T0 + 20 },
  pushedToJira: { statusId: '10001', assignee: '5b10ac8d82e05b22cc7d4ef5', at: T0 + 30, basedOn: T0 + 20 },
  disagreeSince: T0 + 40,
};

describe('Class: DynamoDbLinkStore (state and assignee sync)', () => {
  describe('Method: acquireSync', () => {
    it('gives the lease to exactly one of 20 concurrent workers; the others are told until when it is held', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      const tokens = Array.from({ length: 20 }, () => randomUUID());

      // Act
      const results = await Promise.all(tokens.map((token) => acquire(fingerprint, token, T0 + 10)));

      // Assess
      const winners = tokens.filter((_, i) => results[i]!.outcome === 'acquired');
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'busy')).toEqual(Array.from({ length: 19 }, () => ({ outcome: 'busy', until: T0 + 10 + LEASE_MS })));
      const loser = tokens.find((token) => token !== winners[0])!;
      expect(await record(fingerprint, loser, { sync: { disagreeSince: T0 } })).toBe(false);
      expect(await record(fingerprint, winners[0]!, { sync: { disagreeSince: T0 } })).toBe(true);
    });

    it('gives an expired lease to exactly one of 20 concurrent workers', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'crashed-worker', T0);
      const later = T0 + LEASE_MS + 5;
      const tokens = Array.from({ length: 20 }, () => randomUUID());

      // Act
      const results = await Promise.all(tokens.map((token) => acquire(fingerprint, token, later)));

      // Assess
      expect(results.filter((r) => r.outcome === 'acquired')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'busy')).toHaveLength(19);
      expect(await record(fingerprint, 'crashed-worker')).toBe(false);
    });

    it.each([
      ['busy one millisecond before it expires', 999, { outcome: 'busy', until: T0 + 1000 }],
      ['free the moment it expires', 1000, { outcome: 'acquired' }],
      ['free long after it expired', 50_000, { outcome: 'acquired' }],
    ])('finds another worker\'s lease %s', async (_case, elapsed, expected) => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'first', T0, 1000);

      // Act
      const second = await acquire(fingerprint, 'second', T0 + elapsed);

      // Assess
      expect(second).toMatchObject(expected);
    });

    it('lets the holder take its own lease again, renewing it from now', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'holder', T0, 1000);

      // Act
      const again = await acquire(fingerprint, 'holder', T0 + 500, 1000);
      const other = await acquire(fingerprint, 'other', T0 + 1200);

      // Assess
      expect(again.outcome).toBe('acquired');
      expect(other).toEqual({ outcome: 'busy', until: T0 + 1500 });
    });

    it('answers with the link as stored, its sync bookkeeping included', async () => {
      // Prepare
      const { fingerprint, issue } = await linkedFingerprint('CRASH-8');
      await acquire(fingerprint, 'first', T0 + 2);
      await record(fingerprint, 'first', { sync: FULL_SYNC, now: T0 + 50 });

      // Act
      const result = await acquire(fingerprint, 'second', T0 + 60);

      // Assess
      expect(result).toEqual({ outcome: 'acquired', link: await store.get(INTEGRATION, fingerprint) });
      expect(result).toMatchObject({ link: { status: 'linked', issueId: issue.id, issueKey: 'CRASH-8', issueUrl: issue.url, updatedAt: T0 + 50, sync: FULL_SYNC } });
    });

    it.each([
      ['never linked', async () => ({ fingerprint: newFingerprint() })],
      ['only claimed', claimedFingerprint],
      [
        'unlinked',
        async () => {
          const { fingerprint } = await linkedFingerprint();
          await store.unlink(INTEGRATION, fingerprint);
          return { fingerprint };
        },
      ],
    ])('answers missing, and writes nothing, for a fingerprint %s', async (_case, prepare) => {
      // Prepare
      const { fingerprint } = await prepare();
      const before = await store.get(INTEGRATION, fingerprint);

      // Act
      const result = await acquire(fingerprint, randomUUID(), T0 + 5);

      // Assess
      expect(result).toEqual({ outcome: 'missing' });
      expect(await store.get(INTEGRATION, fingerprint)).toEqual(before);
    });

    it('keeps one integration\'s lease apart from another\'s on the same fingerprint', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await linkedFingerprint('OPS-1', { integration: 'jira-staging', fingerprint });
      await acquire(fingerprint, 'prod-worker', T0 + 2);

      // Act
      const staging = await store.acquireSync({ integration: 'jira-staging', fingerprint, token: 'staging-worker', now: T0 + 3, leaseMs: LEASE_MS });

      // Assess
      expect(staging.outcome).toBe('acquired');
      expect(await acquire(fingerprint, 'staging-worker', T0 + 4)).toMatchObject({ outcome: 'busy' });
    });
  });

  describe('Method: completeClaim (with syncLeaseMs)', () => {
    it('links and holds the sync lease for the claim token, so no other worker syncs before the link-time sync', async () => {
      // Prepare
      const fingerprint = newFingerprint();
      const token = randomUUID();
      const issue = { id: `id-${fingerprint}`, key: 'CRASH-3', url: 'https://jira.example.com/browse/CRASH-3' };
      await store.claim({ integration: INTEGRATION, fingerprint, universe: 'acme', project: 'game', token, now: T0, leaseMs: 60_000 });

      // Act
      const link = await store.completeClaim({ integration: INTEGRATION, fingerprint, token, issue, now: T0 + 10, syncLeaseMs: LEASE_MS });
      const webhookWorker = await acquire(fingerprint, randomUUID(), T0 + 11);

      // Assess
      expect(link).toMatchObject({ status: 'linked', issueId: issue.id });
      expect(webhookWorker).toEqual({ outcome: 'busy', until: T0 + 10 + LEASE_MS });
      expect(await acquire(fingerprint, token, T0 + 12)).toMatchObject({ outcome: 'acquired', link: { issueKey: 'CRASH-3' } });
      expect(await record(fingerprint, token, { sync: FULL_SYNC })).toBe(true);
      expect(await acquire(fingerprint, randomUUID(), T0 + 13)).toMatchObject({ outcome: 'acquired', link: { sync: FULL_SYNC } });
    });

    it('lets another worker have the lease once the link-time lease expires', async () => {
      // Prepare
      const { fingerprint, token } = await linkedFingerprint('CRASH-1', { syncLeaseMs: 1000 });

      // Act
      const next = await acquire(fingerprint, 'next', T0 + 1 + 1000);

      // Assess
      expect(next.outcome).toBe('acquired');
      expect(await record(fingerprint, token)).toBe(false);
    });

    it('leaves the lease free without syncLeaseMs', async () => {
      // Prepare
      const { fingerprint, token } = await linkedFingerprint();

      // Act
      const other = await acquire(fingerprint, 'other', T0 + 2);

      // Assess
      expect(other.outcome).toBe('acquired');
      expect(await record(fingerprint, token)).toBe(false);
    });
  });

  describe('Method: recordSync', () => {
    it.each<[string, LinkSyncState]>([
      ['every field set', FULL_SYNC],
      [
        'an unassigned pair: an empty assignee list and null assignees',
        {
          backtrace: { state: 'open', assigneeIds: [], at: T0 + 1, reopenCount: 0 },
          jira: { statusId: '10000', categoryKey: 'new', assignee: null, updatedAt: T0 + 2 },
          pushedToJira: { assignee: null, at: T0 + 3, basedOn: T0 + 2 },
        },
      ],
      [
        'a status-only push and a status name with odd characters',
        {
          jira: { statusId: '3', statusName: "Won't Fix — «later» 🚧", categoryKey: 'undefined', assignee: 'JIRAUSER10100', updatedAt: T0 },
          pushedToJira: { statusId: '3', at: T0, basedOn: 0 },
        },
      ],
      ['only the Backtrace side, unassigned', { backtrace: { state: 'muted', assigneeIds: [], at: T0 } }],
    ])('stores %s and reads it back exactly', async (_case, sync) => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'holder', T0 + 2);

      // Act
      const recorded = await record(fingerprint, 'holder', { sync, now: T0 + 500 });

      // Assess
      expect(recorded).toBe(true);
      const link = await store.get(INTEGRATION, fingerprint);
      expect(link?.sync).toStrictEqual(sync);
      expect(link).toMatchObject({ status: 'linked', issueKey: 'CRASH-1', updatedAt: T0 + 500 });
      expect(await acquire(fingerprint, 'holder', T0 + 501)).toEqual({ outcome: 'acquired', link });
    });

    it('replaces the fields it is given whole, and keeps the others', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'holder', T0 + 2);
      await record(fingerprint, 'holder', { sync: FULL_SYNC, now: T0 + 50 });
      const jira = { statusId: '3', statusName: 'In Progress', categoryKey: 'indeterminate', assignee: null, updatedAt: T0 + 60 };
      await acquire(fingerprint, 'holder', T0 + 55);

      // Act
      const recorded = await record(fingerprint, 'holder', { sync: { jira, pushedToJira: { assignee: null, at: T0 + 61, basedOn: T0 + 60 } }, now: T0 + 62 });

      // Assess
      expect(recorded).toBe(true);
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toStrictEqual({
        backtrace: FULL_SYNC.backtrace,
        jira,
        pushedToJira: { assignee: null, at: T0 + 61, basedOn: T0 + 60 },
        disagreeSince: FULL_SYNC.disagreeSince,
      });
    });

    it('follows a moved issue to its new key and URL, still found by its issue id, the bookkeeping kept', async () => {
      // Prepare
      const { fingerprint, issue } = await linkedFingerprint('CRASH-5');
      await acquire(fingerprint, 'holder', T0 + 2);
      await record(fingerprint, 'holder', { sync: FULL_SYNC });
      await acquire(fingerprint, 'holder', T0 + 150);

      // Act
      const moved = await record(fingerprint, 'holder', { issueKey: 'OPS-12', issueUrl: 'https://jira.example.com/browse/OPS-12', now: T0 + 200 });

      // Assess
      expect(moved).toBe(true);
      expect(await store.findByIssueId(issue.id)).toEqual([
        expect.objectContaining({ fingerprint, issueId: issue.id, issueKey: 'OPS-12', issueUrl: 'https://jira.example.com/browse/OPS-12', updatedAt: T0 + 200, sync: FULL_SYNC }),
      ]);
    });

    it.each([
      ['nobody took it', async (_fingerprint: string) => undefined],
      ['another worker holds it', async (fingerprint: string) => void (await acquire(fingerprint, 'other', T0 + 2))],
      [
        'the caller gave it up',
        async (fingerprint: string) => {
          await acquire(fingerprint, 'caller', T0 + 2);
          await record(fingerprint, 'caller');
        },
      ],
      [
        'it expired and another worker took it',
        async (fingerprint: string) => {
          await acquire(fingerprint, 'caller', T0 + 2, 1000);
          await acquire(fingerprint, 'other', T0 + 2 + 1000);
        },
      ],
    ])('answers false, writing nothing, when %s', async (_case, prepare) => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await prepare(fingerprint);
      const before = await store.get(INTEGRATION, fingerprint);

      // Act
      const recorded = await record(fingerprint, 'caller', { sync: FULL_SYNC, issueKey: 'OPS-1', issueUrl: 'https://jira.example.com/browse/OPS-1', now: T0 + 5000 });

      // Assess
      expect(recorded).toBe(false);
      expect(await store.get(INTEGRATION, fingerprint)).toEqual(before);
    });

    it('still records for a holder whose lease expired while nobody else took it', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'slow', T0 + 2, 1000);

      // Act
      const recorded = await record(fingerprint, 'slow', { sync: { disagreeSince: T0 + 7 }, now: T0 + 10_000 });

      // Assess
      expect(recorded).toBe(true);
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toEqual({ disagreeSince: T0 + 7 });
    });

    it.each([
      ['never linked', async () => ({ fingerprint: newFingerprint(), token: 'caller' })],
      ['only claimed (the claim token is no sync lease)', claimedFingerprint],
    ])('answers false, and creates nothing, for a fingerprint %s', async (_case, prepare) => {
      // Prepare
      const { fingerprint, token } = await prepare();
      const before = await store.get(INTEGRATION, fingerprint);

      // Act
      const recorded = await record(fingerprint, token, { sync: FULL_SYNC });

      // Assess
      expect(recorded).toBe(false);
      expect(await store.get(INTEGRATION, fingerprint)).toEqual(before);
    });

    it('gives the lease up with the write: the next worker takes it at once, and the writer no longer holds it', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'holder', T0 + 2);

      // Act
      const recorded = await record(fingerprint, 'holder', { sync: { disagreeSince: T0 }, now: T0 + 3 });
      const next = await acquire(fingerprint, 'next', T0 + 4);

      // Assess
      expect(recorded).toBe(true);
      expect(next).toMatchObject({ outcome: 'acquired', link: { sync: { disagreeSince: T0 } } });
      expect(await record(fingerprint, 'holder', { sync: { disagreeSince: T0 + 5 }, now: T0 + 5 })).toBe(false);
    });
  });

  describe('Method: listLinked', () => {
    it('lists every link of the integration exactly once over several pages, leaving claims and other integrations out', async () => {
      // Prepare: over 1 MB of links, so the table answers in pages (DynamoDB and dynalite page at 1 MB)
      const integration = `poll-${randomUUID()}`;
      const padding = 'p'.repeat(6_000);
      const linked = await inBatches(220, 20, async (i) => {
        const { fingerprint, token } = await linkedFingerprint(`CRASH-${i + 1}`, { integration, syncLeaseMs: LEASE_MS });
        const jira = { statusId: '1', statusName: padding, categoryKey: 'new', assignee: null, updatedAt: T0 + i };
        const recorded = await store.recordSync({ integration, fingerprint, token, sync: { jira }, now: T0 + 2, release: true });
        if (!recorded) throw new Error('setup: sync not recorded');
        return fingerprint;
      });
      const claimed = await inBatches(30, 15, async () => {
        const fingerprint = newFingerprint();
        await store.claim({ integration, fingerprint, universe: 'acme', project: 'game', token: randomUUID(), now: T0, leaseMs: 60_000 });
        return fingerprint;
      });
      await inBatches(20, 20, () => linkedFingerprint('OPS-1', { integration: `${integration}-other` }));
      await inBatches(5, 5, () => linkedFingerprint('OPS-2', { integration: integration.slice(0, -1) }));

      // Act
      const pages: LinkedLink[][] = [];
      for await (const page of store.listLinked(integration)) pages.push(page);

      // Assess
      expect(pages.length).toBeGreaterThan(1);
      const listed = pages.flat();
      expect(listed.map((link) => link.fingerprint).sort()).toEqual([...linked].sort());
      expect(listed.filter((link) => claimed.includes(link.fingerprint))).toEqual([]);
      expect(listed.every((link) => link.integration === integration && link.status === 'linked' && link.sync?.jira?.statusName === padding)).toBe(true);
      const sample = listed.find((link) => link.fingerprint === linked[137])!;
      expect(sample).toEqual(await store.get(integration, linked[137]!));
    });

    it('yields no page for an integration that has claims but no links', async () => {
      // Prepare
      const integration = `poll-${randomUUID()}`;
      await store.claim({ integration, fingerprint: newFingerprint(), universe: 'acme', project: 'game', token: randomUUID(), now: T0, leaseMs: 60_000 });

      // Act
      const pages: LinkedLink[][] = [];
      for await (const page of store.listLinked(integration)) pages.push(page);
      for await (const page of store.listLinked(`never-configured-${randomUUID()}`)) pages.push(page);

      // Assess
      expect(pages).toEqual([]);
    });
  });

  describe('Method: noteDisagreement', () => {
    it('notes since when the pair disagrees and clears it again, keeping the rest of the bookkeeping', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      const { disagreeSince: _none, ...agreed } = FULL_SYNC;
      await acquire(fingerprint, 'holder', T0 + 2);
      await record(fingerprint, 'holder', { sync: agreed });

      // Act
      await store.noteDisagreement(INTEGRATION, fingerprint, T0 + 700, T0 + 700);
      const noted = await store.get(INTEGRATION, fingerprint);
      await store.noteDisagreement(INTEGRATION, fingerprint, null, T0 + 900);
      const cleared = await store.get(INTEGRATION, fingerprint);

      // Assess
      expect(noted).toMatchObject({ updatedAt: T0 + 700 });
      expect(noted?.sync).toStrictEqual({ ...agreed, disagreeSince: T0 + 700 });
      expect(cleared).toMatchObject({ updatedAt: T0 + 900 });
      expect(cleared?.sync).toStrictEqual(agreed);
    });

    it('leaves no bookkeeping behind when it clears the only field, and clearing again is harmless', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await store.noteDisagreement(INTEGRATION, fingerprint, T0 + 5, T0 + 5);

      // Act
      await store.noteDisagreement(INTEGRATION, fingerprint, null, T0 + 6);
      await store.noteDisagreement(INTEGRATION, fingerprint, null, T0 + 7);

      // Assess
      expect(await store.get(INTEGRATION, fingerprint)).toMatchObject({ status: 'linked', updatedAt: T0 + 7 });
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toBeUndefined();
    });

    it('needs no lease, and leaves a worker\'s lease alone', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'worker', T0 + 2);

      // Act
      await store.noteDisagreement(INTEGRATION, fingerprint, T0 + 3, T0 + 3);

      // Assess
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toEqual({ disagreeSince: T0 + 3 });
      expect(await acquire(fingerprint, 'other', T0 + 4)).toEqual({ outcome: 'busy', until: T0 + 2 + LEASE_MS });
      expect(await record(fingerprint, 'worker')).toBe(true);
    });

    it.each([
      ['never linked', async () => ({ fingerprint: newFingerprint() })],
      ['only claimed', claimedFingerprint],
    ])('does nothing, and creates nothing, for a fingerprint %s', async (_case, prepare) => {
      // Prepare
      const { fingerprint } = await prepare();
      const before = await store.get(INTEGRATION, fingerprint);

      // Act
      await store.noteDisagreement(INTEGRATION, fingerprint, T0 + 3, T0 + 3);

      // Assess
      expect(await store.get(INTEGRATION, fingerprint)).toEqual(before);
    });
  });

  describe('Method: noteDisagreement, the repair count', () => {
    it('keeps the repairs queued with the note, and drops both once the pair agrees', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();

      // Act
      await store.noteDisagreement(INTEGRATION, fingerprint, T0 + 10, T0 + 10);
      await store.noteDisagreement(INTEGRATION, fingerprint, T0 + 90, T0 + 20, 1);
      const repaired = (await store.get(INTEGRATION, fingerprint))?.sync;
      await store.noteDisagreement(INTEGRATION, fingerprint, null, T0 + 30);

      // Assess
      expect(repaired).toEqual({ disagreeSince: T0 + 90, repairs: 1 });
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toBeUndefined();
    });
  });

  describe('Method: noteErrorGroup', () => {
    it('keeps what an error-group event told (URL, rule values, a regressed version) beside the sync record, without a lease', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'worker', T0 + 2);
      const note = { group: { url: 'https://acme.sp.backtrace.io/p/game/fp', values: { environment: 'production' } }, regressedIn: { version: '2.4.1', at: T0 + 3 } };

      // Act
      await store.noteErrorGroup(INTEGRATION, fingerprint, note, T0 + 3);

      // Assess: noted, and the worker's lease and closing write unaffected.
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toEqual(note);
      expect(await record(fingerprint, 'worker', { sync: { resolvedUntil: null } })).toBe(true);
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toEqual({ ...note, resolvedUntil: null });
    });

    it('does nothing for a fingerprint that is only claimed', async () => {
      // Prepare
      const { fingerprint } = await claimedFingerprint();
      const before = await store.get(INTEGRATION, fingerprint);

      // Act
      await store.noteErrorGroup(INTEGRATION, fingerprint, { group: { values: {} } }, T0 + 3);

      // Assess
      expect(await store.get(INTEGRATION, fingerprint)).toEqual(before);
    });
  });

  describe('Method: recordSync, moving the link', () => {
    it('moves the link to a new issue (a regression\'s new issue): found by its id, no longer by the old one', async () => {
      // Prepare
      const { fingerprint, issue } = await linkedFingerprint();
      await acquire(fingerprint, 'worker', T0 + 2);

      // Act
      const done = await record(fingerprint, 'worker', { issueId: '20001', issueKey: 'CRASH-900', issueUrl: 'https://acme.atlassian.net/browse/CRASH-900' });

      // Assess
      expect(done).toBe(true);
      expect(await store.get(INTEGRATION, fingerprint)).toMatchObject({ issueId: '20001', issueKey: 'CRASH-900' });
      await expect.poll(async () => (await store.findByIssueId('20001')).map((link) => link.fingerprint)).toEqual([fingerprint]);
      expect((await store.findByIssueId(issue.id)).filter((link) => link.fingerprint === fingerprint)).toEqual([]);
    });
  });

  describe('Method: unlink', () => {
    it('forgets the link, so the issue id finds nothing and the fingerprint can be claimed afresh; repeating is harmless', async () => {
      // Prepare
      const { fingerprint, issue } = await linkedFingerprint();

      // Act
      await store.unlink(INTEGRATION, fingerprint);
      await store.unlink(INTEGRATION, fingerprint);

      // Assess
      expect(await store.get(INTEGRATION, fingerprint)).toBeUndefined();
      expect(await store.findByIssueId(issue.id)).toEqual([]);
      const again = await store.claim({ integration: INTEGRATION, fingerprint, universe: 'acme', project: 'game', token: 'next', now: T0 + 10, leaseMs: 60_000 });
      expect(again.outcome).toBe('claimed');
    });
  });

  describe('Method: unlink (for one issue)', () => {
    it('forgets the link while it points at the deleted issue, and keeps a link made since to another issue', async () => {
      // Prepare: a fingerprint linked to a new issue after its first issue was deleted
      const { fingerprint, issue } = await linkedFingerprint();
      await store.unlink(INTEGRATION, fingerprint, issue.id);
      const token = randomUUID();
      await store.claim({ integration: INTEGRATION, fingerprint, universe: 'acme', project: 'game', token, now: T0 + 20, leaseMs: 60_000 });
      const second = { id: `second-${fingerprint}`, key: 'CRASH-2', url: 'https://jira.example.com/browse/CRASH-2' };
      await store.completeClaim({ integration: INTEGRATION, fingerprint, token, issue: second, now: T0 + 21 });

      // Act: the first issue's deletion is delivered again
      await store.unlink(INTEGRATION, fingerprint, issue.id);

      // Assess
      expect(await store.get(INTEGRATION, fingerprint)).toMatchObject({ status: 'linked', issueId: second.id, issueKey: 'CRASH-2' });
    });
  });

  describe('DeliveryLog: record', () => {
    it('answers true the first time and false for every repeat', async () => {
      // Prepare
      const id = randomUUID();

      // Act
      const first = await deliveries.record(id, T0, 3600);
      const second = await deliveries.record(id, T0 + 1000, 3600);
      const third = await deliveries.record(id, T0 + 3_599_000, 3600);

      // Assess
      expect([first, second, third]).toEqual([true, false, false]);
    });

    it('answers true to exactly one of 20 concurrent recordings of the same delivery', async () => {
      // Prepare
      const id = randomUUID();

      // Act
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => deliveries.record(id, T0 + i, 3600)));

      // Assess
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('treats a record past its expiry as new even while it is still stored, and stores the expiry in epoch seconds', async () => {
      // Prepare
      const id = randomUUID();
      await deliveries.record(id, T0, 60);

      // Act
      const withinTtl = await deliveries.record(id, T0 + 59_000, 60);
      const afterExpiry = await deliveries.record(id, T0 + 61_000, 60);
      const repeatAfterExpiry = await deliveries.record(id, T0 + 62_000, 60);

      // Assess
      expect([withinTtl, afterExpiry, repeatAfterExpiry]).toEqual([false, true, false]);
      const stored = await table.client.send(
        new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: `DELIVERY#${id}` }, sk: { S: 'DELIVERY' } } }),
      );
      expect(stored.Item?.expiresAt).toEqual({ N: String((T0 + 61_000) / 1000 + 60) });
    });

    it('tells a recorded, unexpired delivery from an unknown or expired one, without recording anything', async () => {
      // Prepare
      const id = randomUUID();
      const unknownBefore = await deliveries.seen(id, T0);
      await deliveries.record(id, T0, 60);

      // Act
      const seen = await deliveries.seen(id, T0 + 59_000);
      const expired = await deliveries.seen(id, T0 + 61_000);
      const other = await deliveries.seen(randomUUID(), T0);

      // Assess
      expect([unknownBefore, seen, expired, other]).toEqual([false, true, false, false]);
    });
  });

  describe('Method: findBacktraceUserByEmail', () => {
    it('finds a remembered user by e-mail in any letter case, with the e-mail as Backtrace spelled it', async () => {
      // Prepare
      const universe = `u-${randomUUID()}`;
      await users.remember(universe, [{ id: 42, username: 'ada', email: 'Ada.Lovelace@Example.com' }], T0);

      // Act
      const found = await users.findByEmail(universe, 'ada.lovelace@EXAMPLE.COM');

      // Assess
      expect(found).toEqual({ id: 42, username: 'ada', email: 'Ada.Lovelace@Example.com' });
    });

    it('keeps universes apart, skips users without an e-mail, and finds nothing for an unknown address', async () => {
      // Prepare
      const universe = `u-${randomUUID()}`;
      await users.remember(universe, [{ id: 1, email: 'one@example.com' }, { id: 2, username: 'no-mail' }], T0);

      // Act
      const inOtherUniverse = await users.findByEmail(`${universe}-other`, 'one@example.com');
      const unknown = await users.findByEmail(universe, 'no-mail@example.com');
      const empty = await users.findByEmail(universe, '');

      // Assess
      expect(inOtherUniverse).toBeUndefined();
      expect(unknown).toBeUndefined();
      expect(empty).toBeUndefined();
      expect(await users.findByEmail(universe, 'one@example.com')).toEqual({ id: 1, email: 'one@example.com' });
    });

    it('gives an address to the user of the newest event, even when an older event arrives late', async () => {
      // Prepare
      const universe = `u-${randomUUID()}`;
      await users.remember(universe, [{ id: 7, username: 'old-owner', email: 'ops@example.com' }], T0);
      await users.remember(universe, [{ id: 8, username: 'new-owner', email: 'OPS@example.com' }], T0 + 1000);

      // Act
      await users.remember(universe, [{ id: 7, username: 'old-owner', email: 'ops@example.com' }], T0 + 500);

      // Assess
      expect(await users.findByEmail(universe, 'ops@example.com')).toEqual({ id: 8, username: 'new-owner', email: 'OPS@example.com' });
    });
  });

  describe('Retried writes', () => {
    it('answers true when the SDK retries a recordSync whose first attempt landed and released the lease', async () => {
      // Prepare
      const lossy = lostResponseClient(table.endpoint);
      const retrying = new DynamoDbLinkStore({ client: lossy.client, tableName: table.tableName });
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'holder', T0 + 2);
      lossy.loseNextResponse('UpdateItem');

      // Act
      const recorded = await retrying.recordSync({ integration: INTEGRATION, fingerprint, token: 'holder', sync: FULL_SYNC, now: T0 + 3, release: true });

      // Assess
      expect(lossy.lost()).toBe(1);
      expect(recorded).toBe(true);
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toStrictEqual(FULL_SYNC);
      expect(await acquire(fingerprint, 'next', T0 + 4)).toMatchObject({ outcome: 'acquired' });
      lossy.close();
    });

    it('still answers false for a retried recordSync whose lease another worker holds', async () => {
      // Prepare
      const lossy = lostResponseClient(table.endpoint);
      const retrying = new DynamoDbLinkStore({ client: lossy.client, tableName: table.tableName });
      const { fingerprint } = await linkedFingerprint();
      await acquire(fingerprint, 'other', T0 + 2);
      lossy.loseNextResponse('GetItem');

      // Act
      const recorded = await retrying.recordSync({ integration: INTEGRATION, fingerprint, token: 'caller', sync: FULL_SYNC, now: T0 + 3, release: true });

      // Assess
      expect(lossy.lost()).toBe(1);
      expect(recorded).toBe(false);
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toBeUndefined();
      lossy.close();
    });

    it('answers acquired when the SDK retries an acquireSync whose first attempt landed', async () => {
      // Prepare
      const lossy = lostResponseClient(table.endpoint);
      const retrying = new DynamoDbLinkStore({ client: lossy.client, tableName: table.tableName });
      const { fingerprint } = await linkedFingerprint();
      lossy.loseNextResponse('UpdateItem');

      // Act
      const result = await retrying.acquireSync({ integration: INTEGRATION, fingerprint, token: 'holder', now: T0 + 2, leaseMs: LEASE_MS });

      // Assess
      expect(lossy.lost()).toBe(1);
      expect(result).toMatchObject({ outcome: 'acquired', link: { fingerprint, status: 'linked' } });
      expect(await acquire(fingerprint, 'other', T0 + 3)).toEqual({ outcome: 'busy', until: T0 + 2 + LEASE_MS });
      lossy.close();
    });

    it('keeps the sync lease of a retried completeClaim whose first attempt landed', async () => {
      // Prepare
      const lossy = lostResponseClient(table.endpoint);
      const retrying = new DynamoDbLinkStore({ client: lossy.client, tableName: table.tableName });
      const fingerprint = newFingerprint();
      const token = randomUUID();
      const issue = { id: `id-${fingerprint}`, key: 'CRASH-4', url: 'https://jira.example.com/browse/CRASH-4' };
      await store.claim({ integration: INTEGRATION, fingerprint, universe: 'acme', project: 'game', token, now: T0, leaseMs: 60_000 });
      lossy.loseNextResponse('UpdateItem');

      // Act
      const link = await retrying.completeClaim({ integration: INTEGRATION, fingerprint, token, issue, now: T0 + 1, syncLeaseMs: LEASE_MS });

      // Assess
      expect(lossy.lost()).toBe(1);
      expect(link).toMatchObject({ status: 'linked', issueId: issue.id, issueKey: 'CRASH-4' });
      expect(await acquire(fingerprint, 'webhook-worker', T0 + 2)).toEqual({ outcome: 'busy', until: T0 + 1 + LEASE_MS });
      expect(await record(fingerprint, token)).toBe(true);
      lossy.close();
    });

    it('answers true once when the SDK retries a delivery recording whose first attempt landed', async () => {
      // Prepare
      const lossy = lostResponseClient(table.endpoint);
      const retryingDeliveries = new DynamoDbDeliveryLog({ client: lossy.client, tableName: table.tableName });
      const deliveryId = randomUUID();
      lossy.loseNextResponse('PutItem');

      // Act
      const recorded = await retryingDeliveries.record(deliveryId, T0, 3600);
      const repeated = await retryingDeliveries.record(deliveryId, T0 + 1, 3600);

      // Assess
      expect(lossy.lost()).toBe(1);
      expect([recorded, repeated]).toEqual([true, false]);
      lossy.close();
    });
  });

  describe('Shared table', () => {
    it('keeps deliveries and users apart from links: links read back unchanged and the issue-id index holds links only', async () => {
      // Prepare
      const { fingerprint, issue } = await linkedFingerprint();
      const before = await store.get(INTEGRATION, fingerprint);

      // Act
      await deliveries.record(`delivery-${fingerprint}`, T0, 3600);
      await users.remember('acme', [{ id: 3, username: 'grace', email: `grace-${fingerprint}@example.com` }], T0);

      // Assess
      expect(await store.get(INTEGRATION, fingerprint)).toEqual(before);
      expect(await store.findByIssueId(issue.id)).toEqual([before]);
      const index = await table.client.send(new ScanCommand({ TableName: table.tableName, IndexName: BY_ISSUE_ID_INDEX }));
      const partitions = (index.Items ?? []).map((item) => item.pk?.S ?? '');
      expect(partitions.length).toBeGreaterThan(0);
      expect(partitions.filter((pk) => !pk.startsWith('LINK#'))).toEqual([]);
    });
  });
});
