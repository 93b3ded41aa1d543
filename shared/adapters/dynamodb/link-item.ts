/**
 * A {@link Link} as a DynamoDB item, and back.
 *
 * `Link.sync` is stored flat, one top-level attribute per field (`syncBacktraceChangeAt`, `syncJiraUpdatedAt`,
 * `syncPushedToJira`, `syncPushedToBacktrace`), not as one nested map: an UpdateItem cannot write into a map that
 * may not exist yet (and cannot create the map and write into it in the same expression), while flat attributes let
 * one conditional UpdateItem merge any subset of fields and compare a watermark.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PermanentError } from '../../ports/errors.ts';
import type { Link, LinkSyncState } from '../../domain/model/link.ts';
import { linkPartitionKey, linkSortKey } from './link-table.ts';

export type Item = Record<string, AttributeValue>;

/** The attribute holding each {@link LinkSyncState} field. */
export const SYNC_ATTRIBUTES = {
  backtraceChangeAt: 'syncBacktraceChangeAt',
  jiraUpdatedAt: 'syncJiraUpdatedAt',
  pushedToJira: 'syncPushedToJira',
  pushedToBacktrace: 'syncPushedToBacktrace',
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

/**
 * `sync[field]` as its attribute value, or undefined when the field is absent. `assignee: null` (we unassigned)
 * stays distinct from "assignee not written".
 */
export function encodeSyncField(field: keyof LinkSyncState, sync: Partial<LinkSyncState>): AttributeValue | undefined {
  switch (field) {
    case 'backtraceChangeAt':
    case 'jiraUpdatedAt': {
      const at = sync[field];
      return at === undefined ? undefined : { N: String(at) };
    }
    case 'pushedToJira': {
      const pushed = sync.pushedToJira;
      if (pushed === undefined) return undefined;
      const map: Item = { at: { N: String(pushed.at) } };
      if (pushed.statusId !== undefined) map.statusId = { S: pushed.statusId };
      if (pushed.assignee !== undefined) map.assignee = pushed.assignee === null ? { NULL: true } : { S: pushed.assignee };
      return { M: map };
    }
    case 'pushedToBacktrace': {
      const pushed = sync.pushedToBacktrace;
      if (pushed === undefined) return undefined;
      const map: Item = { at: { N: String(pushed.at) } };
      if (pushed.state !== undefined) map.state = { S: pushed.state };
      // A list, not a number set: sets cannot be empty, and "we cleared the assignees" must be recordable.
      if (pushed.assigneeIds !== undefined) map.assigneeIds = { L: pushed.assigneeIds.map((id) => ({ N: String(id) })) };
      return { M: map };
    }
  }
}

function decodeSync(item: Item): LinkSyncState | undefined {
  const sync: LinkSyncState = {};
  const backtraceChangeAt = item[SYNC_ATTRIBUTES.backtraceChangeAt]?.N;
  if (backtraceChangeAt !== undefined) sync.backtraceChangeAt = Number(backtraceChangeAt);
  const jiraUpdatedAt = item[SYNC_ATTRIBUTES.jiraUpdatedAt]?.N;
  if (jiraUpdatedAt !== undefined) sync.jiraUpdatedAt = Number(jiraUpdatedAt);

  const toJira = item[SYNC_ATTRIBUTES.pushedToJira]?.M;
  if (toJira) {
    const pushed: NonNullable<LinkSyncState['pushedToJira']> = { at: Number(toJira.at?.N ?? 0) };
    if (toJira.statusId?.S !== undefined) pushed.statusId = toJira.statusId.S;
    if (toJira.assignee?.NULL) pushed.assignee = null;
    else if (toJira.assignee?.S !== undefined) pushed.assignee = toJira.assignee.S;
    sync.pushedToJira = pushed;
  }

  const toBacktrace = item[SYNC_ATTRIBUTES.pushedToBacktrace]?.M;
  if (toBacktrace) {
    const pushed: NonNullable<LinkSyncState['pushedToBacktrace']> = { at: Number(toBacktrace.at?.N ?? 0) };
    if (toBacktrace.state?.S !== undefined) pushed.state = toBacktrace.state.S;
    if (toBacktrace.assigneeIds?.L) pushed.assigneeIds = toBacktrace.assigneeIds.L.map((id) => Number(id.N));
    sync.pushedToBacktrace = pushed;
  }
  return Object.keys(sync).length > 0 ? sync : undefined;
}
