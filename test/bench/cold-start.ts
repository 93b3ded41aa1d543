/**
 * `npm run bench:cold-start`: how heavy each function's bundle is and how long a fresh Node process takes to import
 * it, against a bundle of only its dependencies and against `node -e 0`. Prints a table; asserts nothing.
 *
 * Each function's bundle is built with the stack's own esbuild options (infra/constructs/bundle-options.ts), with
 * the config `cdk synth` embeds by default. One round starts, for every function, `node -e 0`, the dependencies-only
 * bundle and the function's bundle as fresh processes (their order rotating from round to round, so drift of a
 * shared machine spreads over all three); figures are medians of the rounds. A process's time is its whole life,
 * spawn to exit: module evaluation of the bundle (for ours: config parse and client construction too), no handler
 * call, no network. Each process also reports the CPU time it used (user + system, from `process.cpuUsage()` at
 * exit), steadier than wall time when other work shares the machine. Options:
 *   --runs N         rounds (default 15; 1 = a smoke run, no warm-up)
 *   --source-maps    also time each bundle with `--enable-source-maps` (what the flag costs)
 *   --json FILE      also write the figures as JSON
 *   --outdir DIR     where the bundles are written (default: a fresh temporary folder)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_BUNDLE_KIB, buildFunctionBundles, defaultConfig, functionEntries, type FunctionBundles } from './cold-start-bundles.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'source-maps': { type: 'boolean', default: false },
    json: { type: 'string' },
    outdir: { type: 'string' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, got ${values.runs}`);

/** What Lambda gives a function, minus credentials: region, the variables the stack sets. No call is made. */
const lambdaLikeEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  AWS_REGION: 'eu-west-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: 'backtrace-jira-bridge',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  EVENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/backtrace-events',
  JIRA_CHANGES_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jira-changes',
  LINKS_TABLE_NAME: 'links',
};

const outdir = values.outdir ?? mkdtempSync(join(tmpdir(), 'bench-cold-start-'));
/** Preloaded into every process: writes the CPU time it used to a file named by the environment, at exit. */
mkdirSync(outdir, { recursive: true });
const cpuReporter = join(outdir, 'cpu-report.cjs');
writeFileSync(cpuReporter, "process.on('exit', () => { const { user, system } = process.cpuUsage(); require('node:fs').writeFileSync(process.env.BENCH_CPU_FILE, String((user + system) / 1000)); });\n");
const cpuFile = join(outdir, 'cpu-ms.txt');

/** Wall and CPU milliseconds of one fresh `node ...args`; a failing process stops the bench with its stderr's end. */
function timeProcess(args: string[]): { wall: number; cpu: number } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--require', cpuReporter, ...args], { env: { ...lambdaLikeEnv, BENCH_CPU_FILE: cpuFile }, stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status ?? result.signal}:\n${result.stderr.toString().slice(-2_000)}`);
  return { wall, cpu: Number(readFileSync(cpuFile, 'utf8')) };
}

const median = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const kib = (bytes: number) => bytes / 1024;

const config = defaultConfig();
const built: FunctionBundles[] = [];
for (const entry of functionEntries()) built.push(await buildFunctionBundles(entry, outdir, config));

type Sample = 'baseline' | 'deps' | 'full' | 'maps';
const samples = built.map(() => ({ baseline: [] as number[], deps: [] as number[], full: [] as number[], maps: [] as number[] }));
const cpuSamples = built.map(() => ({ baseline: [] as number[], deps: [] as number[], full: [] as number[], maps: [] as number[] }));
const kinds: Sample[] = values['source-maps'] ? ['baseline', 'deps', 'full', 'maps'] : ['baseline', 'deps', 'full'];
const argsOf = (kind: Sample, bundles: FunctionBundles) =>
  kind === 'baseline' ? ['-e', '0'] : kind === 'deps' ? [bundles.depsOnly.file] : kind === 'full' ? [bundles.full.file] : ['--enable-source-maps', bundles.full.file];
// One warm-up of each, not counted: the first start after a build pays for the page cache. (None for a smoke run.)
if (runs > 1) built.forEach((bundles) => kinds.forEach((kind) => timeProcess(argsOf(kind, bundles))));
for (let round = 0; round < runs; round++) {
  built.forEach((bundles, index) => {
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(k + round) % kinds.length]!;
      const { wall, cpu } = timeProcess(argsOf(kind, bundles));
      samples[index]![kind].push(wall);
      cpuSamples[index]![kind].push(cpu);
    }
  });
}

