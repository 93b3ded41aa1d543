import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { BridgeStack, type BridgeStackProps } from '../../infra/bridge-stack.ts';
import { parseConfig } from '../../shared/domain/config/index.ts';
import { configDocument, integrationDocument, twoWaySync } from './bridge-config.factory.ts';

type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

/** Build the stack like `cdk synth` does, minus esbuild (bundling off) and the CloudFormation validator. */
function buildStack(document: Record<string, unknown>, props: Partial<BridgeStackProps> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'bridge-stack-'));
  outdirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new BridgeStack(app, 'TestBridge', { config: parseConfig(document, 'test config'), ...props });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: BridgeStack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** All IAM statements the execution role of `fn` carries. */
function statementsOf(stack: BridgeStack, template: Template, fn: BridgeStack['ingestFunction']): Statement[] {
  const roleId = logicalId(stack, fn.role as unknown as { node: { defaultChild?: unknown } });
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statements: Statement[], service: string): string[] =>
  statements
    .flatMap((statement) => [statement.Action].flat())
    .filter((action) => action.startsWith(`${service}:`))
    .sort();

/** One two-way integration, the shape every function of the stack has work for. */
const twoWayDocument = () => configDocument({ integrations: [integrationDocument('jira-prod', twoWaySync('jira-prod'))] });

