/**
 * Exactly once without the links table, end to end: stacks started one after the other (each with its own, empty,
 * in-memory table) on one Jira and one Backtrace that outlive them, as a restored or re-created table, or a second
 * deployment of the same integration, would see them. The fingerprint's ticket entry in Backtrace names the issue
 * our integration made, and the bridge adopts it when Jira still has it. A deleted issue is believed only when Jira
 * answers 404 for it.
 *
 * The Jira sandbox (Cloud dialect) and the Backtrace sandbox are started by the test and named in the config
 * (`jira.apiUrl`, `backtrace.url`), so no stack starts sandboxes of its own; Jira's webhook points at the stack
 * running at the time. The poll timers are off: the polls run in `settled()`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import { startJiraFake, type FakeIssue, type JiraFake } from '../../infra/local/sandboxes/jira/jira-fake.ts';
import { startBacktraceFake, type BacktraceFake, type Ticket } from '../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { deliverJiraWebhook } from './support/jira-webhook-delivery.ts';
import { localIntegration, localSecrets, writeStackFiles, type StackFiles } from './support/stack-files.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, any>;
const secrets = localSecrets();
const groupCredentials = JSON.parse(secrets['local/webhook-basic-auth']!) as { username: string; password: string };
const authorization = `Basic ${Buffer.from(`${groupCredentials.username}:${groupCredentials.password}`).toString('base64')}`;
const WEBHOOK_SECRET = secrets['local/jira-webhook-secret']!;
const WATCHER = 'local-jira';
const UNIVERSE = 'my_universe';
const PROJECT = 'my_project';

let jira: JiraFake;
let backtrace: BacktraceFake;
let files: StackFiles;
let stack: LocalStack | undefined;
let stacksStarted = 0;

/** Stops the running stack (its table is gone with it) and starts a new one, which Jira's webhook then points at. */
async function newStack(): Promise<LocalStack> {
  await stack?.stop();
  stack = await startLocalStack({ configFile: files.configFile, secretsFile: files.secretsFile, pollTimers: false, openApiValidation: true, log: () => undefined });
  stacksStarted += 1;
  jira.removeWebhooks();
  jira.addWebhook({ url: `${stack.url}/jira/webhook`, secret: WEBHOOK_SECRET });
  return stack;
}

beforeAll(async () => {
  jira = await startJiraFake({ auth: { basic: [{ user: 'bot@example.com', secret: secrets['local/jira-api-token']! }] }, openApiValidation: true });
  backtrace = await startBacktraceFake({ tokens: [secrets['local/backtrace-api-token']!] });
  const integration = localIntegration();
  integration.jira = { ...integration.jira, apiUrl: jira.apiUrl };
  integration.backtrace = { ...integration.backtrace, url: backtrace.url };
  files = writeStackFiles({ integrations: [integration] });
});

afterAll(async () => {
  await stack?.stop();
  await jira?.close();
  await backtrace?.close();
  files?.remove();
});

