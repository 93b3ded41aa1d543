/**
 * Counts an operator watches on the dashboard (CloudWatch metrics in the `BacktraceJiraBridge` namespace, emitted
 * as EMF by shared/runtime/powertools-metrics.ts). Use-cases and adapters count where a thing happens; the port
 * keeps them testable with test/support/in-memory/metrics.ts.
 *
 * Counting never throws and never changes what the caller does: a metric that cannot be written is dropped.
 *
 * @example
 * ```ts
 * deps.metrics?.count('SyncWrites', { direction: 'ToJira' });
 * ```
 */

/** Every metric the bridge emits, with the dimension each one is split by (none: a plain count). */
export interface MetricDimensionsByName {
  /** An event accepted and queued: a Backtrace error group or fingerprint change, or a Jira webhook delivery. */
  EventsIn: { route: 'BacktraceEvents' | 'JiraWebhook' };
  /** A Backtrace error group an integration's submit/filter rules kept out of Jira. */
  EventsFiltered: undefined;
  /** A repeat of an error group the same ingest container queued moments ago, answered without queueing it again. */
  RepeatsCoalesced: undefined;
  /** A Jira issue the bridge created for an error group. */
  IssuesCreated: undefined;
  /** An existing Jira issue linked instead of creating one (named by the fingerprint's ticket, or found by its dedupe label after a crash). */
  IssuesAdopted: undefined;
  /** A write the sync made: to a Jira issue (transition, assignee) or to a Backtrace fingerprint (state, tickets, assignees). */
  SyncWrites: { direction: 'ToJira' | 'ToBacktrace' };
  /** A Jira webhook delivery for a change the bridge made itself, dropped (no echo loop). */
  EchoesDropped: undefined;
  /** A failed Jira request (after any in-process retries), by what failed. */
  JiraErrors: { errorClass: ErrorClass };
  /** A failed Backtrace request (after any in-process retries), by what failed. */
  BacktraceErrors: { errorClass: ErrorClass };
  /** An HTTP 429 from Jira or Backtrace, counted at every attempt (including those retried in-process). */
  RateLimited: { system: ExternalSystem };
  /** A retry: of an HTTP request within the invocation (system Jira / Backtrace), or of a queue message (system Queue). */
  Retries: { system: ExternalSystem | 'Queue' };
  /** A message failed for the last time: SQS moves it to the dead-letter queue. */
  DeadLetterSends: { queue: QueueName };
}

export type MetricName = keyof MetricDimensionsByName;
export type ExternalSystem = 'Jira' | 'Backtrace';
export type QueueName = 'backtrace-events' | 'jira-changes';
/**
 * How an outside request failed: `RateLimited` (429), `ServerError` (5xx), `Timeout`, `Network` (no connection),
 * `Auth` (401/403), `NotFound` (404), `Conflict` (409), `Refused` (any other answer, e.g. a 400 for a field Jira refuses).
 */
export type ErrorClass = 'RateLimited' | 'ServerError' | 'Timeout' | 'Network' | 'Auth' | 'NotFound' | 'Conflict' | 'Refused';

/** The metric names, for the dashboard and the tests. */
export const METRIC_NAMES = [
  'EventsIn',
  'EventsFiltered',
  'RepeatsCoalesced',
  'IssuesCreated',
  'IssuesAdopted',
  'SyncWrites',
  'EchoesDropped',
  'JiraErrors',
  'BacktraceErrors',
  'RateLimited',
  'Retries',
  'DeadLetterSends',
] as const satisfies readonly MetricName[];

/** CloudWatch namespace of the bridge's own metrics (BridgeFunction sets it as `POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'BacktraceJiraBridge';

/** A plain count takes no dimensions; a split one must say which part it adds to. */
export type CountArguments<N extends MetricName> = MetricDimensionsByName[N] extends undefined
  ? [dimensions?: undefined, value?: number]
  : [dimensions: MetricDimensionsByName[N], value?: number];

export interface Metrics {
  /** Add `value` (default 1) to `name`, split by `dimensions`. Never throws. */
  count<N extends MetricName>(name: N, ...rest: CountArguments<N>): void;
}

/** Counts nothing: for callers that were given no metrics. */
export const noMetrics: Metrics = { count: () => undefined };
