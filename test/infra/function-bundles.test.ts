/**
 * Smoke run of `npm run bench:cold-start` (one round, so it cannot rot) and the size budget of every function
 * bundle it builds with the stack's esbuild options. Timings are printed by the bench, never asserted here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { configDefine, esbuildOptions } from '../../infra/constructs/bundle-options.ts';
import { MAX_BUNDLE_KIB, defaultConfig, functionEntries } from '../bench/cold-start-bundles.ts';

const run = promisify(execFile);

type Row = { function: string; bundleKiB: number; depsOnlyKiB: number; medianMs: number; ratioToDepsOnly: number };

describe('npm run bench:cold-start (one round)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-cold-start-test-'));
  let stdout = '';
  let rows: Row[] = [];

  beforeAll(async () => {
    const json = join(outdir, 'figures.json');
    ({ stdout } = await run(process.execPath, ['--import', 'tsx', 'test/bench/cold-start.ts', '--runs', '1', '--outdir', join(outdir, 'bundles'), '--json', json]));
    rows = (JSON.parse(readFileSync(json, 'utf8')) as { rows: Row[] }).rows;
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('prints one table row per function, with its size, median and ratio to the dependencies-only bundle', () => {
    // Prepare
    const names = functionEntries().map((entry) => entry.replace(/^functions\/(.*)\.ts$/, '$1'));

    // Act
    const tableRows = stdout.split('\n').filter((line) => /^\| [a-z-]+ \| \d/.test(line));

    // Assess
    expect(rows.map((row) => row.function)).toEqual(names);
    expect(tableRows.map((line) => line.split(' | ')[0]!.slice(2))).toEqual(names);
    for (const row of rows) {
      expect(row.medianMs).toBeGreaterThan(0);
      expect(row.ratioToDepsOnly).toBeGreaterThan(0);
      // The dependencies-only twin holds everything but our code, so it is the smaller of the two.
      expect(row.depsOnlyKiB).toBeLessThan(row.bundleKiB);
    }
  });

  it(`keeps every function bundle at most ${MAX_BUNDLE_KIB} KiB minified`, () => {
    // Act
    const over = rows.filter((row) => row.bundleKiB > MAX_BUNDLE_KIB).map((row) => `${row.function} ${row.bundleKiB} KiB`);

    // Assess
    expect(over).toEqual([]);
  });
});

describe('what the function bundles hold', () => {
  it("leaves the config schema and zod's classic API out of every bundle: a cold start reads the config synth validated, messages are checked with zod/mini", async () => {
    // Prepare
    const define = configDefine(defaultConfig());
    const outdir = mkdtempSync(join(tmpdir(), 'bundle-inputs-'));

    // Act
    const inputs = await Promise.all(
      functionEntries().map(async (entry) => {
        const result = await build({ ...esbuildOptions(entry, join(outdir, entry.replace(/^functions\/(.*)\.ts$/, '$1.mjs')), define), write: false, metafile: true });
        const output = Object.values(result.metafile.outputs).find((candidate) => candidate.entryPoint !== undefined)!;
        return { entry, inputs: Object.keys(output.inputs).filter((input) => output.inputs[input]!.bytesInOutput > 0) };
      }),
    ).finally(() => rmSync(outdir, { recursive: true, force: true }));

    // Assess
    for (const bundle of inputs) {
      expect(bundle.inputs.filter((input) => input.startsWith('shared/domain/config/schema')), bundle.entry).toEqual([]);
      expect(bundle.inputs.filter((input) => input.startsWith('node_modules/zod/v4/classic/')), bundle.entry).toEqual([]);
      // The runtime config loader is in each bundle, so the schema is out because the branch that validates is.
      expect(bundle.inputs, bundle.entry).toContain('shared/runtime/runtime-config.ts');
    }
  }, 120_000);
});
