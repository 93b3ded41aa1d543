/**
 * Two-way sync end to end on the local stack (Jira Cloud dialect): the Jira sandbox's signed webhooks are wired to
 * the bridge, and the Backtrace sandbox, like Backtrace, announces nothing: a person's change there is a row change
 * the bridge's poller reads with `POST /api/query`. Every write the bridge makes therefore comes back to it, as a
 * webhook echo or as a row the next poll reads, exactly as in production. Changes on either side must settle after
 * a bounded number of calls (Jira transitions, Backtrace `/api/issue` writes, webhook deliveries), with both sides
 * agreeing; shuffled and repeated deliveries (Jira webhooks, and `fingerprint.updated` events on the optional push
 * route) must end in the newest state.
 *
 * The poll timers are off: a poll runs only in `settled()` (or `pollNow()`), so what a test counts is what its own
 * change caused.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import type { FakeIssue, JiraFake } from '../../infra/local/sandboxes/jira/jira-fake.ts';
import type { BacktraceFake } from '../../infra/local/sandboxes/backtrace/backtrace-fake.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, any>;
const secrets = JSON.parse(readFileSync(new URL('../../infra/local/local.secrets.json', import.meta.url), 'utf8')) as Record<string, string>;
const webhookCredentials = JSON.parse(secrets['local/webhook-basic-auth']) as { username: string; password: string };
const authorization = `Basic ${Buffer.from(`${webhookCredentials.username}:${webhookCredentials.password}`).toString('base64')}`;
const webhookSecret = secrets['local/jira-webhook-secret'];
const UNIVERSE = 'my_universe';
const PROJECT = 'my_project';
const WATCHER = 'local-jira';

const ana = { id: 7, username: 'ana', email: 'ana@example.com' };
const harper = { id: 9, username: 'harper', email: 'harper@example.com' };
const ANA_ACCOUNT = '5b10ac8d82e05b22cc7d4ef5';

let stack: LocalStack;
let jira: JiraFake;
let backtrace: BacktraceFake;

async function postEvent(body: unknown) {
  const response = await fetch(`${stack.url}/backtrace/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function postJiraWebhook(rawBody: string) {
  const response = await fetch(`${stack.url}/jira/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-atlassian-webhook-identifier': randomUUID(),
      'x-hub-signature': `sha256=${createHmac('sha256', webhookSecret).update(rawBody).digest('hex')}`,
    },
    body: rawBody,
  });
  return response.status;
}

/** A new error group, turned into a Jira issue; returns its fingerprint and issue. */
async function linkedGroup(): Promise<{ fingerprint: string; issue: FakeIssue }> {
  const fingerprint = randomBytes(32).toString('hex');
  expect((await postEvent({ ...sample, fingerprint })).status).toBe(202);
  await workersIdle(); // so no poll reads the link while its first sync runs
  await stack.settled();
  const issue = jira.issues.find((candidate) => (candidate.fields.description as string).includes(fingerprint));
  expect(issue).toBeDefined();
  return { fingerprint, issue: issue! };
}

/** Every queued message handled and every webhook delivered, without a poll: what the bridge did so far on its own. */
async function workersIdle(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await jira.webhooksIdle();
    await Promise.all([stack.poller.idle(), stack.jiraChangesPoller.idle()]);
  }
}

const row = (fingerprint: string) => backtrace.getIssue(UNIVERSE, PROJECT, fingerprint)!;
const ours = (fingerprint: string) => row(fingerprint).tickets.find((ticket) => ticket.watcher === WATCHER);
const assigneesOf = (fingerprint: string) => row(fingerprint).tickets.find((ticket) => ticket.watcher === '_backtrace')?.assignees ?? [];
const issueWrites = () => backtrace.requestsTo('/api/issue').length;
const transitionsSince = (since: number) => jira.requests.slice(since).filter((request) => request.method === 'POST' && request.path.endsWith('/transitions'));
/** What the bridge's traffic adds up to: Jira calls, Backtrace writes, webhook deliveries (polls only read). */
const traffic = () => ({
  webhooks: jira.webhookDeliveries.length,
  jiraRequests: jira.requests.length,
  jiraTransitions: transitionsSince(0).length,
  backtraceWrites: issueWrites(),
});

