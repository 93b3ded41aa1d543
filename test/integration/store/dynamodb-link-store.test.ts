import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLinkStore } from '../../../shared/adapters/dynamodb/link-store.ts';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import { startLinkTableOnDynalite, type LinkTableOnDynalite } from './link-table-on-dynalite.ts';

const LEASE_MS = 60_000;
const T0 = Date.UTC(2026, 0, 1);

let table: LinkTableOnDynalite;
let store: DynamoDbLinkStore;

beforeAll(async () => {
  table = await startLinkTableOnDynalite();
  store = new DynamoDbLinkStore({ client: table.client, tableName: table.tableName });
});

afterAll(async () => {
  await table?.close();
});

/** A fresh fingerprint per test keeps tests independent on the shared table. */
function claimInput(overrides: Partial<{ fingerprint: string; token: string; now: number; integration: string }> = {}) {
  return {
    integration: 'jira-prod',
    fingerprint: randomUUID().replaceAll('-', ''),
    universe: 'acme',
    project: 'game',
    token: randomUUID(),
    now: T0,
    leaseMs: LEASE_MS,
    ...overrides,
  };
}

const issue = { id: '10001', key: 'CRASH-1', url: 'https://jira.example.com/browse/CRASH-1' };

describe('Class: DynamoDbLinkStore', () => {
  describe('Method: claim', () => {
    it('claims a fingerprint nobody has claimed, and records who holds it until when', async () => {
      // Prepare
      const input = claimInput();

      // Act
      const result = await store.claim(input);

      // Assess
      expect(result.outcome).toBe('claimed');
      expect(await store.get(input.integration, input.fingerprint)).toEqual({
        integration: 'jira-prod',
        fingerprint: input.fingerprint,
        universe: 'acme',
        project: 'game',
        status: 'claimed',
        claimToken: input.token,
        leaseUntil: T0 + LEASE_MS,
        createdAt: T0,
        updatedAt: T0,
      });
    });

    it('answers busy, with the holder\'s lease, while another claim is live', async () => {
      // Prepare
      const first = claimInput();
      await store.claim(first);

      // Act
      const second = await store.claim({ ...first, token: randomUUID(), now: T0 + LEASE_MS - 1 });

      // Assess
      expect(second.outcome).toBe('busy');
      expect(second.link.leaseUntil).toBe(T0 + LEASE_MS);
      expect(second.link.claimToken).toBe(first.token);
    });

    it('lets a second worker take over an expired claim, after which the first holder cannot complete it', async () => {
      // Prepare
      const first = claimInput();
      await store.claim(first);
      const later = T0 + LEASE_MS + 1;

      // Act
      const second = await store.claim({ ...first, token: 'second-token', now: later });
      const firstCompletes = await store.completeClaim({ ...first, issue, now: later });

      // Assess
      expect(second).toMatchObject({
        outcome: 'took-over',
        link: { status: 'claimed', claimToken: 'second-token', leaseUntil: later + LEASE_MS },
        previous: { claimToken: first.token, leaseUntil: T0 + LEASE_MS },
      });
      expect(firstCompletes).toBeUndefined();
      expect(await store.get(first.integration, first.fingerprint)).toMatchObject({ status: 'claimed', claimToken: 'second-token' });
    });

    it('gives the claim to exactly one of many concurrent workers', async () => {
      // Prepare
      const base = claimInput();
      const tokens = Array.from({ length: 25 }, () => randomUUID());

      // Act
      const results = await Promise.all(tokens.map((token) => store.claim({ ...base, token })));

      // Assess
      const winners = results.filter((r) => r.outcome === 'claimed');
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'busy')).toHaveLength(24);
      expect((await store.get(base.integration, base.fingerprint))?.claimToken).toBe(winners[0]!.link.claimToken);
    });

    it('lets exactly one of many concurrent workers take over an expired claim', async () => {
      // Prepare
      const base = claimInput();
      await store.claim(base);
      const later = T0 + LEASE_MS + 5;
      const tokens = Array.from({ length: 20 }, () => randomUUID());

      // Act
      const results = await Promise.all(tokens.map((token) => store.claim({ ...base, token, now: later })));

      // Assess
      expect(results.filter((r) => r.outcome === 'took-over')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'busy')).toHaveLength(19);
    });

    it('answers linked, and never overwrites the link, once the issue exists', async () => {
      // Prepare
      const first = claimInput();
      await store.claim(first);
      await store.completeClaim({ ...first, issue, now: T0 + 10 });

      // Act
      const again = await store.claim({ ...first, token: randomUUID(), now: T0 + 10 * LEASE_MS });

      // Assess
      expect(again).toMatchObject({ outcome: 'linked', link: { status: 'linked', issueKey: 'CRASH-1' } });
    });

    it('keeps one integration\'s claim apart from another\'s on the same fingerprint', async () => {
      // Prepare
      const first = claimInput();
      await store.claim(first);

      // Act
      const other = await store.claim({ ...first, integration: 'jira-staging', token: randomUUID() });

      // Assess
      expect(other.outcome).toBe('claimed');
    });
  });

  describe('Method: completeClaim', () => {
    it('turns the holder\'s claim into a link carrying the issue, without claim fields', async () => {
      // Prepare
      const input = claimInput();
      await store.claim(input);

      // Act
      const done = await store.completeClaim({ ...input, issue, now: T0 + 1000 });

      // Assess
      const link = await store.get(input.integration, input.fingerprint);
      expect(done).toEqual(link);
      expect(link).toMatchObject({ status: 'linked', issueId: '10001', issueKey: 'CRASH-1', issueUrl: issue.url, updatedAt: T0 + 1000 });
      expect(link?.claimToken).toBeUndefined();
      expect(link?.leaseUntil).toBeUndefined();
    });

    it('answers with the link again when the same holder repeats the completion (an ambiguous write retried)', async () => {
      // Prepare
      const input = claimInput();
      await store.claim(input);
      await store.completeClaim({ ...input, issue, now: T0 + 1 });

      // Act
      const repeated = await store.completeClaim({ ...input, issue, now: T0 + 2 });

      // Assess
      expect(repeated).toMatchObject({ status: 'linked', issueId: issue.id, issueKey: issue.key, issueUrl: issue.url });
    });

    it('refuses a token that never held the claim', async () => {
      // Prepare
      const input = claimInput();
      await store.claim(input);

      // Act
      const done = await store.completeClaim({ ...input, token: 'not-the-holder', issue, now: T0 + 1 });

      // Assess
      expect(done).toBeUndefined();
      expect((await store.get(input.integration, input.fingerprint))?.status).toBe('claimed');
    });
    it('with syncLeaseMs, also holds the link\'s sync lease for the claim token until then', async () => {
      // Prepare
      const input = claimInput();
      await store.claim(input);

      // Act
      const done = await store.completeClaim({ ...input, issue, now: T0 + 1000, syncLeaseMs: 30_000 });

      // Assess
      expect(done).toMatchObject({ status: 'linked', issueId: issue.id });
      const sync = (token: string, now: number) => store.acquireSync({ integration: input.integration, fingerprint: input.fingerprint, token, now, leaseMs: 30_000 });
      expect(await sync('webhook-worker', T0 + 30_999)).toEqual({ outcome: 'busy', until: T0 + 31_000 });
      expect(await sync(input.token, T0 + 1001)).toMatchObject({ outcome: 'acquired' });
    });

    it('with syncLeaseMs, still holds the lease when the same holder repeats the completion', async () => {
      // Prepare
      const input = claimInput();
      await store.claim(input);
      await store.completeClaim({ ...input, issue, now: T0 + 1, syncLeaseMs: 30_000 });

      // Act
      const repeated = await store.completeClaim({ ...input, issue, now: T0 + 2, syncLeaseMs: 30_000 });

      // Assess
      expect(repeated).toMatchObject({ status: 'linked', issueId: issue.id });
      const other = await store.acquireSync({ integration: input.integration, fingerprint: input.fingerprint, token: 'other', now: T0 + 3, leaseMs: 30_000 });
      expect(other.outcome).toBe('busy');
    });

    it('takes no sync lease for a holder that lost the claim, and links nothing for it', async () => {
      // Prepare
      const first = claimInput();
      await store.claim(first);
      const later = T0 + LEASE_MS + 1;
      await store.claim({ ...first, token: 'second-token', now: later });

      // Act
      const stale = await store.completeClaim({ ...first, issue, now: later + 1, syncLeaseMs: 30_000 });
      await store.completeClaim({ ...first, token: 'second-token', issue, now: later + 2 });

      // Assess
      expect(stale).toBeUndefined();
      const next = await store.acquireSync({ integration: first.integration, fingerprint: first.fingerprint, token: 'next', now: later + 3, leaseMs: 30_000 });
      expect(next).toMatchObject({ outcome: 'acquired', link: { status: 'linked', issueId: issue.id } });
    });
  });

  describe('Method: releaseClaim', () => {
    it('lets the next worker take the claim over at once, so it searches Jira before creating', async () => {
      // Prepare
      const input = claimInput();
      await store.claim(input);

      // Act
      const released = await store.releaseClaim({ ...input, now: T0 + 1 });
      const next = await store.claim({ ...input, token: 'next', now: T0 + 2 });

      // Assess
      expect(released).toBe(true);
      expect(next).toMatchObject({ outcome: 'took-over', link: { claimToken: 'next' } });
    });

    it('does nothing for a worker that no longer holds the claim, nor to a link', async () => {
      // Prepare
      const held = claimInput();
      await store.claim(held);
      const linked = claimInput();
      await store.claim(linked);
      await store.completeClaim({ ...linked, issue, now: T0 + 1 });

      // Act
      const byStranger = await store.releaseClaim({ ...held, token: 'stranger', now: T0 + 1 });
      const onLink = await store.releaseClaim({ ...linked, now: T0 + 2 });

      // Assess
      expect(byStranger).toBe(false);
      expect(onLink).toBe(false);
      expect(await store.claim({ ...held, token: 'other', now: T0 + 3 })).toMatchObject({ outcome: 'busy' });
      expect((await store.get(linked.integration, linked.fingerprint))?.status).toBe('linked');
    });
  });

  describe('Method: markTicketAttached', () => {
    it('records the ticket as attached, and can be repeated', async () => {
      // Prepare
      const input = claimInput();
      await store.claim(input);
      await store.completeClaim({ ...input, issue, now: T0 + 1 });

      // Act
      await store.markTicketAttached(input.integration, input.fingerprint, T0 + 2);
      await store.markTicketAttached(input.integration, input.fingerprint, T0 + 3);

      // Assess
      expect(await store.get(input.integration, input.fingerprint)).toMatchObject({ status: 'linked', ticketAttached: true, updatedAt: T0 + 3 });
    });

    it('refuses, naming the fingerprint, when there is no link to mark', async () => {
      // Prepare
      const input = claimInput();

      // Act
      const attempt = store.markTicketAttached(input.integration, input.fingerprint, T0);

      // Assess
      await expect(attempt).rejects.toThrow(PermanentError);
      await expect(attempt).rejects.toThrow(input.fingerprint);
    });
  });

  describe('Method: findByIssueId', () => {
    it('finds the link of a Jira issue by its id, and nothing for an unknown id', async () => {
      // Prepare
      const input = claimInput();
      await store.claim(input);
      const ownIssue = { id: `id-${input.fingerprint}`, key: 'CRASH-77', url: 'https://jira.example.com/browse/CRASH-77' };
      await store.completeClaim({ ...input, issue: ownIssue, now: T0 + 1 });

      // Act
      const found = await store.findByIssueId(ownIssue.id);
      const none = await store.findByIssueId('no-such-issue');

      // Assess
      expect(found).toEqual([expect.objectContaining({ fingerprint: input.fingerprint, issueKey: 'CRASH-77', status: 'linked' })]);
      expect(none).toEqual([]);
    });
  });

  describe('Failures', () => {
    it('reports a missing table as permanent, naming the table', async () => {
      // Prepare
      const wrong = new DynamoDbLinkStore({ client: table.client, tableName: 'no-such-table' });

      // Act
      const attempt = wrong.get('jira-prod', 'abc');

      // Assess
      await expect(attempt).rejects.toThrow(PermanentError);
      await expect(attempt).rejects.toThrow('no-such-table');
    });

    it('reports an unreachable DynamoDB as retryable', async () => {
      // Prepare
      const own = await startLinkTableOnDynalite();
      const client = new DynamoDBClient({
        endpoint: own.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
      await own.close();
      const unreachable = new DynamoDbLinkStore({ client, tableName: own.tableName });

      // Act
      const attempt = unreachable.claim(claimInput());

      // Assess
      await expect(attempt).rejects.toThrow(RetryableError);
      client.destroy();
    });
  });
});
