import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalSecretSource, secretEnvVarName } from '../../../shared/adapters/secrets/local-secret-source.ts';
import { SecretsManagerSecretSource } from '../../../shared/adapters/secrets/secrets-manager-secret-source.ts';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';

/**
 * A loopback stand-in for the Secrets Manager endpoint (AWS JSON 1.1 protocol, `GetSecretValue` only): no emulator
 * for it ships on npm, and the adapter's caching and error mapping are what is under test.
 */
interface FakeSecretsManager {
  url: string;
  secrets: Map<string, string>;
  throttle: boolean;
  requests: string[];
  close(): Promise<void>;
}

async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const fake: Omit<FakeSecretsManager, 'url' | 'close'> = { secrets: new Map(), throttle: false, requests: [] };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const { SecretId } = JSON.parse(raw) as { SecretId: string };
      fake.requests.push(SecretId);
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (fake.throttle) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
        return;
      }
      const value = fake.secrets.get(SecretId);
      if (value === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
        return;
      }
      res.end(JSON.stringify({ ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${SecretId}`, Name: SecretId, SecretString: value }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

describe('Class: SecretsManagerSecretSource', () => {
  let fake: FakeSecretsManager;
  let client: SecretsManagerClient;
  let now: number;
  const clock = { now: () => now };

  beforeAll(async () => {
    fake = await startFakeSecretsManager();
    client = new SecretsManagerClient({
      endpoint: fake.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client?.destroy();
    await fake?.close();
  });

  beforeEach(() => {
    fake.secrets.clear();
    fake.requests.length = 0;
    fake.throttle = false;
    now = 1_000_000;
  });

  it('reads a secret once per TTL, and again after it', async () => {
    // Prepare
    fake.secrets.set('jira/token', 's3cr3t-one');
    const source = new SecretsManagerSecretSource({ client, ttlMs: 60_000, clock });

    // Act
    const first = await source.get('jira/token');
    fake.secrets.set('jira/token', 's3cr3t-two');
    now += 59_000;
    const cached = await source.get('jira/token');
    now += 2_000;
    const refreshed = await source.get('jira/token');

    // Assess
    expect([first, cached, refreshed]).toEqual(['s3cr3t-one', 's3cr3t-one', 's3cr3t-two']);
    expect(fake.requests).toEqual(['jira/token', 'jira/token']);
  });

  it('shares one request among concurrent reads of the same secret', async () => {
    // Prepare
    fake.secrets.set('bt/token', 'value');
    const source = new SecretsManagerSecretSource({ client, clock });

    // Act
    const values = await Promise.all([source.get('bt/token'), source.get('bt/token'), source.get('bt/token')]);

    // Assess
    expect(values).toEqual(['value', 'value', 'value']);
    expect(fake.requests).toHaveLength(1);
  });

  it('reports a missing secret as permanent, naming it', async () => {
    // Prepare
    const source = new SecretsManagerSecretSource({ client, clock });

    // Act
    const attempt = source.get('jira/missing');

    // Assess
    await expect(attempt).rejects.toThrow(PermanentError);
    await expect(attempt).rejects.toThrow('"jira/missing" does not exist');
  });

  it('reports throttling as retryable, and does not cache the failure', async () => {
    // Prepare
    fake.secrets.set('jira/token', 'value');
    fake.throttle = true;
    const source = new SecretsManagerSecretSource({ client, clock });

    // Act
    const attempt = source.get('jira/token');
    await expect(attempt).rejects.toThrow(RetryableError);
    fake.throttle = false;
    const retried = await source.get('jira/token');

    // Assess
    expect(retried).toBe('value');
    expect(fake.requests).toHaveLength(2);
  });
});

describe('Class: LocalSecretSource', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bridge-secrets-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a secret from its BRIDGE_SECRET_ environment variable', async () => {
    // Prepare
    const source = new LocalSecretSource({ env: { BRIDGE_SECRET_JIRA_API_TOKEN: 'from-env' } });

    // Act
    const value = await source.get('jira/api-token');

    // Assess
    expect(value).toBe('from-env');
  });

  it('reads a secret from the JSON file, an object value as JSON, and lets the environment override it', async () => {
    // Prepare
    const file = join(dir, 'secrets.json');
    await writeFile(file, JSON.stringify({ 'jira/api-token': 'from-file', 'ingest/basic': { username: 'bt', password: 'pw' }, overridden: 'file' }));
    const source = new LocalSecretSource({ file, env: { BRIDGE_SECRET_OVERRIDDEN: 'env' } });

    // Act
    const values = await Promise.all([source.get('jira/api-token'), source.get('ingest/basic'), source.get('overridden')]);

    // Assess
    expect(values).toEqual(['from-file', '{"username":"bt","password":"pw"}', 'env']);
  });

  it('names the missing secret and where to set it, without any value', async () => {
    // Prepare
    const file = join(dir, 'other.json');
    await writeFile(file, JSON.stringify({ present: 'do-not-print-me' }));
    const source = new LocalSecretSource({ file, env: {} });

    // Act
    const error = await source.get('jira/absent').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe(`Secret "jira/absent" is not set (set environment variable BRIDGE_SECRET_JIRA_ABSENT or key "jira/absent" in ${file})`);
  });

  it('does not quote a malformed secrets file in its error', async () => {
    // Prepare
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"jira/api-token": hunter2}');
    const source = new LocalSecretSource({ file, env: {} });

    // Act
    const error = await source.get('jira/api-token').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain('not valid JSON');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it.each([
    ['jira/api-token', 'BRIDGE_SECRET_JIRA_API_TOKEN'],
    ['bt.token', 'BRIDGE_SECRET_BT_TOKEN'],
    ['Plain42', 'BRIDGE_SECRET_PLAIN42'],
  ])('maps secret %s to variable %s', (name, variable) => {
    // Act
    const result = secretEnvVarName(name);

    // Assess
    expect(result).toBe(variable);
  });
});
