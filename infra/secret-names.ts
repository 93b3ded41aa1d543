import { polls } from '../shared/app/poll-backtrace.ts';
import { backtraceSecretNames, jiraSecretNames, type BridgeConfig, type IntegrationConfig } from '../shared/domain/config/index.ts';

/** The Secrets Manager secret names each function reads, deduplicated and sorted (stable construct ids). */
export interface SecretNamesByFunction {
  /** HTTP Basic credentials Backtrace's webhook sends: the only secrets the ingest function may read. */
  ingest: string[];
  /** Jira webhook secrets (HMAC keys or URL tokens): the only secrets the receive-jira-webhook function may read. */
  receiveJiraWebhook: string[];
  /** Jira credentials and Backtrace API tokens of every integration, for sync-to-jira. */
  syncToJira: string[];
  /**
   * Jira credentials and Backtrace API tokens of the integrations with a `jiraWebhook`, for sync-to-backtrace:
   * the receiver queues a change only for an integration whose webhook secret verified it, so no other
   * integration's credentials ever reach that worker.
   */
  syncToBacktrace: string[];
  /** Backtrace credentials of the integrations that poll, for poll-backtrace: no Jira secret. */
  pollBacktrace: string[];
}

const sortedUnique = (names: string[]): string[] => [...new Set(names)].sort();

const apiSecretNames = (integration: IntegrationConfig): string[] => [...backtraceSecretNames(integration.backtrace), ...jiraSecretNames(integration.jira.auth)];

/** Collect every secret name the config references, split by the function that needs it. */
export function secretNamesByFunction(config: BridgeConfig): SecretNamesByFunction {
  const { integrations } = config;
  const withWebhook = integrations.filter((integration) => integration.jiraWebhook);
  return {
    ingest: sortedUnique(integrations.map((integration) => integration.ingest.basicAuthSecret)),
    receiveJiraWebhook: sortedUnique(integrations.flatMap((integration) => (integration.jiraWebhook ? [integration.jiraWebhook.secret] : []))),
    syncToJira: sortedUnique(integrations.flatMap(apiSecretNames)),
    syncToBacktrace: sortedUnique(withWebhook.flatMap(apiSecretNames)),
    pollBacktrace: sortedUnique(integrations.filter(polls).flatMap((integration) => backtraceSecretNames(integration.backtrace))),
  };
}
