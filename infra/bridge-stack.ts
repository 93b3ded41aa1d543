import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BridgeConfig } from '../shared/domain/config/index.ts';
import { BridgeFunction } from './constructs/bridge-function.ts';
import { secretNamesByFunction } from './secret-names.ts';

/** detail-type of the EventBridge events carrying one Backtrace error group in `detail`. */
export const BACKTRACE_EVENT_DETAIL_TYPE = 'Backtrace Error Group';
/** Name of the links table's index that finds links by Jira issue id (Jira -> Backtrace direction). */
export const LINKS_BY_ISSUE_ID_INDEX = 'byIssueId';

/** Worker (sync-to-jira) timeout; the queue's visibility timeout is six times this, as AWS advises for SQS sources. */
const WORKER_TIMEOUT = Duration.seconds(60);

export interface BridgeStackProps extends StackProps {
  /** The validated config (`parseConfig` output): drives secrets, redrive and the EventBridge rule. */
  readonly config: BridgeConfig;
  /**
   * The JSON document `config` was parsed from. The functions embed this document, not `config`, because
   * `parseConfig` is not idempotent (it adds derived fields such as `jira.siteUrl` that its strict schema refuses).
   */
  readonly configDocument: unknown;
  /** E-mail address subscribed to a new SNS topic that receives the dead-letter alarm. @default - no topic */
  readonly alarmEmail?: string;
  /** Existing SNS topic the dead-letter alarm notifies (e.g. one wired to chat). @default - none */
  readonly alarmTopicArn?: string;
  /** Steady-state requests/s and burst allowed on the HTTP API. @default { rateLimit: 50, burstLimit: 100 } */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Retention of function and access logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The whole bridge in one stack: HTTP API (and optionally an EventBridge rule) -> ingest function -> SQS queue with
 * a dead-letter queue -> sync-to-jira worker -> DynamoDB links table; secrets are referenced by name and readable
 * only by the function that needs them.
 */
/** Jira Cloud's search shows a new issue within seconds; a minute covers a slow index with room to spare. */
const JIRA_SEARCH_LAG_MARGIN_SECONDS = 60;

export class BridgeStack extends Stack {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly eventsQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly linksTable: Table;
  readonly ingestFunction: BridgeFunction;
  readonly syncFunction: BridgeFunction;
  readonly deadLetterAlarm: Alarm;
  /** Present only when `settings.eventBusName` is configured. */
  readonly backtraceEventsRule?: Rule;

