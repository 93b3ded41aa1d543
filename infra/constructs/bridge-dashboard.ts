import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, MathExpression, Metric, Stats, TextWidget, type IMetric, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, type ExternalSystem, type MetricName } from '../../shared/ports/metrics.ts';
import { BRIDGE_SERVICE_NAME } from './bridge-function.ts';

const PERIOD = Duration.minutes(5);
const WIDTH = 8;
const HEIGHT = 6;

export interface BridgeDashboardProps {
  readonly dashboardName: string;
  /** Work queues and their DLQs, by the name shown on the graphs. */
  readonly queues: readonly { readonly name: string; readonly queue: IQueue }[];
  /** Every function of the stack, by the name shown on the graphs. */
  readonly functions: readonly { readonly name: string; readonly fn: IFunction }[];
  readonly api: HttpApi;
}

/** One of the bridge's own metrics (shared/ports/metrics.ts), summed over 5 minutes. */
export function bridgeMetric(name: MetricName, dimensions: Record<string, string> = {}, label?: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: BRIDGE_SERVICE_NAME, ...dimensions },
    statistic: Stats.SUM,
    period: PERIOD,
    ...(label ? { label } : {}),
  });
}

/** Every error class of one system's errors, whatever classes have occurred (a SEARCH, so a new class shows up too). */
function errorsByClass(system: ExternalSystem): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},errorClass,service} MetricName="${system}Errors"', 'Sum', ${PERIOD.toSeconds()})`,
    label: `${system} errors`,
    usingMetrics: {},
    period: PERIOD,
  });
}

const graph = (title: string, left: IMetric[], options: { stacked?: boolean } = {}): GraphWidget =>
  new GraphWidget({ title, left, width: WIDTH, height: HEIGHT, period: PERIOD, ...options });

/**
 * The bridge at a glance: what came in and what became of it (the bridge's own metrics), what failed at Jira and
 * Backtrace, the queues' depths and ages, and each function's errors, throttles and p95 duration; the API's answers.
 */
export class BridgeDashboard extends Dashboard {
  constructor(scope: Construct, id: string, props: BridgeDashboardProps) {
    super(scope, id, { dashboardName: props.dashboardName, defaultInterval: Duration.hours(3) });
    const { queues, functions, api } = props;
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: `## Backtrace ↔ Jira bridge\nOwn metrics in namespace \`${METRICS_NAMESPACE}\` (service \`${BRIDGE_SERVICE_NAME}\`), 5-minute sums. Alarms notify the stack's AlarmTopic.`,
          width: 24,
          height: 2,
        }),
      ],
      [
        graph('Events in and filtered', [
          bridgeMetric('EventsIn', { route: 'BacktraceEvents' }, 'Backtrace events in'),
          bridgeMetric('EventsIn', { route: 'JiraWebhook' }, 'Jira webhooks in'),
          bridgeMetric('EventsFiltered', {}, 'Filtered by rules'),
          bridgeMetric('RepeatsCoalesced', {}, 'Repeats not queued again'),
        ]),
        graph('Jira issues', [bridgeMetric('IssuesCreated', {}, 'Created'), bridgeMetric('IssuesAdopted', {}, 'Adopted (existing issue linked)')]),
        graph('Sync writes and echoes', [
          bridgeMetric('SyncWrites', { direction: 'ToJira' }, 'Writes to Jira'),
          bridgeMetric('SyncWrites', { direction: 'ToBacktrace' }, 'Writes to Backtrace'),
          bridgeMetric('EchoesDropped', {}, 'Echoes of our own writes dropped'),
        ]),
      ],
      [
        graph('Jira errors by class', [errorsByClass('Jira')], { stacked: true }),
        graph('Backtrace errors by class', [errorsByClass('Backtrace')], { stacked: true }),
        graph('Rate limits, retries, dead letters', [
          bridgeMetric('RateLimited', { system: 'Jira' }, 'Jira 429s'),
          bridgeMetric('RateLimited', { system: 'Backtrace' }, 'Backtrace 429s'),
          bridgeMetric('Retries', { system: 'Jira' }, 'Jira requests retried'),
          bridgeMetric('Retries', { system: 'Backtrace' }, 'Backtrace requests retried'),
          bridgeMetric('Retries', { system: 'Queue' }, 'Messages retried'),
          bridgeMetric('DeadLetterSends', { queue: 'backtrace-events' }, 'To backtrace-events DLQ'),
          bridgeMetric('DeadLetterSends', { queue: 'jira-changes' }, 'To jira-changes DLQ'),
        ]),
      ],
      [
        graph(
          'Queue depth (visible messages)',
          queues.map(({ name, queue }) => queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: Stats.MAXIMUM, label: name })),
        ),
        graph(
          'Oldest message age (s)',
          queues.map(({ name, queue }) => queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: Stats.MAXIMUM, label: name })),
        ),
        graph('HTTP API answers', [
          api.metricCount({ period: PERIOD, statistic: Stats.SUM, label: 'Requests' }),
          api.metricClientError({ period: PERIOD, statistic: Stats.SUM, label: '4xx (incl. 429 throttled)' }),
          api.metricServerError({ period: PERIOD, statistic: Stats.SUM, label: '5xx' }),
        ]),
      ],
      [
        graph('Function errors', functions.map(({ name, fn }) => fn.metricErrors({ period: PERIOD, statistic: Stats.SUM, label: name }))),
        graph('Function throttles', functions.map(({ name, fn }) => fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM, label: name }))),
        graph('Function duration p95 (ms)', functions.map(({ name, fn }) => fn.metricDuration({ period: PERIOD, statistic: Stats.p(95), label: name }))),
      ],
    ];
    for (const row of rows) this.addWidgets(...row);
  }
}
