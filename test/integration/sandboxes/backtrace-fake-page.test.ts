/**
 * The Backtrace sandbox's page at `/` over HTTP, as a browser's plain form uses it: the fingerprints per universe
 * and project with state, assignees and tickets, and the triage buttons (resolve, mute, reopen, assign) acting as
 * the person picked on the page: one change to the row, as `actAs(person)` makes it, and nothing sent anywhere.
 * What a row shows is escaped, and only http(s) ticket URLs become links. Bad submissions change nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBacktraceFake, type BacktraceFake } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';

const FP = 'a'.repeat(64);
const ours = { watcher: 'jira-prod', short: 'CRASH-1', url: 'https://acme.atlassian.net/browse/CRASH-1', state: 'open' as const };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function backtraceWithRow(): Promise<BacktraceFake> {
  const backtrace = await startBacktraceFake();
  cleanups.push(() => backtrace.close());
  backtrace.setIssue('acme', 'game', FP, { state: 'in-progress', tickets: [ours] });
  return backtrace;
}

const key = JSON.stringify(['acme', 'game', FP]);

async function submit(backtrace: BacktraceFake, fields: [string, string][]): Promise<Response> {
  return fetch(`${backtrace.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
}

describe('Backtrace fake: page', () => {
  it('lists the rows per universe/project with state, assignees and a link to each ticket', async () => {
    // Prepare
    const backtrace = await backtraceWithRow();
    backtrace.actAs({ id: 7, username: 'ana' }).assign('acme', 'game', FP, [{ id: 7, username: 'ana', email: 'ana@example.com' }]);

    // Act
    const answer = await fetch(`${backtrace.url}/`);

    // Assess
    expect(answer.status).toBe(200);
    const html = await answer.text();
    expect(html).toContain('<h2>acme / game</h2>');
    expect(html).toContain(`<tr data-fingerprint="${FP}">`);
    expect(html).toContain('<span class="lozenge in-progress">in-progress</span>');
    expect(html).toContain('<a href="https://acme.atlassian.net/browse/CRASH-1">CRASH-1</a>');
    expect(html).toMatch(/<td>ana<\/td>/);
  });

  it.each([
    { action: 'resolve', state: 'resolved' },
    { action: 'mute', state: 'muted' },
  ])('$action as the person picked: one change to the row, 303 back to the page', async ({ action, state }) => {
    // Prepare
    const backtrace = await backtraceWithRow();
    const before = backtrace.getIssue('acme', 'game', FP)!;
    const requests = backtrace.requests.length;

    // Act
    const answer = await submit(backtrace, [['actor', '8'], ['action', `${action}:${key}`]]);

    // Assess
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toMatch(/^\/\?as=8&notice=harper\+/);
    expect(backtrace.getIssue('acme', 'game', FP)).toMatchObject({ state, modifications: before.modifications + 1, tickets: [ours] });
    expect(backtrace.requests.slice(requests).map((request) => request.path)).toEqual(['/']);
  });

  it('reopen brings a linked fingerprint back to in-progress; assign writes the person on every entry', async () => {
    // Prepare
    const backtrace = await backtraceWithRow();
    backtrace.actAs({ id: 7 }).resolve('acme', 'game', FP);

    // Act
    const reopened = await submit(backtrace, [['actor', '7'], ['action', `reopen:${key}`]]);
    const assigned = await submit(backtrace, [['actor', '7'], ['action', `assign:${key}`], [`assignee:${key}`, '9']]);

    // Assess
    expect([reopened.status, assigned.status]).toEqual([303, 303]);
    const row = backtrace.getIssue('acme', 'game', FP)!;
    const sam = { id: 9, username: 'sam', email: 'sam@example.com' };
    expect(row.state).toBe('in-progress');
    expect(row.tickets).toEqual([{ watcher: '_backtrace', assignees: [sam] }, { ...ours, assignees: [sam] }]);
    const html = await (await fetch(`${backtrace.url}/`)).text();
    expect(html).toMatch(/<td>sam<\/td>/);
  });

  it('escapes what rows show and links only http(s) ticket URLs', async () => {
    // Prepare
    const backtrace = await startBacktraceFake();
    cleanups.push(() => backtrace.close());
    backtrace.setIssue('<u>', 'p"q', '<script>alert(1)</script>', { tickets: [{ watcher: 'x<y', short: 'K&1', url: 'javascript:alert(1)' }] });

    // Act
    const html = await (await fetch(`${backtrace.url}/`)).text();

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('<h2>&lt;u&gt; / p&quot;q</h2>');
    expect(html).toContain('K&amp;1 <span class="muted-text">x&lt;y</span>');
  });

  it.each([
    { case: 'no person picked', fields: [['action', `resolve:${key}`]], status: 400, says: 'Choose who you are' },
    { case: 'a button naming no row', fields: [['actor', '7'], ['action', 'resolve:nonsense']], status: 400, says: 'did not name a fingerprint' },
    { case: 'an unknown fingerprint', fields: [['actor', '7'], ['action', `resolve:${JSON.stringify(['acme', 'game', 'b'.repeat(64)])}`]], status: 404, says: 'No fingerprint' },
    { case: 'an assignee not in the universe', fields: [['actor', '7'], ['action', `assign:${key}`], [`assignee:${key}`, '99']], status: 400, says: 'No person with id 99' },
    { case: 'an unknown action', fields: [['actor', '7'], ['action', `delete:${key}`]], status: 400, says: 'Unknown action' },
  ] as const)('refuses $case with the reason and changes nothing', async ({ fields, status, says }) => {
    // Prepare
    const backtrace = await backtraceWithRow();
    const before = backtrace.getIssue('acme', 'game', FP);

    // Act
    const answer = await submit(backtrace, fields.map(([name, value]) => [name, value]));

    // Assess
    expect(answer.status).toBe(status);
    expect(await answer.text()).toContain(says);
    expect(backtrace.getIssue('acme', 'game', FP)).toEqual(before);
  });

  it('keeps the API routes as they were: anything else still answers coroner\'s 404', async () => {
    // Prepare
    const backtrace = await backtraceWithRow();

    // Act
    const answer = await fetch(`${backtrace.url}/nowhere`);

    // Assess
    expect(answer.status).toBe(404);
    expect(await answer.json()).toMatchObject({ error: { message: 'no such endpoint: /nowhere' } });
  });
});