/** Secret names a set of statements may read, from the `...:secret:<name>-??????` ARNs fromSecretNameV2 produces. */
function readableSecretNames(statements: Statement[]): string[] {
  return statements
    .filter((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'))
    .map((statement) => /:secret:([^"]+)-\?\?\?\?\?\?/.exec(JSON.stringify(statement.Resource))?.[1] ?? `unexpected ${JSON.stringify(statement.Resource)}`)
    .sort();
}

describe('Class: BridgeStack', () => {
  describe('HTTP API', () => {
    it('routes POST /backtrace/events to the ingest function and POST /jira/webhook to the Jira webhook receiver, nothing else', () => {
      // Prepare
      const { stack, template } = buildStack(configDocument());

      // Act
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
      const integrations = template.findResources('AWS::ApiGatewayV2::Integration');

      // Assess
      const targets = Object.fromEntries(
        routes.map((route) => {
          // Target: { 'Fn::Join': ['', ['integrations/', { Ref: <integration id> }]] }
          const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
          return [route.Properties.RouteKey as string, integrations[integrationId]?.Properties];
        }),
      );
      expect(Object.keys(targets).sort()).toEqual(['POST /backtrace/events', 'POST /jira/webhook']);
      expect(targets['POST /backtrace/events']).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { 'Fn::GetAtt': [logicalId(stack, stack.ingestFunction), 'Arn'] },
      });
      expect(targets['POST /jira/webhook']).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { 'Fn::GetAtt': [logicalId(stack, stack.receiveJiraWebhookFunction), 'Arn'] },
      });
    });

    it('throttles the $default stage and writes access logs to a log group with a retention', () => {
      // Prepare
      const { stack, template } = buildStack(configDocument());

      // Act
      const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));

      // Assess
      expect(stages).toHaveLength(1);
      expect(stages[0].Properties).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 600, ThrottlingBurstLimit: 1500 },
        AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [expect.stringMatching(/^ApiAccessLogs/), 'Arn'] } },
      });
      const format = JSON.parse(stages[0].Properties.AccessLogSettings.Format as string) as Record<string, string>;
      expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
      // Basic credentials travel in a header and a Jira webhook's token in the query string: neither may be logged.
      for (const variable of Object.values(format)) expect(variable).not.toMatch(/header|querystring|\$request\.|\$context\.path/i);
      const logGroupId = stages[0].Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0] as string;
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
      expect(stack.api.stage.url).toContain('execute-api');
    });

    it('applies a custom throttle', () => {
      // Prepare
      const document = configDocument();

      // Act
      const { template } = buildStack(document, { throttle: { rateLimit: 5, burstLimit: 10 } });

      // Assess
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      });
    });
  });

  describe('Queues', () => {
    it('redrives a message of either queue to its own dead-letter queue after settings.maxReceiveCount receives', () => {
      // Prepare
      const document = configDocument({ settings: { maxReceiveCount: 7 } });

      // Act
      const { stack, template } = buildStack(document);

      // Assess
      const resources = template.toJSON().Resources as Record<string, Resource>;
      for (const [queue, deadLetterQueue] of [
        [stack.backtraceEvents.queue, stack.backtraceEvents.deadLetterQueue],
        [stack.jiraChanges.queue, stack.jiraChanges.deadLetterQueue],
      ]) {
        expect(resources[logicalId(stack, queue)].Properties).toMatchObject({
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack, deadLetterQueue), 'Arn'] }, maxReceiveCount: 7 },
          SqsManagedSseEnabled: true,
        });
        expect(resources[logicalId(stack, deadLetterQueue)].Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
        expect(resources[logicalId(stack, deadLetterQueue)].Properties).not.toHaveProperty('RedrivePolicy');
      }
      template.resourceCountIs('AWS::SQS::Queue', 4);
    });

    it('keeps each queue\'s visibility timeout at six times its consumer\'s timeout', () => {
      // Prepare
      const { stack, template } = buildStack(configDocument());

      // Act
      const resources = template.toJSON().Resources as Record<string, Resource>;
      const timeouts = [
        [stack.backtraceEvents.worker, stack.backtraceEvents.queue],
        [stack.jiraChanges.worker, stack.jiraChanges.queue],
      ].map(([consumer, queue]) => ({
        consumer: resources[logicalId(stack, consumer)].Properties?.Timeout as number,
        visibility: resources[logicalId(stack, queue)].Properties?.VisibilityTimeout as number,
      }));

      // Assess
      for (const { consumer, visibility } of timeouts) {
        expect(consumer).toBeGreaterThanOrEqual(30);
        expect(visibility).toBe(6 * consumer);
      }
    });

    it('refuses plain-HTTP access to every queue', () => {
      // Prepare
      const { stack, template } = buildStack(configDocument());

      // Act
      const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));

      // Assess
      for (const queue of [stack.backtraceEvents.queue, stack.backtraceEvents.deadLetterQueue, stack.jiraChanges.queue, stack.jiraChanges.deadLetterQueue]) {
        const policy = policies.find((candidate) => JSON.stringify(candidate.Properties.Queues) === JSON.stringify([{ Ref: logicalId(stack, queue) }]));
        expect(policy?.Properties.PolicyDocument.Statement).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        );
      }
    });

    it('feeds each worker its own queue in batches of 10 that report partial batch failures, with bounded concurrency', () => {
      // Prepare
      const { stack, template } = buildStack(configDocument());

      // Act
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));

      // Assess
      const consumerOf = (queue: BridgeStack['backtraceEvents']['queue']) =>
        mappings.find((mapping) => mapping.Properties.EventSourceArn['Fn::GetAtt'][0] === logicalId(stack, queue))?.Properties;
      expect(mappings).toHaveLength(2);
      for (const [queue, worker] of [
        [stack.backtraceEvents.queue, stack.backtraceEvents.worker],
        [stack.jiraChanges.queue, stack.jiraChanges.worker],
      ] as const) {
        expect(consumerOf(queue)).toMatchObject({
          FunctionName: { Ref: logicalId(stack, worker) },
          BatchSize: 10,
          MaximumBatchingWindowInSeconds: 1,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          // One site at the default 25 new groups/s: ceil(25 x 2 s x 2 / 10 records) = 10.
          ScalingConfig: { MaximumConcurrency: 10 },
        });
      }
    });

    it.each([
      ['one site at 50 requests/s', { jira: { maxRequestsPerSecond: 50 } }, [undefined], 20],
      ['two integrations on one site share its pace (the higher ceiling counts)', {}, [undefined, 40], 16],
      ['two sites add up', { jira: { maxRequestsPerSecond: 100 } }, [undefined, undefined, 'https://other.atlassian.net/rest/api/2/'], 80],
      ['a slow site still gets the event source minimum of 2', { jira: { maxRequestsPerSecond: 1 } }, [undefined], 2],
    ] as const)('sizes both workers\' maximum concurrency to the Jira pace: %s', (_case, settings, integrations, expected) => {
      // Prepare
      const documents = integrations.map((override, index) => {
        const document = integrationDocument(`jira-${index}`);
        const jira = document.jira as Record<string, unknown>;
        jira.dedupeLabel = `bt${index}-{hash}`;
        if (typeof override === 'number') jira.maxRequestsPerSecond = override;
        if (typeof override === 'string') jira.apiUrl = override;
        return document;
      });
      const { template } = buildStack(configDocument({ settings, integrations: documents }));

      // Act
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));

      // Assess
      expect(mappings.map((mapping) => mapping.Properties.ScalingConfig)).toEqual([{ MaximumConcurrency: expected }, { MaximumConcurrency: expected }]);
    });
  });

  describe('Functions', () => {
    it('runs every function on nodejs22.x and arm64 with JSON logs in its own log group', () => {
      // Prepare
      const { template } = buildStack(configDocument());

      // Act
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));

      // Assess: ingest, sync-to-jira, receive-jira-webhook, sync-to-backtrace
      expect(functions).toHaveLength(4);
      for (const fn of functions) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
        });
        expect(fn.Properties.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'backtrace-jira-bridge' });
        // Source maps are uploaded, but Node reads them only when asked: the flag costs cold start.
        expect(fn.Properties.Environment.Variables).not.toHaveProperty('NODE_OPTIONS');
      }
    });

    it.each([
      ['true', true],
      [true, true],
      ['false', false],
      [false, false],
    ])('starts every function with --enable-source-maps only when the enableSourceMaps context is true (given %j)', (value, enabled) => {
      // Prepare
      const outdir = mkdtempSync(join(tmpdir(), 'bridge-stack-'));
      outdirs.push(outdir);
      const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [], enableSourceMaps: value } });
      const document = configDocument();

      // Act
      const stack = new BridgeStack(app, 'TestBridge', { config: parseConfig(document, 'test config') });
      const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));

      // Assess
      expect(functions).toHaveLength(4);
      for (const fn of functions) {
        expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe(enabled ? '--enable-source-maps' : undefined);
      }
    });

    it('refuses an enableSourceMaps context that is not true or false, naming the key', () => {
      // Prepare
      const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [], enableSourceMaps: 'yes' } });
      const document = configDocument();

      // Act
      const build = () => new BridgeStack(app, 'TestBridge', { config: parseConfig(document, 'test config') });

      // Assess
      expect(build).toThrow('context "enableSourceMaps" must be true or false, got "yes"');
    });

    it('tells each function the queue it sends to or consumes and, where it needs it, the links table', () => {
      // Prepare
      const { stack, template } = buildStack(configDocument());

      // Act
      // Without the variables every BridgeFunction carries (NODE_OPTIONS, POWERTOOLS_*), tested above.
      const variablesOf = (fn: BridgeStack['ingestFunction']) =>
        Object.fromEntries(
          Object.entries(template.toJSON().Resources[logicalId(stack, fn)].Properties.Environment.Variables as Record<string, unknown>).filter(
            ([name]) => name !== 'NODE_OPTIONS' && !name.startsWith('POWERTOOLS_'),
          ),
        );

      // Assess
      const eventsQueueUrl = { Ref: logicalId(stack, stack.backtraceEvents.queue) };
      const jiraChangesQueueUrl = { Ref: logicalId(stack, stack.jiraChanges.queue) };
      const tableName = { Ref: logicalId(stack, stack.linksTable) };
      expect(variablesOf(stack.ingestFunction)).toEqual({ EVENTS_QUEUE_URL: eventsQueueUrl });
      expect(variablesOf(stack.backtraceEvents.worker)).toEqual({ EVENTS_QUEUE_URL: eventsQueueUrl, LINKS_TABLE_NAME: tableName });
      expect(variablesOf(stack.receiveJiraWebhookFunction)).toEqual({ JIRA_CHANGES_QUEUE_URL: jiraChangesQueueUrl, LINKS_TABLE_NAME: tableName });
      expect(variablesOf(stack.jiraChanges.worker)).toEqual({ JIRA_CHANGES_QUEUE_URL: jiraChangesQueueUrl, LINKS_TABLE_NAME: tableName });
    });

    it('keeps secrets and the config out of the environment', () => {
      // Prepare
      const { template } = buildStack(twoWayDocument());

      // Act
      const variables = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => JSON.stringify(fn.Properties.Environment));

      // Assess
      for (const text of variables) {
        expect(text).not.toContain('BRIDGE_CONFIG');
        expect(text).not.toContain('jira-prod');
      }
    });
  });

  describe('Links table', () => {
    it('keys items by pk/sk, indexes links by issueId, expires items by expiresAt, bills on demand, keeps point-in-time recovery and survives stack deletion', () => {
      // Prepare
      const { template } = buildStack(configDocument());

      // Act
      const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));

      // Assess
      expect(tables).toHaveLength(1);
      const [table] = tables as (Resource & { DeletionPolicy?: string; UpdateReplacePolicy?: string })[];
      expect(table.Properties).toMatchObject({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: expect.arrayContaining([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'issueId', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: [
          { IndexName: 'byIssueId', KeySchema: [{ AttributeName: 'issueId', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
        ],
        // Webhook delivery ids recorded for deduplication carry it (epoch seconds); DynamoDB deletes them after.
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    });
  });

  describe('IAM', () => {
    it('lets ingest send to the events queue and read the Basic credentials, nothing else (no Jira webhook secret)', () => {
      // Prepare
      const { stack, template } = buildStack(twoWayDocument());

      // Act
      const statements = statementsOf(stack, template, stack.ingestFunction);

      // Assess
      expect(actionsOf(statements, 'sqs')).toEqual(['sqs:SendMessage']);
      expect(statements.find((statement) => statement.Action === 'sqs:SendMessage')?.Resource).toEqual({
        'Fn::GetAtt': [logicalId(stack, stack.backtraceEvents.queue), 'Arn'],
      });
      expect(actionsOf(statements, 'dynamodb')).toEqual([]);
      expect(readableSecretNames(statements)).toEqual(['jira-prod/webhook-basic-auth']);
    });

    it('lets sync-to-jira consume its queue, read and write links without scanning or deleting, and read Jira and Backtrace secrets only', () => {
      // Prepare
      const { stack, template } = buildStack(twoWayDocument());

      // Act
      const statements = statementsOf(stack, template, stack.backtraceEvents.worker);

      // Assess
      expect(actionsOf(statements, 'sqs')).toEqual(
        ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'].sort(),
      );
      // SendMessage (to re-enqueue a message waiting for another worker's claim) included: its own queue only.
      for (const statement of statements.filter((candidate) => actionsOf([candidate], 'sqs').length > 0)) {
        expect(statement.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.backtraceEvents.queue), 'Arn'] });
      }
      const dynamodb = actionsOf(statements, 'dynamodb');
      expect(dynamodb).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
      for (const forbidden of ['dynamodb:Scan', 'dynamodb:DeleteTable', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:*']) {
        expect(dynamodb).not.toContain(forbidden);
      }
      const tableArn = { 'Fn::GetAtt': [logicalId(stack, stack.linksTable), 'Arn'] };
      const dynamoResources = statements.filter((s) => actionsOf([s], 'dynamodb').length > 0).map((s) => s.Resource);
      expect(dynamoResources).toEqual([tableArn, { 'Fn::Join': ['', [tableArn, '/index/byIssueId']] }]);
      expect(readableSecretNames(statements)).toEqual(['jira-prod/backtrace-token', 'jira-prod/jira-api-token']);
    });

    it('lets the Jira webhook receiver queue changes, record, check and forget delivery ids only, and read the webhook secret only', () => {
      // Prepare
      const { stack, template } = buildStack(twoWayDocument());

      // Act
      const statements = statementsOf(stack, template, stack.receiveJiraWebhookFunction);

      // Assess
      const sqs = statements.filter((statement) => actionsOf([statement], 'sqs').length > 0);
      expect(actionsOf(sqs, 'sqs')).toEqual(['sqs:SendMessage']);
      expect(sqs.map((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [logicalId(stack, stack.jiraChanges.queue), 'Arn'] }]);
      const dynamodb = statements.filter((statement) => actionsOf([statement], 'dynamodb').length > 0);
      expect(actionsOf(dynamodb, 'dynamodb')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
      // The function facing the internet cannot read, overwrite or delete a link: only items keyed DELIVERY#<id>.
      expect(dynamodb).toEqual([
        expect.objectContaining({
          Resource: { 'Fn::GetAtt': [logicalId(stack, stack.linksTable), 'Arn'] },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DELIVERY#*'] } },
        }),
      ]);
      expect(readableSecretNames(statements)).toEqual(['jira-prod/jira-webhook-secret']);
    });

    it('lets sync-to-backtrace consume jira-changes, read, write and delete links, and read Jira and Backtrace secrets only', () => {
      // Prepare
      const { stack, template } = buildStack(twoWayDocument());

      // Act
      const statements = statementsOf(stack, template, stack.jiraChanges.worker);

      // Assess
      const sqs = statements.filter((statement) => actionsOf([statement], 'sqs').length > 0);
      // What the event source needs, ChangeMessageVisibility included (retry delays), and SendMessage to its own
      // queue only: a change waiting for a Jira slot is re-enqueued with a delay.
      expect(actionsOf(sqs, 'sqs')).toEqual(
        ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'].sort(),
      );
      for (const statement of sqs) expect(statement.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.jiraChanges.queue), 'Arn'] });
      const tableArn = { 'Fn::GetAtt': [logicalId(stack, stack.linksTable), 'Arn'] };
      const dynamodb = statements
        .filter((statement) => actionsOf([statement], 'dynamodb').length > 0)
        .map((statement) => ({ actions: actionsOf([statement], 'dynamodb'), resource: statement.Resource }));
      expect(dynamodb).toEqual([
        {
          actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          resource: tableArn,
        },
        { actions: ['dynamodb:Query'], resource: { 'Fn::Join': ['', [tableArn, '/index/byIssueId']] } },
      ]);
      expect(readableSecretNames(statements)).toEqual(['jira-prod/backtrace-token', 'jira-prod/jira-api-token']);
    });

    it('spreads the secrets of several integrations over the functions, each secret once, webhook secrets to the receiver alone', () => {
      // Prepare
      const document = configDocument({
        integrations: [
          integrationDocument('cloud', twoWaySync('cloud')),
          integrationDocument('dc-pat', {
            backtrace: { url: 'https://acme.sp.backtrace.io', universe: 'acme', project: 'tools', tokenSecret: 'shared/backtrace-token' },
            jira: { apiUrl: 'https://jira.acme.com/jira/rest/api/2/', auth: { type: 'pat', tokenSecret: 'dc/pat' }, projectKey: 'TOOLS', subject: '$fingerprint' },
            ...twoWaySync('dc-pat', 'query-token'),
          }),
          integrationDocument('dc-oauth', {
            backtrace: { url: 'https://acme.sp.backtrace.io', universe: 'acme', project: 'server', tokenSecret: 'shared/backtrace-token' },
            jira: {
              apiUrl: 'https://jira.acme.com/jira/rest/api/2/',
              auth: { type: 'oauth1', consumerKey: 'bridge', privateKeySecret: 'dc/oauth-key', accessTokenSecret: 'dc/oauth-token' },
              projectKey: 'SRV',
              subject: '$fingerprint',
            },
          }),
          integrationDocument('legacy', {
            jira: { apiUrl: 'https://old.acme.com/rest/api/2', auth: { type: 'password', username: 'bot', passwordSecret: 'legacy/password' }, projectKey: 'OLD', subject: 'x' },
          }),
        ],
      });

      // Act
      const { stack, template } = buildStack(document);

      // Assess
      expect(readableSecretNames(statementsOf(stack, template, stack.backtraceEvents.worker))).toEqual([
        'cloud/backtrace-token',
        'cloud/jira-api-token',
        'dc/oauth-key',
        'dc/oauth-token',
        'dc/pat',
        'legacy/backtrace-token',
        'legacy/password',
        'shared/backtrace-token',
      ]);
      expect(readableSecretNames(statementsOf(stack, template, stack.ingestFunction))).toEqual([
        'cloud/webhook-basic-auth',
        'dc-oauth/webhook-basic-auth',
        'dc-pat/webhook-basic-auth',
        'legacy/webhook-basic-auth',
      ]);
      expect(readableSecretNames(statementsOf(stack, template, stack.receiveJiraWebhookFunction))).toEqual([
        'cloud/jira-webhook-secret',
        'dc-pat/jira-webhook-secret',
      ]);
      // Jira -> Backtrace changes are queued only for integrations whose webhook secret verified them.
      expect(readableSecretNames(statementsOf(stack, template, stack.jiraChanges.worker))).toEqual([
        'cloud/backtrace-token',
        'cloud/jira-api-token',
        'dc/pat',
        'shared/backtrace-token',
      ]);
    });

    it('lets the receiver read no secret when no integration has a Jira webhook', () => {
      // Prepare
      const document = configDocument();

      // Act
      const { stack, template } = buildStack(document);

      // Assess
      expect(readableSecretNames(statementsOf(stack, template, stack.receiveJiraWebhookFunction))).toEqual([]);
      expect(readableSecretNames(statementsOf(stack, template, stack.jiraChanges.worker))).toEqual([]);
    });

    it('grants no DynamoDB, SQS or Secrets Manager action on a wildcard resource, and attaches no managed policy', () => {
      // Prepare
      const { template } = buildStack(
        configDocument({ settings: { eventBusName: 'backtrace' }, integrations: [integrationDocument('jira-prod', twoWaySync('jira-prod'))] }),
        { alarmEmail: 'ops@acme.com' },
      );

      // Act
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
      );
      const roles = Object.values(template.findResources('AWS::IAM::Role'));

      // Assess
      const scoped = statements.filter((statement) => ['dynamodb', 'sqs', 'secretsmanager'].some((service) => actionsOf([statement], service).length > 0));
      expect(scoped.length).toBeGreaterThan(0);
      for (const statement of scoped) {
        expect(JSON.stringify(statement.Resource), JSON.stringify(statement)).not.toContain('*');
        expect(JSON.stringify(statement.Action)).not.toContain('*');
      }
      for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });
  });

  describe('EventBridge', () => {
    it('creates no rule when settings.eventBusName is not set', () => {
      // Prepare
      const document = configDocument();

      // Act
      const { template } = buildStack(document);

      // Assess
      template.resourceCountIs('AWS::Events::Rule', 0);
    });

    it('queues "Backtrace Error Group" events from the configured bus, with undeliverable events in the DLQ', () => {
      // Prepare
      const document = configDocument({ settings: { eventBusName: 'backtrace-events' } });

      // Act
      const { stack, template } = buildStack(document);

      // Assess
      template.resourceCountIs('AWS::Events::Rule', 1);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: 'backtrace-events',
        EventPattern: { 'detail-type': ['Backtrace Error Group'] },
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [logicalId(stack, stack.backtraceEvents.queue), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack, stack.backtraceEvents.deadLetterQueue), 'Arn'] } },
          }),
        ],
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(stack, stack.backtraceEvents.queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: Match.arrayWith(['sqs:SendMessage']) }),
          ]),
        },
      });
    });

    it('queues each event as the bridge\'s own group message, not as the EventBridge envelope', () => {
      // Prepare
      const { template } = buildStack(configDocument({ settings: { eventBusName: 'backtrace-events' } }));
      const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
      const event = {
        'detail-type': 'Backtrace Error Group',
        time: '2026-12-01T10:00:00Z',
        detail: { fingerprint: '8910551e', universe: 'acme', project: 'game', attributes: { 'error.message': 'a "quoted" crash' } },
      };

      // Act
      const { InputTransformer: transformer, ...target } = rule.Properties.Targets[0] as Record<string, any>;
      // What EventBridge puts on the queue: each unquoted placeholder replaced by the JSON value at its path.
      const paths = transformer.InputPathsMap as Record<string, string>;
      const message = JSON.parse(
        (transformer.InputTemplate as string).replace(/<([\w-]+)>/g, (_, key: string) => JSON.stringify((event as Record<string, unknown>)[paths[key].replace(/^\$\./, '')])),
      );

      // Assess
      expect(transformer.InputTemplate).toBe('{"kind":"backtrace.group","group":<detail>,"receivedAt":<time>}');
      expect(paths).toEqual({ detail: '$.detail', time: '$.time' });
      expect(target).not.toHaveProperty('Input');
      expect(target).not.toHaveProperty('InputPath');
      expect(message).toEqual({ kind: 'backtrace.group', group: event.detail, receivedAt: '2026-12-01T10:00:00Z' });
    });

    it('accepts the bus as an ARN', () => {
      // Prepare
      const arn = 'arn:aws:events:eu-west-1:123456789012:event-bus/backtrace';

      // Act
      const { template } = buildStack(configDocument({ settings: { eventBusName: arn } }));

      // Assess
      template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'backtrace' });
    });
  });

  describe('Dead-letter alarms', () => {
    /** The alarms on a dead-letter queue's depth (the stack has more: test/infra/observability.test.ts). */
    const deadLetterAlarms = (template: Template) =>
      Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' } }));

    it('alarms as soon as one message is visible in either dead-letter queue', () => {
      // Prepare
      const { stack, template } = buildStack(configDocument());

      // Act
      const alarms = deadLetterAlarms(template);

      // Assess
      const watched = alarms.map((alarm) => alarm.Properties.Dimensions[0].Value['Fn::GetAtt'][0] as string).sort();
      expect(watched).toEqual([logicalId(stack, stack.backtraceEvents.deadLetterQueue), logicalId(stack, stack.jiraChanges.deadLetterQueue)].sort());
      for (const alarm of alarms) {
        expect(alarm.Properties).toMatchObject({
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.any(String), 'QueueName'] } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
        });
        expect(alarm.Properties.AlarmDescription).toMatch(/dead-letter queue.*redrive/);
      }
    });

    it('notifies an e-mail address of both alarms through the SSL-only alarm topic', () => {
      // Prepare
      const props = { alarmEmail: 'ops@acme.com' };

      // Act
      const { template } = buildStack(configDocument(), props);

      // Assess
      const topicIds = Object.keys(template.findResources('AWS::SNS::Topic'));
      expect(topicIds).toHaveLength(1);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@acme.com', TopicArn: { Ref: topicIds[0] } });
      const alarms = deadLetterAlarms(template);
      expect(alarms).toHaveLength(2);
      for (const alarm of alarms) expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: topicIds[0] }], OKActions: [{ Ref: topicIds[0] }] });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    it('notifies an existing topic of both alarms, besides the alarm topic', () => {
      // Prepare
      const alarmTopicArn = 'arn:aws:sns:eu-west-1:123456789012:ops-alerts';

      // Act
      const { template } = buildStack(configDocument(), { alarmTopicArn });

      // Assess
      const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
      const alarms = deadLetterAlarms(template);
      expect(alarms).toHaveLength(2);
      for (const alarm of alarms) expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: topicId }, alarmTopicArn], OKActions: [{ Ref: topicId }, alarmTopicArn] });
    });
  });

  describe('Outputs', () => {
    it('outputs both webhook URLs, the queue and DLQ names and the table name', () => {
      // Prepare
      const { stack, template } = buildStack(configDocument());

      // Act
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

      // Assess
      const apiUrl = (path: string) => ({
        'Fn::Join': ['', ['https://', { Ref: logicalId(stack, stack.api) }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, path]],
      });
      expect(outputs.BacktraceWebhookUrl.Value).toEqual(apiUrl('/backtrace/events'));
      expect(outputs.JiraWebhookUrl.Value).toEqual(apiUrl('/jira/webhook'));
      expect(outputs.EventsQueueName.Value).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.backtraceEvents.queue), 'QueueName'] });
      expect(outputs.DeadLetterQueueName.Value).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.backtraceEvents.deadLetterQueue), 'QueueName'] });
      expect(outputs.JiraChangesQueueName.Value).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.jiraChanges.queue), 'QueueName'] });
      expect(outputs.JiraChangesDeadLetterQueueName.Value).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.jiraChanges.deadLetterQueue), 'QueueName'] });
      expect(outputs.LinksTableName.Value).toEqual({ Ref: logicalId(stack, stack.linksTable) });
    });
  });

  describe('Logical ids', () => {
    it('keeps the logical ids of what a deploy over an existing stack must not replace', () => {
      // Prepare
      const { stack, template } = buildStack(configDocument());

      // Act
      const resources = template.toJSON().Resources as Record<string, Resource>;
      const ids = {
        linksTable: logicalId(stack, stack.linksTable),
        api: logicalId(stack, stack.api),
        stage: logicalId(stack, stack.api.stage),
        routes: Object.keys(template.findResources('AWS::ApiGatewayV2::Route')).sort(),
        eventsQueue: logicalId(stack, stack.backtraceEvents.queue),
        jiraChangesQueue: logicalId(stack, stack.jiraChanges.queue),
      };

      // Assess
      expect(ids).toEqual({
        // RETAINed and the only record of which Jira issue belongs to which fingerprint: a new id would orphan it.
        linksTable: 'Links5AE26E87',
        // A new API would be a new URL: every webhook configured in Backtrace and Jira would stop arriving.
        api: 'ApiF70053CD',
        // CloudFormation creates a renamed resource before deleting the old one, and an API cannot hold two
        // "$default" stages or two routes with the same key: the deploy would fail.
        stage: 'DefaultStageEE28A986',
        routes: ['ApiPOSTbacktraceevents70D062DA', 'ApiPOSTjirawebhookB6D7CCF2'],
        // Messages queued during the deploy stay where the workers read them.
        eventsQueue: 'BacktraceEvents6140DC11',
        jiraChangesQueue: 'JiraChanges97262B35',
      });
      expect(resources[ids.linksTable].Type).toBe('AWS::DynamoDB::Table');
      expect(resources[ids.api].Type).toBe('AWS::ApiGatewayV2::Api');
      expect(resources[ids.stage].Type).toBe('AWS::ApiGatewayV2::Stage');
      expect(resources[ids.eventsQueue].Type).toBe('AWS::SQS::Queue');
      expect(resources[ids.jiraChangesQueue].Type).toBe('AWS::SQS::Queue');
    });
  });

  describe('Config checks', () => {
    it('warns when a claim lease could expire while the worker is still running', () => {
      // Prepare
      const document = configDocument({ settings: { claimLeaseSeconds: 90 } });

      // Act
      const { stack } = buildStack(document);

      // Assess: 90 s outlives the 60 s worker, but not the worker plus Jira's search lag
      Annotations.fromStack(stack).hasWarning('/TestBridge', Match.stringLikeRegexp('settings.claimLeaseSeconds \\(90\\) is shorter than the worker timeout.*raise it to at least 120'));
    });

    it('does not warn with the default lease', () => {
      // Prepare
      const document = configDocument();

      // Act
      const { stack } = buildStack(document);

      // Assess
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('claimLeaseSeconds'))).toEqual([]);
    });
  });

  describe('Backtrace poller', () => {
    const backtraceOf = (name: string, poll?: Record<string, unknown>) => ({
      url: 'https://acme.sp.backtrace.io',
      universe: 'acme',
      project: name,
      tokenSecret: `${name}/backtrace-token`,
      ...(poll ? { poll } : {}),
    });

    it('creates no poller when no integration syncs (Backtrace changes have nowhere to go)', () => {
      // Act
      const { stack, template } = buildStack(configDocument());

      // Assess
      expect(stack.pollFunction).toBeUndefined();
      template.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: Match.anyValue() }, 0);
    });

    it('schedules one rule per distinct interval, naming its integrations in the input, rounded up to whole minutes', () => {
      // Prepare
      const document = configDocument({
        integrations: [
          integrationDocument('a', { ...twoWaySync('a'), backtrace: backtraceOf('a') }),
          integrationDocument('b', { sync: { mode: 'one-way' }, backtrace: backtraceOf('b', { intervalSeconds: 45 }) }),
          integrationDocument('c', { sync: { mode: 'one-way' }, backtrace: backtraceOf('c', { intervalSeconds: 300 }) }),
          integrationDocument('d', { backtrace: backtraceOf('d') }),
        ],
      });

      // Act
      const { stack, template } = buildStack(document);

      // Assess
      const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } })) as Resource[];
      const schedules = rules.map((rule) => ({ schedule: rule.Properties!.ScheduleExpression, input: JSON.parse(rule.Properties!.Targets[0].Input) })).sort((x, y) => x.schedule.localeCompare(y.schedule));
      expect(schedules).toEqual([
        { schedule: 'rate(1 minute)', input: { integrations: ['a', 'b'] } },
        { schedule: 'rate(5 minutes)', input: { integrations: ['c'] } },
      ]);
      for (const rule of rules) expect(rule.Properties!.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.pollFunction!), 'Arn'] });
    });

    it('says at synth that an interval under a minute, or not of whole minutes, runs every minute on AWS', () => {
      // Prepare
      const document = configDocument({ integrations: [integrationDocument('fast', { sync: { mode: 'one-way' }, backtrace: backtraceOf('fast', { intervalSeconds: 5 }) })] });

      // Act
      const { stack } = buildStack(document);

      // Assess
      Annotations.fromStack(stack).hasWarning(
        '/TestBridge',
        Match.stringLikeRegexp('integrations "fast": backtrace.poll.intervalSeconds is 5, but EventBridge schedules run in whole minutes.*every 1 minute \\(the local stack keeps 5 s\\)'),
      );
    });

    it('lets poll-backtrace list links and note disagreements (no put, no delete), queue changes on backtrace-events, and read the Backtrace secret only', () => {
      // Prepare
      const { stack, template } = buildStack(twoWayDocument());

      // Act
      const statements = statementsOf(stack, template, stack.pollFunction!);

      // Assess
      expect(actionsOf(statements, 'sqs')).toEqual(['sqs:SendMessage']);
      for (const statement of statements.filter((candidate) => actionsOf([candidate], 'sqs').length > 0)) {
        expect(statement.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.backtraceEvents.queue), 'Arn'] });
      }
      expect([...new Set(actionsOf(statements, 'dynamodb'))]).toEqual(['dynamodb:Query', 'dynamodb:UpdateItem']);
      expect(readableSecretNames(statements)).toEqual(['jira-prod/backtrace-token']);
    });
  });
});
