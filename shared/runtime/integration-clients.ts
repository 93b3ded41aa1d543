/**
 * Builds each integration's Jira and Backtrace adapters, resolving the secrets they need, and keeps them for a few
 * minutes: long enough to spare Secrets Manager and Jira's field list on every message, short enough that a fixed or
 * rotated secret, or a custom field added in Jira, is picked up by warm containers without a redeploy (the fix
 * the troubleshooting guide asks for, before a DLQ redrive). A failure is not kept at all.
 */
import { jiraSecretNames, type IntegrationConfig } from '../domain/config/index.ts';
import { createJiraClient } from '../adapters/jira/jira-client.ts';
import { createBacktraceClient } from '../adapters/backtrace/backtrace-client.ts';
import type { SecretSource } from '../ports/secrets.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import type { ClientsFor, IntegrationClients } from '../ports/integration-clients.ts';

/** As long as SecretsManagerSecretSource keeps a value. */
export const CLIENTS_TTL_MS = 5 * 60_000;

export function integrationClientsFactory(secrets: SecretSource, options: { maxInlineWaitMs: number; clock?: Clock }): ClientsFor {
  const clock = options.clock ?? systemClock;
  const cache = new Map<string, { clients: Promise<IntegrationClients>; expiresAt: number }>();
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
    const now = clock.now();
    const cached = cache.get(integration.name);
    if (cached && cached.expiresAt > now) return cached.clients;
    const clients = build(integration);
    cache.set(integration.name, { clients, expiresAt: now + CLIENTS_TTL_MS });
    clients.catch(() => cache.delete(integration.name));
    return clients;
  };
}
