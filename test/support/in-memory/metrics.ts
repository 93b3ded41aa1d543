import type { CountArguments, MetricName, Metrics } from '../../../shared/ports/metrics.ts';

export interface CountedMetric {
  name: MetricName;
  dimensions: Record<string, string>;
  value: number;
}

/** Keeps every count, so a use-case test can assert what the dashboard would show. */
export class InMemoryMetrics implements Metrics {
  readonly counted: CountedMetric[] = [];

  count<N extends MetricName>(name: N, ...[dimensions, value = 1]: CountArguments<N>): void {
    this.counted.push({ name, dimensions: { ...(dimensions as Record<string, string> | undefined) }, value });
  }

  /** Sum of `name`, over the counts whose dimensions include `dimensions`. */
  total(name: MetricName, dimensions: Record<string, string> = {}): number {
    return this.counted
      .filter((metric) => metric.name === name && Object.entries(dimensions).every(([key, value]) => metric.dimensions[key] === value))
      .reduce((sum, metric) => sum + metric.value, 0);
  }

  /** `Name` or `Name{key=value,...}` per count, in order: compact for `toEqual`. */
  names(): string[] {
    return this.counted.map(({ name, dimensions }) => {
      const keys = Object.entries(dimensions);
      return keys.length === 0 ? name : `${name}{${keys.map(([key, value]) => `${key}=${value}`).join(',')}}`;
    });
  }
}
