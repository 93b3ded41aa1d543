/**
 * A sample of the seeded route fuzzing (`npm run fuzz` runs 10,000 per route): generated hostile and odd deliveries
 * against both routes on the real local engines. Never a 5xx, never a hang, and the queues hold exactly what the
 * answers announced, each message one the worker reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzRoute } from './route-fuzz.ts';
import { startRouteHarness, type RouteHarness } from './route-harness.ts';

const SAMPLE = 300;
const SEED = 20261201;

let harness: RouteHarness;
beforeAll(async () => {
  harness = await startRouteHarness();
});
afterAll(async () => {
  await harness?.stop();
});

describe('Fuzz (sample): both routes answer every generated input with 2xx or 4xx and queue only what they announce', () => {
  it.each(['backtrace', 'jira'] as const)('the %s route', { timeout: 120_000 }, async (route) => {
    const report = await fuzzRoute(harness, route, { numRuns: SAMPLE, seed: SEED });

    expect(Object.keys(report.statuses).every((status) => Number(status) >= 200 && Number(status) < 500)).toBe(true);
    // Both outcomes occur, so the sample exercises acceptance as well as refusal.
    expect(report.announced).toBeGreaterThan(0);
    expect(Object.keys(report.statuses).some((status) => status.startsWith('4'))).toBe(true);
    expect(report.unreadable).toBe(0);
    expect(report.enqueued).toBe(report.announced);
  });
});
