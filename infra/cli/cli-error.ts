/**
 * A failure the admin can fix: its message says what to change (a config path, a flag, a Jira setting). The commands
 * print it without a stack trace and exit non-zero.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
}
