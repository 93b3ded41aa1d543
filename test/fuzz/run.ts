/**
 * `npm run fuzz [-- --runs N --seed S]`: the seeded route fuzzing at full size (default 10,000 generated inputs per
 * route), printing per route the answers by status, the messages announced and found on the queue, and the time.
 * Exits 1 on any 5xx, hang, unreadable message or count mismatch (fast-check prints the seed and counterexample).
 */
import { parseArgs } from 'node:util';
import { fuzzRoute } from './route-fuzz.ts';
import { startRouteHarness } from './route-harness.ts';

// The handlers' warnings (every refused delivery logs one) would bury the figures; errors still print.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10000' }, seed: { type: 'string', default: '20261201' } } });
const numRuns = Number(values.runs);
const seed = Number(values.seed);

const harness = await startRouteHarness();
let failed = false;
try {
  for (const route of ['backtrace', 'jira'] as const) {
    const report = await fuzzRoute(harness, route, { numRuns, seed });
    const statuses = Object.entries(report.statuses).map(([status, count]) => `${status}: ${count}`).join(', ');
    const ok = report.enqueued === report.announced && report.unreadable === 0;
    failed ||= !ok;
    console.log(
      `${route.padEnd(9)} ${report.inputs} inputs (seed ${seed}) in ${(report.ms / 1000).toFixed(1)} s, ${Math.round(report.inputs / (report.ms / 1000))}/s; answers ${statuses}; ` +
        `messages announced ${report.announced}, on the queue ${report.enqueued}, unreadable ${report.unreadable}${ok ? '' : '  <-- MISMATCH'}`,
    );
  }
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
} finally {
  await harness.stop();
}
process.exit(failed ? 1 : 0);
