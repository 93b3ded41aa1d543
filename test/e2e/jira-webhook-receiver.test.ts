/**
 * Jira -> Backtrace end to end on the local stack, Jira Data Center dialect (users with name/key/e-mail, the
 * classic workflow whose "Resolve Issue" screen requires a resolution). Real Jira Server webhook bodies
 * (test/fixtures/jira-webhooks/, captured by jenkinsci/jira-trigger-plugin) are POSTed byte for byte, signed as
 * Jira signs; the Jira sandbox's own signed webhooks are wired to the bridge as well, and a person's change in the
 * Backtrace sandbox is a row change the bridge's poller reads (Backtrace announces nothing), so UI changes on either
 * side travel the production path. The poll timers are off: a Backtrace change is seen by the poll the test runs
 * (`pollNow()`, or the ones `settled()` runs), so what a test counts is what its own change caused.
 * One local stack per file: the handler modules keep per-cold-start state, as in Lambda.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINKS_TABLE_NAME, startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import { DynamoDbLinkStore } from '../../shared/adapters/dynamodb/link-store.ts';
import type { LinkSyncState } from '../../shared/domain/model/link.ts';
import type { FakeIssue, FakeUser, JiraFake, RecordedRequest } from '../../infra/local/sandboxes/jira/jira-fake.ts';
import type { BacktraceFake, Ticket, TicketAssignee } from '../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { deliverJiraWebhook, hubSignature } from './support/jira-webhook-delivery.ts';
import { localIntegration, writeStackFiles, type StackFiles } from './support/stack-files.ts';

/**
 * A captured delivery, byte for byte except its `timestamp`, set to now as Jira would send it today: a 2016
 * timestamp is past jiraWebhook.replayWindowSeconds and would be dropped as a replay.
 */
const fixture = (name: string): Buffer =>
  Buffer.from(readFileSync(new URL(`../fixtures/jira-webhooks/${name}`, import.meta.url), 'utf8').replace(/"timestamp": \d+/, `"timestamp": ${Date.now()}`), 'utf8');
const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, any>;

const WATCHER = 'dc-jira';
const UNIVERSE = 'my_universe';
const PROJECT = 'my_project';
const WEBHOOK_SECRET_NAME = 'dc/jira-webhook-secret';
const WEBHOOK_SECRET = 'dc-webhook-secret-for-tests';
/** Not the Resolve Issue screen's first resolution ("Fixed"), so the configured one is seen to be used. */
const CONFIGURED_RESOLUTION = "Won't Fix";

/** The Data Center site's people: the bridge's own account, the fixtures' `admin`, and two colleagues. */
const jiraUsers: FakeUser[] = [
  { name: 'bridge-bot', key: 'JIRAUSER10000', displayName: 'Backtrace Bridge', emailAddress: 'bridge-bot@example.com' },
  { name: 'admin', key: 'admin', displayName: 'admin', emailAddress: 'admin@example.com' },
  { name: 'ana', key: 'JIRAUSER10100', displayName: 'Ana Lima', emailAddress: 'ana@example.com' },
  { name: 'harper', key: 'JIRAUSER10101', displayName: 'Harper Quinn', emailAddress: 'harper@example.com' },
];

/**
 * Backtrace users. Admin and Harper are paired in sync.users; Ana is found by e-mail once the bridge has seen her
 * (the `_backtrace` assignees on the rows its poller reads carry id, username and e-mail).
 */
const adminInBacktrace: TicketAssignee = { id: 1, username: 'admin', email: 'admin@example.com' };
const anaInBacktrace: TicketAssignee = { id: 12, username: 'ana', email: 'ana@example.com' };
const harperInBacktrace: TicketAssignee = { id: 31, username: 'hquinn' };

let files: StackFiles;
let stack: LocalStack;
let jira: JiraFake;
let backtrace: BacktraceFake;
let links: DynamoDbLinkStore;
let groupCredentials: string;

