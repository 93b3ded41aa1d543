/**
 * {@link FailureLog} in the links table: one item per message, `pk = FAILURE#<messageId>`, `sk = FAILURE`, kept for
 * 14 days (SQS's longest retention, so a dead letter never outlives its note) through the table's TTL attribute.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FailureLog, FailureNote } from '../../ports/failure-log.ts';
import { EXPIRES_AT_ATTRIBUTE, FAILURE_SORT_KEY, failurePartitionKey } from './link-table.ts';
import { TableCalls } from './table-calls.ts';

/** SQS keeps a message 14 days at most. */
export const FAILURE_NOTE_TTL_SECONDS = 14 * 24 * 3600;
/** A reason is one message; keep the item small whatever an error says. */
const MAX_REASON_CHARS = 2_000;

export class DynamoDbFailureLog implements FailureLog {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #calls: TableCalls;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#calls = new TableCalls(options.tableName);
  }

  async record(note: FailureNote): Promise<void> {
    await this.#calls.send('PutItem', () =>
      this.#client.send(new PutItemCommand({
        TableName: this.#table,
        Item: {
          pk: { S: failurePartitionKey(note.messageId) },
          sk: { S: FAILURE_SORT_KEY },
          reason: { S: note.reason.slice(0, MAX_REASON_CHARS) },
          retryable: { BOOL: note.retryable },
          receiveCount: { N: String(note.receiveCount) },
          at: { N: String(note.at) },
          [EXPIRES_AT_ATTRIBUTE]: { N: String(Math.floor(note.at / 1000) + FAILURE_NOTE_TTL_SECONDS) },
        },
      })),
    );
  }

  async find(messageIds: readonly string[]): Promise<Map<string, FailureNote>> {
    const found = new Map<string, FailureNote>();
    await Promise.all([...new Set(messageIds)].map(async (messageId) => {
      const { Item } = await this.#calls.send('GetItem', () =>
        this.#client.send(new GetItemCommand({ TableName: this.#table, Key: { pk: { S: failurePartitionKey(messageId) }, sk: { S: FAILURE_SORT_KEY } } })),
      );
      if (Item?.reason?.S === undefined) return;
      found.set(messageId, {
        messageId,
        reason: Item.reason.S,
        retryable: Item.retryable?.BOOL === true,
        receiveCount: Number(Item.receiveCount?.N ?? 0),
        at: Number(Item.at?.N ?? 0),
      });
    }));
    return found;
  }
}
