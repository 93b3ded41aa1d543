import { randomUUID } from 'node:crypto';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbBacktraceUserDirectory } from '../../../shared/adapters/dynamodb/backtrace-user-directory.ts';
import { DynamoDbDeliveryLog } from '../../../shared/adapters/dynamodb/delivery-log.ts';
import { DynamoDbLinkStore } from '../../../shared/adapters/dynamodb/link-store.ts';
import { BY_ISSUE_ID_INDEX } from '../../../shared/adapters/dynamodb/link-table.ts';
import { PermanentError } from '../../../shared/ports/errors.ts';
import type { LinkSyncState } from '../../../shared/domain/model/link.ts';
import { startLinkTableOnDynalite, type LinkTableOnDynalite } from './link-table-on-dynalite.ts';
import { lostResponseClient } from './lost-response-client.ts';

const T0 = Date.UTC(2026, 0, 1);
const INTEGRATION = 'jira-prod';

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

/** A linked fingerprint (claimed, then completed), with its own issue id so GSI lookups stay per test. */
async function linkedFingerprint(issueKey = 'CRASH-1') {
  const fingerprint = newFingerprint();
  const token = randomUUID();
  const issue = { id: `id-${fingerprint}`, key: issueKey, url: `https://jira.example.com/browse/${issueKey}` };
  await store.claim({ integration: INTEGRATION, fingerprint, universe: 'acme', project: 'game', token, now: T0, leaseMs: 60_000 });
  await store.completeClaim({ integration: INTEGRATION, fingerprint, token, issue, now: T0 + 1 });
  return { fingerprint, issue };
}

