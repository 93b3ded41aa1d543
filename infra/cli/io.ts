/** Where a command writes, and what it reads of its surroundings: the real process, or a test's capture. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Environment variables the CLI reads (BRIDGE_CONFIG_FILE, BRIDGE_SECRETS_FILE, BRIDGE_LOCAL_STATE, AWS_*). */
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal (progress and colour only then). */
  isTty: boolean;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    isTty: process.stdout.isTTY === true,
  };
}

// One failure type for every command (oauth and webhook included), defined beside the command output helpers.
export { CliError } from './cli-error.ts';
