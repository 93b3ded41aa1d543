import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus, EventField, Rule, RuleTargetInput, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { polls } from '../shared/app/poll-backtrace.ts';
import { EVENTBRIDGE_DETAIL_TYPE } from '../shared/domain/backtrace-group.ts';
import type { BridgeConfig } from '../shared/domain/config/index.ts';
import { GROUP_KIND } from '../shared/domain/queue-message.ts';
import { BridgeAlarms, DEAD_LETTER_MAX_AGE, WORK_QUEUE_MAX_AGE } from './constructs/bridge-alarms.ts';
import { BridgeDashboard } from './constructs/bridge-dashboard.ts';
import { BridgeFunction } from './constructs/bridge-function.ts';
import { BridgeHttpApi } from './constructs/bridge-http-api.ts';
import { LinksTable } from './constructs/links-table.ts';
import { RateLimitWebAcl } from './constructs/rate-limit-web-acl.ts';
import { SecretGrants } from './constructs/secret-grants.ts';
import { WorkerPipeline } from './constructs/worker-pipeline.ts';
import { secretNamesByFunction } from './secret-names.ts';
import { workerMaxConcurrency } from '../shared/domain/pacing/worker-concurrency.ts';

/** sync-to-jira timeout (the claim lease must outlast it); its queue's visibility timeout is six times this. */
const WORKER_TIMEOUT = Duration.seconds(60);
/** sync-to-backtrace timeout: reads the Jira issue, then reads and writes the Backtrace fingerprint. */
const SYNC_TO_BACKTRACE_TIMEOUT = Duration.seconds(60);
/** Jira Cloud's search shows a new issue within seconds; a minute covers a slow index with room to spare. */
const JIRA_SEARCH_LAG_MARGIN_SECONDS = 60;

export interface BridgeStackProps extends StackProps {
  /**
   * The validated config (`parseConfig` output): drives secrets, redrive and the EventBridge rule, and every
   * function embeds it as it is (their cold starts read it without validating again).
   */
  readonly config: BridgeConfig;
  /** E-mail address subscribed to the alarm topic (`-c alarmEmail=`), besides `settings.alarmEmail`. @default - none */
  readonly alarmEmail?: string;
  /** Existing SNS topic every alarm notifies too (e.g. one wired to chat). @default - none */
  readonly alarmTopicArn?: string;
  /** X-Ray active tracing on every function (`-c tracing=false`). @default settings.tracing (true) */
  readonly tracing?: boolean;
  /** Default requests/s and burst of the HTTP API's stage; each route has its own limits from `settings.throttling`. @default { rateLimit: 600, burstLimit: 1500 } */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Retention of function and access logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The whole bridge in one stack, around one DynamoDB links table:
 * - Backtrace -> Jira: HTTP API `POST /backtrace/events` (and optionally an EventBridge rule) -> ingest function ->
 *   `backtraceEvents`: SQS backtrace-events (+ DLQ and its alarm) -> sync-to-jira worker.
 * - Jira -> Backtrace: HTTP API `POST /jira/webhook` -> receive-jira-webhook function -> `jiraChanges`:
 *   SQS jira-changes (+ DLQ and its alarm) -> sync-to-backtrace worker.
 * Secrets are referenced by name and readable only by the functions that need them.
 * Watched by alarms that all notify one SNS topic (infra/constructs/bridge-alarms.ts) and a dashboard; every function
 * is traced by X-Ray unless `settings.tracing` / `-c tracing` is false; each route has its own throttle.
 */
export class BridgeStack extends Stack {
  readonly linksTable: LinksTable;
  /** backtrace-events -> sync-to-jira. Its DLQ also takes the events the EventBridge rule cannot deliver. */
  readonly backtraceEvents: WorkerPipeline;
  /** jira-changes -> sync-to-backtrace. */
  readonly jiraChanges: WorkerPipeline;
  readonly ingestFunction: BridgeFunction;
  readonly receiveJiraWebhookFunction: BridgeFunction;
  /** `POST /backtrace/events` and `POST /jira/webhook` on its `$default` stage (`api.stage`). */
  readonly api: BridgeHttpApi;
  /** Present only when `settings.eventBusName` is configured. */
  readonly backtraceEventsRule?: Rule;
  /** Reads Backtrace's linked fingerprints on a schedule (Backtrace pushes no change): present when any integration polls. */
  readonly pollFunction?: BridgeFunction;
  /** The alarm topic (always created) and every alarm of the stack. */
  readonly alarms: BridgeAlarms;
  readonly dashboard: BridgeDashboard;
  /** Present only when `settings.waf.enabled` is set. */
  readonly webAcl?: RateLimitWebAcl;
  readonly #pollRules: Rule[] = [];

