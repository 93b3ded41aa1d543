/**
 * The validated config of a Lambda cold start or a local process. Everything that reads `process.env` lives in
 * shared/runtime/, so domain and use-cases never do.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { ConfigError, parseConfigText, type BridgeConfig } from '../domain/config/index.ts';

// zod compiles a parser per object schema (`new Function`) on its first parse; a cold start parses the config once
// and then small queue messages, so the compile costs more than it saves (the bundled parse of the example config:
// median 56 ms with it, 17 ms without, 9 fresh processes on the shared 2-core machine). Same results and messages.
z.config({ jitless: true });

/**
 * In a deployed bundle, the config `cdk synth` validated: esbuild's `define` replaces this identifier with the JSON
 * text of `parseConfig`'s output (infra/constructs/bundle-options.ts `configDefine`). Undeclared anywhere else, so
 * unbundled code (tests, `npm start`, the CLI) sees `typeof` it as 'undefined'.
 */
declare const __BRIDGE_VALIDATED_CONFIG__: string | undefined;

/**
 * On Lambda the config was validated by the same schema at `cdk synth`, in the same run that built the bundle, and
 * embedded as the result: the cold start parses that JSON and validates nothing again. The condition is a constant
 * in the bundle, so esbuild drops the other branch and, with it, the config schema and zod's classic API (about
 * 110 KiB, and 25 ms of schema building and parsing per cold start: `npm run bench:cold-start`). Locally the config
 * comes from `BRIDGE_CONFIG` (the document) or the file named by `BRIDGE_CONFIG_FILE`, validated here; an invalid
 * one fails the start with the JSON paths and the fixes.
 */
export function loadRuntimeConfig(): BridgeConfig {
  // `if ... else` on purpose: esbuild drops a dead `else` branch before it counts imports; code after a `return`
  // would still hold the schema's import alive.
  if (typeof __BRIDGE_VALIDATED_CONFIG__ === 'string') return JSON.parse(__BRIDGE_VALIDATED_CONFIG__) as BridgeConfig;
  else return configFromEnvironment();
}

/** Local processes: the document in `BRIDGE_CONFIG`, or the file `BRIDGE_CONFIG_FILE` names, validated. */
function configFromEnvironment(): BridgeConfig {
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
