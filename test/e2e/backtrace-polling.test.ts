/**
 * Backtrace -> Jira by polling, end to end on the local stack (Jira Cloud dialect). Backtrace announces no change to
 * a fingerprint, so no event is posted here: a person's action in the Backtrace sandbox only changes the row, and the
 * bridge's poller, on its timer (`pollIntervalSeconds: 1`), reads it with `POST /api/query` and moves the Jira issue.
 * What a user sees is checked in both tools; so is what polling costs: an idle cycle makes no Jira call and
 * ceil(linked / 100) Backtrace queries, and one change among 1,000 linked fingerprints makes one Jira write.
 *
 * Three stacks, one after the other (each starts with an empty table and its own sandboxes): the default config on
 * its poll timer; the default config with `sync.stateMap.toJira.muted` set to a status; and 1,000 links, where the
 * cycles are run by the test (`pollNow()`) so each one can be counted on its own.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import type { FakeIssue, JiraFake } from '../../infra/local/sandboxes/jira/jira-fake.ts';
import type { BacktraceFake } from '../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { agreeByDefaultMap, DEFAULT_TO_BACKTRACE } from './support/default-state-map.ts';
import { localIntegration, writeStackFiles, type StackFiles } from './support/stack-files.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, any>;
const secrets = JSON.parse(readFileSync(new URL('../../infra/local/local.secrets.json', import.meta.url), 'utf8')) as Record<string, string>;
const groupCredentials = JSON.parse(secrets['local/webhook-basic-auth']) as { username: string; password: string };
const authorization = `Basic ${Buffer.from(`${groupCredentials.username}:${groupCredentials.password}`).toString('base64')}`;
const UNIVERSE = 'my_universe';
const PROJECT = 'my_project';
const WATCHER = 'local-jira';
/** Within this long of a person's change in Backtrace, the poll timer (every second) has carried it to Jira. */
const WITHIN_MS = 5_000;
/** settled()'s deadline, and the tests' timeout above it. */
const SETTLE_MS = 150_000;
const TEST_MS = 200_000;

const ana = { id: 7, username: 'ana', email: 'ana@example.com' };
const ANA_ACCOUNT = '5b10ac8d82e05b22cc7d4ef5';

