/**
 * Storm mode of `npm run bench`: many Backtrace error-group events over fewer fingerprints, shuffled and posted
 * concurrently to the local stack (the real handlers, dynalite, fauxqs), against a Jira sandbox whose creates are
 * limited by a token bucket; then a flood of Jira webhook deliveries with repeats. Returns the figures; run.ts prints
 * them and writes them as JSON, and test/bench/storm.test.ts runs both with tiny sizes so the bench cannot rot.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { maxConcurrencyForRate } from '../../shared/domain/pacing/worker-concurrency.ts';
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
  /** Inject faults: ~10 % of creates answered 5xx or too late (a timeout), and a burst of 429s without Retry-After every 5 s. */
  faults?: boolean;
  /** Jira webhook deliveries in the flood (default 10,000; 0 skips it). */
  floodDeliveries?: number;
  /** Real Jira changes the flood's deliveries announce (default 100, at most the issues created). */
  floodChanges?: number;
  /** Concurrent invocations of each worker; default what the CDK stack sets for this pace. */
  workerConcurrency?: number;
  /** Longest wait for the stack to drain, ms (default 30 min). */
  timeoutMs?: number;
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
  ingest: { eventsPerSecond: number; p50Ms: number; p99Ms: number; seconds: number };
  tickets: { created: number; timeToLastSeconds: number; idealSeconds: number; ratioToIdeal: number; latencyP50Seconds: number; latencyP99Seconds: number };
  jiraCallsPerFingerprint: CallCounts;
  backtraceCallsPerFingerprint: CallCounts;
  rateLimited: { answers429: number; createsAnswered: number; percentOfCreates: number };
  faultsInjected: { serverErrors: number; timeouts: number; burst429s: number };
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

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function runPool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

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
function stormConfigFile(createsPerSecond: number): { file: string; cleanup: () => void } {
  const document = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as { settings?: Record<string, unknown> };
  document.settings = { ...document.settings, jira: { maxRequestsPerSecond: createsPerSecond } };
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
  const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const secrets = JSON.parse(readFileSync(DEFAULT_SECRETS_FILE, 'utf8')) as Record<string, string>;
  const credentials = JSON.parse(secrets['local/webhook-basic-auth']!) as { username: string; password: string };
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

  const config = stormConfigFile(rate);
  // Workers as many as the deployed stack would run for this pace (shared/domain/pacing/worker-concurrency.ts).
  const workerConcurrency = options.workerConcurrency ?? maxConcurrencyForRate(rate);
  const stack = await startLocalStack({ configFile: config.file, log: () => undefined, pollTimers: false, workerConcurrency });
  const jira = stack.jiraSandbox!;
  const backtrace = stack.backtraceSandbox!;
  const integration = stack.config.integrations[0]!;
  const { universe, project } = integration.backtrace;
  const injected = { serverErrors: 0, timeouts: 0, burst429s: 0 };
  let faultTimer: NodeJS.Timeout | undefined;
  try {
    jira.setRateLimit({ perSecond: rate, method: 'POST', path: /\/rest\/api\/2\/issue$/ });
    const fingerprints = Array.from({ length: fingerprintCount }, () => randomBytes(32).toString('hex'));
    const deliveries = shuffle(Array.from({ length: events }, (_, index) => fingerprints[index % fingerprintCount]!));
    const firstPostAt = new Map<string, number>();

    if (options.faults) {
      // About one create in ten meets a fault: a 5xx, or an answer later than the client's 10 s deadline (the issue
      // is still created: a lost response). Every 5 s a burst of five 429s without Retry-After, as a gateway sends.
      let tick = 0;
      faultTimer = setInterval(() => {
        tick++;
        if (jira.issues.length >= fingerprintCount) return;
        if (tick % 50 === 0) {
          jira.failNext({ status: 429, body: null, method: 'POST', path: /\/rest\/api\/2\/issue$/, times: 5 });
          injected.burst429s += 5;
        } else if (tick % 2 === 0 && Math.random() < (rate / 10) / 5) {
          if (Math.random() < 0.8) {
            jira.failNext({ status: Math.random() < 0.5 ? 500 : 503, method: 'POST', path: /\/rest\/api\/2\/issue$/ });
            injected.serverErrors++;
          } else {
            jira.failNext({ delayMs: 11_000, method: 'POST', path: /\/rest\/api\/2\/issue$/ });
            injected.timeouts++;
          }
        }
      }, 100);
    }

    const latencies: number[] = [];
    const started = Date.now();
    await runPool(deliveries, concurrency, async (fingerprint) => {
      const t0 = performance.now();
      if (!firstPostAt.has(fingerprint)) firstPostAt.set(fingerprint, Date.now());
      const response = await fetch(`${stack.url}/backtrace/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ ...sample, fingerprint }),
      });
      await response.text();
      if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
      latencies.push(performance.now() - t0);
    });
    const ingestSeconds = (Date.now() - started) / 1000;
    await stack.poller.idle({ timeoutMs });
    if (faultTimer) clearInterval(faultTimer);
    // Lost responses and retries settle last: the stack is quiet when every queue and worker is.
    await stack.settled({ timeoutMs });

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
      ingest: { eventsPerSecond: round(events / ingestSeconds, 0), p50Ms: round(percentile(latencies, 50), 1), p99Ms: round(percentile(latencies, 99), 1), seconds: round(ingestSeconds, 1) },
      tickets: {
        created: jira.issues.length,
        timeToLastSeconds: round(timeToLastSeconds, 1),
        idealSeconds: round(idealSeconds, 1),
        ratioToIdeal: round(timeToLastSeconds / idealSeconds),
        latencyP50Seconds: round(percentile(ticketLatencies, 50), 1),
        latencyP99Seconds: round(percentile(ticketLatencies, 99), 1),
      },
      jiraCallsPerFingerprint: perFingerprint(jira.requests, /^.*\/rest\/api\/2\//, fingerprintCount),
      backtraceCallsPerFingerprint: perFingerprint(backtrace.requests, /^\/api\//, fingerprintCount),
      rateLimited: { answers429, createsAnswered: createRequests.length, percentOfCreates: round((100 * answers429) / Math.max(1, createRequests.length), 1) },
      faultsInjected: injected,
      duplicates,
      lost,
      deadLettered: await deadLettered(stack),
    };
    if ((options.floodDeliveries ?? 10_000) > 0) report.flood = await runFlood(stack, options.floodDeliveries ?? 10_000, Math.min(options.floodChanges ?? 100, jira.issues.length), concurrency, timeoutMs);
    return report;
  } finally {
    if (faultTimer) clearInterval(faultTimer);
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
    `Storm (node ${report.node}, ${report.events} events over ${report.fingerprints} fingerprints, shuffled, ${report.concurrency} concurrent posts, ${report.workerConcurrency} concurrent worker invocations; Jira sandbox ${report.createsPerSecond} creates/s${report.faults ? '; faults on' : ''})`,
    `  events ingested:                     ${report.ingest.eventsPerSecond} events/s (${report.ingest.seconds} s), answer p50 / p99 ${report.ingest.p50Ms} / ${report.ingest.p99Ms} ms`,
    `  time to last ticket:                 ${t.timeToLastSeconds} s, ideal ${t.idealSeconds} s (fingerprints / rate): ${t.ratioToIdeal} x ideal (target <= 1.15)`,
    `  first post -> ticket, p50 / p99:     ${t.latencyP50Seconds} / ${t.latencyP99Seconds} s`,
    `  Jira calls per fingerprint:          ${calls(report.jiraCallsPerFingerprint)}`,
    `  Backtrace calls per fingerprint:     ${calls(report.backtraceCallsPerFingerprint)}`,
    `  429 answers:                         ${report.rateLimited.answers429} = ${report.rateLimited.percentOfCreates} % of ${report.rateLimited.createsAnswered} create calls (target <= 5 %)`,
    ...(report.faults ? [`  faults injected:                     ${report.faultsInjected.serverErrors} 5xx, ${report.faultsInjected.timeouts} timeouts, ${report.faultsInjected.burst429s} burst 429s without Retry-After`] : []),
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
