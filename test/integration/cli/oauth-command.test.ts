/**
 * `oauth init` and `oauth authorize` against the Jira sandbox's OAuth 1.0a provider (reference section 7): the key
 * pair stored as the configured secret, the public key printed as the Application Link takes it, then the dance
 * request token -> approval by a named user -> access token, proven by a signed GET myself.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOauthCommands } from '../../../infra/cli/commands/oauth.ts';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { integrationConfig, runCli, writeFixture } from './support/run-cli.ts';

const consumerKey = 'bridge-consumer';
const oauth1 = { type: 'oauth1', consumerKey, privateKeySecret: 'dc/oauth-key', accessTokenSecret: 'dc/oauth-token' };
const readSecrets = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
const live = { stdout: '' };
const cli = (args: string[], interactive = false, prompt?: (q: string) => Promise<string>) =>
  runCli([(program) => registerOauthCommands(program, { interactive: () => interactive, ...(prompt ? { prompt } : {}) })], args, live);

describe('CLI: oauth init', () => {
  it('stores a 2048-bit RSA private key under jira.auth.privateKeySecret and prints its public key with the Application Link steps', async () => {
    // Prepare
    const { configFile, secretsFile } = writeFixture(integrationConfig({ apiUrl: 'https://jira.example.com/jira/rest/api/2/', auth: oauth1 }), { other: 'kept' });

    // Act
    const run = await cli(['--config', configFile, '--secrets', secretsFile, 'oauth', 'init']);
    const again = await cli(['--config', configFile, '--secrets', secretsFile, '--json', 'oauth', 'init']);

    // Assess
    expect(run.exitCode).toBe(0);
    const secrets = readSecrets(secretsFile);
    expect(secrets.other).toBe('kept');
    const publicFromStored = createPublicKey(secrets['dc/oauth-key']!).export({ type: 'spki', format: 'pem' }).toString();
    expect(createPublicKey(secrets['dc/oauth-key']!).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(run.stdout).toContain(publicFromStored.trim());
    expect(run.stdout).toContain(`Consumer Key = ${consumerKey}`);
    expect(run.stdout).toContain('https://jira.example.com/jira/plugins/servlet/applinks');
    expect(run.stdout).not.toContain('PRIVATE KEY');
    // A second init keeps the key (the link keeps working) and shows the same public key.
    expect(again.exitCode).toBe(0);
    expect(again.json).toMatchObject({ status: 'kept', consumerKey, keyBits: 2048, publicKeyPem: publicFromStored });
    expect(readSecrets(secretsFile)['dc/oauth-key']).toBe(secrets['dc/oauth-key']);
  });

  it('replaces the key only with --force, and refuses a key size under 2048', async () => {
    // Prepare
    const { configFile, secretsFile } = writeFixture(integrationConfig({ apiUrl: 'https://jira.example.com/rest/api/2/', auth: oauth1 }), {});
    await cli(['--config', configFile, '--secrets', secretsFile, 'oauth', 'init']);
    const first = readSecrets(secretsFile)['dc/oauth-key'];

    // Act
    const small = await cli(['--config', configFile, '--secrets', secretsFile, 'oauth', 'init', '--force', '--key-size', '1024']);
    const forced = await cli(['--config', configFile, '--secrets', secretsFile, '--json', 'oauth', 'init', '--force', '--key-size', '3072']);

    // Assess
    expect(small.exitCode).toBe(1);
    expect(small.stderr).toContain('--key-size must be a whole number of bits, at least 2048');
    expect(forced.json).toMatchObject({ status: 'replaced', keyBits: 3072 });
    expect(readSecrets(secretsFile)['dc/oauth-key']).not.toBe(first);
  });

  it.each([
    ['a non-oauth1 auth', { type: 'pat', tokenSecret: 'pat' }, undefined, 'uses jira.auth type "pat"'],
    ['an unknown integration', oauth1, 'nope', 'no integration "nope"'],
  ])('names what to change for %s, with no stack trace and exit code 1', async (_what, auth, integration, message) => {
    // Prepare
    const { configFile, secretsFile } = writeFixture(integrationConfig({ apiUrl: 'https://jira.example.com/rest/api/2/', auth }), {});

    // Act
    const run = await cli(['--config', configFile, '--secrets', secretsFile, ...(integration ? ['--integration', integration] : []), 'oauth', 'init']);

    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readSecrets(secretsFile)).toEqual({});
  });

  it('names the config file when it cannot be read', async () => {
    // Act
    const run = await cli(['--config', '/nonexistent/bridge.json', 'oauth', 'init']);

    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('Cannot read the config file /nonexistent/bridge.json: no such file. Pass the bridge config with --config <file>.');
  });
});

describe('CLI: oauth authorize against the Jira sandbox', () => {
  let jira: JiraFake;
  let configFile: string;
  let secretsFile: string;

  beforeAll(async () => {
    ({ configFile, secretsFile } = writeFixture({}, {}));
    // The link is made from what `oauth init` printed, as an admin would paste it.
    writeFileSync(configFile, JSON.stringify(integrationConfig({ apiUrl: 'https://placeholder.invalid/rest/api/2/', auth: oauth1 })));
    const init = await cli(['--config', configFile, '--secrets', secretsFile, '--json', 'oauth', 'init']);
    jira = await startJiraFake({ deployment: 'Server', contextPath: '/jira', auth: { oauth1: { consumerKey, publicKeyPem: init.json.publicKeyPem, accessTokens: [] } } });
    writeFileSync(configFile, JSON.stringify(integrationConfig({ apiUrl: jira.apiUrl, auth: oauth1 })));
  });
  afterAll(() => jira.close());

  it('prints the authorize URL, then exchanges the verifier, stores the access token and proves it with a signed GET myself', async () => {
    // Act
    const first = await cli(['--config', configFile, '--secrets', secretsFile, '--json', 'oauth', 'authorize']);
    const { requestToken, authorizeUrl } = first.json;
    const approval = jira.approveOAuthToken(requestToken, 'ana');
    const second = await cli(['--config', configFile, '--secrets', secretsFile, 'oauth', 'authorize', '--request-token', requestToken, '--verifier', approval.ok ? approval.verifier! : '']);

    // Assess
    expect(first.exitCode).toBe(0);
    expect(authorizeUrl).toBe(`${jira.url}/plugins/servlet/oauth/authorize?oauth_token=${encodeURIComponent(requestToken)}`);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('Signed GET myself: Ana Lima (ana)');
    const stored = JSON.parse(readSecrets(secretsFile)['dc/oauth-token']!) as { token: string };
    expect(stored.token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(second.stdout).not.toContain(stored.token);
    // Every request was signed afresh: no nonce was used twice.
    const nonces = jira.requests.map((request) => /oauth_nonce="([^"]+)"/.exec(String(request.headers.authorization))?.[1]).filter(Boolean);
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('asks for the verifier on a terminal and completes in one run', async () => {
    // Act
    // The person reads the URL the command printed, approves as admin, and types the code at the prompt.
    const run = await cli(['--config', configFile, '--secrets', secretsFile, 'oauth', 'authorize'], true, async () => {
      const requestToken = decodeURIComponent(/authorize\?oauth_token=(\S+)/.exec(live.stdout)![1]!);
      const approval = jira.approveOAuthToken(requestToken, 'admin');
      return approval.ok ? approval.verifier! : '';
    });

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Signed GET myself: Administrator (admin)');
  });

  it('refuses a wrong verifier with what to do, and keeps the stored token', async () => {
    // Prepare
    const before = readSecrets(secretsFile)['dc/oauth-token'];
    const first = await cli(['--config', configFile, '--secrets', secretsFile, '--json', 'oauth', 'authorize']);
    jira.approveOAuthToken(first.json.requestToken, 'ana');

    // Act
    const run = await cli(['--config', configFile, '--secrets', secretsFile, 'oauth', 'authorize', '--request-token', first.json.requestToken, '--verifier', 'wrong']);

    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('access-token step refused (verifier_invalid): the verification code does not match');
    expect(readSecrets(secretsFile)['dc/oauth-token']).toBe(before);
  });

  it('reports a key Jira does not know (signature_invalid) with the fix', async () => {
    // Prepare
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const other = writeFixture(integrationConfig({ apiUrl: jira.apiUrl, auth: oauth1 }), { 'dc/oauth-key': stranger });

    // Act
    const run = await cli(['--config', other.configFile, '--secrets', other.secretsFile, 'oauth', 'authorize']);

    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('request-token step refused (signature_invalid): Jira could not verify the RSA-SHA1 signature with the public key of the application link');
  });
});
