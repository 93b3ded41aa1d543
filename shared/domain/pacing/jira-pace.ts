/**
 * Which bucket a Jira request draws from, and at what ceiling. Jira Cloud meters per tenant, endpoint and method
 * (../shared/reference/jira-rest-v2.md section 8.1), so the bucket is the site plus the method and the path with its
 * issue keys and ids replaced: every `GET issue/CRASH-12` shares one bucket, `POST issue` another.
 */
import type { BridgeConfig, IntegrationConfig } from '../config/index.ts';

/** `host[/context path]` of a Jira site URL: the integrations on one site share its buckets. */
export function paceSite(siteUrl: string): string {
  const url = new URL(siteUrl);
  return `${url.host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
}

/** `POST issue`, `GET issue/{id}/transitions`, `PUT issue/{id}/assignee`, `GET search/jql`. */
export function paceEndpoint(method: string, path: string): string {
  const template = path
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .map((segment) => (/^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(segment) || /^\d+$/.test(segment) ? '{id}' : segment))
    .join('/');
  return `${method.toUpperCase()} ${template}`;
}

/** The integration's `jira.maxRequestsPerSecond`, else `settings.jira.maxRequestsPerSecond`. */
export function jiraMaxRequestsPerSecond(config: Pick<BridgeConfig, 'settings'>, integration: Pick<IntegrationConfig, 'jira'>): number {
  return integration.jira.maxRequestsPerSecond ?? config.settings.jira.maxRequestsPerSecond;
}
