import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, esbuildOptions } from '../../infra/constructs/bundle-options.ts';
import { parseQueueMessage } from '../../shared/domain/queue-message.ts';
import { sampleBody } from './domain-factories.ts';

const run = promisify(execFile);

/**
 * Bodies whose problems carry zod's own default message (queue-message.ts prints `<path>: <zod message>` for the
 * top-level fields), the text an operator reads in the worker's log when a producer sends a bad message.
 */
const BODIES = [
  JSON.stringify({ kind: 'jira.webhook', integrations: [], event: {} }),
  JSON.stringify({ kind: 'backtrace.group', group: sampleBody(), receivedAt: 5 }),
  JSON.stringify({ kind: 'backtrace.fingerprint-updated', integration: 'jira-prod', event: {}, source: 'cron' }),
];

/** Marks our own files side-effect free, as package.json's `"sideEffects": false` does: a locale set up by an import made only for its side effect would be dropped. */
const ourFilesSideEffectFree: Plugin = {
  name: 'our-files-side-effect-free',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.importer.includes('node_modules') || args.resolveDir.includes('node_modules')
        ? undefined
        : { path: resolve(args.resolveDir, args.path), sideEffects: false },
    );
  },
};

describe('Module: zod-mini (the zod of the Lambda schemas)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'zod-mini-locale-'));
  const outfile = join(outdir, 'index.mjs');
  let metafile: Metafile;

  beforeAll(async () => {
    // The queue message schema alone, bundled as the functions are (infra/constructs/bundle-options.ts): no classic
    // zod in the bundle, so nothing but shared/domain/zod-mini.ts can have set the English messages. (In this
    // vitest process other modules may load classic zod, which sets English globally, so it cannot tell.)
    const entry = `import { parseQueueMessage } from './shared/domain/queue-message.ts';
for (const body of ${JSON.stringify(BODIES)}) console.log(JSON.stringify(parseQueueMessage(body)));`;
    const { entryPoints: _unused, ...options } = esbuildOptions('unused.ts', outfile, {});
    const result = await build({
      ...options,
      sourcemap: false,
      metafile: true,
      plugins: [ourFilesSideEffectFree],
      stdin: { contents: entry, resolveDir: REPO_ROOT, sourcefile: 'zod-mini-probe.ts', loader: 'ts' },
    });
    metafile = result.metafile;
  }, 60_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles zod/mini and the English locale only: no classic zod, no other locale', () => {
    // Act
    // What is in the output (the metafile's inputs also list the files tree-shaking emptied).
    const [output] = Object.values(metafile.outputs);
    const zodFiles = Object.entries(output!.inputs)
      .filter(([input, { bytesInOutput }]) => input.includes('node_modules/zod/') && bytesInOutput > 0)
      .map(([input]) => input);

    // Assess
    expect(zodFiles.filter((file) => file.includes('/v4/mini/')).length).toBeGreaterThan(0);
    expect(zodFiles.filter((file) => file.includes('/v4/classic/') || /node_modules\/zod\/(index|v4\/index)\.js$/.test(file))).toEqual([]);
    expect(zodFiles.filter((file) => file.includes('/locales/'))).toEqual(['node_modules/zod/v4/locales/en.js']);
  });

  it("prints zod's English default messages on plain Node, the same problems the tests' parse gives", async () => {
    // Prepare
    const expected = BODIES.map((body) => parseQueueMessage(body));

    // Act
    const { stdout } = await run(process.execPath, [outfile], { cwd: dirname(outfile), env: { PATH: process.env.PATH } });
    const results = stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);

    // Assess
    expect(results).toEqual([
      { ok: false, problems: expect.arrayContaining(['integrations: Too small: expected array to have >=1 items']) as unknown },
      { ok: false, problems: ['receivedAt: Invalid input: expected string, received number'] },
      { ok: false, problems: expect.arrayContaining(['source: Invalid option: expected one of "poll"|"push"']) as unknown },
    ]);
    expect(results).toEqual(expected);
  });
});
