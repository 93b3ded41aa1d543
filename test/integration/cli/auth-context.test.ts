/**
 * The CLI's context: a local config without jira.apiUrl means the running local stack's Jira sandbox, and `--aws`
 * reads and writes AWS Secrets Manager (here a loopback stand-in speaking its JSON protocol).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuthContext, SecretsManagerStore } from '../../../infra/cli/auth-context.ts';
import { registerOauthCommands } from '../../../infra/cli/commands/oauth.ts';
import { integrationConfig, runCli, writeFixture } from './support/run-cli.ts';
import { startSecretsManagerFake, type SecretsManagerFake } from './support/secrets-manager-fake.ts';

const oauth1 = { type: 'oauth1', consumerKey: 'bridge', privateKeySecret: 'prod/jira-oauth-key', accessTokenSecret: 'prod/jira-oauth-token' };

describe('Function: loadAuthContext', () => {
  it('takes the Jira sandbox URL from the local state file when the config gives no jira.apiUrl', async () => {
    // Prepare
    const { dir, configFile } = writeFixture(integrationConfig({ auth: oauth1 }), {});
    const stateFile = join(dir, 'state.json');
    writeFileSync(stateFile, JSON.stringify({ url: 'http://127.0.0.1:3000', jiraSandbox: 'http://127.0.0.1:4567' }));

    // Act
    const context = await loadAuthContext({ config: configFile }, { localStateFile: stateFile });

    // Assess
    expect(context.integration.jira.apiUrl).toBe('http://127.0.0.1:4567/rest/api/2/');
    expect(context.integration.jira.siteUrl).toBe('http://127.0.0.1:4567');
  });

  it('without jira.apiUrl and no local stack running, says to set it or start the stack', async () => {
    // Prepare
    const { dir, configFile } = writeFixture(integrationConfig({ auth: oauth1 }), {});

    // Act
    const loading = loadAuthContext({ config: configFile }, { localStateFile: join(dir, 'absent.json') });

    // Assess
    await expect(loading).rejects.toThrow(/integration "dc" in .* has no jira\.apiUrl: set it to your Jira's REST API v2 URL, or start the local stack \(npm start\)/);
  });
});

describe('Class: SecretsManagerStore (--aws)', () => {
  let aws: SecretsManagerFake;
  const saved: Record<string, string | undefined> = {};
  const env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: '', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

  beforeAll(async () => {
    aws = await startSecretsManagerFake({ 'prod/existing': 'old' });
    env.AWS_ENDPOINT_URL_SECRETS_MANAGER = aws.endpoint;
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await aws.close();
  });

  it('finds, replaces (PutSecretValue) and creates (CreateSecret) secrets', async () => {
    // Prepare
    const store = new SecretsManagerStore(new SecretsManagerClient({ endpoint: aws.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }));

    // Act
    const missing = await store.find('prod/none');
    await store.put('prod/existing', 'new', 'd');
    await store.put('prod/created', 'value', 'd');

    // Assess
    expect(missing).toBeUndefined();
    expect(aws.secrets.get('prod/existing')).toBe('new');
    expect(aws.secrets.get('prod/created')).toBe('value');
    expect(await store.find('prod/created')).toBe('value');
  });

  it('oauth init --aws stores the private key in Secrets Manager', async () => {
    // Prepare
    const { configFile } = writeFixture(integrationConfig({ apiUrl: 'https://jira.example.com/rest/api/2/', auth: oauth1 }), {});

    // Act
    const run = await runCli([(program) => registerOauthCommands(program)], ['--config', configFile, '--aws', '--json', 'oauth', 'init']);

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.json).toMatchObject({ status: 'created', stored: 'AWS Secrets Manager secret "prod/jira-oauth-key"' });
    expect(aws.secrets.get('prod/jira-oauth-key')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(aws.calls).toContain('CreateSecret');
  });
});