beforeAll(async () => {
  const integration = localIntegration();
  files = writeStackFiles({
    integrations: [
      {
        ...integration,
        name: WATCHER,
        jira: {
          ...integration.jira,
          // Basic username/password, so the fixtures' author `admin` is a person, not the bridge.
          auth: { type: 'password', username: 'bridge-bot', passwordSecret: 'dc/jira-password' },
          projectKey: 'TEST',
          customFields: {},
        },
        sync: {
          mode: 'two-way',
          state: true,
          assignee: true,
          stateMap: { resolution: CONFIGURED_RESOLUTION },
          users: [
            { backtrace: adminInBacktrace, jira: 'admin' },
            { backtrace: harperInBacktrace, jira: 'harper' },
          ],
        },
        jiraWebhook: { secret: WEBHOOK_SECRET_NAME },
      },
    ],
    extraSecrets: { 'dc/jira-password': 'bridge-bot-password', [WEBHOOK_SECRET_NAME]: WEBHOOK_SECRET },
  });
  stack = await startLocalStack({
    configFile: files.configFile,
    secretsFile: files.secretsFile,
    jiraDeployment: 'Server',
    jiraUsers,
    jiraProjects: [{ id: '10100', key: 'OPS', name: 'Operations', issueTypes: [{ id: '10004', name: 'Bug' }, { id: '10002', name: 'Task' }] }],
    openApiValidation: true,
    pollTimers: false,
    log: () => undefined,
  });
  jira = stack.jiraSandbox!;
  backtrace = stack.backtraceSandbox!;
  links = new DynamoDbLinkStore({ client: new DynamoDBClient(stack.engines.clientConfig('dynamodb')), tableName: LINKS_TABLE_NAME });
  const basic = JSON.parse(files.secrets['local/webhook-basic-auth']) as { username: string; password: string };
  groupCredentials = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
});

afterAll(async () => {
  await stack?.stop();
  files?.remove();
});

const deliver = (body: Buffer | string, options: Parameters<typeof deliverJiraWebhook>[2] = {}) =>
  deliverJiraWebhook(stack.url, body, { secret: WEBHOOK_SECRET, ...options });

const row = (fingerprint: string) => backtrace.getIssue(UNIVERSE, PROJECT, fingerprint)!;
const ticketOf = (fingerprint: string, watcher: string) => row(fingerprint).tickets.find((ticket) => ticket.watcher === watcher);
const backtraceAssignees = (fingerprint: string) => ticketOf(fingerprint, '_backtrace')?.assignees ?? [];
const backtraceWrites = () => backtrace.requests.filter((request) => request.method === 'POST' && request.path === '/api/issue');
const jiraWrites = (since: number) => jira.requests.slice(since).filter((request) => request.method !== 'GET');
const assigneeCalls = (since: number, issue: FakeIssue) =>
  jira.requests.slice(since).filter((request) => request.method === 'PUT' && request.path.endsWith(`/issue/${issue.id}/assignee`));
const transitionCalls = (since: number, issue: FakeIssue): RecordedRequest[] =>
  jira.requests.slice(since).filter((request) => request.method === 'POST' && request.path.endsWith(`/issue/${issue.id}/transitions`));

