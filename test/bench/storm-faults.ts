/**
 * The faults of a storm run with `--faults`, dealt against the create calls the workers actually make:
 * - about one create in ten meets a 5xx (500 or 503) or an answer later than the client's 10 s deadline (a timeout:
 *   the sandbox still creates the issue, so its response is lost);
 * - every 5 s a burst of five 429s without Retry-After, as a gateway sends them;
 * - sync-to-jira's execution environment killed mid-batch (`poller.kill()`, threaded mode) while one of its records
 *   waits for a Jira create, so the issue is made and the response lost with the environment;
 * - DynamoDB throttling comes from the stack's throttling endpoint (local-stack's `dynamodbThrottle`); counted here.
 *
 * Faults are dealt per create call seen, never per unit of time: the first version queued them at the pace the
 * sandbox allows, and whenever the workers created more slowly than that (at the start, and all the more under
 * faults) the queue of faults grew until nearly every create met one, so a fault run never finished.
 */
import type { LocalStack } from '../../infra/local/local-stack.ts';
import type { RecordedRequest } from '../../infra/local/sandboxes/jira/types.ts';

export interface StormFaultCounts {
  /** Creates answered 500 or 503. */
  serverErrors: number;
  /** Creates answered after the client's deadline (the issue made, the response lost). */
  timeouts: number;
  /** 429s without Retry-After dealt in bursts of five. */
  burst429s: number;
  /** sync-to-jira environments killed mid-batch after one of their records sent a Jira create. */
  kills: number;
  /** DynamoDB requests answered with a throttle (ProvisionedThroughputExceededException / ThrottlingException). */
  dynamodbThrottles: number;
}

export interface StormFaultsOptions {
  stack: LocalStack;
  /** Dedupe label -> fingerprint, to find the batch a create belongs to. */
  fingerprintOfLabel: Map<string, string>;
  fingerprintCount: number;
  /** Kill an environment when the issues created reach these shares of the fingerprints (default 5 % and 50 %). */
  killAt?: number[];
}

const CREATE_PATH = /\/rest\/api\/2\/issue$/;
const isCreate = (request: RecordedRequest) => request.method === 'POST' && CREATE_PATH.test(request.path);
/** How late a create is answered when an environment is to be killed while waiting for it (within the 10 s deadline). */
const SLOW_CREATE_MS = 3_000;
const BURST_EVERY_MS = 5_000;
/** Creates that must come between two bursts. */
const BURST_GAP_CREATES = 20;

type Kind = 'serverErrors' | 'timeouts' | 'burst429s' | 'slowCreate';

/** Starts dealing faults; `stop()` ends it, `counts()` says what was injected (taken by a create, not only queued). */
export function startStormFaults(options: StormFaultsOptions): { counts(): StormFaultCounts; stop(): void } {
  const { stack, fingerprintOfLabel, fingerprintCount } = options;
  const jira = stack.jiraSandbox!;
  const killAt = [...(options.killAt ?? [0.05, 0.5])].sort((a, b) => a - b);
  // The sandbox's fault queue is first in, first out, and every create takes from it: a fault queued when `queueEnd`
  // creates had come is taken by the creates numbered queueEnd + 1 ... queueEnd + times.
  const dealt: { kind: Kind; start: number; times: number }[] = [];
  let queueEnd = 0;
  let scanned = 0;
  let creates = 0;
  let lastBurstAt = 0;
  /** Creates counted when the last burst was used up; the first burst comes after five creates. */
  let createsAfterLastBurst = 5 - BURST_GAP_CREATES;
  /** The slow create an environment is to die waiting for, by its number among the creates. */
  let killTarget: { ordinal: number; request?: RecordedRequest } | undefined;

  const deal = (kind: Kind, fault: Parameters<typeof jira.failNext>[0]) => {
    const start = Math.max(queueEnd, creates);
    const times = fault.times ?? 1;
    jira.failNext(fault);
    dealt.push({ kind, start, times });
    queueEnd = start + times;
    return start + 1;
  };
  const taken = (kind: Kind) => dealt.filter((fault) => fault.kind === kind).reduce((sum, fault) => sum + Math.min(fault.times, Math.max(0, creates - fault.start)), 0);

  const killWhileWaiting = async (request: RecordedRequest): Promise<'killed' | 'wait' | 'missed'> => {
    if (request.status !== undefined) return 'missed';
    const labels = ((request.body as { fields?: { labels?: unknown } } | undefined)?.fields?.labels ?? []) as unknown[];
    const fingerprint = labels.map((label) => fingerprintOfLabel.get(String(label))).find(Boolean);
    if (!fingerprint) return 'missed';
    const invocation = stack.poller.running().find((running) => running.bodies.some((body) => body.includes(fingerprint)));
    if (!invocation) return 'wait';
    return (await stack.poller.kill(invocation.awsRequestId)) ? 'killed' : 'wait';
  };

  const scan = () => {
    for (; scanned < jira.requests.length; scanned++) {
      const request = jira.requests[scanned]!;
      if (!isCreate(request)) continue;
      creates++;
      if (killTarget && creates === killTarget.ordinal) killTarget.request = request;
    }
  };

  const tick = async () => {
    scan();
    if (killTarget?.request) {
      const outcome = await killWhileWaiting(killTarget.request);
      if (outcome !== 'wait') killTarget = undefined;
      if (outcome === 'killed') killAt.shift();
    }
    if (jira.issues.length >= fingerprintCount || queueEnd > creates) return;
    if (!killTarget && killAt.length > 0 && jira.issues.length >= killAt[0]! * fingerprintCount) {
      killTarget = { ordinal: deal('slowCreate', { delayMs: SLOW_CREATE_MS, method: 'POST', path: CREATE_PATH }) };
      return;
    }
    const faults = taken('serverErrors') + taken('timeouts');
    if (faults < Math.ceil(creates / 10)) {
      // 5xx, 5xx, timeout, ...: two thirds answered at once, one third late.
      if (faults % 3 === 2) deal('timeouts', { delayMs: 11_000, method: 'POST', path: CREATE_PATH });
      else deal('serverErrors', { status: faults % 3 === 0 ? 500 : 503, method: 'POST', path: CREATE_PATH });
    } else if (Date.now() - lastBurstAt >= BURST_EVERY_MS && creates >= createsAfterLastBurst + BURST_GAP_CREATES) {
      // At most one create in five: near the end, when the few creates left are retries, a burst every 5 s would
      // answer every one of them 429 and stall the tail, which no gateway does to a site that sends so little.
      deal('burst429s', { status: 429, body: null, method: 'POST', path: CREATE_PATH, times: 5 });
      createsAfterLastBurst = queueEnd;
      lastBurstAt = Date.now();
    }
  };

  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void tick().finally(() => (busy = false));
  }, 100);

  return {
    counts: () => {
      scan();
      return {
      serverErrors: taken('serverErrors'),
      timeouts: taken('timeouts'),
      burst429s: taken('burst429s'),
      kills: stack.poller.stats().kills,
      dynamodbThrottles: stack.dynamodbThrottle?.stats().throttled ?? 0,
      };
    },
    stop: () => clearInterval(timer),
  };
}
