/**
 * Everything the worker's use-case touches, for real: the links table on dynalite behind the DynamoDB link store,
 * the Jira and Backtrace sandboxes behind the real adapters, the config parsed by the real schema and the issue fields
 * built by the real domain code. Only time is steerable (leases), and deliveries are driven like SQS would.
 */
import { randomBytes } from 'node:crypto';
import { createBacktraceClient } from '../../../shared/adapters/backtrace/backtrace-client.ts';
import { DynamoDbLinkStore } from '../../../shared/adapters/dynamodb/link-store.ts';
import { createJiraClient } from '../../../shared/adapters/jira/jira-client.ts';
import type { CreateIssueDeps, CreateIssueInput, CreateIssueResult } from '../../../shared/app/create-issue-for-group.ts';
import { parseBacktraceGroup, type BacktraceGroup } from '../../../shared/domain/backtrace-group.ts';
import { buildIssueFields } from '../../../shared/domain/build-issue-fields.ts';
import { parseConfig, type IntegrationConfig } from '../../../shared/domain/config/index.ts';
import type { BacktraceIssues } from '../../../shared/ports/backtrace-issues.ts';
import type { Clock } from '../../../shared/ports/clock.ts';
import { RetryableError } from '../../../shared/ports/errors.ts';
import type { JiraDeployment, JiraField } from '../../../shared/domain/model/jira.ts';
import type { IssueTracker } from '../../../shared/ports/issue-tracker.ts';
import sampleGroup from '../../../infra/local/sample-backtrace-group.json' with { type: 'json' };
import { DEFAULT_BACKTRACE_TOKEN, startBacktraceFake, type BacktraceFake } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { DEFAULT_JIRA_SECRET, DEFAULT_JIRA_USER, startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { RecordingLog } from '../../support/recording-log.ts';
import { startLinkTableOnDynalite, type LinkTableOnDynalite } from '../store/link-table-on-dynalite.ts';

export const INTEGRATION_NAME = 'jira-prod';
const JIRA_TOKEN_SECRET = 'jira/api-token';

/** Real time plus a skew the test moves forward, so a lease can expire without waiting for it. */
export class SteerableClock implements Clock {
  skewMs = 0;
  now(): number {
    return Date.now() + this.skewMs;
  }
  advance(ms: number): void {
    this.skewMs += ms;
  }
}

export interface BridgeWorldOptions {
  jira?: JiraFakeOptions;
  /** `jira.customFields` of the integration's config. */
  customFields?: Record<string, string>;
  /** Per-request deadline of the Jira adapter; default the adapter's. */
  jiraTimeoutMs?: number;
}

export interface BridgeWorld {
  jira: JiraFake;
  backtraceFake: BacktraceFake;
  table: LinkTableOnDynalite;
  links: DynamoDbLinkStore;
  backtrace: BacktraceIssues;
  clock: SteerableClock;
  log: RecordingLog;
  /** The integration, parsed from a config document by the real schema. */
  integration: IntegrationConfig;
  /** Re-parse the integration with other custom fields (an admin's config fix). */
  reconfigure(customFields: Record<string, string>): void;
  /** A Jira adapter as a new Lambda container builds it: nothing cached. */
  newTracker(): IssueTracker;
  /** A group like the sample webhook's, with a fingerprint of its own. */
  newGroup(): BacktraceGroup;
  deps(overrides: Partial<CreateIssueDeps> & { leaseMs: number }): CreateIssueDeps;
  input(group: BacktraceGroup): CreateIssueInput & { group: BacktraceGroup };
  /** Requests the Jira sandbox received since `from` (an index into `jira.requests`). */
  jiraRequestsSince(from: number): { method: string; path: string }[];
  close(): Promise<void>;
}

export async function startBridgeWorld(options: BridgeWorldOptions = {}): Promise<BridgeWorld> {
  const [jira, backtraceFake, table] = await Promise.all([
    startJiraFake(options.jira),
    startBacktraceFake(),
    startLinkTableOnDynalite(`links-${randomBytes(4).toString('hex')}`),
  ]);
  const links = new DynamoDbLinkStore({ client: table.client, tableName: table.tableName });
  const backtrace = createBacktraceClient({ url: backtraceFake.url, credentials: { kind: 'api-token', token: DEFAULT_BACKTRACE_TOKEN }, maxInlineWaitMs: 0 });
  const clock = new SteerableClock();
  const log = new RecordingLog();

  const parseIntegration = (customFields: Record<string, string>): IntegrationConfig => {
    const config = parseConfig(
      {
        integrations: [
          {
            name: INTEGRATION_NAME,
            backtrace: { url: backtraceFake.url, universe: sampleGroup.universe, project: sampleGroup.project, tokenSecret: 'backtrace/token' },
            ingest: { basicAuthSecret: 'ingest/basic' },
            jira: {
              apiUrl: jira.apiUrl,
              auth: { type: 'api-token', email: DEFAULT_JIRA_USER, tokenSecret: JIRA_TOKEN_SECRET },
              projectKey: 'CRASH',
              issueType: 'Bug',
              subject: '$classifiers in $application ($version)',
              customFields,
            },
          },
        ],
      },
      'exactly-once test config',
    );
    return config.integrations[0]!;
  };

  const world: BridgeWorld = {
    jira,
    backtraceFake,
    table,
    links,
    backtrace,
    clock,
    log,
    integration: parseIntegration(options.customFields ?? {}),
    reconfigure(customFields) {
      world.integration = parseIntegration(customFields);
    },
    newTracker() {
      return createJiraClient({
        apiUrl: world.integration.jira.apiUrl,
        siteUrl: world.integration.jira.siteUrl,
        auth: world.integration.jira.auth,
        secrets: { [JIRA_TOKEN_SECRET]: DEFAULT_JIRA_SECRET },
        timeoutMs: options.jiraTimeoutMs,
        maxInlineWaitMs: 0,
      });
    },
    newGroup() {
      const parsed = parseBacktraceGroup({ ...sampleGroup, fingerprint: randomBytes(32).toString('hex') });
      if (!parsed.ok) throw new Error(`sample group is invalid: ${parsed.problems.join('; ')}`);
      return parsed.group;
    },
    deps(overrides) {
      return { tracker: world.newTracker(), links, backtrace, clock, log, ...overrides };
    },
    input(group) {
      const integration = world.integration;
      return {
        integration,
        group,
        buildFields: (fields: JiraField[], deployment: JiraDeployment) => buildIssueFields({ group, integration, fields, deployment }),
      };
    },
    jiraRequestsSince(from) {
      return jira.requests.slice(from).map(({ method, path }) => ({ method, path }));
    },
    async close() {
      await Promise.all([jira.close(), backtraceFake.close(), table.close()]);
    },
  };
  return world;
}

export interface Delivery {
  result?: CreateIssueResult;
  /** The error that ended the deliveries (a PermanentError, or the last retryable one when attempts ran out). */
  error?: unknown;
  attempts: number;
  retries: RetryableError[];
}

/**
 * Deliver one message until it is handled, as SQS would: a RetryableError makes it come back after its
 * `retryAfterMs` (capped at `maxWaitMs`, to keep the test short: an early redelivery is something SQS may do anyway),
 * anything else ends it. Bounded by `maxAttempts`, like the queue's maxReceiveCount before the DLQ.
 */
export async function deliver(
  run: () => Promise<CreateIssueResult>,
  options: { maxAttempts?: number; maxWaitMs?: number } = {},
): Promise<Delivery> {
  const maxAttempts = options.maxAttempts ?? 100;
  const maxWaitMs = options.maxWaitMs ?? 100;
  const retries: RetryableError[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      return { result: await run(), attempts: attempt, retries };
    } catch (error) {
      if (!(error instanceof RetryableError) || attempt >= maxAttempts) return { error, attempts: attempt, retries };
      retries.push(error);
      await sleep(Math.min(error.retryAfterMs ?? maxWaitMs, maxWaitMs));
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll until `condition` holds (a generous deadline: a loaded CI machine is slow, not wrong). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
