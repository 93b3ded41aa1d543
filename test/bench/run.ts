/**
 * `npm run bench`: figures for the README, measured on the local stack (the real handlers, dynalite, fauxqs and the
 * Jira/Backtrace sandboxes, all on this machine). Prints; asserts nothing. Options:
 *   --groups N       distinct error groups to post (default 200)
 *   --repeats N      deliveries of each group (default 3: Backtrace and queues redeliver)
 *   --concurrency N  simultaneous webhook posts (default 10)
 *   --poll N         instead: one Backtrace poll cycle over N linked fingerprints (idle, then with one change)
 *   --storm          instead: the storm (test/bench/storm.ts), sized by
 *     --events N (100000), --fingerprints N (1000), --rate N (sandbox creates/s and the bridge's pace, 50),
 *     --concurrency N (50), --faults (5xx, timeouts, 429 bursts without Retry-After, sync-to-jira killed mid-batch,
 *     DynamoDB throttling; sync-to-jira then runs in worker threads, 5 at most), --threads (worker threads without
 *     faults), --ingest-threads N (the ingest function's environments, worker threads, storm.ts's default 3; 0
 *     runs it in the main thread), --one-thread (the engines, the posts and ingest in the main thread, as before),
 *     --flood N (webhook deliveries, 10000; 0 skips), --changes N (real Jira changes they announce, 100),
 *     --json FILE (the figures). Progress lines go to stderr every 10 s.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startLocalStack } from '../../infra/local/local-stack.ts';
import { backtraceGroupPoster, percentile, runPool, shuffle } from './bench-support.ts';
import { formatStorm, runStorm } from './storm.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const { values } = parseArgs({
  options: {
    groups: { type: 'string', default: '200' },
    repeats: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '10' },
    poll: { type: 'string' },
    storm: { type: 'boolean', default: false },
    events: { type: 'string', default: '100000' },
    fingerprints: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '50' },
    faults: { type: 'boolean', default: false },
    threads: { type: 'boolean', default: false },
    'ingest-threads': { type: 'string' },
    'one-thread': { type: 'boolean', default: false },
    flood: { type: 'string', default: '10000' },
    changes: { type: 'string', default: '100' },
    json: { type: 'string' },
  },
});
const groups = Number(values.groups);
const repeats = Number(values.repeats);
const concurrency = Number(values.concurrency);

const ms = (value: number) => `${value.toFixed(1)} ms`;

function ingestThreadsOption(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--ingest-threads wants a whole number of environments, 0 or more (0: ingest in the main thread), got "${text}"`);
  return value;
}


if (values.storm) {
  const report = await runStorm({
    events: Number(values.events),
    fingerprints: Number(values.fingerprints),
    createsPerSecond: Number(values.rate),
    // The storm's own default is 50 concurrent posts; --concurrency given explicitly wins.
    concurrency: process.argv.some((arg) => arg.startsWith('--concurrency')) ? concurrency : 50,
    faults: values.faults,
    workerThreads: values.threads || values.faults,
    ...(values['one-thread'] ? { ingestThreads: 0 } : values['ingest-threads'] === undefined ? {} : { ingestThreads: ingestThreadsOption(values['ingest-threads']) }),
    separateThreads: !values['one-thread'],
    floodDeliveries: Number(values.flood),
    floodChanges: Number(values.changes),
    progress: (line) => console.error(line),
  });
  console.log(formatStorm(report));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  process.exit(0);
}

if (values.poll !== undefined) {
  await benchPoll(Number(values.poll));
  process.exit(0);
}

const startedAt = performance.now();
const stack = await startLocalStack({ log: () => undefined, pollTimers: false });
const startupMs = performance.now() - startedAt;
const postGroup = backtraceGroupPoster(stack.url);
try {
  const fingerprints = Array.from({ length: groups }, () => randomBytes(32).toString('hex'));
  // Shuffled, so repeats of one group arrive interleaved with others, as after retries.
  const deliveries = shuffle(fingerprints.flatMap((fingerprint) => Array.from({ length: repeats }, () => fingerprint)));

  const latencies: number[] = [];
  const flowStart = performance.now();
  await runPool(deliveries, concurrency, async (fingerprint) => {
    const t0 = performance.now();
    await postGroup(fingerprint);
    latencies.push(performance.now() - t0);
  });
  const ingestDoneMs = performance.now() - flowStart;
  await stack.poller.idle({ timeoutMs: 600_000 });
  const flowMs = performance.now() - flowStart;
  // The echoes of our own writes (the Jira webhooks of our create and our writes) are part of each new group's cost:
  // wait until both workers and the sandbox's webhook outbox are quiet, without running a poll cycle.
  await quiet(stack);

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
  console.log(`  worker invocations:                       ${stack.poller.stats().invocations} sync-to-jira, ${stack.jiraChangesPoller.stats().invocations} sync-to-backtrace`);
  console.log(`  Jira webhooks delivered per new group:    ${(jira.webhookDeliveries.length / groups).toFixed(2)}`);
  // Per new group, with the total in brackets (the first-use reads are cached per container: a handful in all).
  const perGroup = (count: number) => `${(count / groups).toFixed(2)} (${count})`;
  const jiraCalls = new Map<string, number>();
  for (const request of jira.requests) {
    const endpoint = `${request.method} ${request.path.replace(/^.*\/rest\/api\/2\//, '').replace(/\/[A-Z]+-\d+|\/\d+/g, '/{id}')}`;
    jiraCalls.set(endpoint, (jiraCalls.get(endpoint) ?? 0) + 1);
  }
  console.log(`  Jira calls per new group, by endpoint:    ${[...jiraCalls].map(([endpoint, count]) => `${endpoint} ${perGroup(count)}`).join(', ')}`);
  const backtraceCalls = stack.backtraceSandbox!.requests;
  console.log(`  Backtrace calls per new group:            query ${perGroup(backtraceCalls.filter((r) => r.path === '/api/query').length)}, issue ${perGroup(backtraceCalls.filter((r) => r.path === '/api/issue').length)}`);
} finally {
  await stack.stop();
}

/** Resolves once both queues' workers and the Jira sandbox's webhooks are idle twice in a row (no poll cycle). */
async function quiet(stack: Awaited<ReturnType<typeof startLocalStack>>): Promise<void> {
  for (let quietRounds = 0; quietRounds < 2; ) {
    const snapshot = () => JSON.stringify([stack.poller.stats(), stack.jiraChangesPoller.stats(), stack.jiraSandbox?.webhookDeliveries.length]);
    const before = snapshot();
    await Promise.all([stack.poller.idle({ timeoutMs: 600_000 }), stack.jiraChangesPoller.idle({ timeoutMs: 600_000 }), stack.jiraSandbox?.webhooksIdle()]);
    quietRounds = before === snapshot() ? quietRounds + 1 : 0;
  }
}

