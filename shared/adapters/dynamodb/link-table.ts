/**
 * The links table's physical shape, in one place so the adapter, the CDK stack, the local stack and the tests
 * agree on it. CDK equivalent: partitionKey `pk` (S), sortKey `sk` (S), GSI `byIssueId` on `issueId` (S), ALL,
 * `timeToLiveAttribute: 'expiresAt'`.
 *
 * Four kinds of item share the table, told apart by their `pk` prefix:
 * - links: `LINK#<integration>` / `FP#<fingerprint>`, the only items carrying `issueId` (so the only ones in the GSI);
 * - webhook deliveries seen: `DELIVERY#<id>` / `DELIVERY`, with `expiresAt` (epoch seconds, the TTL attribute);
 * - Backtrace users seen: `BTUSER#<universe>` / `EMAIL#<lower-cased e-mail>`;
 * - Jira pacing buckets: `PACE#<site>` / `BUCKET#<METHOD> <path template>` (shared/adapters/dynamodb/rate-limiter.ts).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const LINK_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;
export const BY_ISSUE_ID_INDEX = 'byIssueId';
export const ISSUE_ID_ATTRIBUTE = 'issueId';
/**
 * The table's TTL attribute (epoch seconds). DynamoDB deletes expired items only eventually (and dynalite never),
 * so readers must also treat an item whose `expiresAt` is past as absent.
 */
export const EXPIRES_AT_ATTRIBUTE = 'expiresAt';

/** `pk` of a link: one partition per integration, so an integration's links can be listed by the reconcile job. */
export const linkPartitionKey = (integration: string): string => `LINK#${integration}`;
/** `sk` of a link. */
export const linkSortKey = (fingerprint: string): string => `FP#${fingerprint}`;

/** `pk` of a recorded webhook delivery (`X-Atlassian-Webhook-Identifier`). */
export const deliveryPartitionKey = (deliveryId: string): string => `DELIVERY#${deliveryId}`;
/** `sk` of a recorded webhook delivery: one item per delivery id. */
export const DELIVERY_SORT_KEY = 'DELIVERY';

/** `pk` of a queue message's last failure (its SQS message id), for the reason shown beside a dead letter. */
export const failurePartitionKey = (messageId: string): string => `FAILURE#${messageId}`;
/** `sk` of a failure note: one item per message id. */
export const FAILURE_SORT_KEY = 'FAILURE';

/** `pk` of a Backtrace user seen in events: user ids are per universe. */
export const backtraceUserPartitionKey = (universe: string): string => `BTUSER#${universe}`;
/** `sk` of a Backtrace user: e-mail addresses compare case-insensitively (Jira and Backtrace disagree on case). */
export const backtraceUserSortKey = (email: string): string => `EMAIL#${email.trim().toLowerCase()}`;

/** `pk` of a pacing bucket: one partition per Jira site (`host[/context path]`). */
export const pacePartitionKey = (site: string): string => `PACE#${site}`;
/** `sk` of a pacing bucket: Jira meters per endpoint and method (`POST issue`, `GET issue/{id}`). */
export const paceSortKey = (endpoint: string): string => `BUCKET#${endpoint}`;

/** CreateTable input for the local stack and the tests (on-demand billing, same keys and GSI as the CDK table). */
export function linkTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: LINK_TABLE_KEYS.partitionKey, AttributeType: 'S' },
      { AttributeName: LINK_TABLE_KEYS.sortKey, AttributeType: 'S' },
      { AttributeName: ISSUE_ID_ATTRIBUTE, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: LINK_TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: LINK_TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: BY_ISSUE_ID_INDEX,
        KeySchema: [{ AttributeName: ISSUE_ID_ATTRIBUTE, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
