import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, parseConfigText, type BridgeConfig } from '../shared/domain/config/index.ts';

/** A config file read and validated for the CDK app. */
export interface LoadedConfig {
  /** The validated config: plain JSON data, what the functions embed. */
  config: BridgeConfig;
  /** Absolute path of the file. */
  path: string;
}

/**
 * Read and validate the bridge config file at synth time.
 * @param path - file path, relative to the current directory (the CDK CLI runs the app from the project root)
 * @throws ConfigError when the file is missing, is not JSON or does not match the schema; the message names the file
 */
export function loadConfigFile(path: string): LoadedConfig {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(path, [`(root): cannot read the config file (${reason}); pass another one with -c config=<path>`]);
  }
  const config = parseConfigText(text, path);
  return { config, path: absolute };
}
