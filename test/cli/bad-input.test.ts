/**
 * What a person gets for a mistake: usage with the closest match, the path and the reason of an unreadable config,
 * the URL and the network error of an unreachable Jira; never a stack trace, always a non-zero exit code.
 */
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { localIntegration, localSecrets } from '../e2e/support/stack-files.ts';
import { runBridge, tempFiles } from './support/run-bridge.ts';

const files = tempFiles();
afterAll(() => files.remove());
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('Bad input', () => {
  it('answers an unknown command with usage and the closest command', async () => {
    // Act
    const run = await runBridge(['valdate']);

    // Assess
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("error: unknown command 'valdate'");
    expect(run.stderr).toContain('(Did you mean validate?)');
    expect(run.stderr).toContain('npx bridge --help');
  });

  it('offers the webhook and oauth commands on the same program, with their closest matches', async () => {
    // Act
    const [webhook, oauth, missingConfig] = await Promise.all([
      runBridge(['webhok', 'list']),
      runBridge(['oauth', 'authorise']),
      runBridge(['--config', `${files.write('placeholder-2', '')}-missing.json`, 'webhook', 'list', '--url', 'https://bridge.example.com/jira/webhook']),
    ]);

    // Assess
    expect(webhook.code).toBe(2);
    expect(webhook.stderr).toContain('(Did you mean webhook?)');
    expect(oauth.code).toBe(2);
    expect(oauth.stderr).toContain('(Did you mean authorize?)');
    expect(missingConfig.code).toBe(1);
    expect(missingConfig.stderr).toMatch(/^error: /);
    noStackTrace(missingConfig.stderr);
  });

  it('answers an unknown flag with the closest flag', async () => {
    // Act
    const run = await runBridge(['links', '--fingerprnt', 'abc']);

    // Assess
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("error: unknown option '--fingerprnt'");
    expect(run.stderr).toContain('(Did you mean --fingerprint?)');
  });

  it('names the path and the reason of a config it cannot read', async () => {
    // Prepare
    const missing = `${files.write('placeholder', '')}-missing.json`;
    const broken = files.write('broken.json', '{"integrations": [');

    // Act
    const [absent, notJson, forScripts] = await Promise.all([
      runBridge(['--config', missing, 'validate']),
      runBridge(['--config', broken, 'preview', '--event', broken]),
      runBridge(['links', '--json', '--config', missing]),
    ]);

    // Assess
    expect(absent.code).toBe(1);
    expect(absent.stderr).toBe(`error: Cannot read the config file ${missing}: no such file. Pass the bridge config with --config <file>.\n`);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain(`error: The config file ${broken} is not valid JSON (`);
    expect(forScripts.code).toBe(1);
    expect(forScripts.json()).toEqual({ ok: false, error: `Cannot read the config file ${missing}: no such file. Pass the bridge config with --config <file>.` });
    noStackTrace(absent.stderr + notJson.stderr);
  });

  it('reports schema problems with their JSON path before any live check', async () => {
    // Prepare
    const base = localIntegration();
    const config = files.write('v3.json', { integrations: [{ ...base, jira: { ...base.jira, apiUrl: 'https://acme.atlassian.net/rest/api/3/' }, backtrace: { ...base.backtrace, url: 'http://127.0.0.1:9' } }] });

    // Act
    const run = await runBridge(['--config', config, '--json', 'validate']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.json().ok).toBe(false);
    expect(run.json().integrations[0].checks[0]).toMatchObject({ check: 'config.schema', status: 'fail', detail: expect.stringContaining('integrations[0].jira.apiUrl (integration "local-jira"): Jira REST API v3 is not supported') });
  });

  it('names the URL and the network error when Jira cannot be reached, without a stack trace', async () => {
    // Prepare
    const port = await closedPort();
    const base = localIntegration();
    const config = files.write('unreachable.json', { integrations: [{ ...base, jira: { ...base.jira, apiUrl: `http://127.0.0.1:${port}/rest/api/2/` }, backtrace: { ...base.backtrace, url: `http://127.0.0.1:${port}` } }] });
    const secrets = files.write('secrets.json', localSecrets());
    const event = new URL('../../infra/local/sample-backtrace-group.json', import.meta.url).pathname;

    // Act
    const [validate, preview] = await Promise.all([
      runBridge(['--config', config, '--secrets', secrets, 'validate']),
      runBridge(['--config', config, '--secrets', secrets, 'preview', '--event', event]),
    ]);

    // Assess
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(`FAIL  jira.credentials: Could not connect to Jira for GET http://127.0.0.1:${port}/rest/api/2/myself (ECONNREFUSED)`);
    expect(preview.code).toBe(1);
    expect(preview.stderr).toMatch(new RegExp(`^error: Could not connect to Jira for GET http://127\\.0\\.0\\.1:${port}/rest/api/2/(field|serverInfo) \\(ECONNREFUSED\\)`));
    noStackTrace(validate.stdout + validate.stderr + preview.stderr);
  });

  it('asks which dead letters to replay, and names a missing secret with where to set it', async () => {
    // Prepare
    const base = localIntegration();
    const config = files.write('ok.json', { integrations: [{ ...base, jira: { ...base.jira, apiUrl: 'http://127.0.0.1:9/rest/api/2/' }, backtrace: { ...base.backtrace, url: 'http://127.0.0.1:9' } }] });
    const noSecrets = files.write('empty-secrets.json', {});

    // Act
    const [replay, secretless] = await Promise.all([runBridge(['--config', config, 'dlq', 'replay']), runBridge(['--config', config, '--secrets', noSecrets, '--json', 'validate'])]);

    // Assess
    expect(replay.code).toBe(1);
    expect(replay.stderr).toBe('error: Say which dead letters to replay: --id <id> (see `npx bridge dlq list`) or --all.\n');
    expect(secretless.code).toBe(1);
    expect(secretless.json().integrations[0].checks).toContainEqual(expect.objectContaining({
      check: 'secret[local/jira-api-token]',
      status: 'fail',
      detail: `Secret "local/jira-api-token" is not set (set environment variable BRIDGE_SECRET_LOCAL_JIRA_API_TOKEN or key "local/jira-api-token" in ${noSecrets})`,
    }));
  });

  it('says the local stack is not answering when its state file outlived it', async () => {
    // Prepare
    const port = await closedPort();
    const dead = `http://127.0.0.1:${port}`;
    const state = files.write('stale-state.json', {
      url: dead, configFile: new URL('../../infra/local/local.config.json', import.meta.url).pathname, secretsFile: new URL('../../infra/local/local.secrets.json', import.meta.url).pathname,
      jiraSandbox: dead, backtraceSandbox: dead, region: 'us-east-1', dynamodbEndpoint: dead, sqsEndpoint: dead, linksTableName: 'links',
      queues: [{ name: 'backtrace-events', url: `${dead}/000000000000/backtrace-events`, deadLetterQueue: { name: 'backtrace-events-dlq', url: `${dead}/000000000000/backtrace-events-dlq` } }],
    });

    // Act
    const [links, dlq] = await Promise.all([runBridge(['links'], { BRIDGE_LOCAL_STATE: state }), runBridge(['dlq', 'list'], { BRIDGE_LOCAL_STATE: state })]);

    // Assess
    for (const run of [links, dlq]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: The local stack does not answer \(.*ECONNREFUSED.*\): start it with `npm start`, or add --aws to read the deployed stack\.\n$/);
    }
  });

  it('says so when no local stack runs', async () => {
    // Prepare
    const base = localIntegration();
    const config = files.write('urls.json', { integrations: [{ ...base, jira: { ...base.jira, apiUrl: 'http://127.0.0.1:9/rest/api/2/' }, backtrace: { ...base.backtrace, url: 'http://127.0.0.1:9' } }] });

    // Act
    const run = await runBridge(['--config', config, 'dlq', 'list']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: The local stack is not running: start it with `npm start` (in another terminal), or add --aws to read the deployed stack.\n');
  });

  it('points a config without URLs at the local stack that would give them', async () => {
    // Act
    const run = await runBridge(['--config', new URL('../../infra/local/local.config.json', import.meta.url).pathname, 'validate']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL  config.schema: integrations[0].jira.apiUrl (integration "local-jira"): required');
    expect(run.stdout).toContain('FAIL  config.schema: (root): an integration without jira.apiUrl / backtrace.url uses the sandboxes of the local stack: start it with `npm start` (with this config), or give the URLs');
  });
});
