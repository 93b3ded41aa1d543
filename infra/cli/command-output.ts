/**
 * Output and failure for the `oauth` and `webhook` actions, through commander's output configuration (so tests and
 * the root program decide where it goes): human lines, or one JSON document with stable keys under `--json`.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../shared/domain/config/index.ts';
import { PermanentError, RetryableError } from '../../shared/ports/errors.ts';
import { CliError } from './cli-error.ts';

export interface CommandOutput {
  /** One line of human output (skipped under `--json`). */
  line(text?: string): void;
  /** The JSON document for `--json` (printed only then). */
  json(value: unknown): void;
}

export function commandOutput(command: Command, asJson: boolean): CommandOutput {
  const write = (text: string) => {
    const writeOut = command.configureOutput().writeOut;
    if (writeOut) writeOut(text);
    else process.stdout.write(text);
  };
  return {
    line: (text = '') => {
      if (!asJson) write(`${text}\n`);
    },
    json: (value) => {
      if (asJson) write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/**
 * Runs an action; a failure becomes `error: <message>` on stderr and exit code 1 (commander's `error()`, which
 * honours `exitOverride` in tests). No stack trace: the message is the whole story.
 */
export async function runAction(command: Command, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if ((error as { code?: unknown }).code !== undefined && (error as { name?: string }).name === 'CommanderError') throw error;
    const known = error instanceof CliError || error instanceof ConfigError || error instanceof PermanentError || error instanceof RetryableError;
    const message = known ? (error as Error).message : `unexpected failure: ${(error as Error)?.message ?? String(error)}`;
    command.error(`error: ${message}`, { exitCode: 1, code: 'bridge.failed' });
  }
}
