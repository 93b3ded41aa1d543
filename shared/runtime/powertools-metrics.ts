/**
 * The {@link Metrics} port on Powertools Metrics: each count is written at once as its own CloudWatch EMF line on
 * stdout (Lambda ships it to the log group, CloudWatch turns it into a metric), with the `service` dimension and
 * the count's own. Written at once rather than buffered to the end of the invocation, so a timed-out or crashed
 * invocation loses no count and no handler needs a flush hook; the bridge counts a handful of things per message.
 */
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { noMetrics, type CountArguments, type MetricName, type Metrics } from '../ports/metrics.ts';

export class PowertoolsMetricsAdapter implements Metrics {
  readonly #metrics: PowertoolsMetrics;

  constructor(options: { namespace: string; serviceName: string }) {
    this.#metrics = new PowertoolsMetrics({ namespace: options.namespace, serviceName: options.serviceName });
  }

  count<N extends MetricName>(name: N, ...[dimensions, value = 1]: CountArguments<N>): void {
    try {
      const single = this.#metrics.singleMetric();
      if (dimensions) single.addDimensions(dimensions as Record<string, string>);
      single.addMetric(name, MetricUnit.Count, value);
    } catch {
      // A metric must never fail the work it counts.
    }
  }
}

/**
 * Metrics for a function: Powertools EMF where `POWERTOOLS_METRICS_NAMESPACE` is set (every deployed function,
 * infra/constructs/bridge-function.ts), none elsewhere (the local stack and the tests, whose stdout stays readable).
 * `POWERTOOLS_METRICS_DISABLED=true` turns them off on AWS too.
 */
export function createMetrics(serviceName: string): Metrics {
  const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE;
  if (!namespace) return noMetrics;
  return new PowertoolsMetricsAdapter({ namespace, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
}
