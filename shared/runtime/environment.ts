/**
 * Composition helpers for the Lambda entry points and the local stack: everything that reads `process.env` lives
 * here, so domain and use-cases never do. Each function runs once per cold start.
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, parseConfigText, type BridgeConfig } from '../domain/config/index.ts';
import { LocalSecretSource } from '../adapters/secrets/local-secret-source.ts';
import { SecretsManagerSecretSource } from '../adapters/secrets/secrets-manager-secret-source.ts';
import type { SecretSource } from '../ports/secrets.ts';

/**
 * The validated config. On Lambda it is embedded in the bundle at deploy time (esbuild replaces
 * `process.env.BRIDGE_CONFIG` with the document, so there is no env-var size limit); locally it comes from the
 * same variable or from the file named by `BRIDGE_CONFIG_FILE`. Invalid config fails the cold start with the paths.
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

/**
 * Secrets from AWS Secrets Manager, or, on one machine, from `BRIDGE_SECRETS_FILE` and `BRIDGE_SECRET_<NAME>`
 * variables (`BRIDGE_LOCAL_SECRETS=1` selects the env-only local source).
 */
export function createSecretSource(): SecretSource {
  const file = process.env.BRIDGE_SECRETS_FILE;
  if (file || process.env.BRIDGE_LOCAL_SECRETS === '1') return new LocalSecretSource({ file: file || undefined });
  return new SecretsManagerSecretSource({ client: new SecretsManagerClient({}) });
}

/** Powertools' structured JSON logger; `POWERTOOLS_LOG_LEVEL` sets the level. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
}

/** Error details safe to log: names and messages (adapters keep secrets out of messages), no request configs. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const { retryAfterMs, status } = error as Error & { retryAfterMs?: unknown; status?: unknown };
    return {
      name: error.name,
      message: error.message,
      ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
      ...(typeof status === 'number' ? { status } : {}),
    };
  }
  return { message: String(error) };
}
