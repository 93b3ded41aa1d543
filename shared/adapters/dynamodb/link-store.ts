/**
 * {@link LinkStore} on DynamoDB, using single-item conditional writes only (no transactions: dynalite has none, and
 * one item per (integration, fingerprint) needs none).
 *
 * Item: `pk = LINK#<integration>`, `sk = FP#<fingerprint>`, plus the {@link Link} fields (sync bookkeeping flat,
 * see `link-item.ts`); `issueId` feeds the `byIssueId` GSI. Webhook deliveries and Backtrace users share the table
 * under their own `pk` prefixes, behind their own ports (`delivery-log.ts`, `backtrace-user-directory.ts`).
 * Failures: throttling, 5xx, timeouts -> RetryableError; anything else -> PermanentError.
 *
 * Every write tolerates being repeated after an ambiguous failure (the SDK retries a conditional write whose first
 * attempt may have landed): a condition that fails because of our own earlier success is recognised by its token.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { PermanentError } from '../../ports/errors.ts';
import type { ClaimResult, LinkStore, SyncGuard, SyncPatch } from '../../ports/link-store.ts';
import { isLinked, type Link, type LinkedLink, type LinkSyncState } from '../../domain/model/link.ts';
import { encodeSyncField, fromItem, linkKey as key, SYNC_ATTRIBUTES, SYNC_FIELDS, toItem, type Item } from './link-item.ts';
import { BY_ISSUE_ID_INDEX } from './link-table.ts';
import { TableCalls } from './table-calls.ts';

export interface DynamoDbLinkStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

/**
 * What {@link DynamoDbLinkStore.applySyncUpdate} did: `updated`; `stale` (the guarded watermark was already at or
 * past the delivery's); `missing` (no linked item: never linked, only claimed, or unlinked meanwhile).
 */
export type SyncUpdateOutcome = 'updated' | 'stale' | 'missing';

/** Internal attribute: the token of the last sync update, to recognise our own landed write on an SDK retry. */
const SYNC_WRITE_ID = 'syncWriteId';

/**
 * The claim's one write: the item is absent, or it is a claim whose lease has run out (a released claim has lease 0).
 * A `linked` item never matches, so a link is never overwritten.
 */
const CLAIMABLE = 'attribute_not_exists(pk) OR (#status = :claimed AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now))';

