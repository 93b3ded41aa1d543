import { jiraSecretNames, type BridgeConfig } from '../shared/domain/config/index.ts';

/** The Secrets Manager secret names each function reads, deduplicated and sorted (stable construct ids). */
export interface SecretNamesByFunction {
  /** HTTP Basic credentials Backtrace's webhook sends: the only secret the ingest function may read. */
  ingest: string[];
  /** Jira credentials and Backtrace API tokens, read by the worker only. */
  worker: string[];
}

const sortedUnique = (names: string[]): string[] => [...new Set(names)].sort();

/** Collect every secret name the config references, split by the function that needs it. */
export function secretNamesByFunction(config: BridgeConfig): SecretNamesByFunction {
  return {
    ingest: sortedUnique(config.integrations.map((integration) => integration.ingest.basicAuthSecret)),
    worker: sortedUnique(
      config.integrations.flatMap((integration) => [integration.backtrace.tokenSecret, ...jiraSecretNames(integration.jira.auth)]),
    ),
  };
}
