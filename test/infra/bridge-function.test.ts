import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { BridgeFunction, ESM_REQUIRE_BANNER } from '../../infra/constructs/bridge-function.ts';
import { configDefine, esbuildOptions } from '../../infra/constructs/bundle-options.ts';
import { parseConfig } from '../../shared/domain/config/index.ts';
import { configDocument } from './bridge-config.factory.ts';

const run = promisify(execFile);

/** What Lambda puts in every function's environment: the execution role's session credentials. */
const lambdaCredentials = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret', AWS_SESSION_TOKEN: 'session-token' };

describe('Class: BridgeFunction', () => {
  describe('bundling (esbuild, as cdk synth runs it)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'bridge-function-'));
    // A config with a template and characters a shell would mangle, to prove it arrives byte for byte.
    const document = configDocument({ settings: { eventBusName: 'bus' } });
    (document.integrations as Record<string, unknown>[])[0].jira = {
      ...((document.integrations as Record<string, unknown>[])[0].jira as object),
      subject: `$classifiers in "\${application}" 'quoted' $$ back\\slash`,
    };
    let bundleDir = '';

    beforeAll(() => {
      const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:enable-asset-metadata': true } });
      const stack = new Stack(app, 'Probe');
      new BridgeFunction(stack, 'Probe', { entry: 'test/infra/fixtures/bundle-probe.ts', config: parseConfig(document, 'test config') });
      const assembly = app.synth();
      const resources = Object.values(assembly.getStackByName('Probe').template.Resources as Record<string, { Type: string; Metadata?: Record<string, string> }>);
      const fn = resources.find((resource) => resource.Type === 'AWS::Lambda::Function');
      bundleDir = join(assembly.directory, fn?.Metadata?.['aws:asset:path'] ?? 'missing-asset-path');
    }, 120_000);

    afterAll(() => rmSync(outdir, { recursive: true, force: true }));

    it('produces one minified ESM file with its source map, starting with the createRequire banner', () => {
      // Prepare
      const files = readdirSync(bundleDir).sort();

      // Act
      const code = readFileSync(join(bundleDir, 'index.mjs'), 'utf8');

      // Assess
      expect(files).toEqual(['index.mjs', 'index.mjs.map']);
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    });

    it('is byte for byte the bundle esbuildOptions builds, the one npm run bench:cold-start measures', async () => {
      // Prepare
      const outfile = join(outdir, 'bench-build', 'index.mjs');

      // Act
      await build(esbuildOptions('test/infra/fixtures/bundle-probe.ts', outfile, configDefine(parseConfig(document, 'test config'))));

      // Assess
      expect(readFileSync(outfile, 'utf8')).toBe(readFileSync(join(bundleDir, 'index.mjs'), 'utf8'));
    });

    it('runs as an ES module on plain Node with no node_modules in reach: axios and the AWS SDK are inside, the validated config is embedded and read back as it is', async () => {
      // Prepare
      const url = pathToFileURL(join(bundleDir, 'index.mjs')).href;
      // Like the Lambda runtime, the bundle's directory cannot resolve our packages: whatever loads comes from the bundle.
      expect(() => createRequire(url).resolve('@aws-sdk/client-sqs')).toThrow();
      expect(() => createRequire(url).resolve('axios')).toThrow();
      const script = `const { handler } = await import(${JSON.stringify(url)}); console.log(JSON.stringify(await handler()));`;

      // Act
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...lambdaCredentials },
      });

      // Assess
      const result = JSON.parse(stdout) as { config: unknown; axiosLoaded: boolean; sqsClientLoaded: boolean; credentials: unknown };
      expect(result.axiosLoaded).toBe(true);
      expect(result.sqsClientLoaded).toBe(true);
      expect(result.credentials).toEqual({ accessKeyId: 'AKIAEXAMPLE', sessionToken: 'session-token' });
      // loadRuntimeConfig in the bundle: synth's parseConfig output, the template's quotes and backslashes intact.
      expect(result.config).toEqual(parseConfig(document, 'test config'));
      expect((result.config as { integrations: { jira: { subject: string } }[] }).integrations[0]!.jira.subject).toBe(`$classifiers in "\${application}" 'quoted' $$ back\\slash`);
    }, 60_000);

    it('sends HTTP through the bundled axios fetch adapter: JSON parsed, a 302 refused as permanent, a refused connection retryable and not applied', async () => {
      // Prepare
      const url = pathToFileURL(join(bundleDir, 'index.mjs')).href;
      const server: Server = createServer((request, response) => {
        if (request.url === '/json') response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: '10001', key: 'PROJ-1' }));
        else response.writeHead(302, { location: 'https://elsewhere.example.com/json' }).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const refusedPort = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const event = { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, refusedUrl: `http://127.0.0.1:${refusedPort}/` };
      const script = `const { handler } = await import(${JSON.stringify(url)}); console.log(JSON.stringify((await handler(${JSON.stringify(event)})).http));`;

      // Act
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...lambdaCredentials },
      }).finally(() => server.close());

      // Assess
      expect(JSON.parse(stdout)).toEqual({
        json: { value: { id: '10001', key: 'PROJ-1' } },
        redirect: { error: 'PermanentError', status: 302 },
        refused: { error: 'RetryableError', notApplied: true, code: 'ECONNREFUSED' },
      });
    }, 60_000);

    it("finds no credentials but the environment's (the one source on Lambda): no file, metadata or SSO lookup", async () => {
      // Prepare
      const url = pathToFileURL(join(bundleDir, 'index.mjs')).href;
      const script = `const { handler } = await import(${JSON.stringify(url)}); console.log(JSON.stringify(await handler()));`;

      // Act
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });

      // Assess
      const result = JSON.parse(stdout) as { credentials: { error?: string } };
      expect(result.credentials.error).toBe('Unable to find environment variable credentials.');
    }, 60_000);
  });
});