  constructor(scope: Construct, id: string, props: BridgeStackProps) {
    const { config, alarmEmail, alarmTopicArn, tracing, throttle, logRetention = RetentionDays.ONE_MONTH, ...stackProps } = props;
    super(scope, id, {
      description: 'Backtrace <-> Jira bridge: each Backtrace error group becomes exactly one Jira issue; state and assignee stay in sync',
      ...stackProps,
    });

    warnOnShortClaimLease(this, config);
    // Id `Links` directly on the stack, for good: the stack test pins its logical id.
    this.linksTable = new LinksTable(this, 'Links');
    const linksTableName = this.linksTable.tableName;

    // Every alarm notifies the alarm topic (always created, mailing the configured addresses) and an existing topic.
    this.alarms = new BridgeAlarms(this, 'Alarms', {
      emails: [config.settings.alarmEmail, alarmEmail].filter((email): email is string => Boolean(email)),
      extraTopics: alarmTopicArn ? [Topic.fromTopicArn(this, 'ExistingAlarmTopic', alarmTopicArn)] : [],
    });

    const functionDefaults = { config, logRetention, activeTracing: tracing ?? config.settings.tracing };
    const workerDefaults = { ...functionDefaults, memorySize: 512, environment: { LINKS_TABLE_NAME: linksTableName } };
    // Concurrent workers sized to the Jira pace (settings.jira.maxRequestsPerSecond per site): enough to keep the
    // sites' buckets busy, no more (shared/domain/pacing/worker-concurrency.ts).
    const pipelineDefaults = { maxReceiveCount: config.settings.maxReceiveCount, maxConcurrency: workerMaxConcurrency(config) };
    this.backtraceEvents = new WorkerPipeline(this, 'BacktraceEvents', {
      ...pipelineDefaults,
      worker: {
        ...workerDefaults,
        id: 'SyncToJira',
        entry: 'functions/sync-to-jira.ts',
        description: 'Creates exactly one Jira issue per fingerprint and attaches it to the Backtrace fingerprint',
        timeout: WORKER_TIMEOUT,
      },
      queueUrlVariable: 'EVENTS_QUEUE_URL',
      // A message waiting for another worker's claim on its fingerprint goes back to the queue with a delay.
      reEnqueue: true,
      deadLetterAlarmDescription:
        'Backtrace error groups or fingerprint changes could not be synced to Jira after all retries (or EventBridge could not deliver them); inspect the backtrace-events dead-letter queue, fix the cause, then redrive.',
    });
    this.jiraChanges = new WorkerPipeline(this, 'JiraChanges', {
      ...pipelineDefaults,
      worker: {
        ...workerDefaults,
        id: 'SyncToBacktrace',
        entry: 'functions/sync-to-backtrace.ts',
        description: 'Applies Jira status and assignee changes to the linked Backtrace fingerprint, or unlinks a deleted issue',
        timeout: SYNC_TO_BACKTRACE_TIMEOUT,
      },
      queueUrlVariable: 'JIRA_CHANGES_QUEUE_URL',
      // A change waiting for a Jira slot (pacing) goes back to the queue with a delay, spending no receive.
      reEnqueue: true,
      deadLetterAlarmDescription:
        'Jira status or assignee changes could not be written to Backtrace after all retries; inspect the jira-changes dead-letter queue, fix the cause, then redrive.',
    });
    // sync-to-jira never deletes a link; sync-to-backtrace unlinks deleted issues. Both put remembered Backtrace users.
    this.linksTable.grantItemActions(this.backtraceEvents.worker, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem']);
    this.linksTable.grantItemActions(this.jiraChanges.worker, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query']);

    // The entry functions answer the webhooks: they authenticate, queue and return.
    const entryDefaults = { ...functionDefaults, memorySize: 256, timeout: Duration.seconds(10) };
    this.ingestFunction = new BridgeFunction(this, 'IngestBacktraceEvents', {
      ...entryDefaults,
      entry: 'functions/ingest-backtrace-events.ts',
      description: 'Checks Basic auth on Backtrace webhook deliveries and queues each error group',
      environment: { EVENTS_QUEUE_URL: this.backtraceEvents.queue.queueUrl },
    });
    this.backtraceEvents.grantEnqueue(this.ingestFunction);
    this.receiveJiraWebhookFunction = new BridgeFunction(this, 'ReceiveJiraWebhook', {
      ...entryDefaults,
      entry: 'functions/receive-jira-webhook.ts',
      description: 'Verifies Jira webhook deliveries (signature or URL token), drops repeats and queues each change',
      // Delivery ids (X-Atlassian-Webhook-Identifier) are recorded in the links table, with a TTL, to drop Jira's repeats.
      environment: { JIRA_CHANGES_QUEUE_URL: this.jiraChanges.queue.queueUrl, LINKS_TABLE_NAME: linksTableName },
    });
    this.jiraChanges.grantEnqueue(this.receiveJiraWebhookFunction);
    this.linksTable.grantDeliveryLog(this.receiveJiraWebhookFunction);
    this.pollFunction = this.pollerOf(config, functionDefaults);
    const secrets = secretNamesByFunction(config);
    new SecretGrants(this, 'Secrets', [
      [secrets.ingest, this.ingestFunction],
      [secrets.syncToJira, this.backtraceEvents.worker],
      [secrets.receiveJiraWebhook, this.receiveJiraWebhookFunction],
      [secrets.syncToBacktrace, this.jiraChanges.worker],
      ...(this.pollFunction ? [[secrets.pollBacktrace, this.pollFunction] as [string[], BridgeFunction]] : []),
    ]);

    this.api = new BridgeHttpApi(this, 'Api', {
      apiName: this.stackName,
      description: "Backtrace webhook deliveries (POST /backtrace/events) and Jira webhooks (POST /jira/webhook) into the bridge's queues",
      throttle,
      logRetention,
    });
    this.api.addPostRoute(
      '/backtrace/events',
      this.ingestFunction,
      "Backtrace's webhook integration can only send HTTP Basic credentials; the ingest function checks them against ingest.basicAuthSecret before queueing anything.",
      config.settings.throttling.backtraceEvents,
    );
    this.api.addPostRoute(
      '/jira/webhook',
      this.receiveJiraWebhookFunction,
      "Jira's webhooks cannot send AWS or JWT credentials; the receiver verifies each delivery's X-Hub-Signature HMAC of the raw body (or, for Jira versions that cannot sign, the URL token) against jiraWebhook.secret and answers 401 before queueing anything.",
      config.settings.throttling.jiraWebhooks,
    );
    if (config.settings.waf.enabled) this.webAcl = this.webAclOf(config);

    const eventBusName = config.settings.eventBusName;
    if (eventBusName) {
      const bus: IEventBus = eventBusName.startsWith('arn:')
        ? EventBus.fromEventBusArn(this, 'BacktraceEventBus', eventBusName)
        : EventBus.fromEventBusName(this, 'BacktraceEventBus', eventBusName);
      this.backtraceEventsRule = new Rule(this, 'BacktraceErrorGroupRule', {
        description: `Queues "${EVENTBRIDGE_DETAIL_TYPE}" events for the sync-to-jira worker`,
        eventBus: bus,
        eventPattern: { detailType: [EVENTBRIDGE_DETAIL_TYPE] },
        targets: [
          new SqsQueue(this.backtraceEvents.queue, {
            // The bridge's own group message (as the ingest function queues it), not the EventBridge envelope.
            message: RuleTargetInput.fromObject({ kind: GROUP_KIND, group: EventField.fromPath('$.detail'), receivedAt: EventField.time }),
            // Events EventBridge cannot deliver land in the DLQ too, so the same alarm covers them.
            deadLetterQueue: this.backtraceEvents.deadLetterQueue,
          }),
        ],
      });
    }

    this.dashboard = this.watch();

    const outputs: Record<string, [description: string, value: string]> = {
      BacktraceWebhookUrl: [
        "URL for Backtrace's webhook integration (Project settings -> Integrations -> Webhook), with the Basic credentials of ingest.basicAuthSecret",
        `${this.api.stage.url}backtrace/events`,
      ],
      EventsQueueName: ['Queue of Backtrace error groups waiting for the worker', this.backtraceEvents.queue.queueName],
      DeadLetterQueueName: ['Error groups that failed maxReceiveCount times', this.backtraceEvents.deadLetterQueue.queueName],
      JiraWebhookUrl: [
        'URL for Jira\'s webhook (Jira settings -> System -> WebHooks), signed with jiraWebhook.secret; with verification "query-token", append ?token=<the secret>',
        `${this.api.stage.url}jira/webhook`,
      ],
      JiraChangesQueueName: ['Queue of Jira changes waiting for the sync-to-backtrace worker', this.jiraChanges.queue.queueName],
      JiraChangesDeadLetterQueueName: ['Jira changes that failed maxReceiveCount times', this.jiraChanges.deadLetterQueue.queueName],
      LinksTableName: ['Fingerprint <-> Jira issue links', linksTableName],
      AlarmTopicArn: ['SNS topic every alarm notifies: subscribe e-mail (settings.alarmEmail, -c alarmEmail=...), chat or paging to it', this.alarms.topic.topicArn],
      DashboardName: ['CloudWatch dashboard of the bridge (CloudWatch -> Dashboards)', this.dashboard.dashboardName],
      ...(this.webAcl ? { WebAclArn: ['WAF web ACL with the per-IP rate rule: attach it to what fronts the API (WAF cannot attach to an HTTP API)', this.webAcl.webAclArn] as [string, string] } : {}),
    };
    for (const [outputId, [description, value]] of Object.entries(outputs)) new CfnOutput(this, outputId, { description, value });
  }

  /** poll-backtrace, its schedules and its grants; undefined when no integration polls. */
  private pollerOf(config: BridgeConfig, defaults: { config: BridgeConfig; logRetention: RetentionDays }): BridgeFunction | undefined {
    const schedules = pollSchedules(this, config);
    if (schedules.size === 0) return undefined;
    const poller = new BridgeFunction(this, 'PollBacktrace', {
      ...defaults,
      entry: 'functions/poll-backtrace.ts',
      description: "Reads the linked fingerprints from Backtrace's query API and queues each change for sync-to-jira (Backtrace pushes none)",
      memorySize: 512,
      // 10,000 linked fingerprints are 100 queries: well within this (README "Measured figures").
      timeout: Duration.minutes(5),
      environment: { LINKS_TABLE_NAME: this.linksTable.tableName, EVENTS_QUEUE_URL: this.backtraceEvents.queue.queueUrl },
    });
    this.backtraceEvents.grantEnqueue(poller);
    // Lists an integration's links (Query) and notes a disagreeing pair (UpdateItem); never puts or deletes one.
    this.linksTable.grantItemActions(poller, ['dynamodb:Query', 'dynamodb:UpdateItem']);
    for (const [minutes, integrations] of schedules) {
      const rule = new Rule(this, `PollBacktraceEvery${minutes}Min`, {
        description: `Polls Backtrace for ${integrations.join(', ')} every ${minutes} minute${minutes === 1 ? '' : 's'}`,
        schedule: Schedule.rate(Duration.minutes(minutes)),
        targets: [new LambdaFunction(poller, { event: RuleTargetInput.fromObject({ integrations }), retryAttempts: 0 })],
      });
      this.#pollRules.push(rule);
    }
    return poller;
  }

  /** The alarms beyond the dead-letter ones (WorkerPipeline's), and the dashboard. */
  private watch(): BridgeDashboard {
    const alarms = this.alarms;
    for (const pipeline of [this.backtraceEvents, this.jiraChanges]) alarms.notify(pipeline.deadLetterAlarm);
    const pipelines = [
      { name: 'BacktraceEvents', pipeline: this.backtraceEvents, worker: 'sync-to-jira' },
      { name: 'JiraChanges', pipeline: this.jiraChanges, worker: 'sync-to-backtrace' },
    ];
    for (const { name, pipeline, worker } of pipelines) {
      alarms.onQueueAge(name, pipeline.queue, WORK_QUEUE_MAX_AGE, `Messages wait on ${name} and ${worker} is not taking them: check its errors, throttles and log`);
      alarms.onQueueAge(
        `${name}DeadLetter`,
        pipeline.deadLetterQueue,
        DEAD_LETTER_MAX_AGE,
        `A message has sat in the ${name} dead-letter queue for ${DEAD_LETTER_MAX_AGE.toDays()} days; SQS deletes it at 14: fix the cause and redrive it now`,
      );
    }
    const functions = [
      { name: 'IngestBacktraceEvents', fn: this.ingestFunction, what: 'Backtrace deliveries were answered 5xx (Backtrace may not retry them)' },
      { name: 'ReceiveJiraWebhook', fn: this.receiveJiraWebhookFunction, what: 'Jira deliveries were answered 5xx (Jira retries them up to 5 times)' },
      { name: 'SyncToJira', fn: this.backtraceEvents.worker, what: 'a whole batch of backtrace-events failed and comes back after its visibility timeout' },
      { name: 'SyncToBacktrace', fn: this.jiraChanges.worker, what: 'a whole batch of jira-changes failed and comes back after its visibility timeout' },
      ...(this.pollFunction ? [{ name: 'PollBacktrace', fn: this.pollFunction, what: "a poll of Backtrace failed for at least one integration, so its fingerprints' changes wait for the next schedule" }] : []),
    ];
    for (const { name, fn, what } of functions) alarms.onFunction(name, fn, what);
    for (const rule of this.#pollRules) {
      alarms.onFailedInvocations(rule.node.id, rule, 'EventBridge could not invoke poll-backtrace on schedule (throttled or missing): Backtrace changes are not being read');
    }
    alarms.onApiServerErrors(this.api);
    return new BridgeDashboard(this, 'Dashboard', {
      dashboardName: this.stackName,
      queues: pipelines.flatMap(({ name, pipeline }) => [
        { name, queue: pipeline.queue },
        { name: `${name} DLQ`, queue: pipeline.deadLetterQueue },
      ]),
      functions: functions.map(({ name, fn }) => ({ name, fn })),
      api: this.api,
    });
  }

  /** The optional WAF web ACL (REGIONAL): nothing here to attach it to, so say so at synth. */
  private webAclOf(config: BridgeConfig): RateLimitWebAcl {
    Annotations.of(this).addWarningV2(
      'bridge:waf-not-attached',
      'settings.waf.enabled: the web ACL is created (output WebAclArn), but AWS WAF cannot be attached to an HTTP API (API Gateway v2); attach it to a load balancer or API Gateway REST API you put in front of the bridge, or rely on the per-route throttling (settings.throttling)',
    );
    return new RateLimitWebAcl(this, 'RateLimit', { requestsPer5MinutesPerIp: config.settings.waf.requestsPer5MinutesPerIp });
  }
}

/**
 * The poller and its schedules: one EventBridge rule per distinct interval, naming its integrations in the input.
 * Schedules run in whole minutes, at least one apart: a shorter or odd `backtrace.poll.intervalSeconds` is rounded
 * up, and synth says so.
 */
function pollSchedules(stack: Stack, config: BridgeConfig): Map<number, string[]> {
  const byMinutes = new Map<number, string[]>();
  for (const integration of config.integrations.filter(polls)) {
    const seconds = integration.backtrace.poll.intervalSeconds;
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    if (seconds !== minutes * 60) {
      Annotations.of(stack).addWarningV2(
        `bridge:poll-interval-rounded:${integration.name}`,
        `integrations "${integration.name}": backtrace.poll.intervalSeconds is ${seconds}, but EventBridge schedules run in whole minutes and at most once a minute: the deployed poller reads Backtrace every ${minutes} minute${minutes === 1 ? '' : 's'} (the local stack keeps ${seconds} s)`,
      );
    }
    byMinutes.set(minutes, [...(byMinutes.get(minutes) ?? []), integration.name]);
  }
  return byMinutes;
}

/**
 * A live worker can still be talking to Jira when its lease runs out, and a crashed worker's issue must be visible to
 * Jira Cloud's (eventually consistent) search before the next worker looks for its dedupe label: say so at synth.
 */
function warnOnShortClaimLease(stack: Stack, config: BridgeConfig): void {
  const safeLeaseSeconds = WORKER_TIMEOUT.toSeconds() + JIRA_SEARCH_LAG_MARGIN_SECONDS;
  if (config.settings.claimLeaseSeconds >= safeLeaseSeconds) return;
  Annotations.of(stack).addWarningV2(
    'bridge:claim-lease-shorter-than-worker-timeout',
    `settings.claimLeaseSeconds (${config.settings.claimLeaseSeconds}) is shorter than the worker timeout (${WORKER_TIMEOUT.toSeconds()} s) plus a margin for Jira's search lag (${JIRA_SEARCH_LAG_MARGIN_SECONDS} s); raise it to at least ${safeLeaseSeconds} to keep one Jira issue per fingerprint`,
  );
}
