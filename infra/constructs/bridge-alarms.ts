import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** A message older than this on a work queue means the worker is stuck or failing (retries back off to minutes, not hours). */
export const WORK_QUEUE_MAX_AGE = Duration.minutes(30);
/** SQS deletes dead letters after 14 days: warn with four days left to redrive them. */
export const DEAD_LETTER_MAX_AGE = Duration.days(10);

export interface BridgeAlarmsProps {
  /** Each address gets an e-mail subscription to the alarm topic (AWS mails a confirmation link first). */
  readonly emails: readonly string[];
  /** Further topics every alarm notifies (e.g. an existing one wired to chat). @default - none */
  readonly extraTopics?: readonly ITopic[];
}

/**
 * Alarms that reach someone: one SNS topic, always created (`AlarmTopic`, next to this construct in the parent scope
 * so it keeps its logical id and its confirmed subscriptions), e-mail subscriptions to it, and every alarm made here
 * or handed to {@link notify} sending to it (and to `extraTopics`) when it fires and when it clears.
 *
 * @example
 * const alarms = new BridgeAlarms(this, 'Alarms', { emails: ['ops@example.com'] });
 * alarms.onFunction('SyncToJira', worker, 'Error groups are not reaching Jira');
 * alarms.onQueueAge('BacktraceEvents', queue, WORK_QUEUE_MAX_AGE, 'The sync-to-jira worker is not keeping up');
 */
export class BridgeAlarms extends Construct {
  readonly topic: Topic;
  readonly topics: readonly ITopic[];
  /** Every alarm of the stack, in the order made. */
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: BridgeAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(scope, 'AlarmTopic', { displayName: 'Backtrace-Jira bridge alarms', enforceSSL: true });
    for (const email of new Set(props.emails)) this.topic.addSubscription(new EmailSubscription(email));
    this.topics = [this.topic, ...(props.extraTopics ?? [])];
  }

  /** Send `alarm` to the alarm topics on alarm and on OK. */
  notify(alarm: Alarm): Alarm {
    for (const topic of this.topics) {
      alarm.addAlarmAction(new SnsAction(topic));
      alarm.addOkAction(new SnsAction(topic));
    }
    if (!this.alarms.includes(alarm)) this.alarms.push(alarm);
    return alarm;
  }

  /** An alarm on `metric` reaching `threshold` in one period, quiet when there is no data. */
  atLeast(id: string, metric: IMetric, threshold: number, description: string): Alarm {
    return this.notify(
      new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** Errors (an invocation that threw) and throttles (an invocation Lambda refused) of `fn`, each over 5 minutes. */
  onFunction(name: string, fn: IFunction, whatFails: string): void {
    const period = Duration.minutes(5);
    this.atLeast(`${name}Errors`, fn.metricErrors({ period, statistic: Stats.SUM }), 1, `${name} failed (Lambda Errors >= 1 in 5 min): ${whatFails}. Its log group says why.`);
    this.atLeast(
      `${name}Throttles`,
      fn.metricThrottles({ period, statistic: Stats.SUM }),
      1,
      `${name} was throttled (Lambda Throttles >= 1 in 5 min): the account's or function's concurrency is exhausted; raise the account's Lambda concurrency quota or find what floods it.`,
    );
  }

  /** The oldest message of `queue` older than `maxAge` (checked each 5 minutes). */
  onQueueAge(name: string, queue: IQueue, maxAge: Duration, description: string): Alarm {
    const metric = queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: Stats.MAXIMUM });
    return this.atLeast(`${name}OldestMessageAge`, metric, maxAge.toSeconds(), `${description} (oldest message older than ${maxAge.toHumanString()})`);
  }

  /** Answers of 5xx from the HTTP API: only an outage of SQS or DynamoDB (or a misconfiguration) answers 5xx. */
  onApiServerErrors(api: HttpApi): Alarm {
    return this.atLeast(
      'Api5xx',
      api.metricServerError({ period: Duration.minutes(5), statistic: Stats.SUM }),
      1,
      'The HTTP API answered 5xx (>= 1 in 5 min): Jira retries its deliveries, Backtrace may not; check the ingest and webhook functions\' logs for an SQS, DynamoDB or Secrets Manager outage or a misconfiguration.',
    );
  }

  /** EventBridge could not invoke the target of `rule` (throttled, or the function is gone). */
  onFailedInvocations(name: string, rule: Rule, description: string): Alarm {
    const metric = new Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: rule.ruleName }, period: Duration.minutes(5), statistic: Stats.SUM });
    return this.atLeast(`${name}FailedInvocations`, metric, 1, description);
  }
}
