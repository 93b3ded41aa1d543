/** A {@link Logger} that keeps every line, so a test can assert what an operator would read. */
import type { Logger } from '../../shared/ports/logger.ts';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra?: Record<string, unknown>;
}

export class RecordingLog implements Logger {
  readonly lines: LogLine[] = [];
  debug(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', message, extra });
  }
  info(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, extra });
  }
  /** Messages at `level` (or every level), for `toContainEqual(expect.stringContaining(...))`. */
  messages(level?: LogLine['level']): string[] {
    return this.lines.filter((line) => level === undefined || line.level === level).map((line) => line.message);
  }
}
