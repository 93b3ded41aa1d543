/**
 * `npm run screenshots`: the local demo's pages photographed in headless Chromium (Debian's package, driven by
 * playwright-core) for the README: the Backtrace sandbox's fingerprints, the Jira sandbox's issue list and an issue
 * page, each 1000x700, written to infra/local/screenshots/ (or `--out DIR`). It starts its own local stack on
 * random ports, posts a few error groups, clicks through the pages as a person would, then photographs them.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseStoredCredentials } from '../../shared/domain/basic-auth.ts';
import { demoPageUrls, seedDemoVersions } from './demo-pages.ts';
import { DEFAULT_SECRETS_FILE, startLocalStack } from './local-stack.ts';
import { launchSystemChromium } from './system-browser.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const { values } = parseArgs({ options: { out: { type: 'string', default: new URL('./screenshots/', import.meta.url).pathname } } });
const out = resolve(values.out);
mkdirSync(out, { recursive: true });

const sample = JSON.parse(readFileSync(new URL('./sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const GROUPS = [
  { classifiers: ['SIGSEGV', 'memcpy'], function: 'memcpy' },
  { classifiers: ['NullReferenceException'], function: 'Inventory.Load' },
  { classifiers: ['SIGABRT', 'assert'], function: 'Renderer::present' },
];

const stack = await startLocalStack({ port: 0, pollIntervalSeconds: 1, log: () => undefined });
const browser = await launchSystemChromium({ viewport: { width: 1000, height: 700 } });
try {
  seedDemoVersions(stack);
  const integration = stack.config.integrations[0]!;
  const secrets = JSON.parse(readFileSync(DEFAULT_SECRETS_FILE, 'utf8')) as Record<string, string>;
  const credentials = parseStoredCredentials(secrets[integration.ingest.basicAuthSecret]!, integration.ingest.basicAuthSecret);
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  for (const group of GROUPS) {
    const response = await fetch(`${stack.url}/backtrace/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ ...sample, fingerprint: randomBytes(32).toString('hex'), classifiers: group.classifiers, callstack: [group.function, 'main'] }),
    });
    if (response.status !== 202) throw new Error(`the bridge answered ${response.status} to an error group`);
  }
  await stack.poller.idle();
  await stack.settled();

  const urls = demoPageUrls(stack);
  const page = await browser.context.newPage();
  // As a person: resolve the first fingerprint and assign the second in Backtrace; in Jira, set a fix version.
  await page.goto(urls.backtraceFingerprints!);
  await page.getByLabel('You are').first().selectOption({ label: 'ana' });
  await page.locator('tbody tr').nth(0).getByRole('button', { name: 'Resolve' }).click();
  await page.waitForURL(/notice=/);
  const second = page.locator('tbody tr').nth(1);
  await second.getByLabel('Assignee').selectOption({ label: 'ana' });
  await second.getByRole('button', { name: 'Assign' }).click();
  await page.waitForURL(/notice=/);
  await stack.settled();

  const issue = stack.jiraSandbox!.issues[0]!;
  const ana = stack.jiraSandbox!.users.find((user) => user.displayName === 'Ana Lima')!;
  await page.goto(`${stack.jiraSandbox!.url}/browse/${issue.key}`);
  await page.getByLabel('You are').selectOption({ label: 'Ana Lima' });
  await page.getByLabel('1.3.0').check();
  await page.getByRole('button', { name: 'Save fix versions' }).click();
  await page.waitForURL(/notice=/);
  await stack.settled();

  const shots: [string, string][] = [
    ['backtrace-fingerprints.png', `${urls.backtraceFingerprints!}?as=7`],
    ['jira-issues.png', urls.jiraIssues!],
    ['jira-issue.png', `${stack.jiraSandbox!.url}/browse/${issue.key}?as=${encodeURIComponent(ana.accountId ?? ana.name ?? '')}`],
  ];
  for (const [file, url] of shots) {
    await page.goto(url);
    await page.screenshot({ path: join(out, file) });
    console.log(`${join(out, file)}  (${url})`);
  }
} finally {
  await browser.close();
  await stack.stop();
}