beforeAll(async () => {
  stack = await startLocalStack({ openApiValidation: true, pollTimers: false, log: () => undefined });
  jira = stack.jiraSandbox!;
  backtrace = stack.backtraceSandbox!;
});

afterAll(async () => {
  await stack?.stop();
});

describe('Two-way sync (Jira Cloud): no ping-pong, both sides agree', () => {
  it('leaves a new issue in its first status although Backtrace marks the linked fingerprint in-progress by itself', async () => {
    // Act
    const { fingerprint, issue } = await linkedGroup();

    // Assess
    expect(row(fingerprint).state).toBe('in-progress');
    expect(jira.findIssue(issue.id)!.status.category).toBe('new');
    expect(ours(fingerprint)).toMatchObject({ short: issue.key, url: `${jira.url}/browse/${issue.key}` });
    expect(jira.validationErrors).toEqual([]);
  });

  it('resolving in Backtrace moves the Jira issue to Done, and the echoes stop there', async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    const before = traffic();

    // Act: a person resolves it in Backtrace's UI; the next poll reads it
    backtrace.actAs(ana).setState(UNIVERSE, PROJECT, fingerprint, 'resolved');
    await stack.settled();

    // Assess: both sides agree, and our ticket entry shows the issue's new state
    expect(jira.findIssue(issue.id)!.status.category).toBe('done');
    expect(row(fingerprint).state).toBe('resolved');
    expect(ours(fingerprint)?.state).toBe('resolved');
    // Bounded: our one transition, its webhook echo (dropped), our ticket entry's one write — and nothing after.
    const after = traffic();
    expect(after.jiraTransitions - before.jiraTransitions).toBe(1);
    expect(after.webhooks - before.webhooks).toBe(1);
    expect(after.backtraceWrites - before.backtraceWrites).toBe(1);
    await stack.settled();
    expect(traffic()).toEqual(after);
    expect(jira.validationErrors).toEqual([]);
  });

  it('moving the Jira issue moves the fingerprint, keeps other tickets, and the echo stops there', async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    const other = { watcher: 'github', short: 'acme/game#12', url: 'https://github.com/acme/game/issues/12', state: 'open' as const };
    backtrace.setIssue(UNIVERSE, PROJECT, fingerprint, { tickets: [...row(fingerprint).tickets, other] });
    const start = traffic();

    // Act: a person moves it along in Jira
    jira.actAs('Ana Lima').transition(issue.key, 'In Progress');
    await stack.settled();
    const afterInProgress = { state: row(fingerprint).state, ours: ours(fingerprint)?.state };
    jira.actAs('Ana Lima').transition(issue.key, 'Done');
    await stack.settled();
    const before = traffic();
    await stack.settled();

    // Assess
    expect(afterInProgress).toEqual({ state: 'in-progress', ours: 'in-progress' });
    expect(row(fingerprint).state).toBe('resolved');
    expect(ours(fingerprint)?.state).toBe('resolved');
    expect(row(fingerprint).tickets).toContainEqual(other);
    expect(jira.findIssue(issue.id)!.status.category).toBe('done');
    // Bounded: the person's two webhooks, one Backtrace write each, no Jira write; the polls that read our writes add nothing.
    expect(before.webhooks - start.webhooks).toBe(2);
    expect(before.backtraceWrites - start.backtraceWrites).toBe(2);
    expect(jira.requests.slice(start.jiraRequests).filter((request) => request.method !== 'GET')).toEqual([]);
    expect(traffic()).toEqual(before);
  });

  it('reopening in Jira reopens the fingerprint', async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    backtrace.actAs(ana).setState(UNIVERSE, PROJECT, fingerprint, 'resolved');
    await stack.settled();
    expect(jira.findIssue(issue.id)!.status.category).toBe('done');

    // Act
    jira.actAs('Ana Lima').transition(issue.key, 'To Do');
    await stack.settled();

    // Assess
    expect(row(fingerprint).state).toBe('open');
    expect(jira.findIssue(issue.id)!.status.category).toBe('new');
  });

  it('assigns both ways by e-mail, never guesses a Cloud user whose e-mail is hidden, and unassigns', async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();

    // Act 1: Backtrace assigns Ana (her Jira e-mail is visible)
    backtrace.actAs(ana).assign(UNIVERSE, PROJECT, fingerprint, [ana]);
    await stack.settled();
    const assignedInJira = jira.findIssue(issue.id)!.assignee?.accountId;
    const assignRequest = jira.requests.findLast((request) => request.method === 'PUT' && request.path.endsWith('/assignee'));

    // Act 2: Backtrace assigns Harper, whose Jira Cloud e-mail is hidden: skipped, not guessed
    backtrace.actAs(ana).assign(UNIVERSE, PROJECT, fingerprint, [harper]);
    await stack.settled();
    const afterHidden = jira.findIssue(issue.id)!.assignee?.accountId;

    // Act 3: Jira unassigns, then assigns Ana: Backtrace follows (the bridge learned Ana, with her e-mail, from the
    // `_backtrace` assignees on the row its poller read in Act 1)
    jira.actAs('Ana Lima').assign(issue.key, null);
    await stack.settled();
    const unassignedInBacktrace = assigneesOf(fingerprint);
    jira.actAs('Ana Lima').assign(issue.key, 'Ana Lima');
    await stack.settled();
    const backInBacktrace = assigneesOf(fingerprint).map((assignee) => assignee.id);

    // Act 4: Backtrace unassigns: Jira follows
    backtrace.actAs(ana).assign(UNIVERSE, PROJECT, fingerprint, []);
    await stack.settled();

    // Assess
    expect(assignedInJira).toBe(ANA_ACCOUNT);
    expect(assignRequest?.body).toEqual({ accountId: ANA_ACCOUNT });
    expect(afterHidden).toBe(ANA_ACCOUNT);
    expect(unassignedInBacktrace).toEqual([]);
    expect(backInBacktrace).toEqual([ana.id]);
    expect(jira.findIssue(issue.id)!.assignee).toBeNull();
    expect(assigneesOf(fingerprint)).toEqual([]);
    expect(jira.validationErrors).toEqual([]);
  });
});

