/**
 * Builds each integration's Jira and Backtrace adapters once per container, resolving the secrets they need.
 * A failure (a missing secret) is not cached, so the next message tries again after the admin fixes it.
 */
import { jiraSecretNames, type IntegrationConfig } from '../domain/config/index.ts';
import { createJiraClient } from '../adapters/jira/jira-client.ts';
import { createBacktraceClient } from '../adapters/backtrace/backtrace-client.ts';
import type { SecretSource } from '../ports/secrets.ts';
import type { IntegrationClients } from '../app/sync-group-message.ts';

export function integrationClientsFactory(secrets: SecretSource, options: { maxInlineWaitMs: number }) {
  const cache = new Map<string, Promise<IntegrationClients>>();
  const build = async (integration: IntegrationConfig): Promise<IntegrationClients> => {
    const names = jiraSecretNames(integration.jira.auth);
    const values = await Promise.all(names.map((name) => secrets.get(name)));
    const resolved = Object.fromEntries(names.map((name, index) => [name, values[index]]));
    const backtraceToken = await secrets.get(integration.backtrace.tokenSecret);
    return {
      tracker: createJiraClient({
        apiUrl: integration.jira.apiUrl,
        siteUrl: integration.jira.siteUrl,
        auth: integration.jira.auth,
        secrets: resolved,
        maxInlineWaitMs: options.maxInlineWaitMs,
      }),
      backtrace: createBacktraceClient({ url: integration.backtrace.url, token: backtraceToken, maxInlineWaitMs: options.maxInlineWaitMs }),
    };
  };
  return (integration: IntegrationConfig): Promise<IntegrationClients> => {
    let clients = cache.get(integration.name);
    if (!clients) {
      clients = build(integration);
      cache.set(integration.name, clients);
      clients.catch(() => cache.delete(integration.name));
    }
    return clients;
  };
}
