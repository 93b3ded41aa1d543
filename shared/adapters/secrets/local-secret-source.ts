/**
 * {@link SecretSource} for one machine (the local stack, tests): environment variables
 * `BRIDGE_SECRET_<NAME>` and/or a JSON file `{ "<name>": "<value>" }`. An environment variable wins over the file,
 * so one secret can be overridden without editing the file.
 */
import { readFile } from 'node:fs/promises';
import { PermanentError } from '../../ports/errors.ts';
import type { SecretSource } from '../../ports/secrets.ts';

export interface LocalSecretSourceOptions {
  /** Path of a JSON object of secret name -> value. A non-string value (e.g. `{"username","password"}`) is returned as JSON. */
  file?: string;
  /** Where `BRIDGE_SECRET_*` variables are read; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** `jira/api-token` -> `BRIDGE_SECRET_JIRA_API_TOKEN`: upper case, every non-alphanumeric character an underscore. */
export function secretEnvVarName(name: string): string {
  return `BRIDGE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export class LocalSecretSource implements SecretSource {
  readonly #file?: string;
  readonly #env: Record<string, string | undefined>;
  #fileSecrets?: Promise<Record<string, unknown>>;

  constructor(options: LocalSecretSourceOptions = {}) {
    this.#file = options.file;
    this.#env = options.env ?? process.env;
  }

  async get(name: string): Promise<string> {
    const variable = secretEnvVarName(name);
    const fromEnv = this.#env[variable];
    if (fromEnv !== undefined) return fromEnv;
    if (this.#file !== undefined) {
      const secrets = await this.#loadFile(this.#file);
      if (Object.hasOwn(secrets, name)) {
        const value = secrets[name];
        return typeof value === 'string' ? value : JSON.stringify(value);
      }
    }
    const where = this.#file === undefined ? `environment variable ${variable}` : `environment variable ${variable} or key "${name}" in ${this.#file}`;
    throw new PermanentError(`Secret "${name}" is not set (set ${where})`);
  }

  #loadFile(file: string): Promise<Record<string, unknown>> {
    this.#fileSecrets ??= (async () => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new PermanentError(`Secrets file ${file} cannot be read (${(error as { code?: string }).code ?? 'error'})`, { cause: error });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // JSON.parse's message quotes the text around the error, which may be a secret: say only where to look.
        throw new PermanentError(`Secrets file ${file} is not valid JSON (expected an object of secret name -> value)`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new PermanentError(`Secrets file ${file} must hold a JSON object of secret name -> value`);
      }
      return parsed as Record<string, unknown>;
    })();
    // Failed loads are not remembered: fixing the file should not need a restart.
    this.#fileSecrets.catch(() => {
      this.#fileSecrets = undefined;
    });
    return this.#fileSecrets;
  }
}
