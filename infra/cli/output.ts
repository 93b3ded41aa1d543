/**
 * Output of the admin command line: aligned text tables for people, and with `--json` one JSON document with
 * stable keys for scripts (the keys are part of the CLI's contract: add, never rename).
 */
import type { CliIo } from './io.ts';

/** One row of a check list: `validate` prints one per check. */
export interface CheckRow {
  /** Stable identifier, e.g. `jira.credentials`, `jira.field.customFields["Severity"]`. */
  check: string;
  status: 'pass' | 'fail' | 'skip';
  /** What was found. */
  detail: string;
  /** What to change, for a failure. */
  fix?: string;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd())
    .join('\n');
}

export function formatChecks(rows: CheckRow[]): string {
  const mark = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;
  return rows
    .map((row) => `${mark[row.status]}  ${row.check}: ${row.detail}${row.fix ? `\n      fix: ${row.fix}` : ''}`)
    .join('\n');
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Age of something seen at `then`, as a person reads it: `42s`, `5m`, `3h`, `2d`. */
export function formatAge(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
