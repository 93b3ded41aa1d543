import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
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

/** Worker (sync-to-jira) timeout; the queue's visibility timeout is six times this, as AWS advises for SQS sources. */
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
 *   SQS backtrace-events (+ DLQ) -> sync-to-jira worker.
 * - Jira -> Backtrace: HTTP API `POST /jira/webhook` -> receive-jira-webhook function -> SQS jira-changes (+ DLQ) ->
 *   sync-to-backtrace worker.
 * Secrets are referenced by name and readable only by the functions that need them; each DLQ has an alarm.
 */
export class BridgeStack extends Stack {
  readonly api: BridgeHttpApi;
  readonly stage: HttpStage;
  /**
   * backtrace-events -> sync-to-jira: Backtrace error groups and fingerprint changes. Its DLQ also takes the
   * EventBridge rule's undeliverable events.
   */
  readonly backtraceEvents: WorkerPipeline;
  /** jira-changes -> sync-to-backtrace: verified Jira webhook deliveries, their DLQ and its alarm. */
  readonly jiraChanges: WorkerPipeline;
  readonly linksTable: Table;
  readonly ingestFunction: BridgeFunction;
  readonly receiveJiraWebhookFunction: BridgeFunction;
  /** Present only when `settings.eventBusName` is configured. */
  readonly backtraceEventsRule?: Rule;

