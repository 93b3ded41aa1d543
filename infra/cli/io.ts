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

/**
 * A failure the admin can fix: printed as its message alone (no stack trace), with a non-zero exit code. Every
 * message names what to change.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