  constructor(scope: Construct, id: string, props: BridgeStackProps) {
    const { config, configDocument, alarmEmail, alarmTopicArn, throttle: throttleProp, logRetention: logRetentionProp, ...stackProps } = props;
    super(scope, id, {
      description: 'Backtrace -> Jira bridge: Backtrace error groups become exactly one Jira issue each',
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
    this.deadLetterQueue = new Queue(this, 'BacktraceEventsDlq', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    this.eventsQueue = new Queue(this, 'BacktraceEvents', {
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: config.settings.maxReceiveCount },
    });

    this.linksTable = new Table(this, 'Links', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // The links are the only record of which Jira issue belongs to which fingerprint: never drop them with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.linksTable.addGlobalSecondaryIndex({
      indexName: LINKS_BY_ISSUE_ID_INDEX,
      partitionKey: { name: 'issueId', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    // --- Functions -----------------------------------------------------------------------------------------
    this.ingestFunction = new BridgeFunction(this, 'IngestBacktraceEvents', {
      entry: 'functions/ingest-backtrace-events.ts',
      description: 'Checks Basic auth on Backtrace webhook deliveries and queues each error group',
      configDocument,
      logRetention,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { EVENTS_QUEUE_URL: this.eventsQueue.queueUrl },
    });
    this.eventsQueue.grant(this.ingestFunction, 'sqs:SendMessage');

    this.syncFunction = new BridgeFunction(this, 'SyncToJira', {
      entry: 'functions/sync-to-jira.ts',
      description: 'Creates exactly one Jira issue per fingerprint and attaches it to the Backtrace fingerprint',
      configDocument,
      logRetention,
      memorySize: 512,
      timeout: WORKER_TIMEOUT,
      environment: {
        LINKS_TABLE_NAME: this.linksTable.tableName,
        // For ChangeMessageVisibility: a rate-limited message goes back to the queue for Retry-After seconds.
        EVENTS_QUEUE_URL: this.eventsQueue.queueUrl,
      },
    });
    // Grants ReceiveMessage, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes/Url on this queue only.
    this.syncFunction.addEventSource(
      new SqsEventSource(this.eventsQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        // Jira rate-limits per account: a few concurrent workers keep a burst of new groups from tripping it.
        maxConcurrency: 5,
      }),
    );
    // A message waiting for another worker's claim is re-enqueued with a delay (see functions/sync-to-jira.ts).
    this.eventsQueue.grant(this.syncFunction, 'sqs:SendMessage');
    // Named actions instead of grantReadWriteData: the worker never scans, batch-writes or deletes links.
    this.syncFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
        resources: [this.linksTable.tableArn],
      }),
    );
    this.syncFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${this.linksTable.tableArn}/index/${LINKS_BY_ISSUE_ID_INDEX}`],
      }),
    );

    this.grantSecrets(config);

    // --- Entry points --------------------------------------------------------------------------------------
    const throttle = throttleProp ?? { rateLimit: 50, burstLimit: 100 };
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.api = new HttpApi(this, 'Api', {
      apiName: this.stackName,
      description: 'Backtrace webhook deliveries (and, later, Jira webhooks) into the bridge',
      // Our own stage below carries throttling and access logs, which the implicit default stage cannot.
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // HTTP API context variables only; no headers, so credentials never reach the access log.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            integrationStatus: '$context.integrationStatus',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const backtraceRoutes = this.api.addRoutes({
      path: '/backtrace/events',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('BacktraceEventsIntegration', this.ingestFunction),
    });
    for (const route of backtraceRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason:
          "Backtrace's webhook integration can only send HTTP Basic credentials; the ingest function checks them against ingest.basicAuthSecret before queueing anything.",
      });
    }

    const eventBusName = config.settings.eventBusName;
    if (eventBusName) {
      const bus: IEventBus = eventBusName.startsWith('arn:')
        ? EventBus.fromEventBusArn(this, 'BacktraceEventBus', eventBusName)
        : EventBus.fromEventBusName(this, 'BacktraceEventBus', eventBusName);
      this.backtraceEventsRule = new Rule(this, 'BacktraceErrorGroupRule', {
        description: `Queues "${BACKTRACE_EVENT_DETAIL_TYPE}" events for the sync-to-jira worker`,
        eventBus: bus,
        eventPattern: { detailType: [BACKTRACE_EVENT_DETAIL_TYPE] },
        // Events EventBridge cannot deliver land in the DLQ too, so the same alarm covers them.
        targets: [new SqsQueue(this.eventsQueue, { deadLetterQueue: this.deadLetterQueue })],
      });
    }

    // --- Alarm ---------------------------------------------------------------------------------------------
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'Backtrace error groups could not be synced to Jira after all retries (or EventBridge could not deliver them); inspect the dead-letter queue, fix the cause, then redrive.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const alarmTopics: ITopic[] = [];
    if (alarmTopicArn) alarmTopics.push(Topic.fromTopicArn(this, 'ExistingAlarmTopic', alarmTopicArn));
    if (alarmEmail) {
      const topic = new Topic(this, 'AlarmTopic', { displayName: 'Backtrace-Jira bridge alarms', enforceSSL: true });
      topic.addSubscription(new EmailSubscription(alarmEmail));
      alarmTopics.push(topic);
    }
    for (const topic of alarmTopics) {
      this.deadLetterAlarm.addAlarmAction(new SnsAction(topic));
      this.deadLetterAlarm.addOkAction(new SnsAction(topic));
    }

    // --- Outputs -------------------------------------------------------------------------------------------
    new CfnOutput(this, 'BacktraceWebhookUrl', {
      description: "URL for Backtrace's webhook integration (Project settings -> Integrations -> Webhook), with the Basic credentials of ingest.basicAuthSecret",
      value: `${this.stage.url}backtrace/events`,
    });
    new CfnOutput(this, 'EventsQueueName', { description: 'Queue of Backtrace error groups waiting for the worker', value: this.eventsQueue.queueName });
    new CfnOutput(this, 'DeadLetterQueueName', { description: 'Error groups that failed maxReceiveCount times', value: this.deadLetterQueue.queueName });
    new CfnOutput(this, 'LinksTableName', { description: 'Fingerprint <-> Jira issue links', value: this.linksTable.tableName });
  }

  /** Reference every configured secret by name and let exactly the function that uses it read it. */
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
    for (const name of names.worker) secretNamed(name).grantRead(this.syncFunction);
  }
}
