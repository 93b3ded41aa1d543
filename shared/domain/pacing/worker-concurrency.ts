/**
 * How many worker invocations the SQS event source may run at once, sized to the Jira pace instead of a fixed 5:
 * enough records in flight to keep every site's create bucket busy, not so many that they only wait for slots (each
 * waiting record holds a Lambda). Jira itself is protected by the buckets, not by this number.
 *
 * Records in flight to keep R new groups/s going, each record busy T seconds: R x T (Little's law). T is the whole
 * new-group path, not one Jira request: the create and the read of the new issue, the Backtrace row read and ticket
 * write, the DynamoDB claim, link and sync writes and the bucket reservations between them. One invocation works
 * its batch of 10 records at once, but Lambda polls the next batch only when the slowest record is done: in a storm
 * a batch mixes new groups with repeats that finish at once, so x2 headroom (about half a batch new groups).
 * The first sizing (R x 0.5 s per request x 2 / 10) counted only one Jira request per record: at 50/s it allowed
 * 5 invocations, about 25 records in flight for the 100 a storm's new groups need.
 */
import type { BridgeConfig } from '../config/index.ts';
import { jiraMaxRequestsPerSecond, paceSite } from './jira-pace.ts';

/**
 * Assumed time a new error group's record takes end to end, seconds [assumption]: two Jira Cloud requests of about
 * 0.5 s (typical REST latency), two Backtrace calls of about 0.25 s, and some fifteen DynamoDB calls of about 10 ms.
 */
export const NEW_GROUP_SECONDS = 2;
export const RECORDS_PER_BATCH = 10;
/**
 * The workers' event sources wait up to this long to fill a batch (MaximumBatchingWindowInSeconds): a trickle of
 * messages is then a batch a second, not one invocation (and one receive and delete) per message.
 */
export const BATCHING_WINDOW_SECONDS = 1;
const HEADROOM = 2;
/** SQS event sources accept a maximum concurrency of 2 to 1000. */
const MIN_CONCURRENCY = 2;
const MAX_CONCURRENCY = 1_000;

/** Sum of the sites' paces (integrations on one site share its buckets: the highest of their ceilings counts). */
export function totalJiraRate(config: Pick<BridgeConfig, 'settings' | 'integrations'>): number {
  const perSite = new Map<string, number>();
  for (const integration of config.integrations) {
    const site = paceSite(integration.jira.siteUrl);
    perSite.set(site, Math.max(perSite.get(site) ?? 0, jiraMaxRequestsPerSecond(config, integration)));
  }
  return [...perSite.values()].reduce((sum, rate) => sum + rate, 0);
}

/** `maxConcurrency` of a worker's SQS event source for the configured Jira pace. */
export function workerMaxConcurrency(config: Pick<BridgeConfig, 'settings' | 'integrations'>): number {
  return maxConcurrencyForRate(totalJiraRate(config));
}

/** `maxConcurrency` for a total Jira pace of `requestsPerSecond` across sites. */
export function maxConcurrencyForRate(requestsPerSecond: number): number {
  const invocations = Math.ceil((requestsPerSecond * NEW_GROUP_SECONDS * HEADROOM) / RECORDS_PER_BATCH);
  return Math.min(MAX_CONCURRENCY, Math.max(MIN_CONCURRENCY, invocations));
}
