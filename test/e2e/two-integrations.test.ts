/**
 * Two integrations on one Backtrace project (say, one Jira project for the game team and one for ops): each error
 * group becomes one issue in each, and the fingerprint's ticket list (which Backtrace replaces whole on every
 * write) ends with both entries, however the deliveries interleave.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import { localIntegration, writeStackFiles, type StackFiles } from './support/stack-files.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;

let files: StackFiles;
let stack: LocalStack;
let authorization: string;

beforeAll(async () => {
  const game: Record<string, any> = { ...localIntegration(), name: 'jira-game', sync: { mode: 'none' } };
  delete game.jiraWebhook;
  const ops = { ...structuredClone(game), name: 'jira-ops', jira: { ...game.jira, projectKey: 'OPS' } };
  files = writeStackFiles({ integrations: [game, ops] });
  stack = await startLocalStack({ configFile: files.configFile, secretsFile: files.secretsFile, log: () => undefined });
  const credentials = JSON.parse(files.secrets['local/webhook-basic-auth']!) as { username: string; password: string };
  authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
});

afterAll(async () => {
  await stack?.stop();
  files?.remove();
});

describe('Two integrations on one Backtrace project', () => {
  it('gives every fingerprint one issue per integration, and keeps both ticket entries', async () => {
    // Prepare
    const fingerprints = Array.from({ length: 12 }, () => randomBytes(32).toString('hex'));

    // Act: each group posted twice, all at once
    const answers = await Promise.all(
      [...fingerprints, ...fingerprints].map((fingerprint) =>
        fetch(`${stack.url}/backtrace/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ ...sample, fingerprint }),
        }).then((response) => response.status),
      ),
    );
    await stack.settled();

    // Assess
    expect(answers.every((status) => status === 202)).toBe(true);
    const jira = stack.jiraSandbox!;
    for (const fingerprint of fingerprints) {
      const issues = jira.issues.filter((issue) => (issue.fields.description as string).includes(fingerprint));
      expect(issues.map((issue) => issue.projectKey).sort()).toEqual(['CRASH', 'OPS']);
      const tickets = stack.backtraceSandbox!.getIssue('my_universe', 'my_project', fingerprint)!.tickets;
      expect(tickets.map((ticket) => ticket.watcher).sort()).toEqual(['jira-game', 'jira-ops']);
      expect(tickets.map((ticket) => ticket.short).sort()).toEqual(issues.map((issue) => issue.key).sort());
    }
    expect(jira.issues).toHaveLength(fingerprints.length * 2);
  });
});
