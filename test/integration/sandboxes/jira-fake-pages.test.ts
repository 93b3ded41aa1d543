/**
 * The Jira sandbox's browser pages over HTTP, as a browser's plain forms use them: the issue list, the issue page,
 * and the form that transitions, assigns and sets Fix Versions as the person picked on the page (POST, then 303
 * back to the page). A page action is a person's action: it is in the history under their name and announced by
 * the same webhook as `actAs(person)`. Bad submissions change nothing and say what to do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

const ANA = '5b10ac8d82e05b22cc7d4ef5';
/** Stands for the integration account's accountId (derived by the sandbox from its e-mail). */
const BOT = '<the bot>';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function site(options: JiraFakeOptions = {}): Promise<{ jira: JiraFake; inbox: Receiver; key: string }> {
  const inbox = await startReceiver();
  cleanups.push(() => inbox.close());
  const jira = await startJiraFake({ projects: [{ id: '10000', key: 'CRASH', issueTypes: [{ id: '10004', name: 'Bug' }], versions: [{ name: '2.4.0' }, { name: '2.5.0' }] }], webhooks: { url: `${inbox.url}/hook` }, ...options });
  cleanups.push(() => jira.close());
  const created = await call(`${jira.apiUrl}issue`, { body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash in <checkout> & "cart"' } } });
  expect(created.status).toBe(201);
  await jira.webhooksIdle();
  inbox.received.length = 0;
  return { jira, inbox, key: created.json.key as string };
}

/** What a browser sends for a POST form, without following the redirect. */
async function submit(url: string, fields: [string, string][]): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
}

describe('Jira fake: pages', () => {
  it('lists the issues at / and /browse with no login, the summary escaped', async () => {
    // Prepare
    const { jira, key } = await site();

    // Act
    const answers = await Promise.all([`${jira.url}/`, `${jira.url}/browse`].map((url) => fetch(url)));

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await answer.text();
      expect(html).toContain(`<a href="/browse/${key}">${key}</a>`);
      expect(html).toContain('Crash in &lt;checkout&gt; &amp; &quot;cart&quot;');
      expect(html).not.toContain('<checkout>');
    }
  });

  it('offers the site\'s people, not the integration\'s account nor a deactivated user, and the transitions from the issue\'s status', async () => {
    // Prepare
    const { jira, key } = await site();

    // Act
    const html = await (await fetch(`${jira.url}/browse/${key}`)).text();

    // Assess
    const actor = /<select name="actor"[^>]*>(.*?)<\/select>/s.exec(html)![1]!;
    expect(actor).toContain('Ana Lima');
    expect(actor).toContain('Harper Quinn');
    expect(actor).not.toContain('Sandbox Bot');
    expect(actor).not.toContain('Former Colleague');
    const transitions = [.../<select name="transition"[^>]*>(.*?)<\/select>/s.exec(html)![1]!.matchAll(/>([^<]+)<\/option>/g)].map((m) => m[1]);
    expect(transitions).toEqual(['In Progress', 'Done']);
  });

  it('a transition by the person picked: 303 back to the page, history under their name, the webhook names them', async () => {
    // Prepare
    const { jira, inbox, key } = await site();
    const done = jira.findIssue(key)!;

    // Act
    const answer = await submit(`${jira.url}/browse/${key}`, [['actor', ANA], ['action', 'transition'], ['transition', '31']]);

    // Assess
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toMatch(new RegExp(`^/browse/${key}\\?as=${ANA}&notice=`));
    expect(done.status.name).toBe('Done');
    expect(done.history.at(-1)!.author.displayName).toBe('Ana Lima');
    await jira.webhooksIdle();
    expect(inbox.received.map((delivery) => [delivery.json.webhookEvent, delivery.json.user.displayName])).toEqual([['jira:issue_updated', 'Ana Lima']]);
    const page = await (await fetch(`${jira.url}${answer.headers.get('location')!}`)).text();
    expect(page).toContain('Ana Lima moved');
    expect(page).toMatch(/<b>Ana Lima<\/b>.*status To Do → Done/s);
  });

  it('assigns and sets Fix Versions from the project\'s versions', async () => {
    // Prepare
    const { jira, key } = await site();

    // Act
    const assigned = await submit(`${jira.url}/browse/${key}`, [['actor', ANA], ['action', 'assign'], ['assignee', ANA]]);
    const versioned = await submit(`${jira.url}/browse/${key}`, [['actor', ANA], ['action', 'fixVersions'], ['fixVersion', '2.5.0'], ['fixVersion', '2.4.0']]);

    // Assess
    expect([assigned.status, versioned.status]).toEqual([303, 303]);
    const issue = jira.findIssue(key)!;
    expect(issue.assignee?.displayName).toBe('Ana Lima');
    expect((issue.fields.fixVersions as { name: string }[]).map((version) => version.name)).toEqual(['2.4.0', '2.5.0']);
    const html = await (await fetch(`${jira.url}/browse/${key}`)).text();
    expect(html).toContain('<dd data-field="fix versions">2.4.0, 2.5.0</dd>');
    expect(html).toContain('<dd data-field="assignee">Ana Lima</dd>');
  });

  it.each([
    { case: 'no person picked', fields: [['action', 'transition'], ['transition', '31']], status: 400, says: 'Choose who you are' },
    { case: 'the integration\'s account as the person', fields: [['actor', BOT], ['action', 'transition'], ['transition', '31']], status: 400, says: 'Choose who you are' },
    { case: 'a transition not available from here', fields: [['actor', ANA], ['action', 'transition'], ['transition', '11']], status: 409, says: 'not available from &#39;To Do&#39;' },
    { case: 'an assignee who is not a person of the site', fields: [['actor', ANA], ['action', 'assign'], ['assignee', 'nobody']], status: 400, says: 'No person &#39;nobody&#39;' },
    { case: 'a version the project does not have', fields: [['actor', ANA], ['action', 'fixVersions'], ['fixVersion', '9.9']], status: 409, says: 'Version name &#39;9.9&#39; is not valid' },
    { case: 'an unknown action', fields: [['actor', ANA], ['action', 'delete']], status: 400, says: 'Unknown action' },
  ] as const)('refuses $case with the reason and changes nothing', async ({ fields, status, says }) => {
    // Prepare
    const { jira, inbox, key } = await site();
    const before = structuredClone(jira.findIssue(key)!);

    // Act
    const bot = jira.users.find((user) => user.emailAddress === 'bot@example.com')!.accountId!;
    const answer = await submit(`${jira.url}/browse/${key}`, fields.map(([name, value]) => [name, value === BOT ? bot : value]));

    // Assess
    expect(answer.status).toBe(status);
    expect(await answer.text()).toContain(says);
    expect(jira.findIssue(key)).toEqual(before);
    await jira.webhooksIdle();
    expect(inbox.received).toEqual([]);
  });

  it('answers 404 with a page for an unknown key, and leaves the REST API to its credentials', async () => {
    // Prepare
    const { jira } = await site();

    // Act
    const missing = await fetch(`${jira.url}/browse/CRASH-999`);
    const rest = await fetch(`${jira.apiUrl}issue/CRASH-1`);

    // Assess
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Issue CRASH-999 does not exist.');
    expect(rest.status).toBe(401);
  });

  it('serves the pages under a Data Center context path, with its classic workflow and usernames', async () => {
    // Prepare
    const { jira, key } = await site({ deployment: 'Server', contextPath: '/jira', auth: { basic: [{ user: 'bot@example.com', secret: 'sandbox-token' }] } });

    // Act
    const answer = await submit(`${jira.url}/browse/${key}`, [['actor', 'ana'], ['action', 'transition'], ['transition', '5'], ['resolution', "Won't Fix"]]);

    // Assess
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toMatch(new RegExp(`^/jira/browse/${key}\\?as=ana&`));
    expect(jira.findIssue(key)!).toMatchObject({ status: { name: 'Done' }, resolution: { name: "Won't Fix" } });
    const html = await (await fetch(`${jira.url}/browse/${key}`)).text();
    expect(html).toContain('Reopen Issue → To Do');
    expect(html).not.toMatch(/<select name="actor".*Sandbox Bot.*<\/select>/s);
  });
});
