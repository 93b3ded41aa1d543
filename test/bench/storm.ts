/**
 * Storm mode of `npm run bench`: many Backtrace error-group events over fewer fingerprints, shuffled and posted
 * concurrently to the local stack (the real handlers, dynalite, fauxqs), against a Jira sandbox whose creates are
 * limited by a token bucket; then a flood of Jira webhook deliveries with repeats. Returns the figures; run.ts prints
 * them and writes them as JSON, and test/bench/storm.test.ts runs both with tiny sizes so the bench cannot rot.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { backtraceGroupPoster, percentile, runPool, shuffle } from './bench-support.ts';
import { BATCHING_WINDOW_SECONDS, maxConcurrencyForRate } from '../../shared/domain/pacing/worker-concurrency.ts';
import { dedupeLabel } from '../../shared/domain/dedupe-label.ts';
import { startStormFaults, type StormFaultCounts } from './storm-faults.ts';
import { postAll, postFromThread } from './storm-poster.ts';
import { DEFAULT_CONFIG_FILE, DEFAULT_SECRETS_FILE, EVENTS_QUEUE_NAME, JIRA_CHANGES_QUEUE_NAME, startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';

export interface StormOptions {
  /** Error-group events to post (default 100,000). */
  events?: number;
  /** Distinct fingerprints among them (default 1,000). */
  fingerprints?: number;
  /** The sandbox's token bucket for creates, per second; also the bridge's `settings.jira.maxRequestsPerSecond` (default 50). */
  createsPerSecond?: number;
  /** Simultaneous webhook posts (default 50). */
  concurrency?: number;
  /**
   * Inject faults (storm-faults.ts): ~10 % of creates answered 5xx or too late (a timeout), a burst of five 429s
   * without Retry-After every 5 s, sync-to-jira's environment killed mid-batch while a record waits for its create
   * (at 5 % and 50 % of the tickets), and ~5 % of the handlers' DynamoDB requests throttled, with a burst of 10 every 5 s.
   */
  faults?: boolean;
  /**
   * Run sync-to-jira in worker threads, one per execution environment (default: only with faults, whose kills need
   * it). On this 2-core machine they do not help the plain storm: each thread is a whole module graph with its own
   * cold start and JIT, and the CPU is all in use already (15,000 events, engines and posts in their own threads:
   * 2.0 x ideal in the main thread, 2.7 x in 5 threads, 3.1 x in 10).
   */
  workerThreads?: boolean;
  /**
   * Run the load generator (the posts, Backtrace's side) and the engines (dynalite, fauxqs) each in a worker thread
   * of its own (default true). In AWS they are other machines; in the main thread every post and every engine
   * request takes turns on one event loop with the HTTP API and the handlers they are measuring.
   */
  separateThreads?: boolean;
  /**
   * Run the ingest function in this many execution environments, each a worker thread (default 3; 0: in the main
   * thread). In the main thread every post's validation and SendMessage takes turns with the workers it feeds, and
   * the creates wait behind the posts (first post -> ticket p50 24 s in a 15,000-event storm); in threads they get
   * the main thread to themselves. 3 measured best on this 2-core machine: 1 or 2 starve ingest (60-100 events/s),
   * 6 or 12 take the CPU the workers need (1.9-2.1 x ideal against 1.6 x).
   */
  ingestThreads?: number;
  /** Threads at most in thread mode (default 5): the deployed concurrency (20 at 50/s) as 20 isolates on 2 cores only queue for the CPU. */
  maxWorkerThreads?: number;
  /** The workers' function timeout (default 60 s, 30 s with faults: a killed batch then comes back after 180 s). */
  workerTimeoutSeconds?: number;
  /** The queues' visibility timeout (default six times the worker timeout). */
  queueVisibilityTimeoutSeconds?: number;
  /** `settings.claimLeaseSeconds` of the storm's config (default the local config's, 120 s). */
  claimLeaseSeconds?: number;
  /** With faults: kill sync-to-jira mid-batch when the tickets reach these shares of the fingerprints (default 5 % and 50 %). */
  killAt?: number[];
  /** Jira webhook deliveries in the flood (default 10,000; 0 skips it). */
  floodDeliveries?: number;
  /** Real Jira changes the flood's deliveries announce (default 100, at most the issues created). */
  floodChanges?: number;
  /** Concurrent invocations of each worker; default what the CDK stack sets for this pace. */
  workerConcurrency?: number;
  /** Longest wait for the stack to drain, ms (default 30 min). */
  timeoutMs?: number;
  /** Where a progress line goes every `progressEveryMs` (default none): what a stuck run is waiting for. */
  progress?: (line: string) => void;
  /** Default 10 s. */
  progressEveryMs?: number;
}

