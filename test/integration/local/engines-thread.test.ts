import { afterEach, describe, expect, it } from 'vitest';
import { threadId } from 'node:worker_threads';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalEnginesInThread } from '../../../infra/local/engines-thread.ts';
import type { LocalEngines } from '../../../infra/local/engines.ts';

describe('Function: startLocalEnginesInThread', () => {
  let engines: LocalEngines | undefined;

  afterEach(async () => {
    await engines?.stop();
    engines = undefined;
  });

  it('serves the links table and the queues from another thread, through the real SDK clients of this one', async () => {
    // Prepare
    engines = await startLocalEnginesInThread({ linksTableName: 'bridge-links', queues: [{ name: 'work', maxReceiveCount: 3 }] });
    const dynamodb = new DynamoDBClient(engines.clientConfig('dynamodb'));
    const sqs = new SQSClient(engines.clientConfig('sqs'));
    const queue = engines.sqs.queues.work!;

    // Act
    await dynamodb.send(new PutItemCommand({ TableName: 'bridge-links', Item: { pk: { S: 'a' }, sk: { S: 'b' }, issueId: { S: '1' } } }));
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: 'bridge-links', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }));
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'bridge-links' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'hello' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1 }));

    // Assess
    expect(threadId).toBe(0);
    expect(Item?.issueId).toEqual({ S: '1' });
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['byIssueId']);
    expect(Messages?.map((message) => message.Body)).toEqual(['hello']);
    expect(queue.deadLetterQueue.name).toBe('work-dlq');
    expect(engines.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(engines.dynamodb.endpoint);
    dynamodb.destroy();
    sqs.destroy();
  });

  it('stop() closes both engines: nothing answers on their ports afterwards', async () => {
    // Prepare
    engines = await startLocalEnginesInThread({ linksTableName: 'bridge-links', queues: [] });
    const { dynamodb, sqs } = engines;

    // Act
    await engines.stop();
    await engines.stop();

    // Assess
    await expect(fetch(dynamodb.endpoint)).rejects.toThrow();
    await expect(fetch(sqs.endpoint)).rejects.toThrow();
  });

  it('rejects with the engine\'s own message when they cannot start as asked', async () => {
    // Act / Assess: DynamoDB refuses a two-character table name
    await expect(startLocalEnginesInThread({ linksTableName: 'ab', queues: [] })).rejects.toThrow(/local engines thread: .*TableName must be at least 3 characters/);
  });
});
