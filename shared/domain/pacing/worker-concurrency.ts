/**
 * How many worker invocations the SQS event source may run at once, sized to the Jira pace instead of a fixed 5:
 * enough records in flight to keep every site's buckets busy, not so many that they only wait for slots (each
 * waiting record holds a Lambda) or, unpaced, put a burst on a site whose limits every user and app share.
 *
 * Requests in flight to keep R requests/s going, each taking L seconds: R x L. One invocation works its batch of 10
 * records at once; x2 headroom, because a record also waits on DynamoDB and Backtrace between its Jira calls.
 */
import type { BridgeConfig } from '../config/index.ts';
import { jiraMaxRequestsPerSecond, paceSite } from './jira-pace.ts';

/** Assumed mean time of one Jira Cloud request, seconds [assumption: typical REST write latency]. */
export const JIRA_REQUEST_SECONDS = 0.5;
export const RECORDS_PER_BATCH = 10;
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
  const invocations = Math.ceil((requestsPerSecond * JIRA_REQUEST_SECONDS * HEADROOM) / RECORDS_PER_BATCH);
  return Math.min(MAX_CONCURRENCY, Math.max(MIN_CONCURRENCY, invocations));
}
