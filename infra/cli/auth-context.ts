/**
 * What the `oauth` and `webhook` commands work on: one integration of a validated config, a secret store they can
 * read and write (the local secrets file, or AWS Secrets Manager with `--aws`), and a Jira they can call.
 *
 * A config whose integration gives no `jira.apiUrl` (the local stack's) means the local Jira sandbox: its URL comes
 * from the state file `npm start` leaves in `.local/state.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ConfigError, parseConfig, type IntegrationConfig } from '../../shared/domain/config/index.ts';
import { LocalSecretSource, secretEnvVarName } from '../../shared/adapters/secrets/local-secret-source.ts';
import { LOCAL_STATE_FILE } from '../local/local-state.ts';
import { CliError } from './cli-error.ts';
import { DEFAULT_CONFIG_FILE, DEFAULT_SECRETS_FILE, readConfigDocument, type GlobalOptions } from './context.ts';

export type { GlobalOptions } from './context.ts';

/** Secrets by name, readable and writable: what `oauth init` and `oauth authorize` store their results in. */
export interface SecretStore {
  /** Where a secret lives, for messages: `key "x" of FILE` or `AWS Secrets Manager secret "x"`. */
  describe(name: string): string;
  /** The value, or undefined when the secret does not exist. */
  find(name: string): Promise<string | undefined>;
  /** Creates or replaces the secret. */
  put(name: string, value: string, description: string): Promise<void>;
}

export interface AuthContext {
  configFile: string;
  integration: IntegrationConfig;
  secrets: SecretStore;
}

export interface AuthContextDeps {
  /** Client for `--aws`; default one from the environment's region and credentials. */
  secretsManager?: SecretsManagerClient;
  /** Where `npm start` leaves its URLs; default `.local/state.json`. */
  localStateFile?: string | URL;
}

/** Loads the config, picks the integration and opens the secret store the global options name. */
export async function loadAuthContext(options: GlobalOptions, deps: AuthContextDeps = {}): Promise<AuthContext> {
  const configFile = resolve(options.config ?? DEFAULT_CONFIG_FILE);
  const config = readConfig(configFile, deps.localStateFile ?? LOCAL_STATE_FILE);
  const names = config.integrations.map((integration) => integration.name);
  let integration: IntegrationConfig | undefined;
  if (options.integration !== undefined) {
    integration = config.integrations.find((candidate) => candidate.name === options.integration);
    if (!integration) throw new CliError(`no integration "${options.integration}" in ${configFile}; pass --integration with one of: ${names.join(', ')}`);
  } else if (config.integrations.length === 1) {
    integration = config.integrations[0]!;
  } else {
    throw new CliError(`${configFile} has ${names.length} integrations: pass --integration with one of: ${names.join(', ')}`);
  }
  const secrets = options.aws ? new SecretsManagerStore(deps.secretsManager ?? new SecretsManagerClient({})) : new LocalFileSecretStore(resolve(options.secrets ?? DEFAULT_SECRETS_FILE));
  return { configFile, integration, secrets };
}

function readConfig(configFile: string, stateFile: string | URL): ReturnType<typeof parseConfig> {
  const document = readConfigDocument(configFile) as { integrations?: { name?: string; jira?: { apiUrl?: string }; backtrace?: { url?: string } }[] };
  const withoutUrl = (document.integrations ?? []).filter((integration) => integration?.jira && integration.jira.apiUrl === undefined);
  if (withoutUrl.length > 0) {
    // The local stack's config: its Jira is the sandbox `npm start` runs.
    const sandbox = localJiraSandbox(stateFile);
    if (!sandbox) {
      throw new CliError(
        `integration "${withoutUrl[0]!.name}" in ${configFile} has no jira.apiUrl: set it to your Jira's REST API v2 URL, or start the local stack (npm start) to use its Jira sandbox`,
      );
    }
    for (const integration of withoutUrl) integration.jira!.apiUrl = `${sandbox}/rest/api/2/`;
  }
  for (const integration of document.integrations ?? []) {
    // These commands never call Backtrace: the local stack's config (no URL: its sandbox) needs only to validate.
    if (integration?.backtrace && integration.backtrace.url === undefined) integration.backtrace.url = 'http://127.0.0.1';
  }
  try {
    return parseConfig(document, configFile);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

function localJiraSandbox(stateFile: string | URL): string | undefined {
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { jiraSandbox?: unknown };
    return typeof state.jiraSandbox === 'string' ? state.jiraSandbox : undefined;
  } catch {
    return undefined;
  }
}

/** The local secrets file (`{"<name>": "<value>"}`), read through the bridge's own LocalSecretSource. */
export class LocalFileSecretStore implements SecretStore {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  describe(name: string): string {
    return `key "${name}" of ${this.#file}`;
  }

  async find(name: string): Promise<string | undefined> {
    // A fresh source per read: the file may have been written by this very command.
    const source = new LocalSecretSource({ file: this.#file });
    if (process.env[secretEnvVarName(name)] === undefined && !Object.hasOwn(this.#read(), name)) return undefined;
    return source.get(name);
  }

  async put(name: string, value: string): Promise<void> {
    const secrets = { ...this.#read(), [name]: value };
    const temporary = `${this.#file}.${process.pid}.tmp`;
    // Written beside and renamed over: a crash never leaves half a secrets file. Only the owner may read it.
    await writeFile(temporary, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.#file);
  }

  #read(): Record<string, unknown> {
    if (!existsSync(this.#file)) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.#file, 'utf8'));
    } catch {
      // Never quote the file's text: it holds secrets.
      throw new CliError(`the secrets file ${this.#file} is not valid JSON: fix it (an object of secret name -> value) or pass another with --secrets FILE`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new CliError(`the secrets file ${this.#file} must hold a JSON object of secret name -> value`);
    }
    return parsed as Record<string, unknown>;
  }
}

/** AWS Secrets Manager: GetSecretValue to read, PutSecretValue to replace, CreateSecret for a new name. */
export class SecretsManagerStore implements SecretStore {
  readonly #client: SecretsManagerClient;

  constructor(client: SecretsManagerClient) {
    this.#client = client;
  }

  describe(name: string): string {
    return `AWS Secrets Manager secret "${name}"`;
  }

  async find(name: string): Promise<string | undefined> {
    try {
      const out = await this.#client.send(new GetSecretValueCommand({ SecretId: name }));
      return out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw awsError(error, `reading ${this.describe(name)}`, 'secretsmanager:GetSecretValue');
    }
  }

  async put(name: string, value: string, description: string): Promise<void> {
    try {
      await this.#client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
      return;
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw awsError(error, `writing ${this.describe(name)}`, 'secretsmanager:PutSecretValue');
    }
    try {
      await this.#client.send(new CreateSecretCommand({ Name: name, SecretString: value, Description: description }));
    } catch (error) {
      throw awsError(error, `creating ${this.describe(name)}`, 'secretsmanager:CreateSecret');
    }
  }
}

function awsError(error: unknown, doing: string, permission: string): CliError {
  const name = (error as { name?: string }).name ?? 'Error';
  if (name === 'CredentialsProviderError' || /credential/i.test(String((error as Error).message))) {
    return new CliError(`${doing}: no AWS credentials; set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and AWS_REGION`);
  }
  if (name === 'AccessDeniedException') return new CliError(`${doing}: access denied; grant ${permission} on the secret to the AWS identity in use`);
  return new CliError(`${doing} failed (${name}: ${(error as Error).message})`);
}
