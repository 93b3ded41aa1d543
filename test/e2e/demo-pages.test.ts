/**
 * The local demo in a real browser: headless Chromium (Debian's package) driven by playwright-core clicks through
 * the sandboxes' pages on the local stack (default config, two-way sync, the poller on a 1 s timer), as a person
 * would: resolve on the Backtrace page -> the Jira issue reaches Done once the poller has run; a transition on the
 * Jira page -> the Backtrace row follows (through Jira's webhook); assignments on either page -> the other side
 * follows. Each step is checked as a user checks it: the page's text after a reload, and the sandbox's state.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoPageUrls, seedDemoVersions } from '../../infra/local/demo-pages.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import { launchSystemChromium, type SystemBrowser } from '../../infra/local/system-browser.ts';
import type { FakeIssue } from '../../infra/local/sandboxes/jira/jira-fake.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const secrets = JSON.parse(readFileSync(new URL('../../infra/local/local.secrets.json', import.meta.url), 'utf8')) as Record<string, string>;
const groupCredentials = JSON.parse(secrets['local/webhook-basic-auth']!) as { username: string; password: string };
const authorization = `Basic ${Buffer.from(`${groupCredentials.username}:${groupCredentials.password}`).toString('base64')}`;
const UNIVERSE = 'my_universe';
const PROJECT = 'my_project';
const WATCHER = 'local-jira';
/** Within this long of a click, the poller (every second) or Jira's webhook has carried it to the other side. */
const WITHIN_MS = 10_000;

const eventually = (check: () => void | Promise<void>, timeout = WITHIN_MS) => vi.waitFor(check, { timeout, interval: 50 });

