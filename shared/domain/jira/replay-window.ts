/**
 * The replay window of Jira deliveries. The signature covers the body, not `X-Atlassian-Webhook-Identifier`, so a
 * captured signed body can be sent again under a new id, which the delivery log would not recognise. The body's own
 * times are signed, though: a delivery whose time is older than the window is dropped, which bounds such a replay to
 * the window (and, within it, to changes the worker's staleness watermark already holds as applied).
 */
import { checkEventTime } from '../input-limits.ts';

export type ReplayVerdict =
  /** Inside the window: act on it. `undated`: the body carries no time to judge (none of Jira's do that). */
  | { kind: 'fresh'; eventAt?: number }
  | { kind: 'stale'; eventAt: number; ageSeconds: number }
  /** A time no real event has (far ahead of our clock): refused as malformed. */
  | { kind: 'invalid'; problem: string };

const EXPECTED = 'the time Jira set (epoch milliseconds for `timestamp`, Jira\'s date-time for `issue.fields.updated`)';

/**
 * Judges a delivery by the webhook's `timestamp` (when Jira fired it), else the issue's `updated` time, against
 * `windowSeconds` before `now`. Both times, when present, must also be real times (not ahead of now by over a day).
 *
 * @example
 * replayVerdict({ timestamp: Date.now() - 3 * 3600_000 }, Date.now(), 7200) // { kind: 'stale', ageSeconds: 10800, ... }
 */
export function replayVerdict(event: { timestamp?: number; updatedAt?: number }, now: number, windowSeconds: number): ReplayVerdict {
  const times: [string, number | undefined][] = [
    ['timestamp', event.timestamp],
    ['issue.fields.updated', event.updatedAt],
  ];
  for (const [path, ms] of times) {
    if (ms === undefined) continue;
    const check = checkEventTime(ms, now, path, EXPECTED);
    // Early times are judged by the window below (stale), not refused: the body may be an old, real delivery.
    if (!check.ok && !(ms < now)) return { kind: 'invalid', problem: check.problem };
  }
  const eventAt = event.timestamp ?? event.updatedAt;
  if (eventAt === undefined) return { kind: 'fresh' };
  const ageSeconds = Math.floor((now - eventAt) / 1000);
  return ageSeconds > windowSeconds ? { kind: 'stale', eventAt, ageSeconds } : { kind: 'fresh', eventAt };
}
