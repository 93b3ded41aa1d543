/**
 * What the EventBridge schedule does in AWS: invoke the poll-backtrace handler every interval, with the rule's input
 * naming the integration. One loop per integration, each waiting for its previous cycle to end (a cycle never
 * overlaps itself). `runNow` runs a cycle at once, after any in flight: tests and `settled()` use it.
 */
import type { PollReport } from '../../shared/app/poll-backtrace.ts';
import { createLambdaContext, type LambdaHandler } from './lambda-context.ts';

export type PollHandler = LambdaHandler<{ integrations?: string[] }, PollReport[]>;

export interface PollScheduleOptions {
  handler: PollHandler;
  /** Each polling integration and its interval. */
  integrations: { name: string; intervalMs: number }[];
  /** Run the timers (default true); off, cycles run only through `runNow`. */
  timers?: boolean;
  /** Function timeout for the context; default 300 s (as the stack sets). */
  timeoutSeconds?: number;
  /** A cycle's failure, already logged by the handler. */
  onError?: (error: unknown) => void;
}

export interface PollSchedule {
  /** Runs one cycle for `integration` (default: each), after any cycle in flight; resolves with the reports. */
  runNow(integration?: string): Promise<PollReport[]>;
  /** Cycles finished so far. */
  cycles(): number;
  /** Resolves when no cycle is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startPollSchedule(options: PollScheduleOptions): PollSchedule {
  const inFlight = new Map<string, Promise<PollReport[]>>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let finished = 0;

  const cycle = (name: string): Promise<PollReport[]> => {
    const previous = inFlight.get(name) ?? Promise.resolve([]);
    const next = previous
      .catch(() => [])
      .then(async () => {
        const context = createLambdaContext({ functionName: 'poll-backtrace', timeoutMs: (options.timeoutSeconds ?? 300) * 1000 });
        const reports = (await options.handler({ integrations: [name] }, context)) ?? [];
        finished += 1;
        return reports;
      });
    inFlight.set(name, next);
    void next.then(
      () => inFlight.get(name) === next && inFlight.delete(name),
      (error: unknown) => {
        if (inFlight.get(name) === next) inFlight.delete(name);
        options.onError?.(error);
      },
    );
    return next;
  };

  const loop = (name: string, intervalMs: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      cycle(name)
        .catch(() => undefined)
        .finally(() => loop(name, intervalMs));
    }, intervalMs);
    timers.add(timer);
  };
  if (options.timers !== false) for (const { name, intervalMs } of options.integrations) loop(name, intervalMs);

  return {
    async runNow(integration) {
      const names = integration ? [integration] : options.integrations.map((entry) => entry.name);
      return (await Promise.all(names.map(cycle))).flat();
    },
    cycles: () => finished,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
