/**
 * A smoke run of the storm bench (`npm run bench -- --storm`): a few fingerprints through the local stack against the
 * rate-limited Jira sandbox, then a small webhook flood, so the bench cannot rot. It checks the report's
 * shape and what must hold at any size (no duplicate, nothing lost, one Backtrace write per real change); the
 * figures themselves are the bench's to print, not a test's to time.
 */
import { describe, expect, it } from 'vitest';
import { formatStorm, runStorm } from './storm.ts';

describe('Bench: storm mode (smoke)', () => {
  it('runs a small storm and a webhook flood: every fingerprint one ticket, no duplicate, nothing lost', async () => {
    // Act (faults off: a lost create response waits out its claim's lease, minutes, by design)
    const report = await runStorm({ events: 60, fingerprints: 6, createsPerSecond: 20, concurrency: 6, floodDeliveries: 40, floodChanges: 4, timeoutMs: 120_000 });

    // Assess
    expect(report.tickets.created).toBe(6);
    expect(report.duplicates).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.deadLettered).toBe(0);
    expect(report.jiraCallsPerFingerprint['POST issue']).toBeGreaterThanOrEqual(1);
    expect(report.ingest.eventsPerSecond).toBeGreaterThan(0);
    expect(report.tickets.idealSeconds).toBe(0.3);
    expect(report.flood).toMatchObject({ deliveries: 40, realChanges: 4, backtraceWritesPerRealChange: 1 });
    expect(formatStorm(report)).toMatch(/time to last ticket: +[\d.]+ s, ideal 0\.3 s/);
  }, 180_000);
});
