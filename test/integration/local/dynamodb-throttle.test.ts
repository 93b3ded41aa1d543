/**
 * The throttling DynamoDB endpoint of fault runs: its answers are what the real AWS SDK and the bridge's DynamoDB
 * adapter take for DynamoDB throttling (retried by the SDK, then a RetryableError), and a throttled write never
 * reaches the table.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalEngines, type LocalEngines } from '../../../infra/local/engines.ts';
import { startDynamoDbThrottle, type DynamoDbThrottle } from '../../../infra/local/dynamodb-throttle.ts';
import { TableCalls } from '../../../shared/adapters/dynamodb/table-calls.ts';
import { RetryableError } from '../../../shared/ports/errors.ts';

const TABLE = 'links';
const item = (sk: string) => ({ pk: { S: 'p' }, sk: { S: sk } });

describe('Function: startDynamoDbThrottle', () => {
  let engines: LocalEngines;
  let throttle: DynamoDbThrottle | undefined;
  const clients: DynamoDBClient[] = [];

  beforeEach(async () => {
    engines = await startLocalEngines({ linksTableName: TABLE, queues: [] });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await throttle?.stop();
    throttle = undefined;
    await engines.stop();
  });

  /** Draws in order: for each request one for "throttle?", and for a throttled one one for its kind. */
  const draws = (...values: number[]) => () => values.shift() ?? 0.99;
  const client = (endpoint: string, maxAttempts: number) => {
    const created = new DynamoDBClient({ ...engines.clientConfig('dynamodb'), endpoint, maxAttempts });
    clients.push(created);
    return created;
  };

  it('answers as DynamoDB throttles (400, ProvisionedThroughputExceededException or ThrottlingException), and the SDK retries it', async () => {
    // Prepare: the first two requests throttled (one of each kind), then everything passes
    throttle = await startDynamoDbThrottle({ target: engines.dynamodb.endpoint, probability: 0.5, random: draws(0.1, 0.1, 0.1, 0.9) });
    const once = client(throttle.endpoint, 1);
    const retrying = client(throttle.endpoint, 3);

    // Act
    const first = await once.send(new PutItemCommand({ TableName: TABLE, Item: item('a') })).catch((error: unknown) => error);
    const second = await once.send(new PutItemCommand({ TableName: TABLE, Item: item('a') })).catch((error: unknown) => error);
    const third = await retrying.send(new PutItemCommand({ TableName: TABLE, Item: item('b') }));

    // Assess
    expect(first).toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 }, ThrottlingReasons: [{ reason: 'TableWriteKeyRangeThroughputExceeded' }] });
    expect(second).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(third.$metadata.attempts).toBe(1);
    const direct = client(engines.dynamodb.endpoint, 1);
    expect((await direct.send(new GetItemCommand({ TableName: TABLE, Key: item('a') }))).Item).toBeUndefined();
    expect((await direct.send(new GetItemCommand({ TableName: TABLE, Key: item('b') }))).Item).toBeDefined();
    expect(throttle.stats()).toEqual({ requests: 3, throttled: 2, bursts: 0 });
  });

  it('is retried by the SDK until it passes, and once the SDK gives up the bridge sees a RetryableError', async () => {
    // Prepare: two throttles in a row, then a pass; then a client with one attempt meets one more
    throttle = await startDynamoDbThrottle({ target: engines.dynamodb.endpoint, probability: 0.5, random: draws(0.1, 0.1, 0.1, 0.1, 0.9, 0.1, 0.1) });
    const retrying = client(throttle.endpoint, 3);
    const calls = new TableCalls(TABLE);

    // Act
    const retried = await retrying.send(new PutItemCommand({ TableName: TABLE, Item: item('c') }));
    const refused = await calls.send('PutItem', () => client(throttle!.endpoint, 1).send(new PutItemCommand({ TableName: TABLE, Item: item('d') }))).catch((error: unknown) => error);

    // Assess
    expect(retried.$metadata.attempts).toBe(3);
    expect(refused).toBeInstanceOf(RetryableError);
    expect((refused as Error).message).toMatch(/DynamoDB PutItem on table links failed transiently \(ProvisionedThroughputExceededException/);
  });

  it('throttles every request of a burst, no second burst before enough traffic passed, and nothing once disabled', async () => {
    // Prepare
    throttle = await startDynamoDbThrottle({ target: engines.dynamodb.endpoint, probability: 0, burst: { everyMs: 1_000, requests: 3 } });
    const once = client(throttle.endpoint, 1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    // Act
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await once.send(new PutItemCommand({ TableName: TABLE, Item: item(`e${i}`) })).then(() => 'ok', (error: Error) => error.name));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const quietTable = await once.send(new PutItemCommand({ TableName: TABLE, Item: item('quiet') })).then(() => 'ok');
    throttle.setEnabled(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const afterDisable = await once.send(new PutItemCommand({ TableName: TABLE, Item: item('f') })).then(() => 'ok');

    // Assess
    expect(answers.slice(0, 3).every((answer) => answer !== 'ok')).toBe(true);
    expect(answers[3]).toBe('ok');
    expect(quietTable).toBe('ok');
    expect(afterDisable).toBe('ok');
    expect(throttle.stats()).toEqual({ requests: 6, throttled: 3, bursts: 1 });
  });
});
