/**
 * Two-way sync end to end on the local stack (Jira Cloud dialect): the Jira sandbox's signed webhooks and the
 * Backtrace sandbox's change feed are wired to the bridge, so every write the bridge makes comes back to it as an
 * echo, exactly as in production. Changes on either side must settle after a bounded number of calls, with both
 * sides agreeing; shuffled and repeated deliveries must end in the newest state.
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
  await stack.settled();
  const issue = jira.issues.find((candidate) => (candidate.fields.description as string).includes(fingerprint));
  expect(issue).toBeDefined();
  return { fingerprint, issue: issue! };
}

const row = (fingerprint: string) => backtrace.getIssue(UNIVERSE, PROJECT, fingerprint)!;
const ours = (fingerprint: string) => row(fingerprint).tickets.find((ticket) => ticket.watcher === WATCHER);
const assigneesOf = (fingerprint: string) => row(fingerprint).tickets.find((ticket) => ticket.watcher === '_backtrace')?.assignees ?? [];
const traffic = () => ({ webhooks: jira.webhookDeliveries.length, changes: backtrace.changeDeliveries.length, jiraRequests: jira.requests.length });

beforeAll(async () => {
  stack = await startLocalStack({ openApiValidation: true, log: () => undefined });
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
    expect(jira.findIssue(issue.id)!.status.category).toBe('new');
    expect(ours(fingerprint)).toMatchObject({ short: issue.key, url: `${jira.url}/browse/${issue.key}` });
    expect(jira.validationErrors).toEqual([]);
  });

  it('resolving in Backtrace moves the Jira issue to Done, and the echoes stop there', async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    const before = traffic();

    // Act
    backtrace.actAs(ana).setState(UNIVERSE, PROJECT, fingerprint, 'resolved');
    await stack.settled();

    // Assess: both sides agree, and our ticket entry shows the issue's new state
    expect(jira.findIssue(issue.id)!.status.category).toBe('done');
    expect(row(fingerprint).state).toBe('resolved');
    expect(ours(fingerprint)?.state).toBe('resolved');
    // Bounded: the person's change, our one transition, its webhook echo (dropped) — and nothing after.
    const after = traffic();
    expect(after.changes - before.changes).toBeLessThanOrEqual(2);
    expect(after.webhooks - before.webhooks).toBeLessThanOrEqual(2);
    const transitions = jira.requests.slice(before.jiraRequests).filter((request) => request.method === 'POST' && request.path.endsWith('/transitions'));
    expect(transitions).toHaveLength(1);
    await stack.settled();
    expect(traffic()).toEqual(after);
    expect(jira.validationErrors).toEqual([]);
  });

  it('moving the Jira issue moves the fingerprint, keeps other tickets, and the echo stops there', async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    const other = { watcher: 'github', short: 'acme/game#12', url: 'https://github.com/acme/game/issues/12', state: 'open' as const };
    backtrace.setIssue(UNIVERSE, PROJECT, fingerprint, { tickets: [...row(fingerprint).tickets, other] });

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
    expect(traffic()).toEqual(before);
  });

  it('reopening in Jira reopens the fingerprint', async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    backtrace.actAs(ana).setState(UNIVERSE, PROJECT, fingerprint, 'resolved');
    await stack.settled();

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

    // Act 3: Jira unassigns, then assigns Ana: Backtrace follows (Ana is known from Backtrace's events)
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
    const writesBefore = backtrace.requests.filter((request) => request.path === '/api/issue').length;

    // Act: someone comments in Jira (Cloud sends jira:issue_updated, issue_commented, no changelog)
    jira.actAs('Ana Lima').comment(issue.key, 'Seen again on 1.2.3');
    await stack.settled();

    // Assess
    expect(row(fingerprint).state).toBe('muted');
    expect(assigneesOf(fingerprint).map((assignee) => assignee.id)).toEqual([ana.id]);
    expect(backtrace.requests.filter((request) => request.path === '/api/issue').length).toBe(writesBefore);
  });
});

describe('Two-way sync (Jira Cloud): late, repeated and shuffled deliveries end in the newest state', () => {
  it('Backtrace -> Jira: fingerprint.updated events shuffled and repeated', async () => {
    // Prepare: the fingerprint was reopened, then resolved; its events arrive in any order, some twice
    const { fingerprint, issue } = await linkedGroup();
    backtrace.setChangeEvents(undefined);
    backtrace.setIssue(UNIVERSE, PROJECT, fingerprint, { state: 'resolved' });
    const base = Date.now();
    const event = (state: string, offset: number) => ({ type: 'fingerprint.updated', universe: UNIVERSE, project: PROJECT, fingerprint, state, assignees: [], at: new Date(base + offset).toISOString() });
    const deliveries = [event('resolved', 3000), event('open', 1000), event('in-progress', 2000), event('open', 1000), event('resolved', 3000), event('in-progress', 2000)];
    const before = jira.requests.length;

    // Act
    for (const delivery of deliveries) expect((await postEvent(delivery)).status).toBe(202);
    await stack.settled();

    // Assess: Done, reached with one transition; the older and repeated events changed nothing
    expect(jira.findIssue(issue.id)!.status.category).toBe('done');
    const transitions = jira.requests.slice(before).filter((request) => request.method === 'POST' && request.path.endsWith('/transitions'));
    expect(transitions).toHaveLength(1);
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
    const backtraceBefore = backtrace.requests.length;

    // Act
    expect(await postJiraWebhook(old)).toBe(200);
    await stack.settled();

    // Assess: the fingerprint keeps the newest state; the late delivery only read (the issue's current fields)
    expect(row(fingerprint).state).toBe('resolved');
    expect(jira.requests.slice(jiraBefore).filter((request) => request.method !== 'GET')).toEqual([]);
    expect(backtrace.requests.slice(backtraceBefore).filter((request) => request.path === '/api/issue')).toEqual([]);
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
  });

  it('Backtrace -> Jira: a person\'s change that arrives after the bridge wrote the same fingerprint is no echo', async () => {
    // Prepare: someone assigns Ana in Backtrace, but that event is held back; meanwhile the issue is resolved in Jira
    // and the bridge writes the fingerprint (which by then shows Ana as well)
    const { fingerprint, issue } = await linkedGroup();
    const feed = { url: `${stack.url}/backtrace/events`, basicAuth: webhookCredentials };
    backtrace.setChangeEvents({ url: 'http://127.0.0.1:9/held-back', basicAuth: webhookCredentials, maxRetries: 0 });
    const from = backtrace.changeDeliveries.length;
    backtrace.actAs(ana).assign(UNIVERSE, PROJECT, fingerprint, [ana]);
    await backtrace.changesIdle();
    const heldBack = backtrace.changeDeliveries.slice(from).map((delivery) => delivery.rawBody);
    backtrace.setChangeEvents(feed);
    jira.actAs('Ana Lima').transition(issue.key, 'Done');
    await stack.settled();

    // Act: the held-back assignment arrives
    for (const body of heldBack) expect((await postEvent(JSON.parse(body))).status).toBe(202);
    await stack.settled();

    // Assess: Ana is assigned in Jira too
    expect(jira.findIssue(issue.id)!.assignee?.accountId).toBe(ANA_ACCOUNT);
    expect(row(fingerprint).state).toBe('resolved');
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
    const writesBefore = backtrace.requests.filter((request) => request.path === '/api/issue').length;

    // Act
    for (const body of replay) expect(await postJiraWebhook(body)).toBe(200);
    await stack.settled();

    // Assess: the newest state, whatever the order; older deliveries wrote nothing
    expect(bodies).toHaveLength(4);
    expect(jira.findIssue(issue.id)!.status.category).toBe('done');
    expect(row(fingerprint).state).toBe('resolved');
    expect(backtrace.requests.filter((request) => request.path === '/api/issue').length - writesBefore).toBeLessThanOrEqual(1);
  });
});