/** A new error group from Backtrace's webhook, turned into a Jira issue by the bridge and linked. */
async function linkedGroup(): Promise<{ fingerprint: string; issue: FakeIssue }> {
  const fingerprint = randomBytes(32).toString('hex');
  const response = await fetch(`${stack.url}/backtrace/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: groupCredentials },
    body: JSON.stringify({ ...sample, fingerprint }),
  });
  expect(response.status).toBe(202);
  await stack.poller.idle(); // so no poll reads the link while its first sync runs
  await stack.settled();
  const issue = jira.issues.find((candidate) => String(candidate.fields.description ?? '').includes(fingerprint));
  expect(issue, 'the bridge created a Jira issue for the group').toBeDefined();
  expect(ticketOf(fingerprint, WATCHER)).toMatchObject({ short: issue!.key });
  return { fingerprint, issue: issue! };
}

/**
 * Makes the sandbox hold issue id 10011 under key TEST-12, as in the captured bodies: Jira numbers ids per site and
 * keys per project, so one issue moved out of TEST and back spends a key number without a new id.
 */
function createCapturedIssue(): FakeIssue {
  const admin = jira.actAs('admin');
  const first = admin.createIssue({ projectKey: 'TEST' });
  admin.moveIssue(admin.moveIssue(first.key, 'OPS').key, 'TEST');
  while (!jira.findIssue('10011')) {
    const created = admin.createIssue({ projectKey: 'TEST', summary: 'task summary' });
    if (Number(created.id) > 10011) throw new Error('the Jira sandbox already held issues: issue 10011 cannot be made');
  }
  return jira.findIssue('10011')!;
}

/**
 * A link as the bridge leaves it after creating the issue, attaching the ticket and syncing the pair: `seen` is both
 * sides as its last sync saw them (recorded under the link's sync lease, as the bridge does).
 */
async function seedLink(fingerprint: string, issue: { id: string; key: string; url: string }, seen: Required<Pick<LinkSyncState, 'backtrace' | 'jira'>>): Promise<void> {
  const now = Date.now();
  const token = randomUUID();
  const claim = await links.claim({ integration: WATCHER, fingerprint, universe: UNIVERSE, project: PROJECT, token, now, leaseMs: 60_000 });
  expect(claim.outcome).toBe('claimed');
  expect(await links.completeClaim({ integration: WATCHER, fingerprint, token, issue, now, syncLeaseMs: 60_000 })).toMatchObject({ status: 'linked' });
  await links.markTicketAttached(WATCHER, fingerprint, now);
  expect(await links.recordSync({ integration: WATCHER, fingerprint, token, sync: seen, now, release: true })).toBe(true);
}

/**
 * One poll cycle now; resolves, once the worker has handled what it queued, with how many changed fingerprints it
 * found. (Waiting for the worker before the next cycle matters: a second cycle would queue the same change again.)
 */
async function pollChanges(): Promise<number> {
  const reports = await stack.pollNow(WATCHER);
  await stack.poller.idle();
  return reports.reduce((sum, report) => sum + report.changes, 0);
}

describe('Jira webhook receiver (Data Center): the captured Jira Server bodies', () => {
  it('resolves the linked fingerprint when the issue moves to Done (issue_updated_status_to_done.json)', { timeout: 120_000 }, async () => {
    // Prepare: Jira holds TEST-12 (id 10011) assigned to admin and Done/Fixed, as the captured body says. The bridge
    // last synced the pair while the issue was In Progress (the fingerprint in-progress, admin on both sides); the
    // move to Done is what the captured body announces.
    const issue = createCapturedIssue();
    expect(issue.key).toBe('TEST-12');
    jira.actAs('admin').assign(issue.key, 'admin');
    jira.actAs('admin').transition(issue.key, 'In Progress');
    const inProgress = { statusId: issue.status.id, statusName: issue.status.name, categoryKey: issue.status.category, updatedAt: issue.updated };
    jira.actAs('admin').transition(issue.key, 'Done', { resolution: 'Fixed' });
    await stack.settled(); // the sandbox's own deliveries about a not yet linked issue are dropped
    const fingerprint = createHash('sha256').update('captured Jira Server body').digest('hex');
    const url = `${jira.url}/browse/TEST-12`;
    const theirs: Ticket = { watcher: 'other-jira', short: 'OTHER-4', url: 'https://other.example.com/browse/OTHER-4', state: 'in-progress' };
    const backtraceEntry: Ticket = { watcher: '_backtrace', assignees: [adminInBacktrace] };
    backtrace.setIssue(UNIVERSE, PROJECT, fingerprint, {
      state: 'in-progress',
      tickets: [backtraceEntry, { watcher: WATCHER, short: 'TEST-12', url, state: 'in-progress' }, theirs],
    });
    await seedLink(fingerprint, { id: '10011', key: 'TEST-12', url }, {
      backtrace: { state: 'in-progress', assigneeIds: [adminInBacktrace.id], at: Date.now(), reopenCount: 0 },
      jira: { ...inProgress, assignee: 'admin' },
    });
    expect(await pollChanges()).toBe(0); // the poller finds the pair as the bridge last saw it
    const writesBefore = backtraceWrites().length;
    const jiraRequestsBefore = jira.requests.length;

    // Act
    const answer = await deliver(fixture('issue_updated_status_to_done.json'));
    await stack.settled();

    // Assess: accepted at once, and the fingerprint and our ticket are resolved; every other entry is as it was
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ queued: 'TEST-12' });
    expect(row(fingerprint)).toEqual(
      expect.objectContaining({
        state: 'resolved',
        tickets: [backtraceEntry, { watcher: WATCHER, short: 'TEST-12', url, state: 'resolved' }, theirs],
      }),
    );
    expect(backtraceWrites().length - writesBefore).toBe(1);
    // The issue's current fields were read from Jira, and nothing was written back to it (the next polls read our
    // own write to the fingerprint, which is what the bridge last saw: no change)
    expect(jira.requests.slice(jiraRequestsBefore).some((request) => request.method === 'GET' && /\/issue\/10011$/.test(request.path))).toBe(true);
    expect(jiraWrites(jiraRequestsBefore)).toEqual([]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('answers a comment event 2xx and changes nothing (cloud_comment_added.json)', async () => {
    // Prepare
    const before = stack.jiraChangesPoller.stats();
    const writesBefore = backtraceWrites().length;

    // Act
    const answer = await deliver(fixture('cloud_comment_added.json'));
    await stack.settled();

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.ignored).toMatch(/comment_created/);
    expect(stack.jiraChangesPoller.stats()).toEqual(before);
    expect(backtraceWrites().length).toBe(writesBefore);
  });
});

describe('Jira webhook receiver (Data Center): refusals process nothing', () => {
  const body = fixture('issue_updated_status_to_done.json');
  const oneByteChanged = Buffer.from(body);
  oneByteChanged[body.indexOf('TEST-12') + 6] = '3'.charCodeAt(0);

  it.each<[string, () => Promise<{ status: number; body: Record<string, any> }>, number]>([
    ['no signature', () => deliver(body, { signature: null }), 401],
    ['a signature made with another secret', () => deliver(body, { signature: hubSignature(body, 'not-the-secret') }), 401],
    ['a truncated signature', () => deliver(body, { signature: hubSignature(body, WEBHOOK_SECRET).slice(0, -2) }), 401],
    ['a body changed by one byte after signing', () => deliver(oneByteChanged, { signature: hubSignature(body, WEBHOOK_SECRET) }), 401],
    ['an unsupported method prefix', () => deliver(body, { signature: hubSignature(body, WEBHOOK_SECRET, 'md5') }), 401],
    ['a validly signed body that is not JSON', () => deliver('{"webhookEvent": "jira:issue_updated", "issue": '), 400],
  ])('%s', async (_case, send, status) => {
    // Prepare
    const before = stack.jiraChangesPoller.stats();
    const writesBefore = backtraceWrites().length;

    // Act
    const answer = await send();
    await stack.settled();

    // Assess
    expect(answer.status).toBe(status);
    expect(answer.body.message).toEqual(expect.any(String));
    expect(answer.body.message).not.toContain(WEBHOOK_SECRET);
    expect(stack.jiraChangesPoller.stats()).toEqual(before);
    expect(backtraceWrites().length).toBe(writesBefore);
  });

  it('processes a delivery repeated with the same X-Atlassian-Webhook-Identifier once', async () => {
    // Prepare
    const deliveryId = randomUUID();
    const before = stack.jiraChangesPoller.stats();

    // Act
    const first = await deliver(body, { deliveryId });
    const repeated = await deliver(body, { deliveryId });
    await stack.settled();

    // Assess
    expect([first.status, repeated.status]).toEqual([200, 200]);
    expect(repeated.body).toEqual({ duplicate: deliveryId });
    expect(stack.jiraChangesPoller.stats().deleted - before.deleted).toBe(1);
  });
});

describe('Assignee sync, Data Center dialect (users by name, e-mails visible)', () => {
  it('assigns the Jira issue by username to the Backtrace assignee found by e-mail, and unassigns', { timeout: 120_000 }, async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    const since = jira.requests.length;

    // Act: Ana takes the fingerprint in Backtrace's UI; the next poll reads it
    backtrace.actAs(anaInBacktrace).assign(UNIVERSE, PROJECT, fingerprint, [anaInBacktrace]);
    const seenByPoll = await pollChanges();
    await stack.settled();

    // Assess: the DC user with Ana's e-mail, assigned by name
    expect(seenByPoll).toBe(1);
    expect(jira.findIssue(issue.key)?.assignee).toMatchObject({ name: 'ana', key: 'JIRAUSER10100' });
    expect(assigneeCalls(since, issue).map((request) => request.body)).toEqual([{ name: 'ana' }]);

    // Act: and lets it go again
    const sinceUnassign = jira.requests.length;
    backtrace.actAs(anaInBacktrace).assign(UNIVERSE, PROJECT, fingerprint, []);
    const unassignSeenByPoll = await pollChanges();
    await stack.settled();

    // Assess
    expect(unassignSeenByPoll).toBe(1);
    expect(jira.findIssue(issue.key)?.assignee).toBeNull();
    expect(assigneeCalls(sinceUnassign, issue).map((request) => request.body)).toEqual([{ name: null }]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('sets the fingerprint\'s assignee to the Backtrace user with the Jira assignee\'s e-mail, and unassigns', { timeout: 120_000 }, async () => {
    // Prepare: the bridge learns Backtrace users from the `_backtrace` assignees on the rows its poller reads; Ana's
    // row is read here, and she unassigns herself again
    const { fingerprint, issue } = await linkedGroup();
    backtrace.actAs(anaInBacktrace).assign(UNIVERSE, PROJECT, fingerprint, [anaInBacktrace]);
    expect(await pollChanges()).toBe(1);
    await stack.settled();
    backtrace.actAs(anaInBacktrace).assign(UNIVERSE, PROJECT, fingerprint, []);
    expect(await pollChanges()).toBe(1);
    await stack.settled();
    expect(jira.findIssue(issue.key)?.assignee).toBeNull();
    expect(backtraceAssignees(fingerprint)).toEqual([]);

    // Act: someone assigns the issue to Ana in Jira's UI
    jira.actAs('admin').assign(issue.key, 'ana');
    await stack.settled();

    // Assess
    expect(backtraceAssignees(fingerprint)).toEqual([anaInBacktrace]);
    expect(jira.findIssue(issue.key)?.assignee).toMatchObject({ name: 'ana' }); // no ping-pong undid it

    // Act: and unassigns it
    jira.actAs('admin').assign(issue.key, null);
    await stack.settled();

    // Assess
    expect(backtraceAssignees(fingerprint)).toEqual([]);
    expect(jira.findIssue(issue.key)?.assignee).toBeNull();
  });

  it('maps users through the explicit sync.users pairs both ways', { timeout: 120_000 }, async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    const since = jira.requests.length;

    // Act: Backtrace's UI assigns a user Backtrace knows no e-mail for; the next poll reads it
    backtrace.actAs(harperInBacktrace).assign(UNIVERSE, PROJECT, fingerprint, [harperInBacktrace]);
    const seenByPoll = await pollChanges();
    await stack.settled();

    // Assess
    expect(seenByPoll).toBe(1);
    expect(jira.findIssue(issue.key)?.assignee).toMatchObject({ name: 'harper' });
    expect(assigneeCalls(since, issue).map((request) => request.body)).toEqual([{ name: 'harper' }]);

    // Act: Jira's UI unassigns, then assigns Harper again
    jira.actAs('admin').assign(issue.key, null);
    await stack.settled();
    const unassigned = backtraceAssignees(fingerprint);
    jira.actAs('admin').assign(issue.key, 'harper');
    await stack.settled();

    // Assess
    expect(unassigned).toEqual([]);
    expect(backtraceAssignees(fingerprint)).toEqual([harperInBacktrace]);
    expect(jira.validationErrors).toEqual([]);
  });
});

describe('Issue lifecycle, Data Center dialect', () => {
  it('unlinks the fingerprint when its Jira issue is deleted, keeping other ticket entries', { timeout: 120_000 }, async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    const theirs: Ticket = { watcher: 'other-jira', short: 'OTHER-9', url: 'https://other.example.com/browse/OTHER-9', state: 'open' };
    backtrace.setIssue(UNIVERSE, PROJECT, fingerprint, { tickets: [...row(fingerprint).tickets, theirs] });

    // Act
    jira.actAs('admin').deleteIssue(issue.key);
    await stack.settled();

    // Assess
    expect(row(fingerprint).tickets).toEqual([theirs]);
    expect(await links.get(WATCHER, fingerprint)).toBeUndefined();
    const view = await fetch(`${stack.url}/local/links/${WATCHER}/${fingerprint}`);
    expect(view.status).toBe(404);
  });

  it('keeps the link of an issue moved to another project, and the ticket shows the new key', { timeout: 120_000 }, async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    const oldKey = issue.key;

    // Act
    const moved = jira.actAs('admin').moveIssue(oldKey, 'OPS');
    await stack.settled();

    // Assess
    expect(moved.key).toMatch(/^OPS-\d+$/);
    expect(ticketOf(fingerprint, WATCHER)).toMatchObject({ short: moved.key, url: `${jira.url}/browse/${moved.key}` });
    expect(await links.get(WATCHER, fingerprint)).toMatchObject({ status: 'linked', issueId: issue.id, issueKey: moved.key, issueUrl: `${jira.url}/browse/${moved.key}` });
  });
});

describe('State sync to Data Center', () => {
  it('resolves the issue with "Resolve Issue" and the configured resolution when Backtrace resolves the fingerprint', { timeout: 120_000 }, async () => {
    // Prepare
    const { fingerprint, issue } = await linkedGroup();
    expect(jira.findIssue(issue.key)?.status.name).toBe('To Do');
    const since = jira.requests.length;

    // Act: a person resolves the fingerprint in Backtrace's UI; the next poll reads it
    backtrace.actAs(anaInBacktrace).setState(UNIVERSE, PROJECT, fingerprint, 'resolved');
    const seenByPoll = await pollChanges();
    await stack.settled();

    // Assess: the transition whose target is Done, with the resolution its screen requires, as configured
    expect(seenByPoll).toBe(1);
    expect(transitionCalls(since, issue).map((request) => request.body)).toEqual([
      { transition: { id: '5' }, fields: { resolution: { name: CONFIGURED_RESOLUTION } } },
    ]);
    expect(jira.findIssue(issue.key)).toMatchObject({ status: { name: 'Done', category: 'done' }, resolution: { name: CONFIGURED_RESOLUTION } });
    expect(row(fingerprint).state).toBe('resolved'); // the Jira echo did not move it back
    expect(jira.validationErrors).toEqual([]);
  });
});
