import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startLocalEngines, type LocalEngines } from '../../../infra/local/engines.ts';
import { startLocalEnginesInThread } from '../../../infra/local/engines-thread.ts';

describe('Function: startLocalEngines', () => {
  let engines: LocalEngines | undefined;
  const savedEnv = { ...process.env };

  afterEach(async () => {
    await engines?.stop();
    engines = undefined;
    process.env = { ...savedEnv };
  });

  it('creates the links table with the key schema, GSI and billing mode of the stack', async () => {
    // Prepare
    engines = await startLocalEngines({ linksTableName: 'bridge-links', queues: [] });
    const dynamodb = new DynamoDBClient(engines.clientConfig('dynamodb'));

    // Act
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'bridge-links' }));

    // Assess
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'issueId', AttributeType: 'S' },
      ]),
    );
    expect(Table?.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: 'byIssueId',
        IndexStatus: 'ACTIVE',
        KeySchema: [{ AttributeName: 'issueId', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      }),
    ]);
    dynamodb.destroy();
  });

  it('finds an item by issue id through the byIssueId index with the real DynamoDB client', async () => {
    // Prepare
    engines = await startLocalEngines({ linksTableName: 'links', queues: [] });
    const dynamodb = new DynamoDBClient(engines.clientConfig('dynamodb'));
    for (const [fingerprint, issueId] of [
      ['fp-1', '10001'],
      ['fp-2', '10002'],
    ]) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: 'links',
          Item: {
            pk: { S: `jira-main#${fingerprint}` },
            sk: { S: 'link' },
            issueId: { S: issueId },
            key: { S: `CRASH-${issueId}` },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    }

    // Act
    const { Items } = await dynamodb.send(
      new QueryCommand({
        TableName: 'links',
        IndexName: 'byIssueId',
        KeyConditionExpression: 'issueId = :issueId',
        ExpressionAttributeValues: { ':issueId': { S: '10002' } },
      }),
    );

    // Assess
    expect(Items).toEqual([
      { pk: { S: 'jira-main#fp-2' }, sk: { S: 'link' }, issueId: { S: '10002' }, key: { S: 'CRASH-10002' } },
    ]);
    dynamodb.destroy();
  });

  it('creates each queue with its visibility timeout and a redrive policy to its own DLQ', async () => {
    // Prepare
    engines = await startLocalEngines({
      linksTableName: 'links',
      queues: [{ name: 'backtrace-events', maxReceiveCount: 3, visibilityTimeoutSeconds: 45 }],
    });
    const sqs = new SQSClient(engines.clientConfig('sqs'));
    const queue = engines.sqs.queues['backtrace-events'];

    // Act
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue?.url, AttributeNames: ['All'] }),
    );

    // Assess
    expect(queue?.deadLetterQueue.name).toBe('backtrace-events-dlq');
    expect(queue?.arn).toBe('arn:aws:sqs:us-east-1:000000000000:backtrace-events');
    expect(Attributes?.VisibilityTimeout).toBe('45');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: queue?.deadLetterQueue.arn,
      maxReceiveCount: 3,
    });
    sqs.destroy();
  });

  it('lets clients built with no config, as in Lambda, reach both engines through the environment', async () => {
    // Prepare
    engines = await startLocalEngines({
      linksTableName: 'links',
      queues: [{ name: 'events', maxReceiveCount: 5 }],
      interceptLocalhostDns: true,
    });
    Object.assign(process.env, engines.env);
    const queueUrl = engines.sqs.queues.events?.url;
    const dynamodb = new DynamoDBClient({});
    const sqs = new SQSClient({});

    // Act
    const { TableNames } = await dynamodb.send(new ListTablesCommand({}));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }));

    // Assess
    expect(TableNames).toEqual(['links']);
    expect(Messages?.map((message) => message.Body)).toEqual(['hello']);
    dynamodb.destroy();
    sqs.destroy();
  });

  it('listens on loopback only and frees both engines on stop()', async () => {
    // Prepare
    engines = await startLocalEngines({ linksTableName: 'links', queues: [] });
    const dynamodb = new DynamoDBClient({ ...engines.clientConfig('dynamodb'), maxAttempts: 1 });

    // Act
    await engines.stop();

    // Assess
    expect(new URL(engines.dynamodb.endpoint).hostname).toBe('127.0.0.1');
    expect(new URL(engines.sqs.endpoint).hostname).toBe('127.0.0.1');
    await expect(dynamodb.send(new ListTablesCommand({}))).rejects.toThrow();
    await expect(fetch(engines.sqs.endpoint)).rejects.toThrow();
    dynamodb.destroy();
  });

  // In their own thread too (the storm's layout): there stop() must close the store in the thread, or the next
  // engines cannot take its LevelDB lock.
  it.each([
    ['in this thread', startLocalEngines],
    ['in a thread of their own', startLocalEnginesInThread],
  ])('keeps the table and its items in dynamodbDir for the next engines on that directory, and nothing without it (%s)', async (_, start) => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), 'engines-dynamodb-'));
    const item = { pk: { S: 'jira-main#fp-1' }, sk: { S: 'link' }, issueId: { S: '10001' } };
    try {
      engines = await start({ linksTableName: 'links', queues: [], dynamodbDir: directory });
      let dynamodb = new DynamoDBClient(engines.clientConfig('dynamodb'));
      await dynamodb.send(new PutItemCommand({ TableName: 'links', Item: item }));
      dynamodb.destroy();
      await engines.stop();

      // Act
      engines = await start({ linksTableName: 'links', queues: [], dynamodbDir: directory });
      dynamodb = new DynamoDBClient(engines.clientConfig('dynamodb'));
      const kept = await dynamodb.send(new GetItemCommand({ TableName: 'links', Key: { pk: item.pk, sk: item.sk } }));
      const byIndex = await dynamodb.send(new QueryCommand({ TableName: 'links', IndexName: 'byIssueId', KeyConditionExpression: 'issueId = :id', ExpressionAttributeValues: { ':id': { S: '10001' } } }));
      dynamodb.destroy();
      await engines.stop();
      engines = await start({ linksTableName: 'links', queues: [] });
      dynamodb = new DynamoDBClient(engines.clientConfig('dynamodb'));
      const inMemory = await dynamodb.send(new GetItemCommand({ TableName: 'links', Key: { pk: item.pk, sk: item.sk } }));
      dynamodb.destroy();

      // Assess
      expect(kept.Item).toEqual(item);
      expect(byIndex.Items).toEqual([item]);
      expect(inMemory.Item).toBeUndefined();
    } finally {
      await engines?.stop();
      engines = undefined;
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses a dynamodbDir another running engine holds, naming the directory and the fix', async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), 'engines-dynamodb-'));
    try {
      engines = await startLocalEngines({ linksTableName: 'links', queues: [], dynamodbDir: directory });

      // Act
      const second = startLocalEngines({ linksTableName: 'links', queues: [], dynamodbDir: directory });

      // Assess
      await expect(second).rejects.toThrow(`Cannot open the local DynamoDB data in ${directory}`);
      await expect(second).rejects.toThrow('is another local stack using it? Stop it, or give this one another data directory.');
    } finally {
      await engines?.stop();
      engines = undefined;
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
