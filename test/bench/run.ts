/**
 * `npm run bench`: figures for the README, measured on the local stack (the real handlers, dynalite, fauxqs and the
 * Jira/Backtrace sandboxes, all on this machine). Prints; asserts nothing. Options:
 *   --groups N       distinct error groups to post (default 200)
 *   --repeats N      deliveries of each group (default 3: Backtrace and queues redeliver)
 *   --concurrency N  simultaneous webhook posts (default 10)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startLocalStack } from '../../infra/local/local-stack.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const { values } = parseArgs({
  options: {
    groups: { type: 'string', default: '200' },
    repeats: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '10' },
  },
});
const groups = Number(values.groups);
const repeats = Number(values.repeats);
const concurrency = Number(values.concurrency);

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const secrets = JSON.parse(readFileSync(new URL('../../infra/local/local.secrets.json', import.meta.url), 'utf8')) as Record<string, string>;
const credentials = JSON.parse(secrets['local/webhook-basic-auth']) as { username: string; password: string };
const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function runPool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

const startedAt = performance.now();
const stack = await startLocalStack({ log: () => undefined });
const startupMs = performance.now() - startedAt;
try {
  const fingerprints = Array.from({ length: groups }, () => randomBytes(32).toString('hex'));
  const deliveries = fingerprints.flatMap((fingerprint) => Array.from({ length: repeats }, () => fingerprint));
  // Shuffle, so repeats of one group arrive interleaved with others, as after retries.
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }

  const latencies: number[] = [];
  const flowStart = performance.now();
  await runPool(deliveries, concurrency, async (fingerprint) => {
    const t0 = performance.now();
    const response = await fetch(`${stack.url}/backtrace/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ ...sample, fingerprint }),
    });
    await response.text();
    if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
    latencies.push(performance.now() - t0);
  });
  const ingestDoneMs = performance.now() - flowStart;
  await stack.poller.idle({ timeoutMs: 600_000 });
  const flowMs = performance.now() - flowStart;

  const jira = stack.jiraSandbox!;
  const created = jira.issues.length;
  const creates = jira.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/rest/api/2/issue')).length;
  const linked = fingerprints.filter((fingerprint) => stack.backtraceSandbox!.getIssue('my_universe', 'my_project', fingerprint)?.tickets.length === 1).length;
  latencies.sort((a, b) => a - b);

  console.log(`Local stack (node ${process.version}, ${groups} groups x ${repeats} deliveries, ${concurrency} concurrent posts)`);
  console.log(`  start-up (engines, sandboxes, handlers):  ${ms(startupMs)}`);
  console.log(`  ingest latency p50 / p95 / max:           ${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 95))} / ${ms(latencies.at(-1) ?? 0)}`);
  console.log(`  ingest throughput:                        ${(deliveries.length / (ingestDoneMs / 1000)).toFixed(0)} posts/s`);
  console.log(`  end to end (post -> issue linked):        ${(groups / (flowMs / 1000)).toFixed(1)} groups/s, all done in ${(flowMs / 1000).toFixed(1)} s`);
  console.log(`  Jira issues created / create requests:    ${created} / ${creates} (expected ${groups} / ${groups})`);
  console.log(`  fingerprints with exactly one ticket:     ${linked} of ${groups}`);
  console.log(`  worker invocations:                       ${stack.poller.stats().invocations}`);
} finally {
  await stack.stop();
}
