/**
 * {@link RateLimiter} on the links table: one item per bucket, `pk = PACE#<site>`, `sk = BUCKET#<METHOD> <path>`,
 * holding the {@link BucketState} and a `version`. Every reservation is a consistent read and a write conditional on
 * the version it read (optimistic concurrency): two workers never take the same slot; the loser re-reads and takes
 * the next. Two small DynamoDB calls per read-modify-write: the price of a limit every worker on every container
 * shares without a server of its own (ElastiCache would be a VPC and a cluster for one counter).
 *
 * Within a container the records of a batch ask for the same bucket at once: their reservations wait for the
 * bucket's one update in flight and then go together, every waiting slot taken in one read-modify-write. Taken one
 * by one, a batch of ten records spent ten sequential round trips on the item, and a container's bucket could
 * grant no faster than one reservation per two DynamoDB calls (about 50/s on the local engines, under the pace).
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { initialBucket, penalize, reserve, type BucketState } from '../../domain/pacing/token-bucket.ts';
import type { Clock } from '../../ports/clock.ts';
import { RetryableError } from '../../ports/errors.ts';
import type { PaceGrant, PaceKey, RateLimiter } from '../../ports/rate-limiter.ts';
import type { Item } from './link-item.ts';
import { pacePartitionKey, paceSortKey } from './link-table.ts';
import { TableCalls } from './table-calls.ts';

/** Lost races before giving up on one reservation (each one means another container took a slot meanwhile). */
const MAX_ATTEMPTS = 40;
/** Pause after a lost race, times the attempt number, times a random 0.5-1.5: contenders spread out. */
const CONFLICT_BACKOFF_MS = 3;

export class DynamoDbRateLimiter implements RateLimiter {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #calls: TableCalls;
  readonly #clock: Clock;
  /** The last update of each bucket in this container: the records of a batch queue up here, not on the item. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Per bucket, the reservations waiting for the next update (taken together when it runs). */
  readonly #waiting = new Map<string, Waiter[]>();

  constructor(options: { client: DynamoDBClient; tableName: string; clock: Clock }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#calls = new TableCalls(options.tableName);
    this.#clock = options.clock;
  }

  reserve(key: PaceKey, ceiling: number, maxWaitMs: number): Promise<PaceGrant> {
    const id = bucketId(key);
    return new Promise<PaceGrant>((resolve, reject) => {
      const waiter: Waiter = { ceiling, maxWaitMs, resolve, reject };
      const waiting = this.#waiting.get(id);
      // An update for this bucket is already queued and has not read the item yet: go with it.
      if (waiting) {
        waiting.push(waiter);
        return;
      }
      const batch = [waiter];
      this.#waiting.set(id, batch);
      const grants: PaceGrant[] = [];
      this.#update(key, ceiling, (state, now) => {
        // From its first read on, the batch is closed: later reservations queue the next update.
        if (this.#waiting.get(id) === batch) this.#waiting.delete(id);
        // In order of arrival, each on the state the previous one left (recomputed whole after a lost race).
        let next = state;
        let changed = false;
        grants.length = 0;
        for (const { ceiling: each, maxWaitMs: wait } of batch) {
          const reservation = reserve(next, each, now, wait);
          grants.push({ granted: reservation.granted, waitMs: reservation.waitMs } as PaceGrant);
          if (reservation.granted) {
            next = reservation.state;
            changed = true;
          }
        }
        return changed ? next : undefined;
      }).then(
        () => batch.forEach((each, index) => each.resolve(grants[index]!)),
        (error: unknown) => {
          if (this.#waiting.get(id) === batch) this.#waiting.delete(id);
          for (const each of batch) each.reject(error);
        },
      );
    });
  }

  async penalize(key: PaceKey, ceiling: number, retryAfterMs?: number): Promise<void> {
    await this.#update(key, ceiling, (state, now) => penalize(state, ceiling, now, retryAfterMs));
  }

  /** One update of a bucket at a time per container, so concurrent records do not race each other on the item. */
  #update(key: PaceKey, ceiling: number, change: (state: BucketState, now: number) => BucketState | undefined): Promise<void> {
    const id = bucketId(key);
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#write(key, ceiling, change));
    this.#queues.set(id, next);
    void next.finally(() => {
      if (this.#queues.get(id) === next) this.#queues.delete(id);
    }).catch(() => undefined);
    return next;
  }

  /** Read-modify-write under the version condition; `change` returning undefined writes nothing. */
  async #write(key: PaceKey, ceiling: number, change: (state: BucketState, now: number) => BucketState | undefined): Promise<void> {
    const itemKey = { pk: { S: pacePartitionKey(key.site) }, sk: { S: paceSortKey(key.endpoint) } };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const read = await this.#calls.send('GetItem', () => this.#client.send(new GetItemCommand({ TableName: this.#table, Key: itemKey, ConsistentRead: true })));
      const now = this.#clock.now();
      const stored = read.Item ? fromItem(read.Item) : undefined;
      const next = change(stored?.state ?? initialBucket(ceiling, now), now);
      if (next === undefined) return;
      const version = (stored?.version ?? 0) + 1;
      const written = await this.#calls.conditional('PutItem', () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: { ...itemKey, ...toItem(next), version: { N: String(version) } },
            ConditionExpression: stored ? '#version = :read' : 'attribute_not_exists(pk)',
            ...(stored ? { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':read': { N: String(stored.version) } } } : {}),
          }),
        ),
      );
      if (written) return;
      await new Promise((resolve) => setTimeout(resolve, CONFLICT_BACKOFF_MS * (attempt + 1) * (0.5 + Math.random())));
    }
    throw new RetryableError(`the pacing bucket ${key.endpoint} of ${key.site} stayed contended for ${MAX_ATTEMPTS} attempts`, { retryAfterMs: 1_000, notApplied: true });
  }
}

interface Waiter {
  ceiling: number;
  maxWaitMs: number;
  resolve: (grant: PaceGrant) => void;
  reject: (error: unknown) => void;
}

const bucketId = (key: PaceKey) => `${key.site} ${key.endpoint}`;

const NUMBER_FIELDS = ['tokens', 'at', 'rate', 'holdUntil', 'decreasedAt'] as const satisfies readonly (keyof BucketState)[];

function toItem(state: BucketState): Item {
  return Object.fromEntries(NUMBER_FIELDS.map((field) => [field, { N: String(state[field]) }]));
}

function fromItem(item: Item): { state: BucketState; version: number } {
  const number = (name: string) => Number(item[name]?.N ?? 0);
  const state = Object.fromEntries(NUMBER_FIELDS.map((field) => [field, number(field)])) as unknown as BucketState;
  return { state, version: number('version') };
}
