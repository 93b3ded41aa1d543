/**
 * The bridge's Jira admin webhook (reference section 6.3) in each REST dialect, and the comparison that makes
 * `webhook register` idempotent. Pure: no I/O.
 *
 * - Cloud and Data Center 9 and older: `/rest/webhooks/1.0/webhook`, JQL in `filters["issue-related-events-section"]`,
 *   the secret as a top-level `secret` (Cloud only: DC 9 cannot sign, section 6.4).
 * - Data Center 10 and later: `/rest/jira-webhook/1.0/webhooks`, everything else in `configuration`
 *   (`FILTERS`, `EXCLUDE_BODY`, `DESCRIPTION`, `SECRET`).
 */
import { SUBSCRIBED_WEBHOOK_EVENTS } from '../../../shared/domain/jira/jira-webhook.ts';

/** What the bridge's webhook subscribes to. A webhook that also sends `jira:issue_created` (registered before) differs in nothing that matters. */
export const WEBHOOK_EVENTS = SUBSCRIBED_WEBHOOK_EVENTS;

export type WebhookDialect = 'webhooks-1.0' | 'jira-webhook-1.0';

export const WEBHOOK_PATHS: Record<WebhookDialect, string> = {
  'webhooks-1.0': '/rest/webhooks/1.0/webhook',
  'jira-webhook-1.0': '/rest/jira-webhook/1.0/webhooks',
};

export interface ServerInfo {
  deploymentType?: string;
  versionNumbers?: number[];
  version?: string;
}

/** Which resource this Jira serves: DC 10.0 moved it (JRASERVER-78733). */
export function webhookDialect(info: ServerInfo): { dialect: WebhookDialect; label: string; canSign: boolean } {
  if (info.deploymentType === 'Cloud') return { dialect: 'webhooks-1.0', label: 'Jira Cloud', canSign: true };
  const major = info.versionNumbers?.[0] ?? Number(String(info.version ?? '').split('.')[0]);
  const label = `Jira Data Center ${info.version ?? major}`;
  if (Number.isFinite(major) && major >= 10) return { dialect: 'jira-webhook-1.0', label, canSign: true };
  // [GUESS, reference 6.4] the secret arrived with the Jira 10 webhooks rewrite; 9.x and older cannot sign.
  return { dialect: 'webhooks-1.0', label, canSign: false };
}

/** What the bridge wants registered. */
export interface DesiredWebhook {
  name: string;
  /** The URL Jira posts to (with `?token=` for query-token verification). */
  url: string;
  jql: string;
  /** HMAC secret, when deliveries are signed. */
  secret?: string;
}

/** A webhook as listed by Jira, in one shape for both dialects. */
export interface ListedWebhook {
  id: string;
  name: string;
  url: string;
  events: string[];
  jql: string;
  enabled: boolean;
  /** Cloud's `isSigned`; unknown on Data Center (the secret is never shown). */
  signed?: boolean;
}

/** The request body that registers `desired` in `dialect`. */
export function webhookRequestBody(dialect: WebhookDialect, desired: DesiredWebhook): Record<string, unknown> {
  if (dialect === 'jira-webhook-1.0') {
    // [2nd, reference 6.3] active is a string and every configuration value too; the old filters object and a
    // top-level secret are silently ignored on 10.x, so neither is sent.
    return {
      name: desired.name,
      url: desired.url,
      active: 'true',
      events: [...WEBHOOK_EVENTS],
      configuration: {
        FILTERS: desired.jql,
        EXCLUDE_BODY: 'false',
        DESCRIPTION: 'Backtrace <-> Jira bridge: issue events for two-way sync',
        ...(desired.secret === undefined ? {} : { SECRET: desired.secret }),
      },
    };
  }
  return {
    name: desired.name,
    url: desired.url,
    events: [...WEBHOOK_EVENTS],
    filters: { 'issue-related-events-section': desired.jql },
    excludeBody: false,
    ...(desired.secret === undefined ? {} : { secret: desired.secret }),
  };
}

const asRecord = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const asString = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

/** One listed item in the common shape; the 1.0 id is the last segment of `self` (reference 6.3). */
export function readListedWebhook(dialect: WebhookDialect, item: unknown): ListedWebhook {
  const record = asRecord(item);
  const events = Array.isArray(record.events) ? record.events.filter((event): event is string => typeof event === 'string') : [];
  if (dialect === 'jira-webhook-1.0') {
    const configuration = asRecord(record.configuration);
    // [GUESS] the 10.x list shape: the request's fields plus an id; `active` may come back as a string or a boolean.
    return { id: asString(record.id) || asString(record.self).split('/').pop()!, name: asString(record.name), url: asString(record.url), events, jql: asString(configuration.FILTERS), enabled: record.active !== false && record.active !== 'false' };
  }
  const filters = asRecord(record.filters);
  return {
    id: asString(record.self).replace(/\/+$/, '').split('/').pop() ?? '',
    name: asString(record.name),
    url: asString(record.url),
    events,
    jql: asString(filters['issue-related-events-section']),
    enabled: record.enabled !== false,
    ...(typeof record.isSigned === 'boolean' ? { signed: record.isSigned } : {}),
  };
}

/** URLs compare without a trailing slash and with the query parameters in any order. */
export function sameWebhookUrl(a: string, b: string): boolean {
  const normalise = (raw: string): string => {
    if (!URL.canParse(raw)) return raw.trim();
    const url = new URL(raw);
    url.searchParams.sort();
    url.pathname = url.pathname.replace(/\/+$/, '') || '/';
    return url.toString();
  };
  return normalise(a) === normalise(b);
}

const normaliseJql = (jql: string): string => jql.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * How an existing webhook for the same URL differs from the desired one (empty: identical, nothing to do).
 * The secret cannot be read back, so only Cloud's `isSigned` flag is compared.
 */
export function webhookDifferences(desired: DesiredWebhook, existing: ListedWebhook): string[] {
  const differences: string[] = [];
  const missing = WEBHOOK_EVENTS.filter((event) => !existing.events.includes(event));
  if (missing.length > 0) differences.push(`events lack ${missing.join(', ')}`);
  if (normaliseJql(existing.jql) !== normaliseJql(desired.jql)) differences.push(`JQL is "${existing.jql}", not "${desired.jql}"`);
  if (!existing.enabled) differences.push('it is disabled');
  if (existing.signed !== undefined && existing.signed !== (desired.secret !== undefined)) {
    differences.push(existing.signed ? 'it is signed with a secret, the config verifies a URL token' : 'it has no secret, so its deliveries are not signed');
  }
  return differences;
}

/** Hides a `token=` query value (the query-token secret) for display. */
export function redactWebhookUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/g, '$1***');
}
