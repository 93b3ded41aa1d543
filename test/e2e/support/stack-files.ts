/**
 * Config and secrets files for an e2e local stack, derived from the ones `npm start` uses
 * (infra/local/local.config.json, local.secrets.json), written to a fresh temporary directory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Json = Record<string, any>;

export interface StackFiles {
  configFile: string;
  secretsFile: string;
  /** The secrets as written (the test needs some of them, e.g. the webhook secret, to act as Jira or Backtrace). */
  secrets: Record<string, string>;
  /** Removes the directory. */
  remove(): void;
}

const readJson = (relative: string): Json => JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as Json;

/** The local config's only integration, as plain JSON to change. */
export const localIntegration = (): Json => structuredClone(readJson('../../../infra/local/local.config.json').integrations[0]) as Json;

/** The local secrets file's content. */
export const localSecrets = (): Record<string, string> => readJson('../../../infra/local/local.secrets.json') as Record<string, string>;

/**
 * Writes the local config with `integrations` in place of the local one, and the local secrets plus `extraSecrets`.
 *
 * @example
 * const files = writeStackFiles({ integrations: [{ ...localIntegration(), name: 'dc-jira' }], extraSecrets: { 'dc/password': 'pw' } });
 * const stack = await startLocalStack({ configFile: files.configFile, secretsFile: files.secretsFile });
 */
export function writeStackFiles(input: { integrations: Json[]; extraSecrets?: Record<string, string> }): StackFiles {
  const directory = mkdtempSync(join(tmpdir(), 'bridge-e2e-'));
  // `$schema` is a path relative to the original file; the copy lives elsewhere.
  const { $schema: _schema, ...base } = readJson('../../../infra/local/local.config.json');
  const config = { ...base, integrations: input.integrations };
  const secrets = { ...localSecrets(), ...input.extraSecrets };
  const configFile = join(directory, 'bridge.config.json');
  const secretsFile = join(directory, 'bridge.secrets.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  writeFileSync(secretsFile, JSON.stringify(secrets, null, 2));
  return { configFile, secretsFile, secrets, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
