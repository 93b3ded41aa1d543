/**
 * Runs admin CLI commands in-process: a commander program with the root's global options, the command groups
 * under test registered on it, output captured, and the exit code commander would exit with.
 */
import { Command, CommanderError } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, for `--json` runs. */
  json: any;
}

/** `live` sees stdout as it grows (to answer a prompt about what was printed before it). */
export async function runCli(register: ((program: Command) => void)[], args: string[], live?: { stdout: string }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const program = new Command('bridge')
    .option('--config <file>', 'bridge config file')
    .option('--secrets <file>', 'local secrets file')
    .option('--aws', 'read and write AWS Secrets Manager')
    .option('--integration <name>', 'integration name')
    .option('--json', 'JSON output')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        stdout += text;
        if (live) live.stdout = stdout;
      },
      writeErr: (text) => (stderr += text),
    });
  for (const add of register) add(program);
  let exitCode = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    exitCode = error.exitCode;
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { exitCode, stdout, stderr, json };
}

/** A temporary folder with a config and a secrets file written from objects. */
export function writeFixture(config: unknown, secrets: Record<string, string>): { dir: string; configFile: string; secretsFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-cli-'));
  const configFile = join(dir, 'bridge.config.json');
  const secretsFile = join(dir, 'secrets.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  writeFileSync(secretsFile, JSON.stringify(secrets, null, 2));
  return { dir, configFile, secretsFile };
}

/** A minimal valid integration; `jira` fields override. */
export function integrationConfig(jira: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    integrations: [
      {
        name: 'dc',
        backtrace: { url: 'https://acme.sp.backtrace.io', universe: 'acme', project: 'game', tokenSecret: 'bt-token' },
        ingest: { basicAuthSecret: 'ingest-basic' },
        jira: { projectKey: 'CRASH', subject: '$classifiers', ...jira },
        ...extra,
      },
    ],
  };
}
