/**
 * What an operator relies on once the stack is deployed: alarms that reach someone (one topic, on every alarm), what
 * is alarmed on, the dashboard, X-Ray tracing and its switch, per-route throttling, and the optional WAF web ACL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { BridgeStack, type BridgeStackProps } from '../../infra/bridge-stack.ts';
import { ConfigError, parseConfig } from '../../shared/domain/config/index.ts';
import { METRIC_NAMES } from '../../shared/ports/metrics.ts';
import { configDocument, integrationDocument, twoWaySync } from './bridge-config.factory.ts';

type Resource = { Type: string; Properties: Record<string, any> };

const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

function buildStack(document: Record<string, unknown>, props: Partial<BridgeStackProps> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'bridge-ops-'));
  outdirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new BridgeStack(app, 'OpsBridge', { config: parseConfig(document, 'test config'), ...props });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: BridgeStack, construct: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** Every function of the stack: a two-way integration polls, so the poller is there too. */
const fullDocument = (settings: Record<string, unknown> = {}) => configDocument({ settings, integrations: [integrationDocument('jira-prod', twoWaySync('jira-prod'))] });

const alarmsOf = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
const topicIdOf = (template: Template) => {
  const ids = Object.keys(template.findResources('AWS::SNS::Topic'));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

/** `<namespace> <metric> <logical id or name of what it watches>` for each alarm. */
function watched(alarm: Resource): string {
  const { Namespace, MetricName, Dimensions } = alarm.Properties;
  const value = Dimensions[0].Value;
  const target = typeof value === 'string' ? value : (value.Ref ?? value['Fn::GetAtt']?.[0]);
  return `${Namespace} ${MetricName} ${target}`;
}

describe('Alarms', () => {
  it('always creates one SSL-only alarm topic, with no subscription when no address is given', () => {
    // Act
    const { template } = buildStack(configDocument());

    // Assess
    const topicId = topicIdOf(template);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(template.toJSON().Outputs.AlarmTopicArn.Value).toEqual({ Ref: topicId });
  });

  it.each<[string, Record<string, unknown>, Partial<BridgeStackProps>, string[]]>([
    ['settings.alarmEmail', { alarmEmail: 'ops@acme.com' }, {}, ['ops@acme.com']],
    ['the alarmEmail context (-c alarmEmail=...)', {}, { alarmEmail: 'oncall@acme.com' }, ['oncall@acme.com']],
    ['both, when they differ', { alarmEmail: 'ops@acme.com' }, { alarmEmail: 'oncall@acme.com' }, ['oncall@acme.com', 'ops@acme.com']],
    ['both, when they are the same address (once)', { alarmEmail: 'ops@acme.com' }, { alarmEmail: 'ops@acme.com' }, ['ops@acme.com']],
  ])('subscribes the address of %s to the alarm topic by e-mail', (_case, settings, props, expected) => {
    // Act
    const { template } = buildStack(configDocument({ settings }), props);

    // Assess
    const topicId = topicIdOf(template);
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')) as Resource[];
    expect(subscriptions.map((subscription) => subscription.Properties.Endpoint).sort()).toEqual(expected);
    for (const subscription of subscriptions) expect(subscription.Properties).toMatchObject({ Protocol: 'email', TopicArn: { Ref: topicId } });
  });

  it('refuses a settings.alarmEmail that is not an e-mail address, naming the setting', () => {
    // Act
    const parse = () => parseConfig(configDocument({ settings: { alarmEmail: 'ops at acme' } }), 'test config');

    // Assess
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/settings\.alarmEmail.*e-mail address/);
  });

  it('sends every alarm to the alarm topic when it fires and when it clears, and to an existing topic when one is given', () => {
    // Prepare
    const alarmTopicArn = 'arn:aws:sns:eu-west-1:123456789012:ops-alerts';

    // Act
    const plain = buildStack(fullDocument()).template;
    const withExisting = buildStack(fullDocument(), { alarmTopicArn }).template;

    // Assess
    const topicId = topicIdOf(plain);
    expect(alarmsOf(plain).length).toBeGreaterThan(10);
    for (const alarm of alarmsOf(plain)) expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }], AlarmDescription: expect.any(String) });
    const existingTopicId = topicIdOf(withExisting);
    for (const alarm of alarmsOf(withExisting)) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: existingTopicId }, alarmTopicArn], OKActions: [{ Ref: existingTopicId }, alarmTopicArn] });
    }
  });

  it("alarms on each DLQ's depth, each queue's oldest-message age, each function's errors and throttles, the API's 5xx and the poll schedule's failed invocations", () => {
    // Act
    const { stack, template } = buildStack(fullDocument());

    // Assess
    const id = (construct: { node: { defaultChild?: unknown } }) => logicalId(stack, construct);
    const queues = [stack.backtraceEvents, stack.jiraChanges];
    const functions = [stack.ingestFunction, stack.receiveJiraWebhookFunction, stack.backtraceEvents.worker, stack.jiraChanges.worker, stack.pollFunction!];
    const [pollRule] = Object.keys(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }));
    expect(alarmsOf(template).map(watched).sort()).toEqual(
      [
        ...queues.map((pipeline) => `AWS/SQS ApproximateNumberOfMessagesVisible ${id(pipeline.deadLetterQueue)}`),
        ...queues.flatMap((pipeline) => [pipeline.queue, pipeline.deadLetterQueue].map((queue) => `AWS/SQS ApproximateAgeOfOldestMessage ${id(queue)}`)),
        ...functions.flatMap((fn) => [`AWS/Lambda Errors ${id(fn)}`, `AWS/Lambda Throttles ${id(fn)}`]),
        `AWS/ApiGateway 5xx ${id(stack.api)}`,
        `AWS/Events FailedInvocations ${pollRule}`,
      ].sort(),
    );
  });

  it('says in each alarm what failed and what to do, with thresholds an operator can act on', () => {
    // Act
    const { stack, template } = buildStack(fullDocument());

    // Assess
    const byWatched = new Map(alarmsOf(template).map((alarm) => [watched(alarm), alarm.Properties]));
    const queueAge = byWatched.get(`AWS/SQS ApproximateAgeOfOldestMessage ${logicalId(stack, stack.backtraceEvents.queue)}`);
    expect(queueAge).toMatchObject({ Threshold: 30 * 60, Statistic: 'Maximum', AlarmDescription: expect.stringContaining('sync-to-jira is not taking them') });
    const deadLetterAge = byWatched.get(`AWS/SQS ApproximateAgeOfOldestMessage ${logicalId(stack, stack.jiraChanges.deadLetterQueue)}`);
    expect(deadLetterAge).toMatchObject({ Threshold: 10 * 24 * 3600, AlarmDescription: expect.stringMatching(/deletes it at 14.*redrive/) });
    const pollErrors = byWatched.get(`AWS/Lambda Errors ${logicalId(stack, stack.pollFunction!)}`);
    expect(pollErrors).toMatchObject({ Threshold: 1, Period: 300, Statistic: 'Sum', TreatMissingData: 'notBreaching', AlarmDescription: expect.stringContaining('poll of Backtrace failed') });
    expect(byWatched.get(`AWS/ApiGateway 5xx ${logicalId(stack, stack.api)}`)).toMatchObject({ Threshold: 1, Statistic: 'Sum' });
  });
});