/** One running stack and the helpers that act on it. */
function harness() {
  const h = {
    stack: undefined as unknown as LocalStack,
    get jira(): JiraFake {
      return h.stack.jiraSandbox!;
    },
    get backtrace(): BacktraceFake {
      return h.stack.backtraceSandbox!;
    },
    async postGroup(fingerprint: string): Promise<void> {
      const response = await fetch(`${h.stack.url}/backtrace/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ ...sample, fingerprint }),
      });
      expect(response.status).toBe(202);
    },
    /** A new error group, turned into a Jira issue and linked. */
    async linkedGroup(): Promise<{ fingerprint: string; issue: FakeIssue }> {
      const fingerprint = randomBytes(32).toString('hex');
      await h.postGroup(fingerprint);
      // The worker first, so settled()'s poll does not read the link while its first sync runs; and a deadline long
      // enough for a timer's poll that did: the change it queued waits out the sync lease (see the report).
      await h.stack.poller.idle();
      await h.stack.settled({ timeoutMs: SETTLE_MS });
      const issue = h.issueOf(fingerprint);
      expect(issue, 'the bridge created a Jira issue for the group').toBeDefined();
      return { fingerprint, issue: issue! };
    },
    issueOf: (fingerprint: string) => h.jira.issues.find((candidate) => String(candidate.fields.description ?? '').includes(fingerprint)),
    row: (fingerprint: string) => h.backtrace.getIssue(UNIVERSE, PROJECT, fingerprint)!,
    ours: (fingerprint: string) => h.row(fingerprint).tickets.find((ticket) => ticket.watcher === WATCHER),
    jiraWrites: (since: number) => h.jira.requests.slice(since).filter((request) => request.method !== 'GET'),
    queries: () => h.backtrace.queryCount(UNIVERSE, PROJECT),
    /** The link as the local-only route shows it (what the bridge recorded of both sides). */
    async link(fingerprint: string): Promise<Record<string, any> | undefined> {
      const response = await fetch(`${h.stack.url}/local/links/${WATCHER}/${fingerprint}`);
      return response.status === 200 ? ((await response.json()) as Record<string, any>) : undefined;
    },
  };
  return h;
}

/** Waits for `check` to pass, polling every 25 ms, for at most `timeout` ms. */
const eventually = (check: () => void | Promise<void>, timeout = WITHIN_MS) => vi.waitFor(check, { timeout, interval: 25 });

describe('Polling Backtrace on the timer (default state map)', () => {
  const h = harness();
  const made: string[] = [];

  beforeAll(async () => {
    h.stack = await startLocalStack({ openApiValidation: true, pollIntervalSeconds: 1, log: () => undefined });
  });

  afterAll(async () => {
    await h.stack?.stop();
  });

  const linked = async () => {
    const group = await h.linkedGroup();
    made.push(group.fingerprint);
    return group;
  };

  it('a person resolving the fingerprint in Backtrace moves the Jira issue to Done within 5 s', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await linked();
    const cycles = h.stack.pollSchedule.cycles();
    const since = h.jira.requests.length;

    // Act: resolved in Backtrace's UI; nothing is posted to the bridge
    h.backtrace.actAs(ana).resolve(UNIVERSE, PROJECT, fingerprint);
    const changedAt = Date.now();

    // Assess: the poll timer carried it over
    await eventually(() => expect(h.jira.findIssue(issue.id)!.status.category).toBe('done'));
    expect(Date.now() - changedAt).toBeLessThan(WITHIN_MS);
    expect(h.stack.pollSchedule.cycles()).toBeGreaterThan(cycles);
    expect(h.jiraWrites(since).filter((request) => request.path.endsWith('/transitions'))).toHaveLength(1);
    await eventually(() => expect(h.ours(fingerprint)?.state).toBe('resolved'));
    expect(h.row(fingerprint).state).toBe('resolved');
    expect(h.jira.validationErrors).toEqual([]);
  });

  it('a person assigning the fingerprint in Backtrace assigns the Jira user with the same e-mail within 5 s', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await linked();
    const since = h.jira.requests.length;

    // Act
    h.backtrace.actAs(ana).assign(UNIVERSE, PROJECT, fingerprint, [ana]);

    // Assess: found by e-mail with Jira's user search, assigned by accountId
    await eventually(() => expect(h.jira.findIssue(issue.id)!.assignee?.accountId).toBe(ANA_ACCOUNT));
    const requests = h.jira.requests.slice(since);
    expect(requests.some((request) => request.method === 'GET' && request.path.endsWith('/user/search') && request.query.query === ana.email)).toBe(true);
    expect(requests.filter((request) => request.method === 'PUT' && request.path.endsWith(`/issue/${issue.id}/assignee`)).map((request) => request.body)).toEqual([{ accountId: ANA_ACCOUNT }]);
    expect(h.row(fingerprint).tickets.find((ticket) => ticket.watcher === '_backtrace')?.assignees).toEqual([ana]);
    // Assigned, the fingerprint is in-progress for real (not Backtrace's automatic state): the issue follows.
    await eventually(() => expect(agreeByDefaultMap(h.row(fingerprint).state, h.jira.findIssue(issue.id)!.status.category, h.row(fingerprint).tickets)).toBe(true), 15_000);
    expect(h.jira.validationErrors).toEqual([]);
  });

  it('a person muting the fingerprint leaves the Jira issue where it is (muted maps to "leave" by default)', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await linked();
    const status = h.jira.findIssue(issue.id)!.status.name;
    const since = h.jira.requests.length;

    // Act
    h.backtrace.actAs(ana).mute(UNIVERSE, PROJECT, fingerprint);

    // Assess: a poll read the mute (the link records it) and a few cycles later Jira is as it was
    await eventually(async () => expect((await h.link(fingerprint))?.sync?.backtrace?.state).toBe('muted'));
    const cycles = h.stack.pollSchedule.cycles();
    await eventually(() => expect(h.stack.pollSchedule.cycles()).toBeGreaterThanOrEqual(cycles + 2));
    await h.stack.settled({ timeoutMs: SETTLE_MS });
    expect(h.jira.findIssue(issue.id)!.status.name).toBe(status);
    expect(h.jiraWrites(since).filter((request) => request.path.includes(`/issue/${issue.id}`))).toEqual([]);
    expect(h.row(fingerprint).state).toBe('muted');
  });

  it('a person reopening a resolved fingerprint moves the Jira issue out of Done within 5 s, and both sides agree', { timeout: TEST_MS }, async () => {
    // Prepare: resolved in Backtrace, so Done in Jira
    const { fingerprint, issue } = await linked();
    h.backtrace.actAs(ana).resolve(UNIVERSE, PROJECT, fingerprint);
    await eventually(() => expect(h.jira.findIssue(issue.id)!.status.category).toBe('done'));
    await h.stack.settled({ timeoutMs: SETTLE_MS });
    const since = h.jira.requests.length;

    // Act: reopened in Backtrace's UI (a linked fingerprint reopens as in-progress, reference section 3.1)
    h.backtrace.actAs(ana).reopen(UNIVERSE, PROJECT, fingerprint);

    // Assess: unresolved in Jira, by one transition, and the two agree by the default state map
    await eventually(() => expect(h.jira.findIssue(issue.id)!.status.category).not.toBe('done'));
    await h.stack.settled({ timeoutMs: SETTLE_MS });
    const now = h.jira.findIssue(issue.id)!;
    expect(now.resolution).toBeNull();
    expect(h.jiraWrites(since).filter((request) => request.path.endsWith('/transitions'))).toHaveLength(1);
    expect(agreeByDefaultMap(h.row(fingerprint).state, now.status.category, h.row(fingerprint).tickets)).toBe(true);
    expect(h.ours(fingerprint)?.state).toBe(DEFAULT_TO_BACKTRACE[now.status.category]);
    expect(h.jira.validationErrors).toEqual([]);
  });

  it('idle cycles make no Jira call and one Backtrace query each (ceil(linked / 100))', { timeout: TEST_MS }, async () => {
    // Prepare: everything quiet (no pair waiting for a repair either); wait for a moment no cycle is running
    await h.stack.settled({ timeoutMs: SETTLE_MS });
    await eventually(async () => expect((await Promise.all(made.map(h.link))).filter((link) => link?.sync?.disagreeSince !== undefined)).toEqual([]), 15_000);
    await h.stack.settled({ timeoutMs: SETTLE_MS });
    await h.stack.pollSchedule.idle();
    const before = { cycles: h.stack.pollSchedule.cycles(), queries: h.queries(), jira: h.jira.requests.length, webhooks: h.jira.webhookDeliveries.length, writes: h.backtrace.requestsTo('/api/issue').length };

    // Act: let the timer run a few cycles
    await eventually(() => expect(h.stack.pollSchedule.cycles()).toBeGreaterThanOrEqual(before.cycles + 3), 10_000);
    await h.stack.pollSchedule.idle();
    const after = { cycles: h.stack.pollSchedule.cycles(), queries: h.queries(), jira: h.jira.requests.length, webhooks: h.jira.webhookDeliveries.length, writes: h.backtrace.requestsTo('/api/issue').length };

    // Assess
    const cycles = after.cycles - before.cycles;
    expect(made.length).toBeGreaterThan(0);
    expect(made.length).toBeLessThanOrEqual(100);
    expect(cycles).toBeGreaterThanOrEqual(3);
    expect(after.queries - before.queries).toBe(cycles * Math.ceil(made.length / 100));
    expect(after.jira - before.jira).toBe(0);
    expect(after.webhooks - before.webhooks).toBe(0);
    expect(after.writes - before.writes).toBe(0);
  });
});

describe('Polling Backtrace with sync.stateMap.toJira.muted set to a status', () => {
  const h = harness();
  let files: StackFiles;

  beforeAll(async () => {
    const integration = localIntegration();
    integration.sync = { ...integration.sync, stateMap: { toJira: { muted: { status: 'Done' } } } };
    files = writeStackFiles({ integrations: [integration] });
    h.stack = await startLocalStack({ configFile: files.configFile, secretsFile: files.secretsFile, openApiValidation: true, pollIntervalSeconds: 1, log: () => undefined });
  });

  afterAll(async () => {
    await h.stack?.stop();
    files?.remove();
  });

  it('a person muting the fingerprint moves the Jira issue to the configured status within 5 s', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await h.linkedGroup();
    expect(h.jira.findIssue(issue.id)!.status.name).toBe('To Do');
    const since = h.jira.requests.length;

    // Act
    h.backtrace.actAs(ana).mute(UNIVERSE, PROJECT, fingerprint);

    // Assess: moved, and the fingerprint stays muted (nobody changed Jira, so nothing flows back)
    await eventually(() => expect(h.jira.findIssue(issue.id)!.status.name).toBe('Done'));
    await h.stack.settled({ timeoutMs: SETTLE_MS });
    expect(h.jiraWrites(since).filter((request) => request.path.endsWith('/transitions'))).toHaveLength(1);
    expect(h.row(fingerprint).state).toBe('muted');
    expect(h.jira.findIssue(issue.id)!.status.name).toBe('Done');
    expect(h.jira.validationErrors).toEqual([]);
  });
});

describe('Polling 1,000 linked fingerprints', () => {
  const h = harness();
  const LINKED = 1_000;
  const fingerprints = Array.from({ length: LINKED }, () => randomBytes(32).toString('hex'));

  beforeAll(async () => {
    // The test runs the cycles (pollNow), so each is counted on its own and none reads a link while it is made.
    h.stack = await startLocalStack({ pollIntervalSeconds: 1, pollTimers: false, log: () => undefined });
    // Seeded through the bridge, as Backtrace would post the groups: 50 at a time.
    for (let start = 0; start < LINKED; start += 50) await Promise.all(fingerprints.slice(start, start + 50).map((fingerprint) => h.postGroup(fingerprint)));
    // The workers first, so no poll reads a link while its first sync runs.
    await h.stack.poller.idle({ timeoutMs: 240_000 });
    await h.stack.settled({ timeoutMs: 240_000 });
  }, 300_000);

  afterAll(async () => {
    await h.stack?.stop();
  });

  it('links every group to its own issue', () => {
    // Assess
    expect(h.jira.issues).toHaveLength(LINKED);
    expect(new Set(fingerprints.map((fingerprint) => h.ours(fingerprint)?.short)).size).toBe(LINKED);
  });

  it('an idle cycle makes no Jira call and ceil(1000 / 100) = 10 Backtrace queries', async () => {
    // Prepare
    const before = { queries: h.queries(), jira: h.jira.requests.length };

    // Act: three cycles
    const reports = [...(await h.stack.pollNow()), ...(await h.stack.pollNow()), ...(await h.stack.pollNow())];

    // Assess
    expect(reports.map((report) => ({ linked: report.linked, queries: report.queries, changes: report.changes, repairs: report.repairs }))).toEqual(
      Array.from({ length: 3 }, () => ({ linked: LINKED, queries: 10, changes: 0, repairs: 0 })),
    );
    expect(h.queries() - before.queries).toBe(30);
    expect(h.jira.requests.length - before.jira).toBe(0);
  });

  it('one fingerprint changed among 1,000 makes exactly one Jira write in the next cycle', async () => {
    // Prepare
    const fingerprint = fingerprints[Math.floor(LINKED / 2)]!;
    const issue = h.issueOf(fingerprint)!;
    const since = h.jira.requests.length;

    // Act: a person resolves one of them; the next cycle reads it
    h.backtrace.actAs(ana).resolve(UNIVERSE, PROJECT, fingerprint);
    const [report] = await h.stack.pollNow();
    await h.stack.poller.idle(); // handled before the next cycle, which would otherwise find the change again
    await h.stack.settled({ timeoutMs: SETTLE_MS });

    // Assess: one change found, one transition made, and the other 999 issues untouched
    expect(report).toMatchObject({ linked: LINKED, queries: 10, changes: 1, repairs: 0 });
    const writes = h.jiraWrites(since);
    expect(writes.map((request) => `${request.method} ${request.path}`)).toEqual([`POST /rest/api/2/issue/${issue.id}/transitions`]);
    expect(h.jira.findIssue(issue.id)!.status.category).toBe('done');
    expect(h.jira.issues.filter((candidate) => candidate.status.category !== 'new').map((candidate) => candidate.id)).toEqual([issue.id]);
    expect(h.ours(fingerprint)?.state).toBe('resolved');
  });
});
