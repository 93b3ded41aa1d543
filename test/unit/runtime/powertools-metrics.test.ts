import { afterEach, describe, expect, it, vi } from 'vitest';
import { noMetrics } from '../../../shared/ports/metrics.ts';
import { createMetrics, PowertoolsMetricsAdapter } from '../../../shared/runtime/powertools-metrics.ts';

/** Runs `act` and returns what it wrote to stdout, line by line. */
function captureStdout(act: () => void): string[] {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return written.join('').split('\n').filter(Boolean);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Class: PowertoolsMetricsAdapter', () => {
  it('writes each count at once as a CloudWatch EMF line with the service dimension and its own', () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_DEV', '');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const metrics = new PowertoolsMetricsAdapter({ namespace: 'BacktraceJiraBridge', serviceName: 'backtrace-jira-bridge' });

    // Act
    const lines = captureStdout(() => {
      metrics.count('SyncWrites', { direction: 'ToJira' });
      metrics.count('IssuesCreated', undefined, 2);
    });

    // Assess
    expect(lines).toHaveLength(2);
    const [write, created] = lines.map((line) => JSON.parse(line) as Record<string, any>);
    expect(write).toMatchObject({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [{ Namespace: 'BacktraceJiraBridge', Dimensions: [['service', 'direction']], Metrics: [{ Name: 'SyncWrites', Unit: 'Count' }] }],
      },
      service: 'backtrace-jira-bridge',
      direction: 'ToJira',
      SyncWrites: 1,
    });
    expect(created).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'BacktraceJiraBridge', Dimensions: [['service']], Metrics: [{ Name: 'IssuesCreated', Unit: 'Count' }] }] },
      service: 'backtrace-jira-bridge',
      IssuesCreated: 2,
    });
  });

  it('writes nothing when POWERTOOLS_METRICS_DISABLED is true', () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const metrics = new PowertoolsMetricsAdapter({ namespace: 'BacktraceJiraBridge', serviceName: 'backtrace-jira-bridge' });

    // Act
    const lines = captureStdout(() => metrics.count('EchoesDropped'));

    // Assess
    expect(lines).toEqual([]);
  });
});

describe('Function: createMetrics', () => {
  it('counts nothing without POWERTOOLS_METRICS_NAMESPACE (the local stack and tests), and emits EMF with it (Lambda)', () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', '');
    const local = createMetrics('sync-to-jira');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'BacktraceJiraBridge');
    vi.stubEnv('POWERTOOLS_DEV', '');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');

    // Act
    const deployed = createMetrics('sync-to-jira');
    const lines = captureStdout(() => deployed.count('DeadLetterSends', { queue: 'backtrace-events' }));

    // Assess
    expect(local).toBe(noMetrics);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([expect.objectContaining({ queue: 'backtrace-events', DeadLetterSends: 1 })]);
  });
});