describe('Dashboard', () => {
  it("shows the bridge's metrics, queue depths and ages, function errors, throttles and p95 durations, and the API's answers", () => {
    // Act
    const { stack, template } = buildStack(fullDocument());

    // Assess
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBe('OpsBridge');
    // The body is a JSON document joined with the resources' tokens: its text, with {"Ref": ...} pieces inline.
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    // Plain and split metrics by name; the error classes through a SEARCH, so every class that occurs is drawn.
    for (const name of METRIC_NAMES.filter((name) => !name.endsWith('Errors'))) expect(body).toContain(`\\"BacktraceJiraBridge\\",\\"${name}\\"`);
    for (const system of ['Jira', 'Backtrace']) expect(body).toContain(`SEARCH('{BacktraceJiraBridge,errorClass,service} MetricName=\\\\\\"${system}Errors`);
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', 'Errors', 'Throttles', 'Duration', '5xx', '4xx']) expect(body).toContain(`\\"${metric}\\"`);
    expect(body).toContain('\\"stat\\":\\"p95\\"');
    const functions = [stack.ingestFunction, stack.receiveJiraWebhookFunction, stack.backtraceEvents.worker, stack.jiraChanges.worker, stack.pollFunction!];
    for (const fn of functions) expect(body).toContain(`{"Ref":"${logicalId(stack, fn)}"}`);
    for (const queue of [stack.backtraceEvents.queue, stack.backtraceEvents.deadLetterQueue, stack.jiraChanges.queue, stack.jiraChanges.deadLetterQueue]) {
      expect(body).toContain(`{"Fn::GetAtt":["${logicalId(stack, queue)}","QueueName"]}`);
    }
    expect(template.toJSON().Outputs.DashboardName.Value).toEqual({ Ref: Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))[0] });
  });
});

