/** Time, injectable so tests can drive leases and backoff without sleeping. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
