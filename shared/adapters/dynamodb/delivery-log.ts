/**
 * Webhook delivery ids seen recently (`X-Atlassian-Webhook-Identifier`), so a retried or duplicated Jira delivery
 * is processed once. One item per id in the links table: `pk = DELIVERY#<id>`, `sk = DELIVERY`, `expiresAt` in
 * epoch seconds (the table's TTL attribute).
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DeliveryLog } from '../../ports/delivery-log.ts';
import type { Item } from './link-item.ts';
import { DELIVERY_SORT_KEY, deliveryPartitionKey, EXPIRES_AT_ATTRIBUTE } from './link-table.ts';
import { TableCalls } from './table-calls.ts';

export class DynamoDbDeliveryLog implements DeliveryLog {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #calls: TableCalls;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#calls = new TableCalls(options.tableName);
  }

  /**
   * True for the first recording of `deliveryId` (or the first after the previous record expired), false for a
   * repeat. `now` is epoch ms.
   */
  async record(deliveryId: string, now: number, ttlSeconds: number): Promise<boolean> {
    const nowSeconds = Math.floor(now / 1000);
    // A random token per attempt tells our own earlier success (the SDK retried an ambiguous Put that had landed)
    // from somebody else's record: both fail the condition, only ours carries our token.
    const token = randomUUID();
    const recorded = await this.#calls.conditional('PutItem', () =>
      this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...deliveryKey(deliveryId),
            [EXPIRES_AT_ATTRIBUTE]: { N: String(nowSeconds + ttlSeconds) },
            recordedAt: { N: String(now) },
            token: { S: token },
          },
          // TTL deletion runs late (up to days on AWS, never on dynalite): an expired record still present is absent.
          ConditionExpression: 'attribute_not_exists(pk) OR #expiresAt < :nowSeconds',
          ExpressionAttributeNames: { '#expiresAt': EXPIRES_AT_ATTRIBUTE },
          ExpressionAttributeValues: { ':nowSeconds': { N: String(nowSeconds) } },
        }),
      ),
    );
    if (recorded) return true;
    const current = await this.#calls.send('GetItem', () =>
      this.#client.send(new GetItemCommand({ TableName: this.#table, Key: deliveryKey(deliveryId), ConsistentRead: true })),
    );
    return current.Item?.token?.S === token;
  }

  /** Whether `deliveryId` was recorded and has not expired (`now` is epoch ms). A read only: records nothing. */
  async seen(deliveryId: string, now: number): Promise<boolean> {
    const current = await this.#calls.send('GetItem', () =>
      this.#client.send(new GetItemCommand({ TableName: this.#table, Key: deliveryKey(deliveryId), ConsistentRead: true })),
    );
    const expiresAt = Number(current.Item?.[EXPIRES_AT_ATTRIBUTE]?.N ?? 0);
    return current.Item !== undefined && expiresAt >= Math.floor(now / 1000);
  }
}

function deliveryKey(deliveryId: string): Item {
  return { pk: { S: deliveryPartitionKey(deliveryId) }, sk: { S: DELIVERY_SORT_KEY } };
}
