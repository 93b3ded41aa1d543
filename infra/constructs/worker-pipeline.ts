import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BATCHING_WINDOW_SECONDS, RECORDS_PER_BATCH } from '../../shared/domain/pacing/worker-concurrency.ts';
import { BridgeFunction, type BridgeFunctionProps } from './bridge-function.ts';

/** The worker function of a {@link WorkerPipeline}: a {@link BridgeFunction} with its construct id and a required timeout. */
export interface PipelineWorkerProps extends BridgeFunctionProps {
  /** Construct id of the function, which also names it, its role and its log group in the console (e.g. `SyncToJira`). */
  readonly id: string;
  /** The worker's timeout; the queue's visibility timeout is six times this, as AWS advises for Lambda SQS sources. */
  readonly timeout: Duration;
}

export interface WorkerPipelineProps {
  /** The function that consumes the queue. Its environment gets `queueUrlVariable` added. */
  readonly worker: PipelineWorkerProps;
  /**
   * Environment variable that tells the worker its own queue's URL (e.g. `EVENTS_QUEUE_URL`): shared/runtime/queue-worker.ts
   * sets a failed message's retry delay with ChangeMessageVisibility on it (and, with `reEnqueue`, re-enqueues to it).
   */
  readonly queueUrlVariable: string;
  /** Receives before a message moves to the dead-letter queue (`settings.maxReceiveCount`). */
  readonly maxReceiveCount: number;
  /** Most concurrent worker invocations the event source starts, sized to the Jira pace (shared/domain/pacing/worker-concurrency.ts). */
  readonly maxConcurrency: number;
  /**
   * Let the worker send to its own queue (sqs:SendMessage on it, nothing else), so a message waiting for another
   * worker's claim or for a Jira slot goes back with a delay instead of spending a receive (shared/runtime/queue-worker.ts).
   * @default false - the worker only receives, deletes and changes visibility
   */
  readonly reEnqueue?: boolean;
  /** What the dead-letter alarm tells an operator: what did not reach the other side, and what to do about it. */
  readonly deadLetterAlarmDescription: string;
  /** SNS topics the dead-letter alarm notifies when it fires and when it clears. @default - none */
  readonly alarmTopics?: readonly ITopic[];
}

/**
 * One direction of the bridge after its entry point: a work queue with its dead-letter queue, the worker function
 * fed by it in batches, and an alarm on the dead-letter queue's depth.
 *
 * - Both queues: SQS-managed encryption, TLS only. The DLQ keeps messages 14 days (the longest SQS allows); a
 *   message moves there after `maxReceiveCount` receives.
 * - Event source: batches of up to 10 within 1 s, partial batch failures reported, `maxConcurrency` at most.
 * - The alarm fires as soon as one message is visible in the DLQ (each one is a change that did not get through)
 *   and notifies `alarmTopics`, on alarm and on OK.
 *
 * The work queue is the construct's `Default` child, which CDK leaves out of logical ids: it keeps the logical id
 * it had as `<id>` directly on the stack, so messages queued during a deploy are not lost with a replaced queue.
 *
 * @example
 * const jiraChanges = new WorkerPipeline(this, 'JiraChanges', {
 *   worker: { id: 'SyncToBacktrace', entry: 'functions/sync-to-backtrace.ts', config, timeout: Duration.seconds(60) },
 *   queueUrlVariable: 'JIRA_CHANGES_QUEUE_URL',
 *   maxReceiveCount: 5,
 *   maxConcurrency: 5,
 *   deadLetterAlarmDescription: 'Jira changes could not be written to Backtrace; inspect the DLQ, fix the cause, then redrive.',
 * });
 */
export class WorkerPipeline extends Construct {
  /** The work queue the worker consumes. */
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly worker: BridgeFunction;
  /** Alarm on the dead-letter queue's depth. */
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WorkerPipelineProps) {
    super(scope, id);
    const { worker: { id: workerId, ...worker }, queueUrlVariable, maxReceiveCount, maxConcurrency, reEnqueue = false } = props;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, 'Default', {
      visibilityTimeout: Duration.seconds(worker.timeout.toSeconds() * 6),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    this.worker = new BridgeFunction(this, workerId, {
      ...worker,
      environment: { ...worker.environment, [queueUrlVariable]: this.queue.queueUrl },
    });
    // Grants ReceiveMessage, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes/Url on this queue only.
    this.worker.addEventSource(
      new SqsEventSource(this.queue, { batchSize: RECORDS_PER_BATCH, maxBatchingWindow: Duration.seconds(BATCHING_WINDOW_SECONDS), reportBatchItemFailures: true, maxConcurrency }),
    );
    if (reEnqueue) this.grantEnqueue(this.worker);

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: props.deadLetterAlarmDescription,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const topic of props.alarmTopics ?? []) {
      this.deadLetterAlarm.addAlarmAction(new SnsAction(topic));
      this.deadLetterAlarm.addOkAction(new SnsAction(topic));
    }
  }

  /** Let `grantee` put messages on the work queue: sqs:SendMessage on it, nothing else. */
  grantEnqueue(grantee: IGrantable): Grant {
    return this.queue.grant(grantee, 'sqs:SendMessage');
  }
}
