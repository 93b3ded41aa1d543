/**
 * What one new error group costs, end to end on the local stack with two-way sync on (the Jira sandbox's signed
 * webhooks wired to the bridge): delivered three times at once, as Backtrace's retries and the queue's redeliveries
 * do, it makes 1 Jira create and 1 Jira read (the link-time sync's, with the changelog), and 2 Backtrace calls (the
 * row read before the create, the one ticket write); its create sends no webhook back (the bridge's webhook asks for
 * updates and deletions only). Repeats of a linked group cost nothing at all: the ingest container that queued the
 * group answers them without queueing them again.
 *
 * A first group fills the per-container caches (Jira's field list, serverInfo, myself) so the counts are the
 * group's own. Poll timers are off, and no poll runs: what is counted is what the deliveries caused.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const secrets = JSON.parse(readFileSync(new URL('../../infra/local/local.secrets.json', import.meta.url), 'utf8')) as Record<string, string>;
const webhookCredentials = JSON.parse(secrets['local/webhook-basic-auth']!) as { username: string; password: string };
const authorization = `Basic ${Buffer.from(`${webhookCredentials.username}:${webhookCredentials.password}`).toString('base64')}`;

let stack: LocalStack;

async function deliver(fingerprint: string, times: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: times }, async () => {
      const response = await fetch(`${stack.url}/backtrace/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ ...sample, fingerprint }) });
      await response.text();
      return response.status;
    }),
  );
}

/** Every queued message handled (delayed retries included) and every webhook delivered, twice in a row, without a poll. */
async function quiet(): Promise<void> {
  const jira = stack.jiraSandbox!;
  for (let quietRounds = 0; quietRounds < 2; ) {
    const snapshot = () => JSON.stringify([stack.poller.stats(), stack.jiraChangesPoller.stats(), jira.webhookDeliveries.length]);
    const before = snapshot();
    await Promise.all([stack.poller.idle({ timeoutMs: 60_000 }), stack.jiraChangesPoller.idle({ timeoutMs: 60_000 }), jira.webhooksIdle()]);
    quietRounds = before === snapshot() ? quietRounds + 1 : 0;
  }
}

/** The calls made since `mark`, by endpoint (`GET issue/{id}`), method and path only. */
function callsSince(mark: { jira: number; backtrace: number; webhooks: number }) {
  const jira = stack.jiraSandbox!;
  const backtrace = stack.backtraceSandbox!;
  const count = (names: string[]) => names.reduce<Record<string, number>>((counts, name) => ({ ...counts, [name]: (counts[name] ?? 0) + 1 }), {});
  return {
    jira: count(jira.requests.slice(mark.jira).map((request) => `${request.method} ${request.path.replace(/^.*\/rest\/api\/2\//, '').replace(/\/[A-Z]+-\d+|\/\d+/g, '/{id}')}`)),
    backtrace: count(backtrace.requests.slice(mark.backtrace).map((request) => `${request.method} ${request.path}`)),
    webhooks: jira.webhookDeliveries.length - mark.webhooks,
  };
}

const mark = () => ({ jira: stack.jiraSandbox!.requests.length, backtrace: stack.backtraceSandbox!.requests.length, webhooks: stack.jiraSandbox!.webhookDeliveries.length });

beforeAll(async () => {
  stack = await startLocalStack({ openApiValidation: true, pollTimers: false, log: () => undefined });
  // Warm-up: the per-container caches (field list, serverInfo, myself) of both workers.
  await deliver(randomBytes(32).toString('hex'), 1);
  await quiet();
});

afterAll(async () => {
  await stack?.stop();
});

describe('Calls per new fingerprint (two-way sync)', () => {
  it('a new group delivered three times at once: 1 Jira create + 1 Jira read, 2 Backtrace calls, one issue', { timeout: 60_000 }, async () => {
    // Prepare
    const fingerprint = randomBytes(32).toString('hex');
    const before = mark();
    const issuesBefore = stack.jiraSandbox!.issues.length;

    // Act
    const statuses = await deliver(fingerprint, 3);
    await quiet();

    // Assess
    expect(statuses).toEqual([202, 202, 202]);
    expect(stack.jiraSandbox!.issues.length - issuesBefore).toBe(1);
    expect(callsSince(before)).toEqual({
      jira: { 'POST issue': 1, 'GET issue/{id}': 1 },
      backtrace: { 'POST /api/query': 1, 'POST /api/issue': 1 },
      // The create sends no webhook: the bridge's webhook does not ask for creations.
      webhooks: 0,
    });
    expect(stack.backtraceSandbox!.getIssue('my_universe', 'my_project', fingerprint)?.tickets).toEqual([expect.objectContaining({ watcher: 'local-jira' })]);
    expect(stack.jiraSandbox!.validationErrors).toEqual([]);
  });

  it('repeats of a linked group make no call of any kind', { timeout: 60_000 }, async () => {
    // Prepare
    const fingerprint = randomBytes(32).toString('hex');
    await deliver(fingerprint, 1);
    await quiet();
    const before = mark();
    const receivedBefore = stack.poller.stats().received;

    // Act
    const statuses = await deliver(fingerprint, 3);
    await quiet();

    // Assess: not even a queue message (the one ingest container queued the group moments ago)
    expect(statuses).toEqual([202, 202, 202]);
    expect(callsSince(before)).toEqual({ jira: {}, backtrace: {}, webhooks: 0 });
    expect(stack.poller.stats().received).toBe(receivedBefore);
  });
});
