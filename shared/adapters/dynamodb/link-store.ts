/**
 * {@link LinkStore} on DynamoDB, using single-item conditional writes only (no transactions: dynalite has none, and
 * one item per (integration, fingerprint) needs none).
 *
 * Item: `pk = LINK#<integration>`, `sk = FP#<fingerprint>`, plus the {@link Link} fields; `issueId` feeds the
 * `byIssueId` GSI. Failures: throttling, 5xx, timeouts -> RetryableError; anything else -> PermanentError.
 *
 * Every write tolerates being repeated after an ambiguous failure (the SDK retries a conditional write whose first
 * attempt may have landed): a condition that fails because of our own earlier success is recognised by re-reading.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { PermanentError } from '../../ports/errors.ts';
import type { ClaimResult, Link, LinkStore } from '../../ports/link-store.ts';
import { toBridgeError } from './aws-errors.ts';
import { BY_ISSUE_ID_INDEX, linkPartitionKey, linkSortKey } from './link-table.ts';

export interface DynamoDbLinkStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

type Item = Record<string, AttributeValue>;

/** Bounds the claim loop when the item keeps changing under us (another worker releasing/taking over). */
const MAX_CLAIM_ROUNDS = 5;

export class DynamoDbLinkStore implements LinkStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: DynamoDbLinkStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async get(integration: string, fingerprint: string): Promise<Link | undefined> {
    const out = await this.#send('GetItem', () =>
      this.#client.send(new GetItemCommand({ TableName: this.#table, Key: key(integration, fingerprint), ConsistentRead: true })),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async claim(input: {
    integration: string;
    fingerprint: string;
    universe: string;
    project: string;
    token: string;
    now: number;
    leaseMs: number;
  }): Promise<ClaimResult> {
    const leaseUntil = input.now + input.leaseMs;
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      const link: Link = {
        integration: input.integration,
        fingerprint: input.fingerprint,
        universe: input.universe,
        project: input.project,
        status: 'claimed',
        claimToken: input.token,
        leaseUntil,
        createdAt: input.now,
        updatedAt: input.now,
      };
      const created = await this.#conditional('PutItem', () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: toItem(link),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (created) return { outcome: 'claimed', link };

      const current = await this.get(input.integration, input.fingerprint);
      if (!current) continue; // gone between our write and our read: try the fresh claim again
      if (current.status === 'linked') return { outcome: 'linked', link: current };
      if (current.claimToken === input.token) return { outcome: 'claimed', link: current }; // our own retried Put
      if ((current.leaseUntil ?? 0) > input.now) return { outcome: 'busy', link: current };

      const taken = await this.#takeOver(current, input.token, leaseUntil, input.now);
      if (taken) return { outcome: 'took-over', link: taken, previous: current };
      // Lost the take-over race: the next round reads the winner's state (busy or linked).
    }
    const current = await this.get(input.integration, input.fingerprint);
    if (current?.status === 'linked') return { outcome: 'linked', link: current };
    if (current) return { outcome: 'busy', link: current };
    throw new PermanentError(
      `DynamoDB claim on table ${this.#table} for ${input.integration}/${input.fingerprint} did not settle after ${MAX_CLAIM_ROUNDS} rounds`,
    );
  }

  async completeClaim(input: {
    integration: string;
    fingerprint: string;
    token: string;
    issue: { id: string; key: string; url: string };
    now: number;
  }): Promise<boolean> {
    const done = await this.#conditional('UpdateItem', () =>
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
        }),
      ),
    );
    if (done) return true;
    // A retried update whose first attempt landed looks like a lost claim: it is not, if the link is ours.
    const current = await this.get(input.integration, input.fingerprint);
    return current?.status === 'linked' && current.issueId === input.issue.id;
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

  /** Conditional update of an expired claim to our token; returns the new link, or undefined when someone beat us. */
  async #takeOver(previous: Link, token: string, leaseUntil: number, now: number): Promise<Link | undefined> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Item = {
      ':claimed': { S: 'claimed' },
      ':token': { S: token },
      ':lease': { N: String(leaseUntil) },
      ':now': { N: String(now) },
    };
    // The old token and old lease together identify the exact claim we judged expired; anyone who changed it since
    // (another take-over, a release, a completion) makes our write fail instead of silently stealing a live claim.
    const conditions = ['#status = :claimed'];
    if (previous.claimToken === undefined) conditions.push('attribute_not_exists(claimToken)');
    else {
      conditions.push('claimToken = :oldToken');
      values[':oldToken'] = { S: previous.claimToken };
    }
    if (previous.leaseUntil === undefined) conditions.push('attribute_not_exists(leaseUntil)');
    else {
      conditions.push('leaseUntil = :oldLease');
      values[':oldLease'] = { N: String(previous.leaseUntil) };
    }
    const taken = await this.#conditional('UpdateItem', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(previous.integration, previous.fingerprint),
          ConditionExpression: conditions.join(' AND '),
          UpdateExpression: 'SET claimToken = :token, leaseUntil = :lease, updatedAt = :now',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    if (!taken) {
      const current = await this.get(previous.integration, previous.fingerprint);
      return current?.status === 'claimed' && current.claimToken === token ? current : undefined;
    }
    return { ...previous, claimToken: token, leaseUntil, updatedAt: now };
  }

  /** Runs a conditional write: true when it applied, false when its condition failed. */
  async #conditional(operation: string, call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException') {
        return false;
      }
      throw toBridgeError(error, `DynamoDB ${operation} on table ${this.#table}`);
    }
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toBridgeError(error, `DynamoDB ${operation} on table ${this.#table}`);
    }
  }
}