export interface CallCounts {
  [endpoint: string]: number;
}

export interface StormReport {
  node: string;
  events: number;
  fingerprints: number;
  createsPerSecond: number;
  concurrency: number;
  workerConcurrency: number;
  faults: boolean;
  workerThreads: boolean;
  separateThreads: boolean;
  ingestThreads: number;
  ingest: { eventsPerSecond: number; p50Ms: number; p99Ms: number; seconds: number };
  tickets: { created: number; timeToLastSeconds: number; idealSeconds: number; ratioToIdeal: number; latencyP50Seconds: number; latencyP99Seconds: number; lastFirstPostSeconds: number; lastTicketLatencySeconds: number };
  jiraCallsPerFingerprint: CallCounts;
  backtraceCallsPerFingerprint: CallCounts;
  rateLimited: { answers429: number; createsAnswered: number; percentOfCreates: number };
  faultsInjected: StormFaultCounts;
  /** What reached sync-to-jira: messages received (redeliveries and re-enqueued copies included) per event ingested. */
  worker: { messagesReceived: number; perEventIngested: number; invocations: number; coldStarts: number; receiveCalls: number; emptyReceiveCalls: number };
  /**
   * CPU time of the whole process (every thread: the posts, the engines, ingest, the workers, the sandboxes) from the
   * start of the posts (the poster thread's own start, a fraction of a second, included) until the stack was quiet,
   * and what share of the machine's cores over that wall time it is.
   */
  cpu: { seconds: number; wallSeconds: number; cores: number; busyPercent: number };
  duplicates: number;
  lost: number;
  deadLettered: number;
  flood?: FloodReport;
}

