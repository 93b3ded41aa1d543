/**
 * End to end on the local stack: a Backtrace group carrying characters SQS refuses (U+FFFF, U+FFFE) or fauxqs
 * refuses (an emoji) still becomes exactly one Jira issue, with the character intact in its summary.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const secrets = JSON.parse(readFileSync(new URL('../../infra/local/local.secrets.json', import.meta.url), 'utf8')) as Record<string, string>;
const { username, password } = JSON.parse(secrets['local/webhook-basic-auth']) as { username: string; password: string };

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ log: () => undefined, pollTimers: false });
});
afterAll(async () => {
  await stack?.stop();
});

describe('Local stack: a group with characters a queue refuses becomes one Jira issue', () => {
  it.each([
    ['U+FFFF', '\uffff'],
    ['U+FFFE', '\ufffe'],
    ['an emoji', '\u{1F600}'],
  ])('creates exactly one issue for a group with %s in its classifiers, the character intact in the summary', { timeout: 60_000 }, async (_case, char) => {
    // Prepare
    const fingerprint = randomBytes(32).toString('hex');
    const body = JSON.stringify({ ...sample, fingerprint, classifiers: [`exception${char}`] });

    // Act
    const response = await fetch(`${stack.url}/backtrace/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
      body,
    });
    await stack.poller.idle({ timeoutMs: 45_000 });

    // Assess
    expect(response.status).toBe(202);
    const issues = stack.jiraSandbox!.issues.filter((issue) => String(issue.fields.description).includes(fingerprint));
    expect(issues).toHaveLength(1);
    expect(issues[0].fields.summary).toBe(`exception${char} in my_app.exe (1.1.0)`);
    expect(stack.backtraceSandbox!.getIssue('my_universe', 'my_project', fingerprint)?.tickets).toEqual([expect.objectContaining({ short: issues[0].key })]);
  });
});
