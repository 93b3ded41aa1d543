/** Structured logging: Powertools' JSON logger, and the error details that are safe to put in it. */
import { Logger } from '@aws-lambda-powertools/logger';

/** Powertools' structured JSON logger; `POWERTOOLS_LOG_LEVEL` sets the level. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
}

/** Error details safe to log: names and messages (adapters keep secrets out of messages), no request configs. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const { retryAfterMs, status } = error as Error & { retryAfterMs?: unknown; status?: unknown };
    return {
      name: error.name,
      message: error.message,
      ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
      ...(typeof status === 'number' ? { status } : {}),
    };
  }
  return { message: String(error) };
}