export interface FloodReport {
  deliveries: number;
  realChanges: number;
  acceptedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  answers: Record<string, number>;
  backtraceWritesPerRealChange: number;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** `POST issue`, `GET issue/{id}`: what the bench counts calls by. */
function endpointOf(method: string, path: string, prefix: RegExp): string {
  const rest = path.replace(prefix, '').split('/').map((segment) => (/^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(segment) || /^\d+$/.test(segment) ? '{id}' : segment)).join('/');
  return `${method} ${rest}`;
}

function perFingerprint(requests: { method: string; path: string }[], prefix: RegExp, fingerprints: number): CallCounts {
  const counts: CallCounts = {};
  for (const request of requests) {
    const endpoint = endpointOf(request.method, request.path, prefix);
    counts[endpoint] = (counts[endpoint] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort().map(([endpoint, count]) => [endpoint, round(count / fingerprints, 3)]));
}

/** The local config with the bridge paced at the sandbox's rate. */
function stormConfigFile(createsPerSecond: number, claimLeaseSeconds: number | undefined): { file: string; cleanup: () => void } {
  const document = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as { settings?: Record<string, unknown> };
  document.settings = { ...document.settings, ...(claimLeaseSeconds === undefined ? {} : { claimLeaseSeconds }), jira: { maxRequestsPerSecond: createsPerSecond } };
  const dir = mkdtempSync(join(tmpdir(), 'bridge-storm-'));
  const file = join(dir, 'storm.config.json');
  writeFileSync(file, JSON.stringify(document));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runStorm(options: StormOptions = {}): Promise<StormReport> {
  const events = options.events ?? 100_000;
  const fingerprintCount = options.fingerprints ?? 1_000;
  const rate = options.createsPerSecond ?? 50;
  const concurrency = options.concurrency ?? 50;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;

  const config = stormConfigFile(rate, options.claimLeaseSeconds);
  // Workers as many as the deployed stack would run for this pace (shared/domain/pacing/worker-concurrency.ts).
  const workerThreads = options.workerThreads ?? options.faults === true;
  const workerConcurrency = options.workerConcurrency ?? (workerThreads ? Math.min(options.maxWorkerThreads ?? 5, maxConcurrencyForRate(rate)) : maxConcurrencyForRate(rate));
  if (options.faults && !workerThreads) throw new Error('storm: faults kill sync-to-jira mid-batch, which needs workerThreads');
  const separateThreads = options.separateThreads ?? true;
  const ingestThreads = options.ingestThreads ?? 3;
  const workerTimeoutSeconds = options.workerTimeoutSeconds ?? (options.faults ? 30 : undefined);
  const stack = await startLocalStack({
    configFile: config.file,
    log: () => undefined,
    pollTimers: false,
    workerConcurrency,
    workerThreads,
    enginesThread: separateThreads,
    workerBatchingWindowSeconds: BATCHING_WINDOW_SECONDS,
    ...(ingestThreads > 0 ? { ingestThreads } : {}),
    ...(workerTimeoutSeconds === undefined ? {} : { workerTimeoutSeconds }),
    ...(options.queueVisibilityTimeoutSeconds === undefined ? {} : { queueVisibilityTimeoutSeconds: options.queueVisibilityTimeoutSeconds }),
    ...(options.faults ? { dynamodbThrottle: { probability: 0.05, burst: { everyMs: 5_000, requests: 10 } } } : {}),
  });
  const jira = stack.jiraSandbox!;
  const backtrace = stack.backtraceSandbox!;
  const integration = stack.config.integrations[0]!;
  const { universe, project } = integration.backtrace;
  let faults: ReturnType<typeof startStormFaults> | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  try {
    jira.setRateLimit({ perSecond: rate, method: 'POST', path: /\/rest\/api\/2\/issue$/ });
    const fingerprints = Array.from({ length: fingerprintCount }, () => randomBytes(32).toString('hex'));
    const deliveries = shuffle(Array.from({ length: events }, (_, index) => fingerprints[index % fingerprintCount]!));
    const firstPostAt = new Map<string, number>();

    if (options.faults) {
      const fingerprintOfLabel = new Map(fingerprints.map((fingerprint) => [dedupeLabel(integration.jira.dedupeLabel, { universe, project, fingerprint }), fingerprint]));
      faults = startStormFaults({ stack, fingerprintOfLabel, fingerprintCount, ...(options.killAt ? { killAt: options.killAt } : {}) });
    }

    let started = Date.now();
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    if (options.progress) {
      const sqs = new SQSClient(stack.engines.clientConfig('sqs'));
      const say = options.progress;
      progressTimer = setInterval(() => {
        void sqs
          .send(new GetQueueAttributesCommand({ QueueUrl: stack.engines.sqs.queues[EVENTS_QUEUE_NAME]!.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }))
          .then(({ Attributes = {} }) => {
            const statuses: Record<string, number> = {};
            for (const request of jira.requests) statuses[request.status ?? 'pending'] = (statuses[request.status ?? 'pending'] ?? 0) + 1;
            say(
              `[storm +${Math.round((Date.now() - started) / 1000)} s] issues ${jira.issues.length}/${fingerprintCount}, ` +
                `events queue visible ${Attributes.ApproximateNumberOfMessages} / in flight ${Attributes.ApproximateNumberOfMessagesNotVisible} / delayed ${Attributes.ApproximateNumberOfMessagesDelayed}, ` +
                `sync-to-jira ${JSON.stringify(stack.poller.stats())}, Jira answers ${JSON.stringify(statuses)}`,
            );
          })
          .catch(() => undefined);
      }, options.progressEveryMs ?? 10_000);
    }
    const posts = separateThreads
      ? await postFromThread({ stackUrl: stack.url, deliveries, concurrency }, (at) => (started = at))
      : await postAll(backtraceGroupPoster(stack.url), deliveries, concurrency, (at) => (started = at));
    started = posts.startedAt;
    for (const [fingerprint, at] of posts.firstPostAt) firstPostAt.set(fingerprint, at);
    const latencies = posts.latencies;
    const ingestSeconds = (posts.endedAt - posts.startedAt) / 1000;
    await stack.poller.idle({ timeoutMs });
    faults?.stop();
    // Lost responses and retries settle last: the stack is quiet when every queue and worker is.
    await stack.settled({ timeoutMs });
    const cpuUsed = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    const cores = availableParallelism();

    const createRequests = jira.requests.filter((request) => request.method === 'POST' && /\/rest\/api\/2\/issue$/.test(request.path));
    const answers429 = jira.requests.filter((request) => request.status === 429).length;
    const byLabel = new Map<string, number>();
    for (const issue of jira.issues) {
      const label = issue.labels.find((candidate) => candidate.startsWith('bt-')) ?? `(no dedupe label) ${issue.key}`;
      byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
    }
    const duplicates = [...byLabel.values()].reduce((sum, count) => sum + count - 1, 0);
    const lost = fingerprints.filter((fingerprint) => (backtrace.getIssue(universe, project, fingerprint)?.tickets.length ?? 0) !== 1).length;
    const ticketLatencies = fingerprints
      .map((fingerprint) => {
        const key = backtrace.getIssue(universe, project, fingerprint)?.tickets[0]?.short;
        const issue = key ? jira.findIssue(key) : undefined;
        return issue ? (issue.created - firstPostAt.get(fingerprint)!) / 1000 : undefined;
      })
      .filter((value): value is number => value !== undefined)
      .sort((a, b) => a - b);
    const lastCreated = Math.max(...jira.issues.map((issue) => issue.created));
    const timeToLastSeconds = (lastCreated - started) / 1000;
    // No ticket can come before its fingerprint's first post: the last fingerprint to appear bounds the run.
    const lastFirstPostSeconds = (Math.max(...firstPostAt.values()) - started) / 1000;
    const lastTicketLatencySeconds = ticketLatencies.at(-1) ?? 0;
    const idealSeconds = fingerprintCount / rate;
    latencies.sort((a, b) => a - b);
    const report: StormReport = {
      node: process.version,
      events,
      fingerprints: fingerprintCount,
      createsPerSecond: rate,
      concurrency,
      workerConcurrency,
      faults: options.faults ?? false,
      workerThreads,
      separateThreads,
      ingestThreads,
      ingest: { eventsPerSecond: round(events / ingestSeconds, 0), p50Ms: round(percentile(latencies, 50), 1), p99Ms: round(percentile(latencies, 99), 1), seconds: round(ingestSeconds, 1) },
      tickets: {
        created: jira.issues.length,
        timeToLastSeconds: round(timeToLastSeconds, 1),
        idealSeconds: round(idealSeconds, 1),
        ratioToIdeal: round(timeToLastSeconds / idealSeconds),
        latencyP50Seconds: round(percentile(ticketLatencies, 50), 1),
        latencyP99Seconds: round(percentile(ticketLatencies, 99), 1),
        lastFirstPostSeconds: round(lastFirstPostSeconds, 1),
        lastTicketLatencySeconds: round(lastTicketLatencySeconds, 1),
      },
      jiraCallsPerFingerprint: perFingerprint(jira.requests, /^.*\/rest\/api\/2\//, fingerprintCount),
      backtraceCallsPerFingerprint: perFingerprint(backtrace.requests, /^\/api\//, fingerprintCount),
      rateLimited: { answers429, createsAnswered: createRequests.length, percentOfCreates: round((100 * answers429) / Math.max(1, createRequests.length), 1) },
      faultsInjected: faults?.counts() ?? { serverErrors: 0, timeouts: 0, burst429s: 0, kills: 0, dynamodbThrottles: 0 },
      worker: {
        messagesReceived: stack.poller.stats().received,
        perEventIngested: round(stack.poller.stats().received / events, 3),
        invocations: stack.poller.stats().invocations,
        coldStarts: stack.poller.stats().coldStarts,
        receiveCalls: stack.poller.receives().calls,
        emptyReceiveCalls: stack.poller.receives().empty,
      },
      cpu: { seconds: round(cpuSeconds, 1), wallSeconds: round(wallSeconds, 1), cores, busyPercent: round((100 * cpuSeconds) / (wallSeconds * cores), 0) },
      duplicates,
      lost,
      deadLettered: await deadLettered(stack),
    };
    if ((options.floodDeliveries ?? 10_000) > 0) report.flood = await runFlood(stack, options.floodDeliveries ?? 10_000, Math.min(options.floodChanges ?? 100, jira.issues.length), concurrency, timeoutMs);
    return report;
  } finally {
    faults?.stop();
    if (progressTimer) clearInterval(progressTimer);
    await stack.stop();
    config.cleanup();
  }
}

/**
 * Real changes made in Jira (issues moved to Done by a person), their webhook deliveries captured, then posted again
 * and again (the same delivery id, as Jira's retries are), shuffled, until `deliveries` posts were made.
 */
async function runFlood(stack: LocalStack, deliveries: number, changes: number, concurrency: number, timeoutMs: number): Promise<FloodReport> {
  const jira = stack.jiraSandbox!;
  const backtrace = stack.backtraceSandbox!;
  const integration = stack.config.integrations[0]!;
  const secret = (JSON.parse(readFileSync(DEFAULT_SECRETS_FILE, 'utf8')) as Record<string, string>)[integration.jiraWebhook!.secret]!;
  // Capture instead of deliver: a hook to a closed port records each signed delivery and gives up at once.
  jira.removeWebhooks();
  jira.addWebhook({ url: 'http://127.0.0.1:9/jira/webhook', secret, maxRetries: 0, timeoutMs: 500 });
  const capturedFrom = jira.webhookDeliveries.length;
  for (const issue of jira.issues.slice(0, changes)) jira.actAs('Ana Lima').transition(issue.key, 'Done');
  await jira.webhooksIdle();
  const captured = jira.webhookDeliveries.slice(capturedFrom);
  const posts = shuffle(Array.from({ length: deliveries }, (_, index) => captured[index % captured.length]!));

  const writesBefore = backtrace.requests.filter((request) => request.method === 'POST' && request.path === '/api/issue').length;
  const answers: Record<string, number> = {};
  const latencies: number[] = [];
  const started = performance.now();
  await runPool(posts, concurrency, async (delivery) => {
    const t0 = performance.now();
    const headers = Object.fromEntries(Object.entries(delivery.headers).filter(([name]) => !/^(host|content-length|connection)$/i.test(name)));
    const response = await fetch(`${stack.url}/jira/webhook`, { method: 'POST', headers, body: delivery.rawBody });
    await response.text();
    latencies.push(performance.now() - t0);
    answers[response.status] = (answers[response.status] ?? 0) + 1;
  });
  const seconds = (performance.now() - started) / 1000;
  await stack.settled({ timeoutMs });
  const writes = backtrace.requests.filter((request) => request.method === 'POST' && request.path === '/api/issue').length - writesBefore;
  latencies.sort((a, b) => a - b);
  const accepted = Object.entries(answers).filter(([status]) => status.startsWith('2')).reduce((sum, [, count]) => sum + count, 0);
  return {
    deliveries,
    realChanges: captured.length,
    acceptedPerSecond: round(accepted / seconds, 0),
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    answers,
    backtraceWritesPerRealChange: round(writes / Math.max(1, captured.length)),
  };
}

async function deadLettered(stack: LocalStack): Promise<number> {
  const sqs = new SQSClient(stack.engines.clientConfig('sqs'));
  try {
    let total = 0;
    for (const name of [EVENTS_QUEUE_NAME, JIRA_CHANGES_QUEUE_NAME]) {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.engines.sqs.queues[name]!.deadLetterQueue.url, AttributeNames: ['ApproximateNumberOfMessages'] }));
      total += Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    }
    return total;
  } finally {
    sqs.destroy();
  }
}

/** The report as the README shows it. */
export function formatStorm(report: StormReport): string {
  const t = report.tickets;
  const calls = (counts: CallCounts) => Object.entries(counts).map(([endpoint, count]) => `${endpoint} ${count}`).join(', ');
  const lines = [
    `Storm (node ${report.node}, ${report.events} events over ${report.fingerprints} fingerprints, shuffled, ${report.concurrency} concurrent posts, ${report.workerConcurrency} concurrent worker invocations, ${report.ingestThreads > 0 ? `ingest in ${report.ingestThreads} worker-thread environments` : 'ingest in the main thread'}${report.separateThreads ? ', engines and posts each in a thread of their own' : ''}; Jira sandbox ${report.createsPerSecond} creates/s${report.faults ? '; faults on' : ''})`,
    `  events ingested:                     ${report.ingest.eventsPerSecond} events/s (${report.ingest.seconds} s), answer p50 / p99 ${report.ingest.p50Ms} / ${report.ingest.p99Ms} ms`,
    `  time to last ticket:                 ${t.timeToLastSeconds} s, ideal ${t.idealSeconds} s (fingerprints / rate): ${t.ratioToIdeal} x ideal (target <= 1.15)`,
    `  first post -> ticket, p50 / p99 / max: ${t.latencyP50Seconds} / ${t.latencyP99Seconds} / ${t.lastTicketLatencySeconds} s; the last new fingerprint was first posted at ${t.lastFirstPostSeconds} s`,
    `  Jira calls per fingerprint:          ${calls(report.jiraCallsPerFingerprint)}`,
    `  Backtrace calls per fingerprint:     ${calls(report.backtraceCallsPerFingerprint)}`,
    `  429 answers:                         ${report.rateLimited.answers429} = ${report.rateLimited.percentOfCreates} % of ${report.rateLimited.createsAnswered} create calls (target <= 5 %)` +
      (report.faults ? `; ${report.faultsInjected.burst429s} of them the injected bursts, ${Math.max(0, report.rateLimited.answers429 - report.faultsInjected.burst429s)} from the sandbox's own bucket` : ''),
    ...(report.faults
      ? [
          `  faults injected:                     ${report.faultsInjected.serverErrors} create 5xx, ${report.faultsInjected.timeouts} create timeouts, ${report.faultsInjected.burst429s} burst 429s without Retry-After, ` +
            `${report.faultsInjected.kills} sync-to-jira kills mid-batch, ${report.faultsInjected.dynamodbThrottles} DynamoDB throttles`,
        ]
      : []),
    `  sync-to-jira received:               ${report.worker.messagesReceived} messages = ${report.worker.perEventIngested} per event ingested, in ${report.worker.invocations} invocations and ${report.worker.receiveCalls} receives (${report.worker.emptyReceiveCalls} empty)${report.workerThreads ? `, ${report.worker.coldStarts} cold starts (worker threads)` : ' (in the main thread)'}`,
    `  CPU, all threads, first post to quiet: ${report.cpu.seconds} s in ${report.cpu.wallSeconds} s on ${report.cpu.cores} cores = ${report.cpu.busyPercent} % busy`,
    `  tickets created / duplicates / lost: ${t.created} / ${report.duplicates} / ${report.lost} (dead-lettered ${report.deadLettered})`,
  ];
  if (report.flood) {
    const f = report.flood;
    lines.push(
      `Webhook flood (${f.deliveries} deliveries of ${f.realChanges} real changes, repeats shuffled)`,
      `  accepted:                            ${f.acceptedPerSecond} deliveries/s, answer p50 / p99 ${f.p50Ms} / ${f.p99Ms} ms, answers ${Object.entries(f.answers).map(([status, count]) => `${status} x${count}`).join(', ')}`,
      `  Backtrace writes per real change:    ${f.backtraceWritesPerRealChange} (target 1)`,
    );
  }
  return lines.join('\n');
}
