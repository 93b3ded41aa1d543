/**
 * The use-cases' world in memory: a config parsed by the real schema, and in-memory implementations of every port
 * (test/support/in-memory/). Each use-case test builds one, prepares a side, runs one use-case and reads both sides.
 */
import { parseConfig, type BridgeConfig, type IntegrationConfig } from '../../../shared/domain/config/index.ts';
import type { FingerprintRef } from '../../../shared/domain/model/backtrace.ts';
import type { LinkedLink } from '../../../shared/domain/model/link.ts';
import type { SyncDeps } from '../../../shared/app/sync-deps.ts';
import { InMemoryBacktrace } from '../../support/in-memory/backtrace.ts';
import { ManualClock } from '../../support/in-memory/clock.ts';
import { InMemoryDeliveryLog } from '../../support/in-memory/delivery-log.ts';
import { ANA, InMemoryJira, type MemoryIssue } from '../../support/in-memory/jira.ts';
import type { JiraIssueEvent } from '../../../shared/domain/jira/jira-webhook.ts';
import type { JiraUser } from '../../../shared/domain/model/jira.ts';
import { InMemoryLinkStore } from '../../support/in-memory/link-store.ts';
import { RecordingQueue } from '../../support/in-memory/queue.ts';
import { StaticSecrets } from '../../support/in-memory/secrets.ts';
import { InMemoryUserDirectory } from '../../support/in-memory/user-directory.ts';
import { RecordingLog } from '../../support/recording-log.ts';

export const UNIVERSE = 'acme';
export const PROJECT = 'game';
export const INTEGRATION = 'jira-prod';
export const BASIC = { username: 'backtrace', password: 'hook-secret' };
export const WEBHOOK_SECRET = 'jira-hook-secret';

/** One integration's config document (the parts the use-cases read), with `overrides` merged at the top level. */
export function integrationDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: INTEGRATION,
    backtrace: { url: 'https://acme.sp.backtrace.io', universe: UNIVERSE, project: PROJECT, tokenSecret: 'bt/token' },
    ingest: { basicAuthSecret: `ingest/${String(overrides.name ?? INTEGRATION)}` },
    jira: {
      apiUrl: 'https://acme.atlassian.net/rest/api/2/',
      auth: { type: 'api-token', email: 'bot@acme.com', tokenSecret: 'jira/token' },
      projectKey: 'CRASH',
      subject: '$classifiers in $application',
    },
    sync: { mode: 'two-way' },
    jiraWebhook: { secret: 'jira/webhook' },
    ...overrides,
  };
}

export interface AppWorld {
  config: BridgeConfig;
  integration: IntegrationConfig;
  clock: ManualClock;
  jira: InMemoryJira;
  backtrace: InMemoryBacktrace;
  links: InMemoryLinkStore;
  users: InMemoryUserDirectory;
  deliveries: InMemoryDeliveryLog;
  queue: RecordingQueue;
  secrets: StaticSecrets;
  log: RecordingLog;
  deps: SyncDeps;
  /** A linked fingerprint and its issue in Jira, as an earlier delivery and sync left them (both sides seen, agreeing). */
  linked(options?: { fingerprint?: string; issue?: Partial<MemoryIssue>; sync?: LinkedLink['sync'] }): { ref: FingerprintRef; link: LinkedLink; issue: MemoryIssue };
}

export function appWorld(options: { integrations?: Record<string, unknown>[]; settings?: Record<string, unknown> } = {}): AppWorld {
  const documents = options.integrations ?? [integrationDocument()];
  const config = parseConfig({ settings: options.settings ?? {}, integrations: documents }, 'test');
  const clock = new ManualClock();
  const jira = new InMemoryJira(clock);
  const backtrace = new InMemoryBacktrace();
  const links = new InMemoryLinkStore();
  const users = new InMemoryUserDirectory();
  const log = new RecordingLog();
  const secrets = new StaticSecrets({
    'jira/token': 'jira-token',
    'bt/token': 'bt-token',
    'jira/webhook': WEBHOOK_SECRET,
    ...Object.fromEntries(config.integrations.map((integration) => [integration.ingest.basicAuthSecret, `${BASIC.username}:${BASIC.password}-${integration.name}`])),
    [`ingest/${INTEGRATION}`]: `${BASIC.username}:${BASIC.password}`,
  });
  const deps: SyncDeps = { config, clientsFor: async () => ({ tracker: jira, backtrace }), links, users, clock, log };
  let fingerprints = 0;
  return {
    config,
    integration: config.integrations[0]!,
    clock,
    jira,
    backtrace,
    links,
    users,
    deliveries: new InMemoryDeliveryLog(),
    queue: new RecordingQueue(),
    secrets,
    log,
    deps,
    linked({ fingerprint = `fp${++fingerprints}`, issue: fields = {}, sync } = {}) {
      const ref = { universe: UNIVERSE, project: PROJECT, fingerprint };
      const issue = jira.addIssue(fields);
      // Both sides as an earlier sync left them agreeing: the fingerprint in-progress (Backtrace's automatic state
      // with a ticket linked), nobody assigned; the issue as created. `sync` replaces that bookkeeping.
      const agreed = {
        backtrace: { state: 'in-progress' as const, assigneeIds: [], at: clock.now(), reopenCount: 0 },
        jira: { statusId: issue.status.id, statusName: issue.status.name, categoryKey: issue.status.categoryKey, assignee: issue.assignee?.accountId ?? null, updatedAt: issue.updatedAt },
      };
      const link = links.seedLinked({ integration: INTEGRATION, ...ref, issueId: issue.id, issueKey: issue.key, issueUrl: `${jira.site}/browse/${issue.key}`, sync: sync ?? agreed });
      backtrace.seed(ref, { state: 'in-progress', tickets: [{ watcher: INTEGRATION, short: issue.key, url: link.issueUrl, state: 'open' }] });
      return { ref, link, issue };
    },
  };
}

/** An `Authorization: Basic` header. */
export const basicAuthorization = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/**
 * A person's webhook delivery (`jira:issue_updated`): the issue as Jira holds it right now, by `author`, with the
 * fields `changed` names flagged as changed (the others not).
 */
export function personDelivery(issue: MemoryIssue, changed: Partial<JiraIssueEvent['changed']> = {}, author: JiraUser = ANA): JiraIssueEvent {
  return {
    kind: 'issue',
    event: 'updated',
    issueId: issue.id,
    issueKey: issue.key,
    projectKey: issue.projectKey,
    author,
    timestamp: issue.updatedAt,
    updatedAt: issue.updatedAt,
    status: { ...issue.status },
    assignee: issue.assignee && { ...issue.assignee },
    changed: { status: false, resolution: false, assignee: false, ...changed },
    changelog: {},
  };
}