describe('The sandboxes\' pages in a browser (local stack, two-way sync)', () => {
  let stack: LocalStack;
  let browser: SystemBrowser;
  let page: Page;
  let fingerprint: string;
  let issue: FakeIssue;

  const jira = () => stack.jiraSandbox!;
  const backtrace = () => stack.backtraceSandbox!;
  const row = () => backtrace().getIssue(UNIVERSE, PROJECT, fingerprint)!;
  const backtracePage = () => demoPageUrls(stack).backtraceFingerprints!;
  const issuePage = () => `${jira().url}/browse/${issue.key}`;
  const pageRow = () => page.locator(`tr[data-fingerprint="${fingerprint}"]`);
  const jiraFact = (name: string) => page.locator(`dd[data-field="${name}"]`);

  beforeAll(async () => {
    stack = await startLocalStack({ openApiValidation: true, pollIntervalSeconds: 1, log: () => undefined });
    seedDemoVersions(stack);
    browser = await launchSystemChromium();
    page = await browser.context.newPage();
    // An error group, turned into a Jira issue and linked, as `npm run send-sample` does it.
    fingerprint = randomBytes(32).toString('hex');
    const response = await fetch(`${stack.url}/backtrace/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ ...sample, fingerprint }) });
    expect(response.status).toBe(202);
    await stack.poller.idle();
    await stack.settled();
    issue = jira().issues.find((candidate) => String(candidate.fields.description ?? '').includes(fingerprint))!;
    expect(issue, 'the bridge created a Jira issue for the group').toBeDefined();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists the fingerprint with its state and a ticket link that opens the Jira issue page', async () => {
    // Act
    await page.goto(backtracePage());

    // Assess
    await expect(pageRow().locator('.lozenge').textContent()).resolves.toBe(row().state);
    const link = pageRow().getByRole('link', { name: issue.key });
    await link.click();
    await page.waitForURL(issuePage());
    await expect(page.locator('h1').textContent()).resolves.toBe(`${issue.key}: ${String(issue.fields.summary)}`);
    // The integration's own account is not a person one can act as.
    const people = await page.getByLabel('You are', { exact: true }).locator('option').allTextContents();
    expect(people).toEqual(['Choose a person', 'Ana Lima', 'Harper Quinn']);
  });

  it('resolve on the Backtrace page: the Jira issue reaches Done once the poller has run', async () => {
    // Prepare
    await page.goto(backtracePage());
    const cycles = stack.pollSchedule.cycles();

    // Act
    await page.getByLabel('You are', { exact: true }).selectOption({ label: 'ana' });
    await pageRow().getByRole('button', { name: 'Resolve' }).click();
    await page.waitForURL(/notice=/);

    // Assess: the row changed at once (Backtrace announces nothing); Jira follows after a poll
    await expect(pageRow().locator('.lozenge').textContent()).resolves.toBe('resolved');
    expect(row().state).toBe('resolved');
    await eventually(() => expect(jira().findIssue(issue.id)!.status.category).toBe('done'));
    expect(stack.pollSchedule.cycles()).toBeGreaterThan(cycles);
    await page.goto(issuePage());
    await expect(jiraFact('status').textContent()).resolves.toContain('Done');
    await page.goto(backtracePage());
    await expect(pageRow().getByText(`${WATCHER}, resolved`).count()).resolves.toBe(1);
  });

  it('a transition on the Jira page by a person: the Backtrace row follows', async () => {
    // Prepare
    await stack.settled();
    await page.goto(issuePage());

    // Act
    await page.getByLabel('You are', { exact: true }).selectOption({ label: 'Harper Quinn' });
    await page.getByLabel('Transition', { exact: true }).selectOption({ label: 'In Progress' });
    await page.getByRole('button', { name: 'Transition', exact: true }).click();
    await page.waitForURL(/notice=/);

    // Assess: Jira's page and history name the person; the fingerprint follows through the webhook
    await page.reload();
    await expect(jiraFact('status').textContent()).resolves.toContain('In Progress');
    await expect(page.locator('ul.history li').first().textContent()).resolves.toMatch(/^Harper Quinn .*status Done → In Progress/);
    expect(jira().findIssue(issue.id)!.history.at(-1)!.author.displayName).toBe('Harper Quinn');
    await eventually(() => expect(row().state).toBe('in-progress'));
    await page.goto(backtracePage());
    await expect(pageRow().locator('.lozenge').textContent()).resolves.toBe('in-progress');
  });

  it('assign on either page: the other side follows', async () => {
    // Prepare
    await stack.settled();
    await page.goto(`${backtracePage()}?as=7`);

    // Act 1: assigned in Backtrace (found in Jira by e-mail)
    await pageRow().getByLabel('Assignee').selectOption({ label: 'ana' });
    await pageRow().getByRole('button', { name: 'Assign' }).click();
    await page.waitForURL(/notice=/);

    // Assess 1
    await expect(pageRow().locator('td').nth(2).textContent()).resolves.toBe('ana');
    await eventually(() => expect(jira().findIssue(issue.id)!.assignee?.displayName).toBe('Ana Lima'));
    await page.goto(issuePage());
    await expect(jiraFact('assignee').textContent()).resolves.toBe('Ana Lima');

    // Act 2: unassigned on the Jira page by a person
    await stack.settled();
    await page.getByLabel('You are', { exact: true }).selectOption({ label: 'Harper Quinn' });
    await page.getByLabel('Assignee', { exact: true }).selectOption({ label: 'Unassigned' });
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.waitForURL(/notice=/);

    // Assess 2
    await expect(jiraFact('assignee').textContent()).resolves.toBe('Unassigned');
    await eventually(() => expect(row().tickets.find((ticket) => ticket.watcher === '_backtrace')?.assignees ?? []).toEqual([]));
    await page.goto(backtracePage());
    await expect(pageRow().locator('td').nth(2).textContent()).resolves.toBe('Unassigned');

    // Act 3: Ana assigned again on the Jira page (the bridge has seen her in Backtrace)
    await stack.settled();
    await page.goto(`${issuePage()}?as=${encodeURIComponent(jira().users.find((user) => user.displayName === 'Harper Quinn')!.accountId!)}`);
    await page.getByLabel('Assignee', { exact: true }).selectOption({ label: 'Ana Lima' });
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.waitForURL(/notice=/);

    // Assess 3
    await eventually(() => expect(row().tickets.find((ticket) => ticket.watcher === '_backtrace')?.assignees?.map((a) => a.id)).toEqual([7]));
    await page.goto(backtracePage());
    await expect(pageRow().locator('td').nth(2).textContent()).resolves.toBe('ana');
    expect(jira().validationErrors).toEqual([]);
  });

  it('Fix Versions on the Jira page: the project\'s versions, saved as the person picked', async () => {
    // Prepare
    await page.goto(issuePage());

    // Act
    await page.getByLabel('You are', { exact: true }).selectOption({ label: 'Ana Lima' });
    await page.getByLabel('1.3.0').check();
    await page.getByRole('button', { name: 'Save fix versions' }).click();
    await page.waitForURL(/notice=/);

    // Assess
    await page.reload();
    await expect(jiraFact('fix versions').textContent()).resolves.toBe('1.3.0');
    await expect(page.getByLabel('1.3.0').isChecked()).resolves.toBe(true);
    const last = jira().findIssue(issue.id)!.history.at(-1)!;
    expect({ author: last.author.displayName, items: last.items.map((item) => [item.field, item.toString]) }).toEqual({ author: 'Ana Lima', items: [['Fix Version', '1.3.0']] });
  });
});