/** Deterministic shuffle (mulberry32), so a failing order can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('Class: DynamoDbLinkStore (state and assignee sync)', () => {
  describe('Method: updateSync', () => {
    it('records sync bookkeeping on a link and reads it back exactly, an unassign included', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      const sync: LinkSyncState = {
        backtraceChangeAt: T0 + 100,
        jiraUpdatedAt: T0 + 200,
        pushedToJira: { statusId: '10001', assignee: null, at: T0 + 300 },
        pushedToBacktrace: { state: 'resolved', assigneeIds: [], at: T0 + 400 },
      };

      // Act
      const updated = await store.updateSync(INTEGRATION, fingerprint, { sync, now: T0 + 500 });

      // Assess
      expect(updated).toBe(true);
      expect(await store.get(INTEGRATION, fingerprint)).toMatchObject({ status: 'linked', issueKey: 'CRASH-1', updatedAt: T0 + 500, sync });
    });

    it('replaces only the fields it is given, and keeps the others', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await store.updateSync(INTEGRATION, fingerprint, {
        sync: { pushedToJira: { statusId: '3', assignee: 'acc-1', at: T0 + 10 }, pushedToBacktrace: { state: 'open', assigneeIds: [7, 3], at: T0 + 11 } },
        now: T0 + 12,
      });

      // Act
      await store.updateSync(INTEGRATION, fingerprint, { sync: { pushedToJira: { assignee: 'acc-2', at: T0 + 20 } }, now: T0 + 21 });

      // Assess
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toEqual({
        pushedToJira: { assignee: 'acc-2', at: T0 + 20 },
        pushedToBacktrace: { state: 'open', assigneeIds: [7, 3], at: T0 + 11 },
      });
    });

    it('ends with the newest delivery\'s watermark and fields when deliveries arrive shuffled, repeated and at once', async () => {
      for (const seed of [1, 2, 3]) {
        // Prepare
        const { fingerprint } = await linkedFingerprint();
        const deliveries = Array.from({ length: 20 }, (_, i) => ({
          updated: T0 + (i + 1) * 1000,
          state: `state-${i + 1}`,
          assigneeIds: [i + 1],
        }));
        const newest = deliveries.at(-1)!;
        const order = shuffled([...deliveries, ...deliveries], seed);

        // Act
        const results = await Promise.all(
          order.map(async (d) => ({
            delivery: d,
            applied: await store.updateSync(
              INTEGRATION,
              fingerprint,
              { sync: { pushedToBacktrace: { state: d.state, assigneeIds: d.assigneeIds, at: d.updated + 1 } }, now: d.updated + 1 },
              { watermark: 'jiraUpdatedAt', value: d.updated },
            ),
          })),
        );

        // Assess
        expect((await store.get(INTEGRATION, fingerprint))?.sync, `seed ${seed}`).toEqual({
          jiraUpdatedAt: newest.updated,
          pushedToBacktrace: { state: newest.state, assigneeIds: newest.assigneeIds, at: newest.updated + 1 },
        });
        expect(results.filter((r) => r.delivery === newest && r.applied), `seed ${seed}`).toHaveLength(1);
      }
    });

    it('refuses a delivery older than or as old as the watermark, and leaves the link as it was', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await store.updateSync(INTEGRATION, fingerprint, { sync: { pushedToJira: { statusId: '31', at: T0 + 1 } }, now: T0 + 1 }, { watermark: 'backtraceChangeAt', value: T0 + 5000 });
      const before = await store.get(INTEGRATION, fingerprint);

      // Act
      const older = await store.applySyncUpdate(INTEGRATION, fingerprint, { sync: { pushedToJira: { statusId: '11', at: T0 + 2 } }, issueKey: 'OLD-1', now: T0 + 2 }, { watermark: 'backtraceChangeAt', value: T0 + 4000 });
      const same = await store.updateSync(INTEGRATION, fingerprint, { sync: { pushedToJira: { statusId: '21', at: T0 + 3 } }, now: T0 + 3 }, { watermark: 'backtraceChangeAt', value: T0 + 5000 });

      // Assess
      expect(older).toBe('stale');
      expect(same).toBe(false);
      expect(await store.get(INTEGRATION, fingerprint)).toEqual(before);
    });

    it('guards each direction by its own watermark', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();
      await store.updateSync(INTEGRATION, fingerprint, { now: T0 + 1 }, { watermark: 'backtraceChangeAt', value: T0 + 9000 });

      // Act
      const jiraSide = await store.updateSync(INTEGRATION, fingerprint, { now: T0 + 2 }, { watermark: 'jiraUpdatedAt', value: T0 + 10 });

      // Assess
      expect(jiraSide).toBe(true);
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toEqual({ backtraceChangeAt: T0 + 9000, jiraUpdatedAt: T0 + 10 });
    });

    it('answers missing, and creates nothing, for a fingerprint that is not linked', async () => {
      // Prepare
      const absent = newFingerprint();
      const claimed = newFingerprint();
      await store.claim({ integration: INTEGRATION, fingerprint: claimed, universe: 'acme', project: 'game', token: 'holder', now: T0, leaseMs: 60_000 });

      // Act
      const onAbsent = await store.applySyncUpdate(INTEGRATION, absent, { sync: { jiraUpdatedAt: T0 }, now: T0 }, { watermark: 'jiraUpdatedAt', value: T0 });
      const onAbsentUnguarded = await store.updateSync(INTEGRATION, absent, { issueKey: 'CRASH-9', now: T0 });
      const onClaimed = await store.applySyncUpdate(INTEGRATION, claimed, { now: T0 + 1 }, { watermark: 'backtraceChangeAt', value: T0 + 1 });

      // Assess
      expect(onAbsent).toBe('missing');
      expect(onAbsentUnguarded).toBe(false);
      expect(onClaimed).toBe('missing');
      expect(await store.get(INTEGRATION, absent)).toBeUndefined();
      expect(await store.get(INTEGRATION, claimed)).toMatchObject({ status: 'claimed', claimToken: 'holder', updatedAt: T0 });
      expect((await store.get(INTEGRATION, claimed))?.sync).toBeUndefined();
    });

    it('follows a moved issue to its new key and URL, still found by its issue id', async () => {
      // Prepare
      const { fingerprint, issue } = await linkedFingerprint('CRASH-5');

      // Act
      const moved = await store.updateSync(
        INTEGRATION,
        fingerprint,
        { issueKey: 'OPS-12', issueUrl: 'https://jira.example.com/browse/OPS-12', now: T0 + 50 },
        { watermark: 'jiraUpdatedAt', value: T0 + 40 },
      );

      // Assess
      expect(moved).toBe(true);
      expect(await store.findByIssueId(issue.id)).toEqual([
        expect.objectContaining({ fingerprint, issueId: issue.id, issueKey: 'OPS-12', issueUrl: 'https://jira.example.com/browse/OPS-12', sync: { jiraUpdatedAt: T0 + 40 } }),
      ]);
    });

    it('refuses a patch whose watermark disagrees with its guard, naming both values', async () => {
      // Prepare
      const { fingerprint } = await linkedFingerprint();

      // Act
      const attempt = store.updateSync(INTEGRATION, fingerprint, { sync: { jiraUpdatedAt: T0 + 1 }, now: T0 }, { watermark: 'jiraUpdatedAt', value: T0 + 2 });

      // Assess
      await expect(attempt).rejects.toThrow(PermanentError);
      await expect(attempt).rejects.toThrow(String(T0 + 2));
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toBeUndefined();
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
    it('answers applied when the SDK retries a guarded update or a recording whose first attempt landed', async () => {
      // Prepare
      const lossy = lostResponseClient(table.endpoint);
      const retrying = new DynamoDbLinkStore({ client: lossy.client, tableName: table.tableName });
      const retryingDeliveries = new DynamoDbDeliveryLog({ client: lossy.client, tableName: table.tableName });
      const { fingerprint } = await linkedFingerprint();
      const deliveryId = randomUUID();
      lossy.loseNextResponse('UpdateItem');
      lossy.loseNextResponse('PutItem');

      // Act
      const updated = await retrying.applySyncUpdate(INTEGRATION, fingerprint, { now: T0 + 2 }, { watermark: 'jiraUpdatedAt', value: T0 + 2 });
      const recorded = await retryingDeliveries.record(deliveryId, T0, 3600);
      const repeated = await retryingDeliveries.record(deliveryId, T0 + 1, 3600);

      // Assess
      expect(lossy.lost()).toBe(2);
      expect(updated).toBe('updated');
      expect([recorded, repeated]).toEqual([true, false]);
      expect((await store.get(INTEGRATION, fingerprint))?.sync).toEqual({ jiraUpdatedAt: T0 + 2 });
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
