/**
 * What every `bridge` command starts from: the config (validated by the product's own schema), the secrets, the
 * selected integration, and its Jira and Backtrace clients built by the product's own adapters, so a check passes
 * here exactly when the worker's call would.
 *
 * Where things come from, first match wins:
 * - config: `--config FILE`, `BRIDGE_CONFIG_FILE`, the running local stack's config (`.local/state.json`, written by
 *   `npm start`);
 * - secrets: `--aws` (Secrets Manager), `--secrets FILE`, `BRIDGE_SECRETS_FILE`, the running local stack's secrets
 *   file, `infra/local/local.secrets.json`; `BRIDGE_SECRET_<NAME>` variables override a file;
 * - links table and queues: `--aws` (the deployed stack's outputs, CloudFormation DescribeStacks), else the running
 *   local stack's dynalite and fauxqs.
 *
 * An integration without `jira.apiUrl` / `backtrace.url` (the local config) is given the running local stack's
 * sandbox URLs, as `npm start` gives them.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError, parseConfig, jiraSecretNames, type BridgeConfig, type IntegrationConfig } from '../../shared/domain/config/index.ts';
import { LocalSecretSource } from '../../shared/adapters/secrets/local-secret-source.ts';
import { createJiraClient, type JiraClientOptions } from '../../shared/adapters/jira/jira-client.ts';
import { createJiraMetadata, type JiraMetadata } from '../../shared/adapters/jira/jira-metadata.ts';
import { createBacktraceClient, type BacktraceCredentials } from '../../shared/adapters/backtrace/backtrace-client.ts';
import type { FailureLog } from '../../shared/ports/failure-log.ts';
import { toBridgeError } from '../../shared/adapters/aws/aws-errors.ts';
import type { SecretSource } from '../../shared/ports/secrets.ts';
import type { IssueTracker } from '../../shared/ports/issue-tracker.ts';
import type { BacktraceIssues } from '../../shared/ports/backtrace-issues.ts';
import type { LinkStore } from '../../shared/ports/link-store.ts';
import { LOCAL_STATE_FILE, type LocalState } from '../local/local-state.ts';
import { CliError, type CliIo } from './io.ts';

/** The root program's global flags (a contract shared with the oauth and webhook commands: keep these names). */
export interface GlobalOptions {
  config?: string;
  secrets?: string;
  aws?: boolean;
  integration?: string;
  json?: boolean;
}

/** CLI calls are interactive: fail fast rather than wait out the worker's inline retry budget. */
const CLI_MAX_INLINE_WAIT_MS = 2_000;
const CLI_MAX_RETRIES = 1;
/** The local stack's own config and secrets files: what commands fall back to when nothing else names one. */
export const DEFAULT_CONFIG_FILE = new URL('../local/local.config.json', import.meta.url).pathname;
export const DEFAULT_SECRETS_FILE = new URL('../local/local.secrets.json', import.meta.url).pathname;
export const DEFAULT_STACK_NAME = 'BacktraceJiraBridge';

/** An integration's Jira, through the worker's adapter and the admin's metadata reads. */
export interface JiraClients {
  tracker: IssueTracker;
  metadata: JiraMetadata;
  /** The options both were built with (secrets resolved): for commands that build more Jira adapters. */
  options: JiraClientOptions;
}

/** A work queue and its dead-letter queue, by URL. */
export interface BridgeQueue {
  name: string;
  url: string;
  deadLetterQueue: { name: string; url: string };
}

/** The stack's stores: the links table and the queues, local or deployed. */
export interface BridgeResources {
  /** `local stack` or `stack BacktraceJiraBridge (eu-west-1)`. */
  where: string;
  links: LinkStore;
  /** The workers' notes of why each message last failed. */
  failures: FailureLog;
  sqs: SQSClient;
  queues: BridgeQueue[];
}

