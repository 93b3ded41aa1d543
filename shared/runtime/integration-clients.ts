/**
 * Builds each integration's Jira and Backtrace adapters, resolving the secrets they need, and keeps them for a few
 * minutes: long enough to spare Secrets Manager and Jira's field list on every message, short enough that a fixed or
 * rotated secret, or a custom field added in Jira, is picked up by warm containers without a redeploy (the fix
 * the troubleshooting guide asks for, before a DLQ redrive). A failure is not kept at all.
 */
import { jiraSecretNames, type BridgeConfig, type IntegrationConfig } from '../domain/config/index.ts';
import { jiraMaxRequestsPerSecond } from '../domain/pacing/jira-pace.ts';
import type { RateLimiter } from '../ports/rate-limiter.ts';
import { createJiraClient } from '../adapters/jira/jira-client.ts';
import { createBacktraceClient, type BacktraceCredentials } from '../adapters/backtrace/backtrace-client.ts';
import type { SecretSource } from '../ports/secrets.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import type { BacktraceIssues } from '../ports/backtrace-issues.ts';
import type { ClientsFor, IntegrationClients } from '../ports/integration-clients.ts';
import type { Metrics } from '../ports/metrics.ts';

/** As long as SecretsManagerSecretSource keeps a value. */
export const CLIENTS_TTL_MS = 5 * 60_000;

type Options = {
  maxInlineWaitMs: number;
  clock?: Clock;
  metrics?: Metrics;
  /** Shared Jira pacing: the bucket store, and the settings holding `jira.maxRequestsPerSecond`. */
  pacing?: { limiter: RateLimiter; settings: Pick<BridgeConfig, 'settings'> };
};

/** One value per integration, built on first use and kept for {@link CLIENTS_TTL_MS}; a failure is not kept. */
function cachedPerIntegration<T>(build: (integration: IntegrationConfig) => Promise<T>, clock: Clock): (integration: IntegrationConfig) => Promise<T> {
  const cache = new Map<string, { value: Promise<T>; expiresAt: number }>();
  return (integration) => {
    const now = clock.now();
    const cached = cache.get(integration.name);
    if (cached && cached.expiresAt > now) return cached.value;
    const value = build(integration);
    cache.set(integration.name, { value, expiresAt: now + CLIENTS_TTL_MS });
    value.catch(() => cache.delete(integration.name));
    return value;
  };
}

async function backtraceClient(secrets: SecretSource, integration: IntegrationConfig, options: Options): Promise<BacktraceIssues> {
  const { login, tokenSecret } = integration.backtrace;
  const credentials: BacktraceCredentials = login
    ? { kind: 'login', username: login.username, password: await secrets.get(login.passwordSecret) }
    : { kind: 'api-token', token: await secrets.get(tokenSecret ?? '') };
  return createBacktraceClient({ url: integration.backtrace.url, credentials, maxInlineWaitMs: options.maxInlineWaitMs, ...(options.metrics ? { metrics: options.metrics } : {}) });
}

/** Each integration's Jira and Backtrace clients, for the workers. */
export function integrationClientsFactory(secrets: SecretSource, options: Options): ClientsFor {
  return cachedPerIntegration(async (integration): Promise<IntegrationClients> => {
    const names = jiraSecretNames(integration.jira.auth);
    const values = await Promise.all(names.map((name) => secrets.get(name)));
    const resolved = Object.fromEntries(names.map((name, index) => [name, values[index]]));
    return {
      tracker: createJiraClient({
        apiUrl: integration.jira.apiUrl,
        siteUrl: integration.jira.siteUrl,
        auth: integration.jira.auth,
        secrets: resolved,
        maxInlineWaitMs: options.maxInlineWaitMs,
        ...(options.metrics ? { metrics: options.metrics } : {}),
        ...(options.pacing
          ? { pacing: { limiter: options.pacing.limiter, maxRequestsPerSecond: jiraMaxRequestsPerSecond(options.pacing.settings, integration) } }
          : {}),
      }),
      backtrace: await backtraceClient(secrets, integration, options),
    };
  }, options.clock ?? systemClock);
}

/** Each integration's Backtrace client alone, for the poller (which reads no Jira secret). */
export function backtraceClientFactory(secrets: SecretSource, options: Options): (integration: IntegrationConfig) => Promise<BacktraceIssues> {
  return cachedPerIntegration((integration) => backtraceClient(secrets, integration, options), options.clock ?? systemClock);
}
