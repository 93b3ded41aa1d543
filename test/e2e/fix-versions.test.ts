/**
 * Jira Fix Versions -> Backtrace "Resolved until", and regressions back to Jira, end to end on the local stack (Jira
 * Cloud dialect, two-way sync, `fixVersions.enabled`). What a user checks is checked in both tools: the fingerprint's
 * state and invariants in the Backtrace sandbox, the issue's status, comments and links in the Jira sandbox.
 *
 * Three stacks, one after the other: `onRegression.action` reopen (default status), comment, and new-issue with the
 * versions in a version-picker custom field. Poll timers are off: each poll is run by the test (`settled()` runs
 * cycles until nothing changes), so a regression seen by both an event and the poller can be counted.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/local-stack.ts';
import type { FakeIssue, JiraFake } from '../../infra/local/sandboxes/jira/jira-fake.ts';
import type { BacktraceFake } from '../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { localIntegration, writeStackFiles, type StackFiles } from './support/stack-files.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, any>;
const UNIVERSE = 'my_universe';
const PROJECT = 'my_project';
const WATCHER = 'local-jira';
const PERSON = 'Ana Lima';
const TEST_MS = 200_000;
const groupUrl = (fingerprint: string) => `https://my_universe.sp.backtrace.io/dashboard/my_universe/project/my_project/query-builder?filters=((fingerprint%3Dequal%3D${fingerprint}))`;

/** A version-picker custom field (the `jiraField` of the new-issue stack). */
const FIXED_IN_BUILDS = { id: 'customfield_10030', name: 'Fixed in builds', schema: { type: 'array', items: 'version', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multiversion', customId: 10030 } };

/** One running stack with `fixVersions` as given, and the helpers that act on it. */
function harness(fixVersions: Record<string, unknown>, options: Partial<LocalStackOptions> = {}) {
  let files: StackFiles;
  const h = {
    stack: undefined as unknown as LocalStack,
    authorization: '',
    get jira(): JiraFake {
      return h.stack.jiraSandbox!;
    },
    get backtrace(): BacktraceFake {
      return h.stack.backtraceSandbox!;
    },
    async start(): Promise<void> {
      files = writeStackFiles({ integrations: [{ ...localIntegration(), fixVersions: { enabled: true, versionPattern: 'app-(\\d+\\.\\d+\\.\\d+)', ...fixVersions } }] });
      const credentials = JSON.parse(files.secrets['local/webhook-basic-auth']!) as { username: string; password: string };
      h.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      h.stack = await startLocalStack({ configFile: files.configFile, secretsFile: files.secretsFile, openApiValidation: true, pollTimers: false, log: () => undefined, ...options });
      for (const name of ['app-2.3.1', 'app-2.4.0', 'app-2.4.1', 'nightly']) h.jira.actAs(PERSON).addVersion('CRASH', { name });
    },
    async stop(): Promise<void> {
      await h.stack?.stop();
      files?.remove();
    },
    /** Backtrace's webhook integration posting the group, seen in `versions` (most frequent first). */
    async postGroup(fingerprint: string, versions: string[] = ['1.2.3']): Promise<void> {
      const response = await fetch(`${h.stack.url}/backtrace/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: h.authorization },
        body: JSON.stringify({ ...sample, fingerprint, group_url: groupUrl(fingerprint), attributes: { ...sample.attributes, version: versions.map((version, i) => [version, 10 - i]) } }),
      });
      expect(response.status).toBe(202);
    },
    async linkedGroup(): Promise<{ fingerprint: string; issue: FakeIssue }> {
      const fingerprint = randomBytes(32).toString('hex');
      await h.postGroup(fingerprint);
      await h.stack.poller.idle();
      await h.stack.settled();
      const issue = h.issueOf(fingerprint);
      expect(issue, 'the bridge created a Jira issue for the group').toBeDefined();
      return { fingerprint, issue: issue! };
    },
    /** A linked group whose issue a person resolved in Jira with Fix Versions `app-2.3.1` and `app-2.4.0`. */
    async resolvedUntil240(field?: string): Promise<{ fingerprint: string; issue: FakeIssue }> {
      const group = await h.linkedGroup();
      h.jira.actAs(PERSON).setFixVersions(group.issue.key, ['app-2.3.1', 'app-2.4.0'], field ? { field } : {});
      h.jira.actAs(PERSON).transition(group.issue.key, 'Done');
      await h.stack.settled();
      expect(h.row(group.fingerprint)).toMatchObject({ state: 'resolved', invariants: [{ type: 'version_gt', field: 'version', version: '2.4.0' }] });
      return group;
    },
    issueOf: (fingerprint: string) => h.jira.issues.find((candidate) => String(candidate.fields.description ?? '').includes(fingerprint)),
    row: (fingerprint: string) => h.backtrace.getIssue(UNIVERSE, PROJECT, fingerprint)!,
    ours: (fingerprint: string) => h.row(fingerprint).tickets.find((ticket) => ticket.watcher === WATCHER),
    /** Bodies of the bridge's `POST /api/issue` writes that name the fingerprint. */
    issueWrites: (fingerprint: string) =>
      h.backtrace
        .requestsTo('/api/issue')
        .map((request) => request.body as Record<string, any>)
        .filter((body) => JSON.stringify(body).includes(fingerprint)),
    jiraWrites: (since: number) => h.jira.requests.slice(since).filter((request) => request.method !== 'GET'),
    transitions: (since: number) => h.jiraWrites(since).filter((request) => request.path.endsWith('/transitions')),
    /** Comments by the bridge's account on the issue. */
    botComments: (key: string) => h.jira.findIssue(key)!.comments.filter((comment) => comment.author.displayName !== PERSON),
    /** The issue as Jira's REST API shows it to the bridge's account. */
    async restIssue(key: string): Promise<Record<string, any>> {
      const token = files.secrets['local/jira-api-token']!;
      const response = await fetch(`${h.jira.apiUrl}issue/${key}`, { headers: { authorization: `Basic ${Buffer.from(`bot@example.com:${token}`).toString('base64')}` } });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, any>;
    },
  };
  return h;
}

describe('Fix Versions, onRegression reopen (default status)', () => {
  const h = harness({});

  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('resolving the Jira issue with Fix Versions app-2.3.1, app-2.4.0 and nightly makes the fingerprint resolved until 2.4.0, in one write', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await h.linkedGroup();
    const writes = h.issueWrites(fingerprint).length;

    // Act: a person sets the Fix Versions, then moves the issue to Done
    h.jira.actAs(PERSON).setFixVersions(issue.key, ['app-2.3.1', 'app-2.4.0', 'nightly']);
    h.jira.actAs(PERSON).transition(issue.key, 'Done');
    await h.stack.settled();

    // Assess: Backtrace shows "Resolved until 2.4.0" ('nightly' is not a version the pattern reads, and is skipped)
    expect(h.row(fingerprint)).toMatchObject({ state: 'resolved', invariants: [{ type: 'version_gt', field: 'version', version: '2.4.0' }] });
    expect(h.ours(fingerprint)?.state).toBe('resolved');
    const written = h.issueWrites(fingerprint).slice(writes);
    expect(written.filter((body) => JSON.stringify(body).includes('version_gt'))).toHaveLength(1);
    expect(written[0]).toMatchObject({
      fingerprint: [fingerprint],
      state: 'resolved',
      invariants: { action: 'set', value: [{ type: 'version_gt', field: 'version', version: '2.4.0' }] },
    });
    expect(h.jira.validationErrors).toEqual([]);
  });

  it('done without Fix Versions resolves the fingerprint with no invariant', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await h.linkedGroup();

    // Act
    h.jira.actAs(PERSON).transition(issue.key, 'Done');
    await h.stack.settled();

    // Assess
    expect(h.row(fingerprint).state).toBe('resolved');
    expect(h.row(fingerprint).invariants ?? []).toEqual([]);
  });

  it('Fix Versions changed while done move the resolved-until version', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await h.resolvedUntil240();

    // Act
    h.jira.actAs(PERSON).setFixVersions(issue.key, ['app-2.4.0', 'app-2.4.1']);
    await h.stack.settled();

    // Assess
    expect(h.row(fingerprint)).toMatchObject({ state: 'resolved', invariants: [{ type: 'version_gt', field: 'version', version: '2.4.1' }] });
  });

  it('a crash in 2.3.9, below the resolved-until version, changes nothing in either tool', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await h.resolvedUntil240();
    const since = h.jira.requests.length;
    const writes = h.issueWrites(fingerprint).length;

    // Act: Backtrace ingests the crash (its invariant does not match) and the webhook integration posts the group
    expect(h.backtrace.reportError(UNIVERSE, PROJECT, fingerprint, { version: '2.3.9' })).toBe(false);
    await h.postGroup(fingerprint, ['2.3.9']);
    await h.stack.settled();

    // Assess
    expect(h.row(fingerprint)).toMatchObject({ state: 'resolved', invariantReopenCount: 0 });
    expect(h.jira.findIssue(issue.key)!.status.category).toBe('done');
    expect(h.jiraWrites(since)).toEqual([]);
    expect(h.issueWrites(fingerprint).length).toBe(writes);
  });

  it('a crash in 2.4.1 reopens the Jira issue once, with one comment naming 2.4.1, though the event and the poller both see it', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await h.resolvedUntil240();
    const since = h.jira.requests.length;
    const writes = h.issueWrites(fingerprint).length;

    // Act: Backtrace reopens the fingerprint (count 1); its webhook posts the group while a poll cycle runs
    expect(h.backtrace.reportError(UNIVERSE, PROJECT, fingerprint, { version: '2.4.1' })).toBe(true);
    await Promise.all([h.postGroup(fingerprint, ['2.4.1', '2.3.1']), h.stack.pollNow()]);
    await h.stack.settled();
    await h.stack.settled();

    // Assess: back in the first status of the "new" category, one transition, one comment
    const reopened = h.jira.findIssue(issue.key)!;
    expect(reopened.status).toMatchObject({ name: 'To Do', category: 'new' });
    expect(reopened.resolution).toBeNull();
    expect(h.transitions(since)).toHaveLength(1);
    const comments = h.botComments(issue.key);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Regressed in 2.4.1 (resolved until 2.4.0)');
    expect(comments[0]!.body).toContain(groupUrl(fingerprint));
    // Backtrace keeps it open (count 1) and the ticket entry follows the issue; our reopen's webhook is dropped as
    // our echo, not taken for a person's reopen (which would clear the invariants)
    expect(h.row(fingerprint)).toMatchObject({ invariantReopenCount: 1, invariants: [{ type: 'version_gt', field: 'version', version: '2.4.0' }] });
    expect(h.issueWrites(fingerprint).slice(writes).filter((body) => 'state' in body || 'invariants' in body)).toEqual([]);
    expect(['open', 'in-progress']).toContain(h.row(fingerprint).state);
    expect(h.ours(fingerprint)?.state).toBe('open');
    expect(h.jira.validationErrors).toEqual([]);
  });

  it('a regression the poller alone sees comments with the resolved-until version', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await h.resolvedUntil240();

    // Act: reopened in Backtrace; no webhook integration posts (it may be filtered or off)
    expect(h.backtrace.reportError(UNIVERSE, PROJECT, fingerprint, { version: '3.0.0' })).toBe(true);
    await h.stack.settled();

    // Assess
    expect(h.jira.findIssue(issue.key)!.status.category).toBe('new');
    const comments = h.botComments(issue.key);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('resolved until 2.4.0');
  });

  it('a second regression after the issue was resolved again acts once more', { timeout: TEST_MS }, async () => {
    // Prepare: regressed once, then fixed in app-2.4.1
    const { fingerprint, issue } = await h.resolvedUntil240();
    expect(h.backtrace.reportError(UNIVERSE, PROJECT, fingerprint, { version: '2.4.1' })).toBe(true);
    await h.stack.settled();
    h.jira.actAs(PERSON).setFixVersions(issue.key, ['app-2.4.1']);
    h.jira.actAs(PERSON).transition(issue.key, 'Done');
    await h.stack.settled();
    expect(h.row(fingerprint)).toMatchObject({ state: 'resolved', invariants: [{ type: 'version_gt', field: 'version', version: '2.4.1' }] });

    // Act: back again in 2.5.0
    expect(h.backtrace.reportError(UNIVERSE, PROJECT, fingerprint, { version: '2.5.0' })).toBe(true);
    await h.postGroup(fingerprint, ['2.5.0']);
    await h.stack.settled();

    // Assess
    expect(h.jira.findIssue(issue.key)!.status.category).toBe('new');
    expect(h.row(fingerprint).invariantReopenCount).toBe(2);
    const bodies = h.botComments(issue.key).map((comment) => comment.body);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toContain('Regressed in 2.5.0 (resolved until 2.4.1)');
  });

  it('a person reopening the Jira issue clears the invariants', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await h.resolvedUntil240();

    // Act
    h.jira.actAs(PERSON).transition(issue.key, 'To Do');
    await h.stack.settled();

    // Assess: open again, no longer "resolved until"; a later crash in any version reopens nothing more
    expect(['open', 'in-progress']).toContain(h.row(fingerprint).state);
    expect(h.row(fingerprint).invariants ?? []).toEqual([]);
    expect(h.botComments(issue.key)).toEqual([]);
  });
});

describe('Fix Versions, onRegression comment', () => {
  const h = harness({ onRegression: { action: 'comment', comment: 'Seen again in $version (fixed until $resolvedUntil), fingerprint $fingerprint' } });

  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('comments once, leaves the issue done, and the poller leaves the pair apart', { timeout: TEST_MS }, async () => {
    // Prepare
    const { fingerprint, issue } = await h.resolvedUntil240();
    const since = h.jira.requests.length;

    // Act
    expect(h.backtrace.reportError(UNIVERSE, PROJECT, fingerprint, { version: '2.4.1' })).toBe(true);
    await h.postGroup(fingerprint, ['2.4.1']);
    await h.stack.settled();
    await h.stack.pollNow();
    await h.stack.settled();

    // Assess
    expect(h.jira.findIssue(issue.key)!.status.category).toBe('done');
    expect(h.transitions(since)).toEqual([]);
    expect(h.botComments(issue.key).map((comment) => comment.body)).toEqual([`Seen again in 2.4.1 (fixed until 2.4.0), fingerprint ${fingerprint}`]);
    expect(h.row(fingerprint)).toMatchObject({ state: 'open', invariantReopenCount: 1 });
    expect(h.jira.validationErrors).toEqual([]);
  });
});

describe('Fix Versions in a version-picker custom field, onRegression new-issue', () => {
  const h = harness({ jiraField: 'Fixed in builds', onRegression: { action: 'new-issue' } }, { jiraFields: [FIXED_IN_BUILDS] });

  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('reads the custom field, and files one new issue related to the old one, moving the link and the ticket entry to it', { timeout: TEST_MS }, async () => {
    // Prepare: the versions are set in "Fixed in builds", not in Fix Versions
    const { fingerprint, issue } = await h.resolvedUntil240('Fixed in builds');
    expect(h.jira.findIssue(issue.key)!.fields.fixVersions ?? []).toEqual([]);

    // Act
    expect(h.backtrace.reportError(UNIVERSE, PROJECT, fingerprint, { version: '2.4.1' })).toBe(true);
    await Promise.all([h.postGroup(fingerprint, ['2.4.1']), h.stack.pollNow()]);
    await h.stack.settled();
    await h.stack.settled();

    // Assess: one new issue, relating to the old one, which stays done
    const created = h.jira.issues.filter((candidate) => candidate.id !== issue.id && String(candidate.fields.summary).startsWith('Regression in 2.4.1'));
    expect(created).toHaveLength(1);
    const regression = created[0]!;
    expect(String(regression.fields.summary)).toBe(`Regression in 2.4.1: ${String(issue.fields.summary)}`);
    expect(h.jira.findIssue(issue.key)!.status.category).toBe('done');
    const links = (await h.restIssue(regression.key)).fields.issuelinks as Array<Record<string, any>>;
    expect(links).toHaveLength(1);
    expect(links[0]!.type.name).toBe('Relates');
    expect(links[0]!.outwardIssue?.key ?? links[0]!.inwardIssue?.key).toBe(issue.key);
    // Backtrace's ticket entry and the bridge's link now name the new issue
    expect(h.ours(fingerprint)).toMatchObject({ short: regression.key });
    const link = (await (await fetch(`${h.stack.url}/local/links/${WATCHER}/${fingerprint}`)).json()) as Record<string, any>;
    expect(link.issueKey).toBe(regression.key);
    expect(h.jira.validationErrors).toEqual([]);
  });
});