export interface CliContext {
  globals: GlobalOptions;
  config: BridgeConfig;
  /** The config file read. */
  configSource: string;
  secrets: SecretSource;
  /** `secrets file X` or `AWS Secrets Manager`. */
  secretsSource: string;
  /** The running local stack, when there is one. */
  localState?: LocalState;
  /** `--integration`, or the only integration; throws CliError naming the choices when several exist. */
  integration(): { integration: IntegrationConfig; index: number };
  /** The integrations `--integration` selects (all when absent). */
  selectedIntegrations(): IntegrationConfig[];
  jira(integration: IntegrationConfig): Promise<JiraClients>;
  backtrace(integration: IntegrationConfig): Promise<BacktraceIssues>;
  /** The links table and queues; `stackName` for `--aws`. */
  resources(stackName?: string): Promise<BridgeResources>;
}

function readLocalState(io: CliIo): LocalState | undefined {
  const file = io.env.BRIDGE_LOCAL_STATE ?? LOCAL_STATE_FILE.pathname;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalState;
  } catch {
    return undefined;
  }
}

/**
 * The config file as a JSON object, not yet validated: every command reads it here, so an unreadable or broken file
 * is reported the same way whichever command met it.
 * @throws CliError naming the path, the reason and `--config`
 */
export function readConfigDocument(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new CliError(`Cannot read the config file ${path}: ${reason}. Pass the bridge config with --config <file>.`);
  }
  try {
    const document = JSON.parse(text) as unknown;
    if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error('not a JSON object');
    return document as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`The config file ${path} is not valid JSON (${(error as Error).message}). Fix the file, or pass another with --config <file>.`);
  }
}

/** Sandbox URLs for integrations without their own, when the config is the running local stack's. */
function withSandboxUrls(document: Record<string, unknown>, state: LocalState | undefined): { document: Record<string, unknown>; filled: boolean } {
  if (!state || !Array.isArray(document.integrations)) return { document, filled: false };
  const copy = structuredClone(document) as { integrations: { jira?: { apiUrl?: string }; backtrace?: { url?: string } }[] };
  let filled = false;
  for (const integration of copy.integrations) {
    if (integration?.jira && !integration.jira.apiUrl && state.jiraSandbox) {
      integration.jira.apiUrl = `${state.jiraSandbox}/rest/api/2/`;
      filled = true;
    }
    if (integration?.backtrace && !integration.backtrace.url && state.backtraceSandbox) {
      integration.backtrace.url = state.backtraceSandbox;
      filled = true;
    }
  }
  return { document: copy as unknown as Record<string, unknown>, filled };
}

/**
 * Loads the config and picks the secret source; nothing is read from Jira, Backtrace or AWS until a command asks.
 * @throws CliError for an unreadable config (the path and the reason) and ConfigError for an invalid one.
 */