function key(integration: string, fingerprint: string): Item {
  return { pk: { S: linkPartitionKey(integration) }, sk: { S: linkSortKey(fingerprint) } };
}

function toItem(link: Link): Item {
  const item: Item = {
    ...key(link.integration, link.fingerprint),
    integration: { S: link.integration },
    fingerprint: { S: link.fingerprint },
    universe: { S: link.universe },
    project: { S: link.project },
    status: { S: link.status },
    createdAt: { N: String(link.createdAt) },
    updatedAt: { N: String(link.updatedAt) },
  };
  if (link.claimToken !== undefined) item.claimToken = { S: link.claimToken };
  if (link.leaseUntil !== undefined) item.leaseUntil = { N: String(link.leaseUntil) };
  if (link.issueId !== undefined) item.issueId = { S: link.issueId };
  if (link.issueKey !== undefined) item.issueKey = { S: link.issueKey };
  if (link.issueUrl !== undefined) item.issueUrl = { S: link.issueUrl };
  if (link.ticketAttached !== undefined) item.ticketAttached = { BOOL: link.ticketAttached };
  return item;
}

function fromItem(item: Item): Link {
  const s = (name: string): string | undefined => item[name]?.S;
  const n = (name: string): number | undefined => (item[name]?.N === undefined ? undefined : Number(item[name]!.N));
  const status = s('status');
  if (status !== 'claimed' && status !== 'linked') {
    throw new PermanentError(`Link item ${s('pk')}/${s('sk')} has an unknown status ${JSON.stringify(status)}`);
  }
  const link: Link = {
    integration: s('integration') ?? '',
    fingerprint: s('fingerprint') ?? '',
    universe: s('universe') ?? '',
    project: s('project') ?? '',
    status,
    createdAt: n('createdAt') ?? 0,
    updatedAt: n('updatedAt') ?? 0,
  };
  const optional = {
    claimToken: s('claimToken'),
    leaseUntil: n('leaseUntil'),
    issueId: s('issueId'),
    issueKey: s('issueKey'),
    issueUrl: s('issueUrl'),
    ticketAttached: item.ticketAttached?.BOOL,
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) (link as unknown as Record<string, unknown>)[name] = value;
  }
  return link;
}
