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
import type { ClaimResult, LinkStore, SyncLeaseResult, SyncRecord } from '../../ports/link-store.ts';
import { isLinked, type Link, type LinkedLink, type LinkSyncState } from '../../domain/model/link.ts';
import { encodeSyncField, fromItem, linkKey as key, SYNC_ATTRIBUTES, SYNC_FIELDS, toItem, type Item } from './link-item.ts';
import { BY_ISSUE_ID_INDEX, linkPartitionKey } from './link-table.ts';
import { TableCalls } from './table-calls.ts';

export interface DynamoDbLinkStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** Internal attribute: the token of the last sync update, to recognise our own landed write on an SDK retry. */
const SYNC_WRITE_ID = 'syncWriteId';
/** Internal attributes: the sync lease's holder and its expiry (epoch ms). */
const SYNC_LEASE = 'syncLease';
const SYNC_LEASE_UNTIL = 'syncLeaseUntil';
const LEASE_NAMES = { '#syncLease': SYNC_LEASE, '#syncLeaseUntil': SYNC_LEASE_UNTIL };

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
    syncLeaseMs?: number;
  }): Promise<LinkedLink | undefined> {
    const lease = input.syncLeaseMs === undefined ? '' : ', #syncLease = :token, #syncLeaseUntil = :leaseUntil';
    const update = await this.#calls.conditionalOutcome('UpdateItem', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(input.integration, input.fingerprint),
          ConditionExpression: '#status = :claimed AND claimToken = :token',
          UpdateExpression: `SET #status = :linked, issueId = :issueId, issueKey = :issueKey, issueUrl = :issueUrl, updatedAt = :now${lease} REMOVE claimToken, leaseUntil`,
          ExpressionAttributeNames: { '#status': 'status', ...(lease ? LEASE_NAMES : {}) },
          ExpressionAttributeValues: {
            ':claimed': { S: 'claimed' },
            ':linked': { S: 'linked' },
            ':token': { S: input.token },
            ':issueId': { S: input.issue.id },
            ':issueKey': { S: input.issue.key },
            ':issueUrl': { S: input.issue.url },
            ':now': { N: String(input.now) },
            ...(input.syncLeaseMs === undefined ? {} : { ':leaseUntil': { N: String(input.now + input.syncLeaseMs) } }),
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

  async *listLinked(integration: string): AsyncIterable<LinkedLink[]> {
    let startKey: Item | undefined;
    do {
      const page = await this.#send('Query', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: '#status = :linked',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pk': { S: linkPartitionKey(integration) }, ':linked': { S: 'linked' } },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      const links = (page.Items ?? []).map(fromItem).filter(isLinked);
      if (links.length > 0) yield links;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /**
   * One conditional UpdateItem: the lease is free, expired, or ours already. Answers with the item as it is after
   * the write (so the caller works on a consistent read). A refusal tells busy from missing by the refused item
   * (`ReturnValuesOnConditionCheckFailure`, or one consistent read where the engine does not return it).
   */
  async acquireSync(input: { integration: string; fingerprint: string; token: string; now: number; leaseMs: number }): Promise<SyncLeaseResult> {
    const update = await this.#calls.conditionalOutcome('UpdateItem', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(input.integration, input.fingerprint),
          ConditionExpression: 'attribute_exists(pk) AND #status = :linked AND (attribute_not_exists(#syncLease) OR #syncLease = :token OR #syncLeaseUntil <= :now)',
          UpdateExpression: 'SET #syncLease = :token, #syncLeaseUntil = :leaseUntil',
          ExpressionAttributeNames: { '#status': 'status', ...LEASE_NAMES },
          ExpressionAttributeValues: {
            ':linked': { S: 'linked' },
            ':token': { S: input.token },
            ':now': { N: String(input.now) },
            ':leaseUntil': { N: String(input.now + input.leaseMs) },
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (update.applied) {
      const link = update.output.Attributes ? fromItem(update.output.Attributes) : undefined;
      return isLinked(link) ? { outcome: 'acquired', link } : { outcome: 'missing' };
    }
    const item = update.refusal.Item ?? (await this.#getItem(input.integration, input.fingerprint));
    if (!item || item.status?.S !== 'linked') return { outcome: 'missing' };
    return { outcome: 'busy', until: Number(item[SYNC_LEASE_UNTIL]?.N ?? input.now) };
  }

  async recordSync(record: SyncRecord): Promise<boolean> {
    const writeId = randomUUID();
    const names: Record<string, string> = { '#writeId': SYNC_WRITE_ID, '#syncLease': SYNC_LEASE, ...(record.release ? { '#syncLeaseUntil': SYNC_LEASE_UNTIL } : {}) };
    const values: Item = { ':token': { S: record.token }, ':now': { N: String(record.now) }, ':writeId': { S: writeId } };
    const sets = ['updatedAt = :now', '#writeId = :writeId'];
    if (record.sync) addSyncSets(SYNC_FIELDS, record.sync, { names, values, sets });
    if (record.issueKey !== undefined) {
      values[':issueKey'] = { S: record.issueKey };
      sets.push('issueKey = :issueKey');
    }
    if (record.issueUrl !== undefined) {
      values[':issueUrl'] = { S: record.issueUrl };
      sets.push('issueUrl = :issueUrl');
    }
    if (record.issueId !== undefined) {
      values[':issueId'] = { S: record.issueId };
      sets.push('issueId = :issueId');
    }
    const done = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(record.integration, record.fingerprint),
          ConditionExpression: 'attribute_exists(pk) AND #syncLease = :token',
          UpdateExpression: `SET ${sets.join(', ')}${record.release ? ' REMOVE #syncLease, #syncLeaseUntil' : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    if (done) return true;
    // A retried write whose first attempt landed (and released the lease) finds its own write id.
    return (await this.#getItem(record.integration, record.fingerprint))?.[SYNC_WRITE_ID]?.S === writeId;
  }

  async noteErrorGroup(integration: string, fingerprint: string, note: Pick<LinkSyncState, 'group' | 'regressedIn'>, now: number): Promise<void> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Item = { ':linked': { S: 'linked' }, ':now': { N: String(now) } };
    const sets = ['updatedAt = :now'];
    addSyncSets(['group', 'regressedIn'], note, { names, values, sets });
    // A failed condition means the link is gone: nothing to note.
    await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(integration, fingerprint),
          ConditionExpression: 'attribute_exists(pk) AND #status = :linked',
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async noteDisagreement(integration: string, fingerprint: string, since: number | null, now: number, repairs?: number): Promise<void> {
    const values: Item = { ':linked': { S: 'linked' }, ':now': { N: String(now) } };
    let update = 'SET updatedAt = :now REMOVE #since, #repairs';
    if (since !== null) {
      values[':since'] = { N: String(since) };
      update = 'SET updatedAt = :now, #since = :since';
      if (repairs !== undefined) {
        values[':repairs'] = { N: String(repairs) };
        update += ', #repairs = :repairs';
      }
    }
    // A failed condition means the link is gone: nothing to note.
    await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(integration, fingerprint),
          ConditionExpression: 'attribute_exists(pk) AND #status = :linked',
          UpdateExpression: update,
          ExpressionAttributeNames: { '#status': 'status', '#since': SYNC_ATTRIBUTES.disagreeSince, ...(since === null || repairs !== undefined ? { '#repairs': SYNC_ATTRIBUTES.repairs } : {}) },
          ExpressionAttributeValues: values,
        }),
      ),
    );
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

/** `SET #field = :field` for each of `fields` given in `sync`, one attribute per field (link-item's codec). */
function addSyncSets(
  fields: readonly (keyof LinkSyncState)[],
  sync: Partial<LinkSyncState>,
  update: { names: Record<string, string>; values: Item; sets: string[] },
): void {
  for (const field of fields) {
    const value = encodeSyncField(field, sync);
    if (value === undefined) continue;
    update.names[`#${field}`] = SYNC_ATTRIBUTES[field];
    update.values[`:${field}`] = value;
    update.sets.push(`#${field} = :${field}`);
  }
}
