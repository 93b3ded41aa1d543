/**
 * Secrets never leave the adapters: not in messages, not in the JSON of an error, not in what a logger prints of
 * its cause chain (HTTP client errors may carry the request headers; the adapters must not pass them on).
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createBacktraceClient } from '../../../shared/adapters/backtrace/backtrace-client.ts';
import { createJiraClient } from '../../../shared/adapters/jira/jira-client.ts';
import { startBacktraceFake, type BacktraceFake } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { rejection } from './support/assertions.ts';

const JIRA_TOKEN = 'Zq9-jira-api-token-7731';
const PAT = 'NjM4-personal-access-token-0042';
const BACKTRACE_TOKEN = 'bt-coroner-token-5e1d9a';
const basicHeader = Buffer.from(`bot@example.com:${JIRA_TOKEN}`).toString('base64');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Everything a log line could carry about the error: message, JSON, and the printed cause chain. */
function everythingPrinted(error: Error): string {
  return [error.message, JSON.stringify(error), inspect(error, { depth: Infinity }), String(error.stack)].join('\n');
}

const noSleep = { sleep: async () => undefined };
const bug = { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash', labels: ['two words'] };

type JiraScenario = { name: string; act: (fake: JiraFake) => Promise<Error> };

const jiraScenarios: JiraScenario[] = [
  {
    name: '401',
    act: async (fake) => {
      fake.failNext({ status: 401 });
      return rejection(jiraClient(fake).deploymentType());
    },
  },
  { name: '400 field refusal', act: (fake) => rejection(jiraClient(fake).createIssue(bug)) },
  {
    name: '429 beyond the inline budget',
    act: async (fake) => {
      fake.failNext({ status: 429, retryAfter: '60' });
      return rejection(jiraClient(fake).createIssue(bug));
    },
  },
  {
    name: 'timeout',
    act: async (fake) => {
      fake.failNext({ delayMs: 5_000, path: /\/issue$/ });
      return rejection(jiraClient(fake, 1_000).createIssue(bug));
    },
  },
  {
    name: 'refused connection',
    act: async (fake) => {
      const jira = jiraClient(fake);
      await fake.close();
      return rejection(jira.listFields());
    },
  },
];

function jiraClient(fake: JiraFake, timeoutMs = 10_000) {
  return createJiraClient({
    apiUrl: fake.apiUrl,
    siteUrl: fake.url,
    auth: { type: 'api-token', email: 'bot@example.com', tokenSecret: 'jira-token' },
    secrets: { 'jira-token': JIRA_TOKEN },
    timeoutMs,
    runner: noSleep,
  });
}

describe('Adapters: secrets', () => {
  it.each(jiraScenarios)('keeps the Jira API token out of the error on $name', async ({ act }) => {
    // Prepare
    const fake = await startJiraFake({ auth: { basic: [{ user: 'bot@example.com', secret: JIRA_TOKEN }] } });
    closers.push(() => fake.close());

    // Act
    const error = await act(fake);

    // Assess
    const printed = everythingPrinted(error);
    expect(printed).not.toContain(JIRA_TOKEN);
    expect(printed).not.toContain(basicHeader);
    expect(printed).not.toMatch(/authorization/i);
  });

  it('keeps a personal access token out of the error on 403', async () => {
    // Prepare
    const fake = await startJiraFake({ deployment: 'Server', auth: { bearer: [PAT] } });
    closers.push(() => fake.close());
    const jira = createJiraClient({
      apiUrl: fake.apiUrl,
      siteUrl: fake.url,
      auth: { type: 'pat', tokenSecret: 'jira-pat' },
      secrets: { 'jira-pat': PAT },
      runner: noSleep,
    });
    fake.failNext({ status: 403, path: /\/issue$/ });

    // Act
    const error = await rejection(jira.createIssue({ ...bug, labels: ['ok'] }));

    // Assess
    expect(error.message).toContain('Browse Projects + Create Issues in CRASH');
    expect(everythingPrinted(error)).not.toContain(PAT);
  });

  it('keeps the Backtrace token out of the error on a refused token and on an outage', async () => {
    // Prepare
    const fake: BacktraceFake = await startBacktraceFake({ tokens: [BACKTRACE_TOKEN] });
    closers.push(() => fake.close());
    const ref = { universe: 'acme', project: 'game', fingerprint: 'a'.repeat(64) };
    const wrong = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: `${BACKTRACE_TOKEN}-old` }, runner: noSleep });
    const right = createBacktraceClient({ url: fake.url, credentials: { kind: 'api-token', token: BACKTRACE_TOKEN }, runner: noSleep });

    // Act
    const refused = await rejection(wrong.setTickets(ref, []));
    fake.failNext({ status: 503, times: Infinity });
    const outage = await rejection(right.getTickets(ref));

    // Assess
    for (const error of [outage, refused]) {
      const printed = everythingPrinted(error);
      expect(printed).not.toContain(BACKTRACE_TOKEN);
      expect(printed).not.toMatch(/x-coroner-token/i);
    }
  });
});