export function loadCliContext(globals: GlobalOptions, io: CliIo): CliContext {
  const localState = readLocalState(io);
  const configPath = globals.config ?? io.env.BRIDGE_CONFIG_FILE ?? localState?.configFile;
  if (!configPath) {
    throw new CliError('No bridge config: pass --config <file> (or set BRIDGE_CONFIG_FILE, or start the local stack with `npm start`).');
  }
  const configSource = resolve(configPath);
  const raw = readConfigDocument(configSource);
  const sameAsLocal = localState !== undefined && resolve(localState.configFile) === configSource;
  const { document } = withSandboxUrls(raw, sameAsLocal ? localState : undefined);
  let config: BridgeConfig;
  try {
    config = parseConfig(document, configPath);
  } catch (error) {
    // The local config leaves the URLs to the sandboxes of `npm start`: say so, rather than only "missing".
    const needsSandbox = Array.isArray(raw.integrations) && (raw.integrations as { jira?: { apiUrl?: unknown }; backtrace?: { url?: unknown } }[])
      .some((integration) => !integration?.jira?.apiUrl || !integration?.backtrace?.url);
    if (error instanceof ConfigError && needsSandbox && !sameAsLocal) {
      throw new ConfigError(error.source, [...error.problems, '(root): an integration without jira.apiUrl / backtrace.url uses the sandboxes of the local stack: start it with `npm start` (with this config), or give the URLs']);
    }
    throw error;
  }

  let secrets: SecretSource;
  let secretsSource: string;
  if (globals.aws) {
    // Loaded on first use: the AWS SDK costs half a second to import, which commands that never read a secret skip.
    let source: Promise<SecretSource> | undefined;
    const load = () => (source ??= (async () => {
      const [{ SecretsManagerClient }, { SecretsManagerSecretSource }] = await Promise.all([
        import('@aws-sdk/client-secrets-manager'),
        import('../../shared/adapters/secrets/secrets-manager-secret-source.ts'),
      ]);
      return new SecretsManagerSecretSource({ client: new SecretsManagerClient({}) });
    })());
    secrets = { get: async (name) => (await load()).get(name) };
    secretsSource = 'AWS Secrets Manager';
  } else {
    const file = resolve(globals.secrets ?? io.env.BRIDGE_SECRETS_FILE ?? localState?.secretsFile ?? DEFAULT_SECRETS_FILE);
    secrets = new LocalSecretSource({ file, env: io.env });
    secretsSource = `secrets file ${file}`;
  }

  const selectedIntegrations = () => {
    if (globals.integration === undefined) return config.integrations;
    const found = config.integrations.filter((integration) => integration.name === globals.integration);
    if (found.length === 0) {
      throw new CliError(`No integration named ${JSON.stringify(globals.integration)} in ${configPath}; the config has: ${config.integrations.map((i) => i.name).join(', ')}. Fix --integration.`);
    }
    return found;
  };

  const jiraCache = new Map<string, Promise<JiraClients>>();
  const context: CliContext = {
    globals,
    config,
    configSource,
    secrets,
    secretsSource,
    localState,
    selectedIntegrations,
    integration() {
      const selected = selectedIntegrations();
      if (selected.length > 1) {
        throw new CliError(`The config has ${selected.length} integrations (${selected.map((i) => i.name).join(', ')}): choose one with --integration <name>.`);
      }
      return { integration: selected[0], index: config.integrations.indexOf(selected[0]) };
    },
    jira(integration) {
      let clients = jiraCache.get(integration.name);
      if (!clients) {
        clients = (async () => {
          const names = jiraSecretNames(integration.jira.auth);
          const values = await Promise.all(names.map((name) => secrets.get(name)));
          const options: JiraClientOptions = {
            apiUrl: integration.jira.apiUrl,
            siteUrl: integration.jira.siteUrl,
            auth: integration.jira.auth,
            secrets: Object.fromEntries(names.map((name, i) => [name, values[i]])),
            maxInlineWaitMs: CLI_MAX_INLINE_WAIT_MS,
            runner: { maxRetries: CLI_MAX_RETRIES },
          };
          return { tracker: createJiraClient(options), metadata: createJiraMetadata(options), options };
        })();
        jiraCache.set(integration.name, clients);
      }
      return clients;
    },
    async backtrace(integration) {
      const { login, tokenSecret } = integration.backtrace;
      const credentials: BacktraceCredentials = login
        ? { kind: 'login', username: login.username, password: await secrets.get(login.passwordSecret) }
        : { kind: 'api-token', token: await secrets.get(tokenSecret ?? '') };
      return createBacktraceClient({ url: integration.backtrace.url, credentials, maxInlineWaitMs: CLI_MAX_INLINE_WAIT_MS });
    },
    async resources(stackName) {
      const { deployedResources, localResources } = await import('./stack-resources.ts');
      return globals.aws ? deployedResources(stackName ?? io.env.BRIDGE_STACK_NAME ?? DEFAULT_STACK_NAME) : localResources(localState);
    },
  };
  return context;
}

/**
 * Runs `work` on the stack's stores; an AWS error becomes one message naming the store, and a local stack that does
 * not answer is said to be stopped (its state file outlived it).
 */
export async function onResources<T>(resources: BridgeResources, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CliError) throw error;
    const bridgeError = toBridgeError(error, what);
    if (resources.where === 'local stack' && /ECONNREFUSED/.test(bridgeError.message)) {
      throw new CliError(`The local stack does not answer (${bridgeError.message}): start it with \`npm start\`, or add --aws to read the deployed stack.`);
    }
    throw bridgeError;
  }
}

/** Messages of errors the admin can act on, without stack traces; anything else is a bug and keeps its trace. */
export function isAdminFacing(error: unknown): error is Error {
  return error instanceof CliError || error instanceof ConfigError || (error instanceof Error && (error.name === 'PermanentError' || error.name === 'RetryableError' || error.name === 'ClaimBusyError'));
}