const rows = built.map((bundles, index) => {
  const s = samples[index]!;
  const baseline = median(s.baseline);
  const full = median(s.full);
  const deps = median(s.deps);
  const maps = s.maps.length ? median(s.maps) : undefined;
  const c = cpuSamples[index]!;
  const [cpuBaseline, cpuFull, cpuDeps] = [median(c.baseline), median(c.full), median(c.deps)];
  return {
    function: bundles.full.name,
    bundleKiB: Number(kib(bundles.full.bytes).toFixed(1)),
    depsOnlyKiB: Number(kib(bundles.depsOnly.bytes).toFixed(1)),
    oursKiB: Number(kib(bundles.bytesByOrigin.ours ?? 0).toFixed(1)),
    withinSizeLimit: kib(bundles.full.bytes) <= MAX_BUNDLE_KIB,
    medianMs: Number(full.toFixed(1)),
    depsOnlyMedianMs: Number(deps.toFixed(1)),
    nodeE0MedianMs: Number(baseline.toFixed(1)),
    ratioToDepsOnly: Number((full / deps).toFixed(2)),
    ratioNetOfNodeE0: Number(((full - baseline) / (deps - baseline)).toFixed(2)),
    cpuMedianMs: Number(cpuFull.toFixed(1)),
    cpuDepsOnlyMedianMs: Number(cpuDeps.toFixed(1)),
    cpuNodeE0MedianMs: Number(cpuBaseline.toFixed(1)),
    cpuRatioToDepsOnly: Number((cpuFull / cpuDeps).toFixed(2)),
    cpuRatioNetOfNodeE0: Number(((cpuFull - cpuBaseline) / (cpuDeps - cpuBaseline)).toFixed(2)),
    ...(maps === undefined ? {} : { sourceMapsMedianMs: Number(maps.toFixed(1)), sourceMapsCost: Number((maps / full - 1).toFixed(3)) }),
    largestPackagesKiB: Object.fromEntries(
      Object.entries(bundles.bytesByOrigin)
        .filter(([origin]) => origin !== 'ours')
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([origin, bytes]) => [origin, Number(kib(bytes).toFixed(1))]),
    ),
  };
});

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}-${process.arch}`;
console.log(`bench:cold-start — ${new Date().toISOString()} — ${machine}`);
console.log(`${runs} rounds; fresh \`node <bundle>\` processes, spawn to exit; bundles in ${outdir}\n`);
const header = ['function', 'bundle KiB', 'ours KiB', 'deps-only KiB', 'median ms', 'deps-only ms', 'node -e 0 ms', 'ratio', 'ratio net of node -e 0', 'CPU ms (deps-only, node -e 0)', 'CPU ratio', 'CPU ratio net'];
if (values['source-maps']) header.push('with --enable-source-maps ms', 'source maps cost');
const table = rows.map((row) => {
  const cells = [
    row.function,
    `${row.bundleKiB.toFixed(1)}${row.withinSizeLimit ? '' : ` (over ${MAX_BUNDLE_KIB})`}`,
    row.oursKiB.toFixed(1),
    row.depsOnlyKiB.toFixed(1),
    row.medianMs.toFixed(1),
    row.depsOnlyMedianMs.toFixed(1),
    row.nodeE0MedianMs.toFixed(1),
    `${row.ratioToDepsOnly.toFixed(2)} ×`,
    `${row.ratioNetOfNodeE0.toFixed(2)} ×`,
    `${row.cpuMedianMs.toFixed(1)} (${row.cpuDepsOnlyMedianMs.toFixed(1)}, ${row.cpuNodeE0MedianMs.toFixed(1)})`,
    `${row.cpuRatioToDepsOnly.toFixed(2)} ×`,
    `${row.cpuRatioNetOfNodeE0.toFixed(2)} ×`,
  ];
  if (row.sourceMapsMedianMs !== undefined) cells.push(row.sourceMapsMedianMs.toFixed(1), `+${((row.sourceMapsCost ?? 0) * 100).toFixed(0)} %`);
  return cells;
});
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const cells of table) console.log(`| ${cells.join(' | ')} |`);
console.log(`\nlargest packages per bundle (KiB): ${rows.map((row) => `${row.function}: ${Object.entries(row.largestPackagesKiB).map(([p, k]) => `${p} ${k}`).join(', ')}`).join('; ')}`);

if (values.json) writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), machine, runs, maxBundleKiB: MAX_BUNDLE_KIB, rows }, null, 2)}\n`);
