/**
 * Injected faults, shared by both sandboxes: each fault answers the next `times` matching requests, in the order the
 * faults were queued, so a test can script "429, then 503, then succeed".
 */

export interface FaultFilter {
  /** Only requests whose path (pathname as received, context path included) matches. */
  path?: RegExp;
  /** Only requests with this HTTP method (case-insensitive). */
  method?: string;
  /** How many matching requests this fault answers; default 1. `Infinity` keeps it until `reset()`. */
  times?: number;
}

export class FaultQueue<F extends FaultFilter> {
  readonly #pending: { fault: F; left: number }[] = [];

  add(fault: F): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new Error(`failNext: times must be > 0, got ${String(fault.times)}`);
    this.#pending.push({ fault, left: times });
  }

  /** The first queued fault matching this request, consumed once; undefined when none applies. */
  take(method: string, path: string): F | undefined {
    const index = this.#pending.findIndex(
      ({ fault }) =>
        (fault.method === undefined || fault.method.toUpperCase() === method.toUpperCase()) &&
        (fault.path === undefined || matches(fault.path, path)),
    );
    if (index < 0) return undefined;
    const entry = this.#pending[index]!;
    entry.left -= 1;
    if (entry.left <= 0) this.#pending.splice(index, 1);
    return entry.fault;
  }

  clear(): void {
    this.#pending.length = 0;
  }
}

// A /g or /y regex keeps lastIndex between calls, which would make a filter match every other request.
function matches(pattern: RegExp, path: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(path);
}