  constructor(scope: Construct, id: string, props: BridgeStackProps) {
    const { config, configDocument, alarmEmail, alarmTopicArn, throttle, logRetention: logRetentionProp, ...stackProps } = props;
    super(scope, id, {
      description: 'Backtrace <-> Jira bridge: each Backtrace error group becomes exactly one Jira issue; state and assignee stay in sync',
      ...stackProps,
    });
    const logRetention = logRetentionProp ?? RetentionDays.ONE_MONTH;

    const safeLeaseSeconds = WORKER_TIMEOUT.toSeconds() + JIRA_SEARCH_LAG_MARGIN_SECONDS;
    if (config.settings.claimLeaseSeconds < safeLeaseSeconds) {
      // A live worker can still be talking to Jira when its lease runs out, and a crashed worker's issue must be
      // visible to Jira Cloud's (eventually consistent) search before the next worker looks for its dedupe label.
      Annotations.of(this).addWarningV2(
        'bridge:claim-lease-shorter-than-worker-timeout',
        `settings.claimLeaseSeconds (${config.settings.claimLeaseSeconds}) is shorter than the worker timeout (${WORKER_TIMEOUT.toSeconds()} s) plus a margin for Jira's search lag (${JIRA_SEARCH_LAG_MARGIN_SECONDS} s); raise it to at least ${safeLeaseSeconds} to keep one Jira issue per fingerprint`,
      );
    }

    // --- Storage -------------------------------------------------------------------------------------------
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

    // --- Worker pipelines: queue + DLQ -> worker, DLQ alarm ------------------------------------------------
    const linksTableName = this.linksTable.tableName;
    const { maxReceiveCount } = config.settings;
    this.backtraceEvents = new WorkerPipeline(this, 'BacktraceEvents', {
      worker: {
        id: 'SyncToJira',
        entry: 'functions/sync-to-jira.ts',
        description: 'Creates exactly one Jira issue per fingerprint and attaches it to the Backtrace fingerprint',
        configDocument,
        logRetention,
        memorySize: 512,
        timeout: WORKER_TIMEOUT,
        environment: { LINKS_TABLE_NAME: linksTableName },
      },
      queueUrlVariable: 'EVENTS_QUEUE_URL',
      maxReceiveCount,
      // Jira rate-limits per account: a few concurrent workers keep a burst of new groups from tripping it.
      maxConcurrency: 5,
      // A message waiting for another worker's claim on its fingerprint goes back to the queue with a delay.
      reEnqueue: true,
      deadLetterAlarmDescription:
        'Backtrace error groups or fingerprint changes could not be synced to Jira after all retries (or EventBridge could not deliver them); inspect the backtrace-events dead-letter queue, fix the cause, then redrive.',
    });
    this.jiraChanges = new WorkerPipeline(this, 'JiraChanges', {
      worker: {
        id: 'SyncToBacktrace',
        entry: 'functions/sync-to-backtrace.ts',
        description: 'Applies Jira status and assignee changes to the linked Backtrace fingerprint, or unlinks a deleted issue',
        configDocument,
        logRetention,
        memorySize: 512,
        timeout: SYNC_TO_BACKTRACE_TIMEOUT,
        environment: { LINKS_TABLE_NAME: linksTableName },
      },
      queueUrlVariable: 'JIRA_CHANGES_QUEUE_URL',
      maxReceiveCount,
      // A bulk edit in Jira fires one webhook per issue: a few concurrent workers stay within both APIs' rate limits.
      maxConcurrency: 5,
      deadLetterAlarmDescription:
        'Jira status or assignee changes could not be written to Backtrace after all retries; inspect the jira-changes dead-letter queue, fix the cause, then redrive.',
    });
    // Named actions instead of grantReadWriteData: the worker never scans, batch-writes or deletes links.
    this.backtraceEvents.worker.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
        resources: [this.linksTable.tableArn],
      }),
    );
    this.backtraceEvents.worker.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${this.linksTable.tableArn}/index/${LINKS_BY_ISSUE_ID_INDEX}`],
      }),
    );
    // Unlinking a deleted Jira issue deletes its link; remembered Backtrace users are put; no scans, no batch writes.
    this.jiraChanges.worker.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        resources: [this.linksTable.tableArn],
      }),
    );
    this.jiraChanges.worker.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${this.linksTable.tableArn}/index/${LINKS_BY_ISSUE_ID_INDEX}`],
      }),
    );

    // --- Entry functions -----------------------------------------------------------------------------------
    this.ingestFunction = new BridgeFunction(this, 'IngestBacktraceEvents', {
      entry: 'functions/ingest-backtrace-events.ts',
      description: 'Checks Basic auth on Backtrace webhook deliveries and queues each error group',
      configDocument,
      logRetention,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { EVENTS_QUEUE_URL: this.backtraceEvents.queue.queueUrl },
    });
    this.backtraceEvents.grantEnqueue(this.ingestFunction);

    this.receiveJiraWebhookFunction = new BridgeFunction(this, 'ReceiveJiraWebhook', {
      entry: 'functions/receive-jira-webhook.ts',
      description: 'Verifies Jira webhook deliveries (signature or URL token), drops repeats and queues each change',
      configDocument,
      logRetention,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        JIRA_CHANGES_QUEUE_URL: this.jiraChanges.queue.queueUrl,
        // Delivery ids (X-Atlassian-Webhook-Identifier) are recorded here, with a TTL, to drop Jira's repeats.
        LINKS_TABLE_NAME: linksTableName,
      },
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

    // --- Entry points --------------------------------------------------------------------------------------
    this.api = new BridgeHttpApi(this, 'Api', {
      apiName: this.stackName,
      description: "Backtrace webhook deliveries (POST /backtrace/events) and Jira webhooks (POST /jira/webhook) into the bridge's queues",
      throttle,
      logRetention,
    });
    this.stage = this.api.stage;
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

    // --- Alarms --------------------------------------------------------------------------------------------
    const alarmTopics: ITopic[] = [];
    if (alarmTopicArn) alarmTopics.push(Topic.fromTopicArn(this, 'ExistingAlarmTopic', alarmTopicArn));
    if (alarmEmail) {
      const topic = new Topic(this, 'AlarmTopic', { displayName: 'Backtrace-Jira bridge alarms', enforceSSL: true });
      topic.addSubscription(new EmailSubscription(alarmEmail));
      alarmTopics.push(topic);
    }
    for (const topic of alarmTopics) {
      for (const alarm of [this.backtraceEvents.deadLetterAlarm, this.jiraChanges.deadLetterAlarm]) {
        alarm.addAlarmAction(new SnsAction(topic));
        alarm.addOkAction(new SnsAction(topic));
      }
    }

    // --- Outputs -------------------------------------------------------------------------------------------
    new CfnOutput(this, 'BacktraceWebhookUrl', {
      description: "URL for Backtrace's webhook integration (Project settings -> Integrations -> Webhook), with the Basic credentials of ingest.basicAuthSecret",
      value: `${this.stage.url}backtrace/events`,
    });
    new CfnOutput(this, 'EventsQueueName', { description: 'Queue of Backtrace error groups waiting for the worker', value: this.backtraceEvents.queue.queueName });
    new CfnOutput(this, 'DeadLetterQueueName', { description: 'Error groups that failed maxReceiveCount times', value: this.backtraceEvents.deadLetterQueue.queueName });
    new CfnOutput(this, 'JiraWebhookUrl', {
      description:
        'URL for Jira\'s webhook (Jira settings -> System -> WebHooks), signed with jiraWebhook.secret; with verification "query-token", append ?token=<the secret>',
      value: `${this.stage.url}jira/webhook`,
    });
    new CfnOutput(this, 'JiraChangesQueueName', { description: 'Queue of Jira changes waiting for the sync-to-backtrace worker', value: this.jiraChanges.queue.queueName });
    new CfnOutput(this, 'JiraChangesDeadLetterQueueName', {
      description: 'Jira changes that failed maxReceiveCount times',
      value: this.jiraChanges.deadLetterQueue.queueName,
    });
    new CfnOutput(this, 'LinksTableName', { description: 'Fingerprint <-> Jira issue links', value: this.linksTable.tableName });
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
