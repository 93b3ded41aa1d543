/**
 * A {@link Link} as a DynamoDB item, and back.
 *
 * `Link.sync` is stored flat, one top-level attribute per field (`syncBacktrace`, `syncJira`, `syncPushedToJira`,
 * `syncDisagreeSince`), not as one nested map: an UpdateItem cannot write into a map that may not exist yet, while
 * flat attributes let one conditional UpdateItem replace any subset of fields. Each field's value is a plain
 * JSON-like object, stored as a DynamoDB map by {@link toAttribute} (lists, not sets: an empty assignee list must be
 * recordable).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PermanentError } from '../../ports/errors.ts';
import type { Link, LinkSyncState } from '../../domain/model/link.ts';
import { linkPartitionKey, linkSortKey } from './link-table.ts';

export type Item = Record<string, AttributeValue>;

/** The attribute holding each {@link LinkSyncState} field. */
export const SYNC_ATTRIBUTES = {
  backtrace: 'syncBacktrace',
  jira: 'syncJira',
  pushedToJira: 'syncPushedToJira',
  disagreeSince: 'syncDisagreeSince',
  repairs: 'syncRepairs',
  resolvedUntil: 'syncResolvedUntil',
  regression: 'syncRegression',
  regressedIn: 'syncRegressedIn',
  group: 'syncGroup',
} as const satisfies Record<keyof LinkSyncState, string>;

export const SYNC_FIELDS = Object.keys(SYNC_ATTRIBUTES) as (keyof LinkSyncState)[];

export function linkKey(integration: string, fingerprint: string): Item {
  return { pk: { S: linkPartitionKey(integration) }, sk: { S: linkSortKey(fingerprint) } };
}

export function toItem(link: Link): Item {
  const item: Item = {
    ...linkKey(link.integration, link.fingerprint),
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
  for (const field of SYNC_FIELDS) {
    const value = link.sync ? encodeSyncField(field, link.sync) : undefined;
    if (value !== undefined) item[SYNC_ATTRIBUTES[field]] = value;
  }
  return item;
}

export function fromItem(item: Item): Link {
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
    sync: decodeSync(item),
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) (link as unknown as Record<string, unknown>)[name] = value;
  }
  return link;
}

/** `sync[field]` as its attribute value, or undefined when the field is absent. */
export function encodeSyncField(field: keyof LinkSyncState, sync: Partial<LinkSyncState>): AttributeValue | undefined {
  const value = sync[field];
  return value === undefined ? undefined : toAttribute(value);
}

function decodeSync(item: Item): LinkSyncState | undefined {
  const sync: Record<string, unknown> = {};
  for (const field of SYNC_FIELDS) {
    const value = item[SYNC_ATTRIBUTES[field]];
    if (value !== undefined) sync[field] = fromAttribute(value);
  }
  return Object.keys(sync).length > 0 ? (sync as LinkSyncState) : undefined;
}

/** A JSON-like value (strings, finite numbers, booleans, null, lists, objects) as a DynamoDB attribute value. */
export function toAttribute(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number' && Number.isFinite(value)) return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toAttribute) };
  if (typeof value === 'object') {
    return { M: Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined).map(([key, member]) => [key, toAttribute(member)])) };
  }
  throw new PermanentError(`Cannot store ${typeof value} in a link's sync bookkeeping`);
}

export function fromAttribute(value: AttributeValue): unknown {
  if (value.NULL) return null;
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.L !== undefined) return value.L.map(fromAttribute);
  if (value.M !== undefined) return Object.fromEntries(Object.entries(value.M).map(([key, member]) => [key, fromAttribute(member)]));
  return undefined;
}
