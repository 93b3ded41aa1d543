/**
 * End to end: the local stack (`npm start`'s code) started from the test, driven from outside over HTTP exactly
 * as Backtrace's webhook integration would, and the result read back from the Jira and Backtrace sandboxes.
 * One local stack per file: the handler modules keep per-cold-start state, as in Lambda.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import { dedupeLabel } from '../../shared/domain/dedupe-label.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, any>;
const localSecrets = JSON.parse(readFileSync(new URL('../../infra/local/local.secrets.json', import.meta.url), 'utf8')) as Record<string, string>;
const webhookCredentials = JSON.parse(localSecrets['local/webhook-basic-auth']) as { username: string; password: string };
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const goodAuth = basic(webhookCredentials.username, webhookCredentials.password);

let stack: LocalStack;

async function post(path: string, body: unknown, authorization: string | null = goodAuth) {
  const response = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

const groupWith = (changes: Record<string, unknown>) => ({ ...structuredClone(sample), ...changes });

beforeAll(async () => {
  stack = await startLocalStack({ openApiValidation: true, log: () => undefined });
});

afterAll(async () => {
  await stack?.stop();
});

describe('Local stack: a Backtrace error group becomes one Jira issue', () => {
  it('creates the Jira issue from the documented webhook body and links it on the fingerprint', async () => {
    // Act
    const answer = await post('/backtrace/events', sample);
    await stack.poller.idle({ timeoutMs: 45_000 });

    // Assess: the webhook was accepted, and Jira holds one issue filled in as Backtrace would fill it
    expect(answer.status).toBe(202);
    expect(answer.body.accepted).toEqual([{ integration: 'local-jira', fingerprint: sample.fingerprint }]);
    const jira = stack.jiraSandbox!;
    expect(jira.issues).toHaveLength(1);
    const [issue] = jira.issues;
    const label = dedupeLabel('bt-{hash}', { universe: 'my_universe', project: 'my_project', fingerprint: sample.fingerprint });
    expect(issue.fields).toMatchObject({
      project: { key: 'CRASH' },
      issuetype: { name: 'Bug' },
      summary: 'exception in my_app.exe (1.1.0)',
      environment: 'Environment: production, Version: 1.1.0',
    });
    expect(issue.labels.sort()).toEqual(['Backtrace', label].sort());
    const description = issue.fields.description as string;
    for (const expected of ['printf', 'my_fn', 'main', 'exception', '35', sample.fingerprint, '2017-08-17']) expect(description).toContain(expected);
    expect(description).toContain(sample.group_url);
    expect(jira.validationErrors).toEqual([]);

    // Assess: the Backtrace fingerprint carries the ticket
    const row = stack.backtraceSandbox!.getIssue('my_universe', 'my_project', sample.fingerprint);
    expect(row?.tickets).toEqual([
      expect.objectContaining({ watcher: 'local-jira', short: issue.key, url: `${jira.url}/browse/${issue.key}`, state: 'open' }),
    ]);

    // Assess: the ticket's link opens the issue in a browser
    const page = await fetch(`${jira.url}/browse/${issue.key}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`${issue.key}: exception in my_app.exe (1.1.0)`);

    // Assess: the link is readable
    const link = await fetch(`${stack.url}/local/links/local-jira/${sample.fingerprint}`).then((response) => response.json());
    expect(link).toMatchObject({ status: 'linked', issueKey: issue.key, ticketAttached: true });
  });

  it('makes no Jira call for repeat deliveries of a linked fingerprint', async () => {
    // Prepare
    const jira = stack.jiraSandbox!;
    const before = jira.requests.length;

    // Act
    const answers = await Promise.all([1, 2, 3].map(() => post('/backtrace/events', sample)));
    await stack.poller.idle({ timeoutMs: 45_000 });

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    expect(jira.issues).toHaveLength(1);
    expect(jira.requests.slice(before)).toEqual([]);
  });

  it('creates one issue when a new group arrives several times at once (busy claims wait their turn)', async () => {
    // Prepare
    const fingerprint = 'c'.repeat(64);

    // Act: one batch of simultaneous deliveries races for the claim
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => post('/backtrace/events', groupWith({ fingerprint }))));
    await stack.poller.idle({ timeoutMs: 45_000 });

    // Assess
    expect(answers.every((answer) => answer.status === 202)).toBe(true);
    const created = stack.jiraSandbox!.issues.filter((issue) => (issue.fields.description as string).includes(fingerprint));
    expect(created).toHaveLength(1);
    expect(stack.backtraceSandbox!.getIssue('my_universe', 'my_project', fingerprint)?.tickets).toHaveLength(1);
  });

  it('drops a group that the integration\'s rules filter, and says so', async () => {
    // Prepare: only "devel" seen, which the local config filters
    const devel = groupWith({ fingerprint: 'f'.repeat(64), attributes: { environment: [['devel', 3]] } });
    const issuesBefore = stack.jiraSandbox!.issues.length;

    // Act
    const answer = await post('/backtrace/events', devel);
    await stack.poller.idle({ timeoutMs: 45_000 });

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ accepted: [], filtered: [{ integration: 'local-jira', fingerprint: 'f'.repeat(64), rule: 0 }] });
    expect(stack.jiraSandbox!.issues).toHaveLength(issuesBefore);
  });

  it('accepts the same group from an EventBridge bus (detail-type "Backtrace Error Group")', async () => {
    // Prepare
    const fingerprint = 'e'.repeat(64);

    // Act
    const answer = await post('/local/eventbridge', groupWith({ fingerprint }), null);
    await stack.poller.idle({ timeoutMs: 45_000 });

    // Assess
    expect(answer.status).toBe(202);
    const created = stack.jiraSandbox!.issues.filter((issue) => (issue.fields.description as string).includes(fingerprint));
    expect(created).toHaveLength(1);
    expect(stack.backtraceSandbox!.getIssue('my_universe', 'my_project', fingerprint)?.tickets[0]).toMatchObject({ short: created[0].key });
  });
});

describe('Local stack: bad webhook calls are refused and change nothing', () => {
  it.each<[string, () => Promise<{ status: number; body: Record<string, any>; headers: Headers }>, number, RegExp]>([
    ['no credentials', () => post('/backtrace/events', sample, null), 401, /HTTP Basic credentials are required/],
    ['wrong password', () => post('/backtrace/events', sample, basic(webhookCredentials.username, 'guess')), 401, /match no integration/],
    ['not JSON', () => post('/backtrace/events', '{"universe": "my_universe",'), 400, /not valid JSON/],
    ['an empty body', () => post('/backtrace/events', ''), 400, /body is empty/],
    ['a batch array', () => post('/backtrace/events', [sample]), 400, /one error group object per POST/],
    ['no fingerprint', () => post('/backtrace/events', groupWith({ fingerprint: undefined })), 400, /fingerprint/],
    ['a fingerprint of the wrong type', () => post('/backtrace/events', groupWith({ fingerprint: 42 })), 400, /fingerprint/],
    ['an unknown universe/project', () => post('/backtrace/events', groupWith({ universe: 'other', fingerprint: 'a'.repeat(64) })), 422, /no integration is configured for Backtrace universe "other", project "my_project"/],
    ['an oversized body', () => post('/backtrace/events', groupWith({ fingerprint: 'b'.repeat(64), padding: 'x'.repeat(300 * 1024) })), 413, /limit is 204800 bytes/],
  ])('%s', async (_case, send, status, message) => {
    // Prepare
    const issuesBefore = stack.jiraSandbox!.issues.length;
    const invocationsBefore = stack.poller.stats().invocations;

    // Act
    const answer = await send();
    await stack.poller.idle({ timeoutMs: 45_000 });

    // Assess
    expect(answer.status).toBe(status);
    expect(answer.body.message).toMatch(message);
    if (status === 401) expect(answer.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(stack.poller.stats().invocations).toBe(invocationsBefore);
    expect(stack.jiraSandbox!.issues).toHaveLength(issuesBefore);
  });
});