describe('Two-way sync (Jira Cloud): only what changed in Jira is applied', () => {
  it('a comment on the issue leaves a muted, assigned fingerprint as it is', async () => {
    // Prepare: assigned in Backtrace (so in Jira too), then muted (which Jira leaves alone by default)
    const { fingerprint, issue } = await linkedGroup();
    backtrace.actAs(ana).assign(UNIVERSE, PROJECT, fingerprint, [ana]);
    await stack.settled();
    backtrace.actAs(ana).setState(UNIVERSE, PROJECT, fingerprint, 'muted');
    await stack.settled();
    const writesBefore = issueWrites();
    const jiraBefore = jira.requests.length;

    // Act: someone comments in Jira (Cloud sends jira:issue_updated, issue_commented, no changelog)
    jira.actAs('Ana Lima').comment(issue.key, 'Seen again on 1.2.3');
    await stack.settled();

    // Assess
    expect(row(fingerprint).state).toBe('muted');
    expect(assigneesOf(fingerprint).map((assignee) => assignee.id)).toEqual([ana.id]);
    expect(jira.findIssue(issue.id)!.assignee?.accountId).toBe(ANA_ACCOUNT);
    expect(issueWrites()).toBe(writesBefore);
    expect(jira.requests.slice(jiraBefore).filter((request) => request.method !== 'GET')).toEqual([]);
  });
});

