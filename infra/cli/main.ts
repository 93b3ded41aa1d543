/**
 * `npx bridge <command>`: the admin's command line (validate a config against the real Jira, preview the issue a
 * group becomes, look up links, list and replay dead letters, register the Jira webhook, set up OAuth 1.0a). Started by `infra/cli/bridge.mjs`.
 *
 * {@link buildProgram} returns the commander program with its output and exit routed through `io`, so tests run
 * commands in-process and read what a person would see. Every failure ends in one message naming what to change and
 * a non-zero exit code; a stack trace is printed only for a bug (an error that is not one of ours).
 */
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../../shared/domain/config/index.ts';
import { isAdminFacing } from './context.ts';
import { exitCodeOf, type ExitCode } from './command-state.ts';
import { CliError, processIo, type CliIo } from './io.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { registerPreviewCommand } from './commands/preview.ts';
import { registerLinksCommand } from './commands/links.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerOauthCommands } from './commands/oauth.ts';
import { registerWebhookCommands } from './commands/webhook.ts';

/** A program whose `parseAsync` never exits the process: the exit code is in {@link runCli}'s answer. */
export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command('bridge')
    .description('Admin command line of the Backtrace -> Jira bridge')
    .option('--config <file>', 'bridge config file (default: BRIDGE_CONFIG_FILE, or the running local stack\'s)')
    .option('--secrets <file>', 'local secrets file, {"<secret name>": "<value>"} (default: BRIDGE_SECRETS_FILE, or the local stack\'s)')
    .addOption(new Option('--aws', 'read secrets from AWS Secrets Manager and the links table and queues from the deployed stack').conflicts('secrets'))
    .option('--integration <name>', 'the integration to act on (needed when the config has several)')
    .option('--json', 'print one JSON document with stable keys, for scripts')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run `npx bridge --help` for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(text) })
    .exitOverride();

  registerValidateCommand(program, io);
  registerPreviewCommand(program, io);
  registerLinksCommand(program, io);
  registerDlqCommands(program, io);
  registerWebhookCommands(program);
  registerOauthCommands(program);

  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(text) }).showSuggestionAfterError(true);
    for (const sub of command.commands) sub.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(text) });
  }
  return program;
}

/**
 * Runs one command line (`argv` without node and the script) and returns its exit code; prints every failure as
 * its message alone.
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<ExitCode> {
  const program = buildProgram(io);
  let exitCode: ExitCode = 0;
  program.hook('postAction', (_thisCommand, actionCommand) => {
    exitCode = exitCodeOf(actionCommand);
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are exits with code 0; usage errors were printed by commander with the closest match.
      // A command's own failure (`runAction`) keeps its exit code; a usage error is 2.
      if (error.exitCode === 0) return 0;
      return error.code === 'bridge.failed' ? (error.exitCode as ExitCode) : 2;
    }
    if (error instanceof ConfigError || isAdminFacing(error)) {
      // A script asked for JSON: it gets JSON on stdout, with the same message.
      if (program.opts<{ json?: boolean }>().json) io.stdout(`${JSON.stringify({ ok: false, error: error.message }, null, 2)}\n`);
      else io.stderr(`error: ${error.message}\n`);
      return error instanceof CliError ? error.exitCode : 1;
    }
    io.stderr(`error (a bug in the bridge CLI, please report it): ${(error as Error)?.stack ?? String(error)}\n`);
    return 70;
  }
}