describe('Tracing', () => {
  it('traces every function with X-Ray (active), and the only actions on "*" are X-Ray\'s two write actions', () => {
    // Act
    const { template } = buildStack(fullDocument());

    // Assess
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    expect(functions).toHaveLength(5);
    for (const fn of functions) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    const onStar = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((statement) => statement.Resource === '*');
    expect(onStar).toHaveLength(5);
    for (const statement of onStar) expect([statement.Action].flat().sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it.each<[string, Record<string, unknown>, Partial<BridgeStackProps>, boolean]>([
    ['settings.tracing false', { tracing: false }, {}, false],
    ['the tracing context false (-c tracing=false), over settings.tracing true', { tracing: true }, { tracing: false }, false],
    ['the tracing context true, over settings.tracing false', { tracing: false }, { tracing: true }, true],
  ])('follows %s', (_case, settings, props, traced) => {
    // Act
    const { template } = buildStack(fullDocument(settings), props);

    // Assess
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    for (const fn of functions) expect(fn.Properties.TracingConfig?.Mode === 'Active').toBe(traced);
    const xray = JSON.stringify(template.findResources('AWS::IAM::Policy')).includes('xray:PutTraceSegments');
    expect(xray).toBe(traced);
  });
});

describe('Throttling', () => {
  const routeSettings = (template: Template) => (Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as Resource[])[0]!.Properties.RouteSettings;

  it('gives each route its own limits, 50 requests/s with bursts of 100 by default', () => {
    // Act
    const { template } = buildStack(configDocument());

    // Assess
    expect(routeSettings(template)).toEqual({
      'POST /backtrace/events': { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      'POST /jira/webhook': { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 500 },
    });
  });

  it('takes each route\'s limits from settings.throttling', () => {
    // Prepare
    const throttling = { backtraceEvents: { rateLimit: 20, burstLimit: 40 }, jiraWebhooks: { rateLimit: 5 } };

    // Act
    const { template } = buildStack(configDocument({ settings: { throttling } }));

    // Assess
    expect(routeSettings(template)).toEqual({
      'POST /backtrace/events': { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      'POST /jira/webhook': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 500 },
    });
  });

  it.each([
    [{ backtraceEvents: { rateLimit: 0 } }, /settings\.throttling\.backtraceEvents\.rateLimit/],
    [{ jiraWebhooks: { burstLimit: 1.5 } }, /settings\.throttling\.jiraWebhooks\.burstLimit/],
    [{ jiraWebhook: {} }, /settings\.throttling.*jiraWebhook/],
  ])('refuses settings.throttling %j, naming the path', (throttling, path) => {
    // Act
    const parse = () => parseConfig(configDocument({ settings: { throttling } }), 'test config');

    // Assess
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(path);
  });
});

describe('WAF', () => {
  it('creates no web ACL by default', () => {
    // Act
    const { template } = buildStack(configDocument());

    // Assess
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(template.toJSON().Outputs).not.toHaveProperty('WebAclArn');
  });

  it('with settings.waf.enabled, creates a regional web ACL blocking an IP over its 5-minute budget, outputs it and says it cannot attach to the HTTP API', () => {
    // Act
    const { stack, template } = buildStack(configDocument({ settings: { waf: { enabled: true, requestsPer5MinutesPerIp: 300 } } }));

    // Assess
    const acls = Object.entries(template.findResources('AWS::WAFv2::WebACL')) as [string, Resource][];
    expect(acls).toHaveLength(1);
    expect(acls[0]![1].Properties).toMatchObject({
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [{ Name: 'RateLimitPerIp', Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 300, AggregateKeyType: 'IP' } } }],
    });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    expect(template.toJSON().Outputs.WebAclArn.Value).toEqual({ 'Fn::GetAtt': [acls[0]![0], 'Arn'] });
    Annotations.fromStack(stack).hasWarning('/OpsBridge', Match.stringLikeRegexp('WAF cannot be attached to an HTTP API'));
  });
});
