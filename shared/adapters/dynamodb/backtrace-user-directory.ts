/**
 * {@link BacktraceUserDirectory} on DynamoDB: Backtrace users seen on fingerprints, kept per universe and keyed by lower-cased e-mail, so a
 * Jira assignee can be mapped back to a Backtrace user id. Items: `pk = BTUSER#<universe>`,
 * `sk = EMAIL#<lower-cased e-mail>`, with `id`, `username`, `email` (as Backtrace spelled it) and `seenAt`.
 * They carry no `issueId`, so they stay out of the `byIssueId` index.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KnownBacktraceUser } from '../../domain/model/backtrace.ts';
import type { BacktraceUserDirectory } from '../../ports/backtrace-user-directory.ts';
import type { Item } from './link-item.ts';
import { backtraceUserPartitionKey, backtraceUserSortKey } from './link-table.ts';
import { TableCalls } from './table-calls.ts';

export class DynamoDbBacktraceUserDirectory implements BacktraceUserDirectory {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #calls: TableCalls;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#calls = new TableCalls(options.tableName);
  }

  /**
   * Remember each user that has an e-mail (the others cannot be looked up by e-mail). `seenAt` is epoch ms; a write
   * older than the stored `seenAt` is skipped, so passing the event's own time (`at`) keeps a late event from
   * giving an address that moved to another Backtrace user back to its former owner.
   */
  async remember(universe: string, users: KnownBacktraceUser[], seenAt: number): Promise<void> {
    const byEmail = new Map<string, KnownBacktraceUser & { email: string }>();
    for (const user of users) {
      if (user.email?.trim()) byEmail.set(backtraceUserSortKey(user.email), { ...user, email: user.email });
    }
    await Promise.all(
      [...byEmail.values()].map((user) => {
        const item: Item = {
          ...userKey(universe, user.email),
          id: { N: String(user.id) },
          email: { S: user.email },
          seenAt: { N: String(seenAt) },
        };
        if (user.username !== undefined) item.username = { S: user.username };
        // A failed condition means a newer event already recorded this address: nothing to do.
        return this.#calls.conditional('PutItem', () =>
          this.#client.send(
            new PutItemCommand({
              TableName: this.#table,
              Item: item,
              ConditionExpression: 'attribute_not_exists(pk) OR seenAt <= :now',
              ExpressionAttributeValues: { ':now': { N: String(seenAt) } },
            }),
          ),
        );
      }),
    );
  }

  /** The Backtrace user last seen with `email` (compared case-insensitively) in `universe`. */
  async findByEmail(universe: string, email: string): Promise<KnownBacktraceUser | undefined> {
    if (!email.trim()) return undefined;
    const out = await this.#calls.send('GetItem', () =>
      this.#client.send(new GetItemCommand({ TableName: this.#table, Key: userKey(universe, email), ConsistentRead: true })),
    );
    const item = out.Item;
    if (item?.id?.N === undefined) return undefined;
    const user: KnownBacktraceUser = { id: Number(item.id.N) };
    if (item.username?.S !== undefined) user.username = item.username.S;
    if (item.email?.S !== undefined) user.email = item.email.S;
    return user;
  }
}

function userKey(universe: string, email: string): Item {
  return { pk: { S: backtraceUserPartitionKey(universe) }, sk: { S: backtraceUserSortKey(email) } };
}
