import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, EventField, Rule, RuleTargetInput, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { BY_ISSUE_ID_INDEX, deliveryPartitionKey, EXPIRES_AT_ATTRIBUTE } from '../shared/adapters/dynamodb/link-table.ts';
import type { BridgeConfig } from '../shared/domain/config/index.ts';
import { BridgeFunction } from './constructs/bridge-function.ts';
import { BridgeHttpApi } from './constructs/bridge-http-api.ts';
import { WorkerPipeline } from './constructs/worker-pipeline.ts';
import { secretNamesByFunction } from './secret-names.ts';

/** detail-type of the EventBridge events carrying one Backtrace error group in `detail`. */
export const BACKTRACE_EVENT_DETAIL_TYPE = 'Backtrace Error Group';
/** Name of the links table's index that finds links by Jira issue id (Jira -> Backtrace direction). */
export const LINKS_BY_ISSUE_ID_INDEX = BY_ISSUE_ID_INDEX;

/** sync-to-jira timeout (the claim lease must outlast it); its queue's visibility timeout is six times this. */
const WORKER_TIMEOUT = Duration.seconds(60);
/** sync-to-backtrace timeout: reads the Jira issue, then reads and writes the Backtrace fingerprint. */
const SYNC_TO_BACKTRACE_TIMEOUT = Duration.seconds(60);
/** Jira Cloud's search shows a new issue within seconds; a minute covers a slow index with room to spare. */
const JIRA_SEARCH_LAG_MARGIN_SECONDS = 60;

export interface BridgeStackProps extends StackProps {
  /** The validated config (`parseConfig` output): drives secrets, redrive and the EventBridge rule. */
  readonly config: BridgeConfig;
  /**
   * The JSON document `config` was parsed from. The functions embed this document, not `config`, because
   * `parseConfig` is not idempotent (it adds derived fields such as `jira.siteUrl` that its strict schema refuses).
   */
  readonly configDocument: unknown;
  /** E-mail address subscribed to a new SNS topic that receives the dead-letter alarms. @default - no topic */
  readonly alarmEmail?: string;
  /** Existing SNS topic the dead-letter alarms notify (e.g. one wired to chat). @default - none */
  readonly alarmTopicArn?: string;
  /** Steady-state requests/s and burst allowed on the HTTP API. @default { rateLimit: 50, burstLimit: 100 } */
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
 */
export class BridgeStack extends Stack {
  readonly linksTable: Table;
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

