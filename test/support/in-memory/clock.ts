import type { Clock } from '../../../shared/ports/clock.ts';

/** A clock that stands still until the test moves it. */
export class ManualClock implements Clock {
  constructor(public ms = Date.UTC(2026, 11, 1, 12)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
