/**
 * End to end: a local stack whose integration signs in to Jira with OAuth 1.0a, set up from nothing with the admin
 * CLI as an admin would: `oauth init` stores the key pair's private key, the stack's Jira sandbox takes its public key
 * as the application link, `oauth authorize` gets the access token from the running sandbox, and the bridge then
 * creates the issue for a Backtrace error group with RSA-SHA1-signed requests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { registerOauthCommands } from '../../infra/cli/commands/oauth.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import { runCli } from '../integration/cli/support/run-cli.ts';
import { localIntegration, writeStackFiles } from './support/stack-files.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const oauth1 = { type: 'oauth1', consumerKey: 'local-bridge', privateKeySecret: 'local/jira-oauth-key', accessTokenSecret: 'local/jira-oauth-token' };
const cli = (args: string[]) => runCli([(program) => registerOauthCommands(program, { interactive: () => false })], args);

let stack: LocalStack | undefined;
afterAll(async () => {
  await stack?.stop();
});

describe('Local stack with jira.auth type oauth1', () => {
  it('works after oauth init + oauth authorize: the error group becomes an issue through signed requests', async () => {
    // Prepare: the stack's config, and a copy for the CLI that names the Jira the admin will link
    const integration = localIntegration();
    integration.jira.auth = oauth1;
    const files = writeStackFiles({ integrations: [integration] });
    const cliConfig = `${files.configFile}.cli.json`;
    const writeCliConfig = (apiUrl: string) => {
      const document = JSON.parse(readFileSync(files.configFile, 'utf8')) as { integrations: { jira: Record<string, unknown> }[] };
      document.integrations[0]!.jira.apiUrl = apiUrl;
      writeFileSync(cliConfig, JSON.stringify(document));
    };
    writeCliConfig('https://jira.example.com/rest/api/2/');
    const globals = ['--config', cliConfig, '--secrets', files.secretsFile];

    // Act: init, start, authorize as the person Ana, then a Backtrace error group arrives
    const init = await cli([...globals, 'oauth', 'init']);
    const log: string[] = [];
    stack = await startLocalStack({ configFile: files.configFile, secretsFile: files.secretsFile, jiraDeployment: 'Server', log: (line) => log.push(line), pollTimers: false });
    const jira = stack.jiraSandbox!;
    writeCliConfig(jira.apiUrl);
    const first = await cli([...globals, '--json', 'oauth', 'authorize']);
    const approval = jira.approveOAuthToken(first.json.requestToken, 'ana');
    const second = await cli([...globals, 'oauth', 'authorize', '--request-token', first.json.requestToken, '--verifier', approval.ok ? approval.verifier! : '']);
    const webhook = JSON.parse(files.secrets['local/webhook-basic-auth']!) as { username: string; password: string };
    const accepted = await fetch(`${stack.url}/backtrace/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${webhook.username}:${webhook.password}`).toString('base64')}` },
      body: JSON.stringify(sample),
    });
    await stack.poller.idle({ timeoutMs: 45_000 });

    // Assess
    expect(init.exitCode).toBe(0);
    expect(log.join('\n')).toContain('no access token in "local/jira-oauth-token" yet');
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('Signed GET myself: Ana Lima (ana)');
    expect(accepted.status).toBe(202);
    expect(jira.issues).toHaveLength(1);
    const creates = jira.requests.filter((request) => request.method === 'POST' && request.path === '/rest/api/2/issue');
    expect(creates).toHaveLength(1);
    expect(creates[0]!.headers.authorization).toMatch(/^OAuth .*oauth_consumer_key="local-bridge".*oauth_signature_method="RSA-SHA1"/);
  });
});
