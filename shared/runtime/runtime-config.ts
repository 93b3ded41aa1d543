/**
 * The validated config of a Lambda cold start or a local process. Everything that reads `process.env` lives in
 * shared/runtime/, so domain and use-cases never do.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { ConfigError, parseConfigText, type BridgeConfig } from '../domain/config/index.ts';

// zod compiles a parser per object schema (`new Function`) on its first parse; a cold start parses the config once
// and then small queue messages, so the compile costs more than it saves (the bundled parse of the example config:
// median 56 ms with it, 17 ms without, 9 fresh processes on the shared 2-core machine). Same results and messages.
z.config({ jitless: true });

/**
 * On Lambda the config is embedded in the bundle at deploy time (esbuild replaces `process.env.BRIDGE_CONFIG` with
 * the document, so there is no env-var size limit); locally it comes from the same variable or from the file named
 * by `BRIDGE_CONFIG_FILE`. An invalid config fails the cold start with the JSON paths and the fixes.
 */
export function loadRuntimeConfig(): BridgeConfig {
  // Keep this exact expression: it is the token esbuild's `define` replaces in the deployed bundle.
  const embedded = process.env.BRIDGE_CONFIG;
  if (embedded) return parseConfigText(embedded, 'BRIDGE_CONFIG');
  const file = process.env.BRIDGE_CONFIG_FILE;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(file, [`(root): cannot read the config file (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
    return parseConfigText(text, file);
  }
  throw new ConfigError('environment', ['(root): no config: set BRIDGE_CONFIG (the JSON document) or BRIDGE_CONFIG_FILE (its path)']);
}

/** An environment variable the stack always sets; its absence is a deployment bug, said plainly. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (the CDK stack and the local stack set it)`);
  return value;
}