/** One poll cycle over `linked` fingerprints: the links and rows are seeded directly, as a long-running bridge has them. */
async function benchPoll(linked: number): Promise<void> {
  const { BatchWriteItemCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { toItem } = await import('../../shared/adapters/dynamodb/link-item.ts');
  const { LINKS_TABLE_NAME } = await import('../../infra/local/local-stack.ts');
  const stack = await startLocalStack({ log: () => undefined, pollTimers: false });
  try {
    const integration = stack.config.integrations[0]!;
    const { universe, project } = integration.backtrace;
    const backtrace = stack.backtraceSandbox!;
    const dynamodb = new DynamoDBClient(stack.engines.clientConfig('dynamodb'));
    const now = Date.now();
    const fingerprints = Array.from({ length: linked }, () => randomBytes(32).toString('hex'));
    const seedStart = performance.now();
    for (let start = 0; start < fingerprints.length; start += 25) {
      const items = fingerprints.slice(start, start + 25).map((fingerprint, index) => {
        const key = `CRASH-${start + index + 1}`;
        backtrace.setIssue(universe, project, fingerprint, { state: 'in-progress', tickets: [{ watcher: integration.name, short: key, url: `${stack.jiraSandbox!.url}/browse/${key}`, state: 'open' }] });
        return toItem({
          integration: integration.name, fingerprint, universe, project, status: 'linked', issueId: String(100000 + start + index), issueKey: key, issueUrl: `${stack.jiraSandbox!.url}/browse/${key}`,
          ticketAttached: true, createdAt: now, updatedAt: now,
          sync: { backtrace: { state: 'in-progress', assigneeIds: [], at: now, reopenCount: 0 }, jira: { statusId: '10000', statusName: 'To Do', categoryKey: 'new', assignee: null, updatedAt: now } },
        });
      });
      await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [LINKS_TABLE_NAME]: items.map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const seedMs = performance.now() - seedStart;
    const cycle = async () => {
      const queriesBefore = backtrace.queryCount(universe, project);
      const jiraBefore = stack.jiraSandbox!.requests.length;
      const t0 = performance.now();
      const [report] = await stack.pollNow(integration.name);
      return { ms: performance.now() - t0, report: report!, queries: backtrace.queryCount(universe, project) - queriesBefore, jira: stack.jiraSandbox!.requests.length - jiraBefore };
    };
    const idle = await cycle();
    backtrace.actAs({ id: 7, username: 'ana', email: 'ana@example.com' }).setState(universe, project, fingerprints[0]!, 'resolved');
    const changed = await cycle();
    console.log(`Backtrace poll cycle (node ${process.version}, ${linked} linked fingerprints, local stack and sandboxes)`);
    console.log(`  seeding links and rows:                   ${(seedMs / 1000).toFixed(1)} s`);
    console.log(`  idle cycle:                               ${ms(idle.ms)}, ${idle.queries} Backtrace queries (ceil(${linked} / 100) = ${Math.ceil(linked / 100)}), ${idle.jira} Jira calls, ${idle.report.changes} changes queued`);
    console.log(`  cycle with one fingerprint resolved:      ${ms(changed.ms)}, ${changed.queries} Backtrace queries, ${changed.jira} Jira calls by the poller, ${changed.report.changes} change queued`);
    console.log(`  within the deployed poller's timeout:     ${idle.ms < 300_000 ? 'yes' : 'NO'} (5 min)`);
  } finally {
    await stack.stop();
  }
}