describe('Two-way sync (Jira Cloud): late, repeated and shuffled deliveries end in the newest state', () => {
  it('Backtrace -> Jira (push route): fingerprint.updated events shuffled and repeated', async () => {
    // Prepare: the fingerprint was reopened, then resolved (the row says resolved); a script posts the events of
    // those changes to the optional push route in any order, some twice
    const { fingerprint, issue } = await linkedGroup();
    backtrace.setIssue(UNIVERSE, PROJECT, fingerprint, { state: 'resolved' });
    const base = Date.now();
    const event = (state: string, offset: number) => ({ type: 'fingerprint.updated', universe: UNIVERSE, project: PROJECT, fingerprint, state, assignees: [], at: new Date(base + offset).toISOString() });
    const deliveries = [event('resolved', 3000), event('open', 1000), event('in-progress', 2000), event('open', 1000), event('resolved', 3000), event('in-progress', 2000)];
    const before = traffic();

    // Act: the pushed events alone (no poll yet), each handled before the next arrives
    for (const delivery of deliveries) {
      expect((await postEvent(delivery)).status).toBe(202);
      await workersIdle();
    }
    const pushed = { status: jira.findIssue(issue.id)!.status.category, transitions: transitionsSince(before.jiraRequests).length };
    await stack.settled();

    // Assess: Done, reached with one transition; the older and repeated events changed nothing, nor did the polls
    expect(pushed).toEqual({ status: 'done', transitions: 1 });
    expect(jira.findIssue(issue.id)!.status.category).toBe('done');
    expect(transitionsSince(before.jiraRequests)).toHaveLength(1);
    expect(ours(fingerprint)?.state).toBe('resolved');
  });

  it('Jira -> Backtrace: a delivery older than the last one applied writes nothing anywhere', async () => {
    // Prepare: two changes delivered and applied; the first delivery comes again much later (a Jira retry)
    const { fingerprint, issue } = await linkedGroup();
    const from = jira.webhookDeliveries.length;
    jira.actAs('Ana Lima').transition(issue.key, 'In Progress');
    await stack.settled();
    const old = jira.webhookDeliveries.slice(from).find((delivery) => delivery.event === 'jira:issue_updated')!.rawBody;
    jira.actAs('Ana Lima').transition(issue.key, 'Done');
    await stack.settled();
    const jiraBefore = jira.requests.length;
    const writesBefore = issueWrites();

    // Act
    expect(await postJiraWebhook(old)).toBe(200);
    await stack.settled();

    // Assess: the fingerprint keeps the newest state; the late delivery only read (the issue's current fields)
    expect(row(fingerprint).state).toBe('resolved');
    expect(jira.findIssue(issue.id)!.status.category).toBe('done');
    expect(jira.requests.slice(jiraBefore).filter((request) => request.method !== 'GET')).toEqual([]);
    expect(issueWrites()).toBe(writesBefore);
  });

  it('Jira -> Backtrace: a status change whose webhook arrives after a later assignee change is still applied', async () => {
    // Prepare: a person resolves the issue, then assigns it; Jira delivers the two webhooks the other way round
    const { fingerprint, issue } = await linkedGroup();
    const bridgeHook = { url: `${stack.url}/jira/webhook`, secret: webhookSecret };
    jira.removeWebhooks();
    jira.addWebhook({ url: 'http://127.0.0.1:9/held-back', secret: webhookSecret, maxRetries: 0 });
    const from = jira.webhookDeliveries.length;
    jira.actAs('Ana Lima').transition(issue.key, 'Done');
    jira.actAs('Ana Lima').assign(issue.key, 'Ana Lima');
    await jira.webhooksIdle();
    jira.removeWebhooks();
    jira.addWebhook(bridgeHook);
    const [statusChange, assigneeChange] = jira.webhookDeliveries.slice(from).map((delivery) => delivery.rawBody);

    // Act
    expect(await postJiraWebhook(assigneeChange!)).toBe(200);
    await stack.settled();
    expect(await postJiraWebhook(statusChange!)).toBe(200);
    await stack.settled();

    // Assess
    expect(row(fingerprint).state).toBe('resolved');
    expect(ours(fingerprint)?.state).toBe('resolved');
    expect(assigneesOf(fingerprint).map((assignee) => assignee.id)).toEqual([ana.id]);
  });

  it("Backtrace -> Jira: a person's change the bridge had not polled yet survives its write to the same fingerprint", async () => {
    // Prepare: someone assigns Ana in Backtrace, and before any poll reads it the issue is resolved in Jira, so the
    // bridge writes the fingerprint (which by then shows Ana) for the Jira change
    const { fingerprint, issue } = await linkedGroup();
    const assignedAt = Date.now();
    backtrace.actAs(ana).assign(UNIVERSE, PROJECT, fingerprint, [ana]);
    const before = traffic();
    jira.actAs('Ana Lima').transition(issue.key, 'Done');
    await workersIdle();
    const afterWebhook = { assignee: jira.findIssue(issue.id)!.assignee?.accountId, state: row(fingerprint).state };

    // Act: a script pushes the (late) event of the assignment, then the polls read the row
    const late = { type: 'fingerprint.updated', universe: UNIVERSE, project: PROJECT, fingerprint, state: 'in-progress', assignees: [ana], at: new Date(assignedAt).toISOString() };
    expect((await postEvent(late)).status).toBe(202);
    await stack.settled();

    // Assess: Ana is assigned in Jira too (by the sync of the Jira change, which read the row), the fingerprint is
    // resolved, and neither the late event nor the polls wrote anything more
    expect(afterWebhook).toEqual({ assignee: ANA_ACCOUNT, state: 'resolved' });
    expect(jira.findIssue(issue.id)!.assignee?.accountId).toBe(ANA_ACCOUNT);
    expect(jira.findIssue(issue.id)!.status.category).toBe('done');
    expect(row(fingerprint).state).toBe('resolved');
    expect(assigneesOf(fingerprint).map((assignee) => assignee.id)).toEqual([ana.id]);
    const after = traffic();
    expect(after.jiraTransitions - before.jiraTransitions).toBe(0);
    expect(jira.requests.slice(before.jiraRequests).filter((request) => request.method === 'PUT' && request.path.endsWith('/assignee'))).toHaveLength(1);
    expect(after.backtraceWrites - before.backtraceWrites).toBe(1);
  });

  it('Jira -> Backtrace: webhook deliveries shuffled and repeated', async () => {
    // Prepare: a person moves the issue through its workflow while Jira's deliveries are held back (sent to a
    // closed port), then they arrive in any order, some twice
    const { fingerprint, issue } = await linkedGroup();
    const bridgeHook = { url: `${stack.url}/jira/webhook`, secret: webhookSecret };
    jira.removeWebhooks();
    jira.addWebhook({ url: 'http://127.0.0.1:9/held-back', secret: webhookSecret, maxRetries: 0 });
    const from = jira.webhookDeliveries.length;
    for (const status of ['In Progress', 'Done', 'To Do', 'Done']) jira.actAs('Ana Lima').transition(issue.key, status);
    await jira.webhooksIdle();
    jira.removeWebhooks();
    jira.addWebhook(bridgeHook);
    const bodies = jira.webhookDeliveries.slice(from).map((delivery) => delivery.rawBody);
    const replay = [...bodies, ...bodies].sort(() => Math.random() - 0.5);
    const writesBefore = issueWrites();
    const jiraBefore = jira.requests.length;

    // Act
    for (const body of replay) expect(await postJiraWebhook(body)).toBe(200);
    await stack.settled();

    // Assess: the newest state, whatever the order; older deliveries wrote nothing
    expect(bodies).toHaveLength(4);
    expect(jira.findIssue(issue.id)!.status.category).toBe('done');
    expect(row(fingerprint).state).toBe('resolved');
    expect(ours(fingerprint)?.state).toBe('resolved');
    expect(issueWrites() - writesBefore).toBe(1);
    expect(jira.requests.slice(jiraBefore).filter((request) => request.method !== 'GET')).toEqual([]);
  });
});