export class DynamoDbLinkStore implements LinkStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #calls: TableCalls;

  constructor(options: DynamoDbLinkStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#calls = new TableCalls(options.tableName);
  }

  async get(integration: string, fingerprint: string): Promise<Link | undefined> {
    const item = await this.#getItem(integration, fingerprint);
    return item ? fromItem(item) : undefined;
  }

  /**
   * One conditional `PutItem` returning the item it replaced (`ReturnValues: ALL_OLD`) and, when refused, the item
   * that refused it (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), as Powertools' DynamoDB persistence layer
   * claims an idempotency record. dynalite (the local engine) ignores the second option, so a refusal without an
   * item falls back to one consistent read; real DynamoDB never needs it. If the item changed between the refusal
   * and that read (released or expired meanwhile), the write is tried once more.
   */
  async claim(input: {
    integration: string;
    fingerprint: string;
    universe: string;
    project: string;
    token: string;
    now: number;
    leaseMs: number;
  }): Promise<ClaimResult> {
    const link: Link = {
      integration: input.integration,
      fingerprint: input.fingerprint,
      universe: input.universe,
      project: input.project,
      status: 'claimed',
      claimToken: input.token,
      leaseUntil: input.now + input.leaseMs,
      createdAt: input.now,
      updatedAt: input.now,
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const written = await this.#putClaim(link, input.now);
      if (written.ok) return written.previous ? { outcome: 'took-over', link, previous: written.previous } : { outcome: 'claimed', link };
      const current = written.current ?? (await this.get(input.integration, input.fingerprint));
      if (!current) continue;
      if (current.status === 'linked') return { outcome: 'linked', link: current };
      // Our own Put, retried by the SDK after it landed. Whether it created the claim or took an expired one over
      // cannot be told any more, so it counts as a take-over: the caller searches Jira before creating, always safe.
      if (current.claimToken === input.token) return { outcome: 'took-over', link: current, previous: current };
      if ((current.leaseUntil ?? 0) > input.now) return { outcome: 'busy', link: current };
    }
    throw new PermanentError(`DynamoDB claim on table ${this.#table} for ${input.integration}/${input.fingerprint} did not settle: the item keeps changing`);
  }

  async #putClaim(link: Link, now: number): Promise<{ ok: true; previous?: Link } | { ok: false; current?: Link }> {
    const put = await this.#calls.conditionalOutcome('PutItem', () =>
      this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: toItem(link),
          ConditionExpression: CLAIMABLE,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':now': { N: String(now) } },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (put.applied) return { ok: true, previous: put.output.Attributes ? fromItem(put.output.Attributes) : undefined };
    return { ok: false, current: put.refusal.Item ? fromItem(put.refusal.Item) : undefined };
  }

  async completeClaim(input: {
    integration: string;
    fingerprint: string;
    token: string;
    issue: { id: string; key: string; url: string };
    now: number;
  }): Promise<LinkedLink | undefined> {
    const update = await this.#calls.conditionalOutcome('UpdateItem', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(input.integration, input.fingerprint),
          ConditionExpression: '#status = :claimed AND claimToken = :token',
          UpdateExpression:
            'SET #status = :linked, issueId = :issueId, issueKey = :issueKey, issueUrl = :issueUrl, updatedAt = :now REMOVE claimToken, leaseUntil',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':claimed': { S: 'claimed' },
            ':linked': { S: 'linked' },
            ':token': { S: input.token },
            ':issueId': { S: input.issue.id },
            ':issueKey': { S: input.issue.key },
            ':issueUrl': { S: input.issue.url },
            ':now': { N: String(input.now) },
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    const after = update.applied ? update.output.Attributes : undefined;
    if (after) {
      const link = fromItem(after);
      if (isLinked(link)) return link;
    }
    // A retried update whose first attempt landed looks like a lost claim: it is not, if the link is ours.
    const current = await this.get(input.integration, input.fingerprint);
    return isLinked(current) && current.issueId === input.issue.id ? current : undefined;
  }

  async releaseClaim(input: { integration: string; fingerprint: string; token: string; now: number }): Promise<boolean> {
    return this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(input.integration, input.fingerprint),
          ConditionExpression: '#status = :claimed AND claimToken = :token',
          UpdateExpression: 'SET leaseUntil = :expired, updatedAt = :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':claimed': { S: 'claimed' },
            ':token': { S: input.token },
            ':expired': { N: '0' },
            ':now': { N: String(input.now) },
          },
        }),
      ),
    );
  }

  async markTicketAttached(integration: string, fingerprint: string, now: number): Promise<void> {
    const done = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(integration, fingerprint),
          ConditionExpression: '#status = :linked',
          UpdateExpression: 'SET ticketAttached = :true, updatedAt = :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':linked': { S: 'linked' }, ':true': { BOOL: true }, ':now': { N: String(now) } },
        }),
      ),
    );
    if (!done) {
      throw new PermanentError(`No linked Jira issue for ${integration}/${fingerprint} in table ${this.#table}; cannot mark its ticket attached`);
    }
  }

  async findByIssueId(issueId: string): Promise<Link[]> {
    const links: Link[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.#send('Query', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: BY_ISSUE_ID_INDEX,
            KeyConditionExpression: 'issueId = :issueId',
            ExpressionAttributeValues: { ':issueId': { S: issueId } },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) links.push(fromItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return links;
  }

  async updateSync(integration: string, fingerprint: string, patch: SyncPatch, guard?: SyncGuard): Promise<boolean> {
    return (await this.applySyncUpdate(integration, fingerprint, patch, guard)) === 'updated';
  }

  /**
   * {@link LinkStore.updateSync}, telling a stale delivery from a link that is gone. One conditional UpdateItem on a
   * linked item: each `patch.sync` field given replaces the stored one (the pushed-write records are replaced
   * whole, not merged), others stay. With `guard`, the guarded watermark is written as `guard.value` and the update
   * happens only if the stored watermark is absent or strictly older; a `patch.sync` value for that watermark must
   * then equal `guard.value`. Without `guard` it is `missing` only when there is no linked item.
   */
  async applySyncUpdate(integration: string, fingerprint: string, patch: SyncPatch, guard?: SyncGuard): Promise<SyncUpdateOutcome> {
    const sync: Partial<LinkSyncState> = { ...patch.sync };
    if (guard) {
      const patched = sync[guard.watermark];
      if (patched !== undefined && patched !== guard.value) {
        throw new PermanentError(
          `Link sync update for ${integration}/${fingerprint} sets ${guard.watermark} to ${patched} but guards it with ${guard.value}; they must agree`,
        );
      }
      sync[guard.watermark] = guard.value;
    }
    const writeId = randomUUID();
    const names: Record<string, string> = { '#status': 'status', '#writeId': SYNC_WRITE_ID };
    const values: Item = { ':linked': { S: 'linked' }, ':now': { N: String(patch.now) }, ':writeId': { S: writeId } };
    const sets = ['updatedAt = :now', '#writeId = :writeId'];
    for (const field of SYNC_FIELDS) {
      const value = encodeSyncField(field, sync);
      if (value === undefined) continue;
      names[`#${field}`] = SYNC_ATTRIBUTES[field];
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (patch.issueKey !== undefined) {
      values[':issueKey'] = { S: patch.issueKey };
      sets.push('issueKey = :issueKey');
    }
    if (patch.issueUrl !== undefined) {
      values[':issueUrl'] = { S: patch.issueUrl };
      sets.push('issueUrl = :issueUrl');
    }
    // attribute_exists(pk) keeps UpdateItem from creating a partial item for a link that does not exist.
    const conditions = ['attribute_exists(pk)', '#status = :linked'];
    if (guard) conditions.push(`(attribute_not_exists(#${guard.watermark}) OR #${guard.watermark} < :${guard.watermark})`);

    const updated = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(integration, fingerprint),
          ConditionExpression: conditions.join(' AND '),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    if (updated) return 'updated';
    // Unguarded, only a missing link fails the condition (our own earlier attempt would not have made it fail).
    if (!guard) return 'missing';
    const current = await this.#getItem(integration, fingerprint);
    if (current?.status?.S !== 'linked') return 'missing';
    // Our retried write finds the watermark it set itself: it did land.
    return current[SYNC_WRITE_ID]?.S === writeId ? 'updated' : 'stale';
  }

  async unlink(integration: string, fingerprint: string, issueId?: string): Promise<void> {
    // A failed condition means the link already points elsewhere (or is gone): nothing to forget.
    await this.#conditional('DeleteItem', () =>
      this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: key(integration, fingerprint),
          ...(issueId === undefined ? {} : { ConditionExpression: 'issueId = :issueId', ExpressionAttributeValues: { ':issueId': { S: issueId } } }),
        }),
      ),
    );
  }

  async #getItem(integration: string, fingerprint: string): Promise<Item | undefined> {
    const out = await this.#send('GetItem', () =>
      this.#client.send(new GetItemCommand({ TableName: this.#table, Key: key(integration, fingerprint), ConsistentRead: true })),
    );
    return out.Item;
  }

  #conditional(operation: string, call: () => Promise<unknown>): Promise<boolean> {
    return this.#calls.conditional(operation, call);
  }

  #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.#calls.send(operation, call);
  }
}
