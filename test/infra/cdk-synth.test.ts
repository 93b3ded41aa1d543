/**
 * The real `npx cdk synth`, as an admin runs it: the CLI starts infra/app.ts with tsx, esbuild bundles every
 * function, CloudFormation validation and cdk-nag run. Slow (seconds), so one run is shared by the assertions.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/bridge-function.ts';
import { configDocument, integrationDocument } from './bridge-config.factory.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function cdk(args: string[]): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile('npx', ['cdk', ...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

describe('CLI: npx cdk synth', () => {
  const workdir = mkdtempSync(join(tmpdir(), 'bridge-synth-'));
  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  describe('with the default config from cdk.json', () => {
    const outdir = join(workdir, 'cdk.out');
    let result: CliResult;

    beforeAll(async () => {
      result = await cdk(['synth', '--quiet', '--output', outdir]);
      console.info(`npx cdk synth (bundling + validation + cdk-nag) took ${Math.round(result.ms)} ms`);
    }, 240_000);

    it('synthesises without errors', () => {
      // Prepare
      const templatePath = join(outdir, 'BacktraceJiraBridge.template.json');

      // Act
      const exists = existsSync(templatePath);

      // Assess
      expect(result.stderr).not.toMatch(/\bERROR\b|Error:/);
      expect(result.code).toBe(0);
      expect(exists).toBe(true);
    });

    it('reports no unacknowledged cdk-nag finding', () => {
      // Prepare
      const reportPath = join(outdir, 'validation-report.json');

      // Act
      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { pluginReports: { pluginName: string; violations: unknown[] }[] };

      // Assess
      const awsSolutions = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
      expect(awsSolutions?.violations).toEqual([]);
    });

    it('bundles each function into one ESM file with the createRequire banner', () => {
      // Prepare
      const template = JSON.parse(readFileSync(join(outdir, 'BacktraceJiraBridge.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
      };

      // Act
      const bundles = Object.values(template.Resources)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function')
        .map((resource) => join(outdir, resource.Metadata?.['aws:asset:path'] ?? 'missing', 'index.mjs'));

      // Assess: ingest, sync-to-jira, receive-jira-webhook, sync-to-backtrace, poll-backtrace
      expect(bundles).toHaveLength(5);
      for (const bundle of bundles) expect(readFileSync(bundle, 'utf8').startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    });
  });

  describe('with an invalid config', () => {
    it('fails with the problems, their JSON paths and the file to fix, without a stack trace', async () => {
      // Prepare
      const document = configDocument({
        settings: { maxReceiveCount: 0 },
        integrations: [integrationDocument('jira-prod', { ingest: {} })],
      });
      const configPath = join(workdir, 'broken.config.json');
      writeFileSync(configPath, JSON.stringify(document));

      // Act
      const result = await cdk(['synth', '--quiet', '--output', join(workdir, 'broken.out'), '-c', `config=${configPath}`]);

      // Assess
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`Invalid bridge config (${configPath})`);
      expect(result.stderr).toContain('settings.maxReceiveCount');
      expect(result.stderr).toContain('integrations[0].ingest.basicAuthSecret');
      expect(result.stderr).toContain(`Fix ${configPath}`);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }, 120_000);
  });
});
