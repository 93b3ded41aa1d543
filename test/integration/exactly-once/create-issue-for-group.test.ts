import { afterEach, describe, expect, it } from 'vitest';
import { ATTACH_GRACE_MS, createIssueForGroup, type CreateIssueDeps } from '../../../shared/app/create-issue-for-group.ts';
import type { BacktraceGroup } from '../../../shared/domain/backtrace-group.ts';
import { ClaimBusyError, PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import type { LinkStore } from '../../../shared/ports/link-store.ts';
import { deliver, INTEGRATION_NAME, sleep, startBridgeWorld, waitFor, type BridgeWorld } from './bridge-world.ts';

const LEASE_MS = 60_000;

let world: BridgeWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The real link store, except that the first completeClaim dies: the worker crashed after Jira created the issue. */
function dyingAfterCreate(store: LinkStore): LinkStore {
  let died = false;
  const completeClaim: LinkStore['completeClaim'] = async (input) => {
    if (!died) {
      died = true;
      throw new Error('worker died before recording the link');
    }
    return store.completeClaim(input);
  };
  // Everything else is the real store (bound: the adapter keeps its client in private fields).
  return new Proxy(store, {
    get: (target, property) => {
      if (property === 'completeClaim') return completeClaim;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** One delivery of `group` to a fresh worker container (its own Jira client, nothing cached). */
function worker(w: BridgeWorld, group: BacktraceGroup, overrides: Partial<CreateIssueDeps> = {}) {
  const deps = w.deps({ leaseMs: LEASE_MS, ...overrides });
  return () => createIssueForGroup(deps, w.input(group));
}

const issueCreations = (w: BridgeWorld, from = 0) =>
  w.jiraRequestsSince(from).filter((r) => r.method === 'POST' && r.path === '/rest/api/2/issue');

describe('Use-case: createIssueForGroup', () => {
  describe('under concurrency', () => {
    it('creates one Jira issue, one link and one ticket entry when the same group arrives 50 times at once', async () => {
      // Prepare
      world = await startBridgeWorld({ jira: { openApiValidation: true } });
      const w = world;
      const group = w.newGroup();
      // Five warm containers share the 50 deliveries, each with its own Jira client.
      const containers = Array.from({ length: 5 }, () => w.deps({ leaseMs: LEASE_MS }));

      // Act
      const deliveries = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          deliver(() => createIssueForGroup(containers[i % containers.length]!, w.input(group)), { maxAttempts: 400, maxWaitMs: 50 }),
        ),
      );

      // Assess
      expect(deliveries.filter((d) => d.error !== undefined).map((d) => String(d.error))).toEqual([]);
      const outcomes = deliveries.map((d) => d.result!.outcome);
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'already-linked')).toHaveLength(49);
      expect(w.jira.issues).toHaveLength(1);
      expect(issueCreations(w)).toHaveLength(1);
      const issue = w.jira.issues[0]!;
      expect(new Set(deliveries.map((d) => d.result!.issueKey))).toEqual(new Set([issue.key]));
      expect(await w.links.get(INTEGRATION_NAME, group.fingerprint)).toMatchObject({ status: 'linked', issueKey: issue.key, ticketAttached: true });
      expect(await w.links.findByIssueId(issue.id)).toHaveLength(1);
      expect(w.backtraceFake.getIssue(group.universe, group.project, group.fingerprint)?.tickets).toEqual([
        { watcher: INTEGRATION_NAME, short: issue.key, url: `${w.jira.url}/browse/${issue.key}`, state: 'open' },
      ]);
      expect(w.jira.validationErrors).toEqual([]);
    });
  });

  describe('after a crash', () => {
    it.each([
      { searchLagMs: 0, why: 'search sees new issues at once' },
      { searchLagMs: 1_500, why: 'search lags like Jira Cloud, and the lease outlasts the lag' },
    ])('adopts the issue of a worker that died between creating it and recording the link ($why)', async ({ searchLagMs }) => {
      // Prepare
      world = await startBridgeWorld({ jira: { searchLagMs } });
      const w = world;
      const group = w.newGroup();
      const crashed = await deliver(worker(w, group, { links: dyingAfterCreate(w.links) }), { maxAttempts: 1 });
      const tooEarly = await deliver(worker(w, group), { maxAttempts: 1 });
      w.clock.advance(LEASE_MS / 2);
      const stillEarly = await deliver(worker(w, group), { maxAttempts: 1 });

      // Act
      // The lease ends. In real time that is minutes after the crash, so Jira's search lag has passed as well.
      w.clock.advance(LEASE_MS / 2 + 1);
      await sleep(Math.max(0, w.jira.issues[0]!.created + searchLagMs + 100 - Date.now()));
      const redelivered = await deliver(worker(w, group), { maxAttempts: 1 });

      // Assess
      expect(crashed.error).toBeInstanceOf(RetryableError);
      // A young claim may belong to a live worker: come back soon; an old one can only be waited out, up to its lease.
      expect(tooEarly.error).toBeInstanceOf(ClaimBusyError);
      expect((tooEarly.error as ClaimBusyError).retryAfterMs).toBeLessThan(LEASE_MS / 10);
      expect(stillEarly.error).toBeInstanceOf(ClaimBusyError);
      expect((stillEarly.error as ClaimBusyError).retryAfterMs).toBeGreaterThanOrEqual(LEASE_MS / 2 - 1_000);
      expect((stillEarly.error as ClaimBusyError).retryAfterMs).toBeLessThanOrEqual(LEASE_MS / 2);
      const issue = w.jira.issues[0]!;
      expect(redelivered.result).toEqual({ outcome: 'recovered', issueKey: issue.key, issueId: issue.id, duplicates: [], link: expect.objectContaining({ status: 'linked', issueId: issue.id, issueKey: issue.key, ticketAttached: true }), token: expect.any(String), row: expect.objectContaining({ state: 'in-progress' }) });
      expect(w.jira.issues).toHaveLength(1);
      expect(issueCreations(w)).toHaveLength(1);
      expect(await w.links.get(INTEGRATION_NAME, group.fingerprint)).toMatchObject({ status: 'linked', issueKey: issue.key, ticketAttached: true });
      expect(w.backtraceFake.getIssue(group.universe, group.project, group.fingerprint)?.tickets).toEqual([
        expect.objectContaining({ watcher: INTEGRATION_NAME, short: issue.key }),
      ]);
    });

    it('keeps the claim when Jira times out on the create, and adopts the issue that landed late', async () => {
      // Prepare
      world = await startBridgeWorld({ jiraTimeoutMs: 1_000 });
      const w = world;
      const group = w.newGroup();
      w.jira.failNext({ method: 'POST', path: /\/rest\/api\/2\/issue$/, delayMs: 3_000 });

      // Act
      const timedOut = await deliver(worker(w, group), { maxAttempts: 1 });
      await waitFor(() => w.jira.issues.length === 1, 'the late create to land');
      const beforeLeaseEnds = await deliver(worker(w, group), { maxAttempts: 1 });
      w.clock.advance(LEASE_MS + 1);
      const afterLease = await deliver(worker(w, group), { maxAttempts: 1 });

      // Assess
      expect(timedOut.error).toBeInstanceOf(RetryableError);
      expect((timedOut.error as RetryableError).retryAfterMs).toBeGreaterThan(LEASE_MS / 2);
      expect(beforeLeaseEnds.error).toBeInstanceOf(RetryableError);
      expect(afterLease.result).toMatchObject({ outcome: 'recovered', issueKey: w.jira.issues[0]!.key });
      expect(w.jira.issues).toHaveLength(1);
      expect(issueCreations(w)).toHaveLength(1);
    });

    it('releases the claim when Jira rate-limits the create (a 429 does no work), so the retry creates at once', async () => {
      // Prepare
      world = await startBridgeWorld();
      const w = world;
      const group = w.newGroup();
      w.jira.failNext({ method: 'POST', path: /\/rest\/api\/2\/issue$/, status: 429, retryAfter: '60' });

      // Act
      const limited = await deliver(worker(w, group), { maxAttempts: 1 });
      const retried = await deliver(worker(w, group), { maxAttempts: 1 });

      // Assess: Retry-After is passed on to the queue, and the retry neither waits out the lease nor duplicates
      expect(limited.error).toBeInstanceOf(RetryableError);
      expect((limited.error as RetryableError).retryAfterMs).toBeGreaterThanOrEqual(60_000);
      expect(retried.result).toMatchObject({ outcome: 'created' });
      expect(w.jira.issues).toHaveLength(1);
    });

    it('keeps the oldest issue and names the others when the label search finds several', async () => {
      // Prepare
      // A lag far longer than the two attempts take, so the second attempt's search cannot see the first issue.
      const searchLagMs = 4_000;
      world = await startBridgeWorld({ jira: { searchLagMs } });
      const w = world;
      const group = w.newGroup();
      await deliver(worker(w, group, { links: dyingAfterCreate(w.links) }), { maxAttempts: 1 });
      // A lease shorter than the search lag (a misconfiguration): the second attempt's search misses the first issue.
      w.clock.advance(LEASE_MS + 1);
      await deliver(worker(w, group, { links: dyingAfterCreate(w.links) }), { maxAttempts: 1 });
      const [oldest, duplicate] = w.jira.issues;
      w.clock.advance(LEASE_MS + 1);
      await sleep(Math.max(0, duplicate!.created + searchLagMs + 100 - Date.now()));

      // Act
      const redelivered = await deliver(worker(w, group), { maxAttempts: 1 });

      // Assess
      expect(redelivered.result).toEqual({ outcome: 'recovered', issueKey: oldest!.key, issueId: oldest!.id, duplicates: [duplicate!.key], link: expect.objectContaining({ status: 'linked', issueId: oldest!.id, issueKey: oldest!.key }), token: expect.any(String), row: expect.objectContaining({ state: 'in-progress' }) });
      expect(w.jira.issues).toHaveLength(2);
      expect(w.log.lines).toContainEqual(
        expect.objectContaining({ level: 'error', extra: expect.objectContaining({ kept: oldest!.key, duplicates: [duplicate!.key] }) }),
      );
      expect(await w.links.get(INTEGRATION_NAME, group.fingerprint)).toMatchObject({ status: 'linked', issueKey: oldest!.key });
    });
  });

  describe('when a worker outlives its lease', () => {
    it('stops without linking, and names the duplicate it created for the admin', async () => {
      // Prepare
      // Search never catches up within the test, so the next worker cannot adopt the slow one's issue, however late it lands.
      world = await startBridgeWorld({ jiraTimeoutMs: 20_000, jira: { searchLagMs: 600_000 } });
      const w = world;
      const group = w.newGroup();
      w.jira.failNext({ method: 'POST', path: /\/rest\/api\/2\/issue$/, delayMs: 3_000 });
      const slow = deliver(worker(w, group), { maxAttempts: 1 });
      await waitFor(() => issueCreations(w).length === 1, 'the slow worker to send its create');

      // Act
      // The slow worker's lease runs out mid-request (a lease shorter than the worker's run: a misconfiguration).
      w.clock.advance(LEASE_MS + 1);
      const next = await deliver(worker(w, group), { maxAttempts: 1 });
      const late = await slow;

      // Assess
      expect(next.result?.outcome).toBe('created');
      expect(late.result?.outcome).toBe('superseded');
      expect(w.jira.issues).toHaveLength(2);
      expect(await w.links.get(INTEGRATION_NAME, group.fingerprint)).toMatchObject({ status: 'linked', issueKey: next.result!.issueKey });
      expect(w.log.lines).toContainEqual(
        expect.objectContaining({ level: 'error', message: expect.stringContaining(`delete ${late.result!.issueKey}`) }),
      );
    });
  });

  describe('for a group already linked', () => {
    it('makes no Jira request at all', async () => {
      // Prepare
      world = await startBridgeWorld();
      const w = world;
      const group = w.newGroup();
      const first = await deliver(worker(w, group));
      const jiraBefore = w.jira.requests.length;
      const backtraceWritesBefore = w.backtraceFake.requests.filter((r) => r.path === '/api/issue').length;

      // Act
      const repeat = await deliver(worker(w, group));

      // Assess
      expect(first.result?.outcome).toBe('created');
      expect(repeat.result).toEqual({ outcome: 'already-linked', issueKey: first.result!.issueKey, issueId: first.result!.issueId, link: await w.links.get(INTEGRATION_NAME, group.fingerprint) });
      expect(w.jiraRequestsSince(jiraBefore)).toEqual([]);
      expect(w.backtraceFake.requests.filter((r) => r.path === '/api/issue')).toHaveLength(backtraceWritesBefore);
    });

    it('attaches the Backtrace ticket on redelivery, without calling Jira, when Backtrace failed after the link was recorded', async () => {
      // Prepare
      world = await startBridgeWorld();
      const w = world;
      const group = w.newGroup();
      // The ticket write, the only Backtrace call after the link is recorded (the row is read before creating).
      w.backtraceFake.failNext({ status: 503, path: /\/api\/issue$/ });
      const failed = await deliver(worker(w, group), { maxAttempts: 1 });
      const jiraBefore = w.jira.requests.length;
      // Within the attach grace a redelivery waits (the creator may still be attaching); this one comes after it.
      w.clock.advance(ATTACH_GRACE_MS);

      // Act
      const redelivered = await deliver(worker(w, group), { maxAttempts: 1 });

      // Assess
      expect(failed.error).toBeInstanceOf(RetryableError);
      const issue = w.jira.issues[0]!;
      expect(redelivered.result).toMatchObject({ outcome: 'already-linked', issueKey: issue.key });
      expect(w.jiraRequestsSince(jiraBefore)).toEqual([]);
      expect(w.backtraceFake.getIssue(group.universe, group.project, group.fingerprint)?.tickets).toEqual([
        { watcher: INTEGRATION_NAME, short: issue.key, url: `${w.jira.url}/browse/${issue.key}`, state: 'open' },
      ]);
      expect(await w.links.get(INTEGRATION_NAME, group.fingerprint)).toMatchObject({ ticketAttached: true });
    });
  });

  describe('attaching the ticket', () => {
    it('keeps other watchers\' entries, replaces a stale entry of ours, and keeps Backtrace\'s own entry first', async () => {
      // Prepare
      world = await startBridgeWorld();
      const w = world;
      const group = w.newGroup();
      w.backtraceFake.setIssue(group.universe, group.project, group.fingerprint, {
        tickets: [
          { watcher: 'jira-ops', short: 'OPS-7', url: 'https://ops.example.com/browse/OPS-7', state: 'in-progress' },
          { watcher: INTEGRATION_NAME, short: 'OLD-1', url: 'https://old.example.com/browse/OLD-1', state: 'resolved', assignees: [{ id: 12 }] },
          { watcher: '_backtrace', assignees: [{ id: 12 }] },
        ],
      });

      // Act
      const delivered = await deliver(worker(w, group));

      // Assess
      const key = delivered.result!.issueKey;
      expect(w.backtraceFake.getIssue(group.universe, group.project, group.fingerprint)?.tickets).toEqual([
        { watcher: '_backtrace', assignees: [{ id: 12 }] },
        { watcher: 'jira-ops', short: 'OPS-7', url: 'https://ops.example.com/browse/OPS-7', state: 'in-progress' },
        { watcher: INTEGRATION_NAME, short: key, url: `${w.jira.url}/browse/${key}`, state: 'open', assignees: [{ id: 12 }] },
      ]);
    });
  });

  describe('when Jira cannot take the issue', () => {
    const severityRequired = {
      projects: [{ id: '10000', key: 'CRASH', issueTypes: [{ id: '10004', name: 'Bug', requiredFields: ['customfield_10050'] }] }],
      fields: [{ id: 'customfield_10050', name: 'Severity', schema: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield' } }],
    };

    it('refuses permanently, naming the required field, and creates the issue at once after the config is fixed', async () => {
      // Prepare
      world = await startBridgeWorld({ jira: severityRequired });
      const w = world;
      const group = w.newGroup();

      // Act
      const refused = await deliver(worker(w, group));
      const linkAfterRefusal = await w.links.get(INTEGRATION_NAME, group.fingerprint);
      w.reconfigure({ Severity: '$environment' });
      const redriven = await deliver(worker(w, group), { maxAttempts: 1 });

      // Assess
      expect(refused.error).toBeInstanceOf(PermanentError);
      expect((refused.error as Error).message).toMatch(/Severity|customfield_10050/);
      expect(refused.attempts).toBe(1);
      // Released, not deleted: whoever comes next searches Jira before creating.
      expect(linkAfterRefusal).toMatchObject({ status: 'claimed', leaseUntil: 0 });
      expect(redriven.result).toMatchObject({ outcome: 'created' });
      expect(w.jira.issues).toHaveLength(1);
      expect(w.jira.issues[0]!.fields.customfield_10050).toBe('production');
    });

    it('refuses permanently without sending the create when the config names a field Jira does not have', async () => {
      // Prepare
      world = await startBridgeWorld({ customFields: { Hostname: '$hostname' } });
      const w = world;
      const group = w.newGroup();

      // Act
      const refused = await deliver(worker(w, group));

      // Assess
      expect(refused.error).toBeInstanceOf(PermanentError);
      expect((refused.error as Error).message).toContain('Hostname');
      expect(issueCreations(w)).toEqual([]);
      expect(await w.links.get(INTEGRATION_NAME, group.fingerprint)).toMatchObject({ status: 'claimed', leaseUntil: 0 });
    });
  });
});