async function postGroup(fingerprint: string): Promise<void> {
  const response = await fetch(`${stack!.url}/backtrace/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ ...sample, fingerprint }),
  });
  expect(response.status).toBe(202);
}

/** Everything handled: the workers first (so no poll reads a link while it is being made), then a quiet poll. */
async function quiet(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await jira.webhooksIdle();
    await Promise.all([stack!.poller.idle(), stack!.jiraChangesPoller.idle()]);
  }
  await stack!.settled();
}

const fingerprintsOf = (count: number) => Array.from({ length: count }, () => randomBytes(32).toString('hex'));
const issueOf = (fingerprint: string): FakeIssue | undefined => jira.issues.find((issue) => String(issue.fields.description ?? '').includes(fingerprint));
const ourTickets = (fingerprint: string): Ticket[] => (backtrace.getIssue(UNIVERSE, PROJECT, fingerprint)?.tickets ?? []).filter((ticket) => ticket.watcher === WATCHER);
const creates = (since: number) => jira.requests.slice(since).filter((request) => request.method === 'POST' && request.path === '/rest/api/2/issue');

async function linkView(fingerprint: string): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${stack!.url}/local/links/${WATCHER}/${fingerprint}`);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** Each fingerprint's link, as the running stack shows it. */
const linksOf = (fingerprints: string[]) => Promise.all(fingerprints.map(async (fingerprint) => ({ fingerprint, ...(await linkView(fingerprint)) })));

/** The link the running stack shows for `fingerprint`, as a user compares it with the issue and the ticket. */
const expectedLink = (fingerprint: string, issue: FakeIssue) => ({
  fingerprint,
  status: 200,
  body: expect.objectContaining({ status: 'linked', issueId: issue.id, issueKey: issue.key, issueUrl: `${jira.url}/browse/${issue.key}` }),
});

describe('Exactly once when the links table is lost', () => {
  const filed = fingerprintsOf(22);
  const issues = new Map<string, FakeIssue>();

  it('(a) a new stack with an empty table files no second issue for groups posted again, and links each fingerprint to its issue again', { timeout: 180_000 }, async () => {
    // Prepare: the first stack files 22 groups, then stops (its table with it)
    await newStack();
    await Promise.all(filed.map(postGroup));
    await quiet();
    expect(jira.issues).toHaveLength(filed.length);
    for (const fingerprint of filed) issues.set(fingerprint, issueOf(fingerprint)!);
    const since = jira.requests.length;
    await newStack();
    expect((await linkView(filed[0]!)).status).toBe(404); // the new stack's table is empty

    // Act: Backtrace posts the same groups again
    await Promise.all(filed.map(postGroup));
    await quiet();

    // Assess: no new issue, every fingerprint linked to its own issue again, one ticket entry each
    expect(jira.issues).toHaveLength(filed.length);
    expect(creates(since)).toEqual([]);
    expect(await linksOf(filed)).toEqual(filed.map((fingerprint) => expectedLink(fingerprint, issues.get(fingerprint)!)));
    for (const fingerprint of filed) expect(ourTickets(fingerprint), fingerprint).toEqual([expect.objectContaining({ short: issues.get(fingerprint)!.key })]);
    expect(jira.validationErrors).toEqual([]);
  });

  it('(b) a second stack of the same integration on the same Jira project files each group once, whichever stack saw it first', { timeout: 180_000 }, async () => {
    // Prepare: another deployment (its own table) after the first; Backtrace posts the groups filed before and new
    // ones, all at once, and later posts them all again
    expect(issues.size).toBe(filed.length);
    const fresh = fingerprintsOf(12);
    await newStack();
    const since = jira.requests.length;

    // Act
    await Promise.all([...fresh.slice(0, 6), ...filed, ...fresh.slice(6)].map(postGroup));
    await quiet();
    await Promise.all([...filed, ...fresh].reverse().map(postGroup));
    await quiet();

    // Assess: one issue per group (each dedupe label once), the old ones adopted, the new ones created once
    expect(stacksStarted).toBe(3);
    expect(jira.issues).toHaveLength(filed.length + fresh.length);
    expect(creates(since)).toHaveLength(fresh.length);
    const labels = jira.issues.map((issue) => issue.labels.find((label) => label.startsWith('bt-')) ?? issue.key);
    expect(new Set(labels).size).toBe(jira.issues.length);
    for (const fingerprint of fresh) issues.set(fingerprint, issueOf(fingerprint)!);
    const all = [...filed, ...fresh];
    expect(new Set(all.map((fingerprint) => issues.get(fingerprint)?.id)).size).toBe(all.length);
    expect(await linksOf(all)).toEqual(all.map((fingerprint) => expectedLink(fingerprint, issues.get(fingerprint)!)));
    for (const fingerprint of all) expect(ourTickets(fingerprint), fingerprint).toEqual([expect.objectContaining({ short: issues.get(fingerprint)!.key })]);
    expect(jira.validationErrors).toEqual([]);
  });
});

describe('A deleted issue is believed only when Jira answers 404', () => {
  it('(c) a signed deletion of an issue Jira still has keeps the link; deleting it in Jira unlinks it and removes our ticket entry', { timeout: 120_000 }, async () => {
    // Prepare: a linked group on a running stack, with another tool's ticket on the fingerprint too
    if (!stack) await newStack();
    const [fingerprint] = fingerprintsOf(1) as [string];
    await postGroup(fingerprint);
    await quiet();
    const issue = issueOf(fingerprint)!;
    const theirs: Ticket = { watcher: 'github', short: 'acme/game#12', url: 'https://github.com/acme/game/issues/12', state: 'open' };
    backtrace.setIssue(UNIVERSE, PROJECT, fingerprint, { tickets: [...backtrace.getIssue(UNIVERSE, PROJECT, fingerprint)!.tickets, theirs] });
    // A deletion as Jira would send it, made from the issue's own webhook body, by a person
    const created = jira.webhookDeliveries.find((delivery) => delivery.event === 'jira:issue_created' && (delivery.body as any).issue?.id === issue.id)!;
    const ana = jira.users.find((user) => user.displayName === 'Ana Lima')!;
    const { issue_event_type_name: _type, ...rest } = created.body as Record<string, any>;
    const deletion = JSON.stringify({ ...rest, timestamp: Date.now(), webhookEvent: 'jira:issue_deleted', user: { accountId: ana.accountId, displayName: ana.displayName, active: true, accountType: 'atlassian' } });
    const writesBefore = backtrace.requestsTo('/api/issue').length;

    // Act 1: the signed deletion arrives, but Jira still has the issue
    const answer = await deliverJiraWebhook(stack!.url, deletion, { secret: WEBHOOK_SECRET });
    await quiet();

    // Assess 1: accepted, and nothing changed: the link, our ticket entry and the issue are all there
    expect(answer.status).toBe(200);
    expect(jira.findIssue(issue.id)).toBeDefined();
    expect(await linksOf([fingerprint])).toEqual([expectedLink(fingerprint, issue)]);
    expect(ourTickets(fingerprint)).toEqual([expect.objectContaining({ short: issue.key })]);
    expect(backtrace.requestsTo('/api/issue').length).toBe(writesBefore);

    // Act 2: someone deletes the issue in Jira (Jira sends its own signed deletion)
    jira.actAs('Ana Lima').deleteIssue(issue.key);
    await quiet();

    // Assess 2: unlinked, our ticket entry gone, the other tool's kept; the polls do not bring it back
    expect(jira.findIssue(issue.id)).toBeUndefined();
    expect((await linkView(fingerprint)).status).toBe(404);
    expect(ourTickets(fingerprint)).toEqual([]);
    expect(backtrace.getIssue(UNIVERSE, PROJECT, fingerprint)!.tickets).toContainEqual(theirs);
    expect(jira.validationErrors).toEqual([]);
  });
});
