/**
 * The links table's physical shape, in one place so the adapter, the CDK stack, the local stack and the tests
 * agree on it. CDK equivalent: partitionKey `pk` (S), sortKey `sk` (S), GSI `byIssueId` on `issueId` (S), ALL.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const LINK_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;
export const BY_ISSUE_ID_INDEX = 'byIssueId';
export const ISSUE_ID_ATTRIBUTE = 'issueId';

/** `pk` of a link: one partition per integration, so an integration's links can be listed by the reconcile job. */
export const linkPartitionKey = (integration: string): string => `LINK#${integration}`;
/** `sk` of a link. */
export const linkSortKey = (fingerprint: string): string => `FP#${fingerprint}`;

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
