/**
 * A failure the admin can fix: its message says what to change (a config path, a flag, a Jira setting). The commands
 * print it alone, without a stack trace, and exit with `exitCode` (default 1).
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