  constructor(scope: Construct, id: string, props: BridgeStackProps) {
    const { config, configDocument, alarmEmail, alarmTopicArn, throttle, logRetention = RetentionDays.ONE_MONTH, ...stackProps } = props;
    super(scope, id, {
      description: 'Backtrace <-> Jira bridge: each Backtrace error group becomes exactly one Jira issue; state and assignee stay in sync',
      ...stackProps,
    });

    const safeLeaseSeconds = WORKER_TIMEOUT.toSeconds() + JIRA_SEARCH_LAG_MARGIN_SECONDS;
    if (config.settings.claimLeaseSeconds < safeLeaseSeconds) {
      // A live worker can still be talking to Jira when its lease runs out, and a crashed worker's issue must be
      // visible to Jira Cloud's (eventually consistent) search before the next worker looks for its dedupe label.
      Annotations.of(this).addWarningV2(
        'bridge:claim-lease-shorter-than-worker-timeout',
        `settings.claimLeaseSeconds (${config.settings.claimLeaseSeconds}) is shorter than the worker timeout (${WORKER_TIMEOUT.toSeconds()} s) plus a margin for Jira's search lag (${JIRA_SEARCH_LAG_MARGIN_SECONDS} s); raise it to at least ${safeLeaseSeconds} to keep one Jira issue per fingerprint`,
      );
    }

    // Id `Links` directly on the stack, for good: under a new logical id CloudFormation would leave this (RETAINed)
    // table behind and start an empty one. The stack test pins it.
    this.linksTable = new Table(this, 'Links', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Recorded webhook delivery ids expire by it; links never carry it.
      timeToLiveAttribute: EXPIRES_AT_ATTRIBUTE,
      // The links are the only record of which Jira issue belongs to which fingerprint: never drop them with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.linksTable.addGlobalSecondaryIndex({
      indexName: LINKS_BY_ISSUE_ID_INDEX,
      partitionKey: { name: 'issueId', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    const linksTableName = this.linksTable.tableName;

    // The dead-letter alarms notify these topics: an existing one and/or a new one mailing `alarmEmail`.
    const alarmTopics: ITopic[] = [];
    if (alarmTopicArn) alarmTopics.push(Topic.fromTopicArn(this, 'ExistingAlarmTopic', alarmTopicArn));
    if (alarmEmail) {
      const topic = new Topic(this, 'AlarmTopic', { displayName: 'Backtrace-Jira bridge alarms', enforceSSL: true });
      topic.addSubscription(new EmailSubscription(alarmEmail));
      alarmTopics.push(topic);
    }

    const functionDefaults = { configDocument, logRetention };
    const workerDefaults = { ...functionDefaults, memorySize: 512, environment: { LINKS_TABLE_NAME: linksTableName } };
    // A few concurrent workers per direction: Jira rate-limits per account, and a bulk edit in Jira fires one webhook per issue.
    const pipelineDefaults = { maxReceiveCount: config.settings.maxReceiveCount, maxConcurrency: 5, alarmTopics };
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
      deadLetterAlarmDescription:
        'Jira status or assignee changes could not be written to Backtrace after all retries; inspect the jira-changes dead-letter queue, fix the cause, then redrive.',
    });
    // Named actions on the table, and Query on the issue-id index, instead of grantReadWriteData: no scans, no batch writes.
    const grantLinks = (fn: BridgeFunction, actions: string[]) => {
      fn.addToRolePolicy(new PolicyStatement({ actions, resources: [this.linksTable.tableArn] }));
      fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${this.linksTable.tableArn}/index/${LINKS_BY_ISSUE_ID_INDEX}`] }));
    };
    // sync-to-jira never deletes a link.
    grantLinks(this.backtraceEvents.worker, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem']);
    // Unlinking a deleted Jira issue deletes its link; remembered Backtrace users are put.
    grantLinks(this.jiraChanges.worker, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query']);

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
    // The receiver answers the internet: it may read and record delivery ids (a conditional put, then a read to
    // tell its own retried put from a real repeat), and can never read or touch a link or any other item.
    this.receiveJiraWebhookFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:GetItem'],
        resources: [this.linksTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [deliveryPartitionKey('*')] } },
      }),
    );
    this.grantSecrets(config);

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
    );
    this.api.addPostRoute(
      '/jira/webhook',
      this.receiveJiraWebhookFunction,
      "Jira's webhooks cannot send AWS or JWT credentials; the receiver verifies each delivery's X-Hub-Signature HMAC of the raw body (or, for Jira versions that cannot sign, the URL token) against jiraWebhook.secret and answers 401 before queueing anything.",
    );

    const eventBusName = config.settings.eventBusName;
    if (eventBusName) {
      const bus: IEventBus = eventBusName.startsWith('arn:')
        ? EventBus.fromEventBusArn(this, 'BacktraceEventBus', eventBusName)
        : EventBus.fromEventBusName(this, 'BacktraceEventBus', eventBusName);
      this.backtraceEventsRule = new Rule(this, 'BacktraceErrorGroupRule', {
        description: `Queues "${BACKTRACE_EVENT_DETAIL_TYPE}" events for the sync-to-jira worker`,
        eventBus: bus,
        eventPattern: { detailType: [BACKTRACE_EVENT_DETAIL_TYPE] },
        targets: [
          new SqsQueue(this.backtraceEvents.queue, {
            // The bridge's own group message (as the ingest function queues it), not the EventBridge envelope.
            message: RuleTargetInput.fromObject({ kind: 'backtrace.group', group: EventField.fromPath('$.detail'), receivedAt: EventField.time }),
            // Events EventBridge cannot deliver land in the DLQ too, so the same alarm covers them.
            deadLetterQueue: this.backtraceEvents.deadLetterQueue,
          }),
        ],
      });
    }

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
    };
    for (const [outputId, [description, value]] of Object.entries(outputs)) new CfnOutput(this, outputId, { description, value });
  }

  /** Reference every configured secret by name and let exactly the functions that use it read it. */
  private grantSecrets(config: BridgeConfig): void {
    const names = secretNamesByFunction(config);
    const scope = new Construct(this, 'Secrets');
    const secrets = new Map<string, ISecret>();
    const secretNamed = (name: string): ISecret => {
      let secret = secrets.get(name);
      if (!secret) {
        // fromSecretNameV2 matches the 6-character suffix Secrets Manager appends (ARN ends in "-??????").
        secret = Secret.fromSecretNameV2(scope, `Secret${secrets.size}`, name);
        secrets.set(name, secret);
      }
      return secret;
    };
    for (const name of names.ingest) secretNamed(name).grantRead(this.ingestFunction);
    for (const name of names.syncToJira) secretNamed(name).grantRead(this.backtraceEvents.worker);
    for (const name of names.receiveJiraWebhook) secretNamed(name).grantRead(this.receiveJiraWebhookFunction);
    for (const name of names.syncToBacktrace) secretNamed(name).grantRead(this.jiraChanges.worker);
  }
}
