import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { BY_ISSUE_ID_INDEX, deliveryPartitionKey, EXPIRES_AT_ATTRIBUTE, ISSUE_ID_ATTRIBUTE, LINK_TABLE_KEYS } from '../../shared/adapters/dynamodb/link-table.ts';

/**
 * The links table, in the shape shared/adapters/dynamodb/link-table.ts defines for the adapter, the local stack and
 * the tests: `pk`/`sk`, the `byIssueId` index, TTL on `expiresAt`, on demand, point-in-time recovery, RETAINed.
 *
 * A Table subclass, like BridgeHttpApi: created as `Links` directly on the stack, it keeps its logical id for good.
 * Under a new logical id CloudFormation would leave this table behind and start an empty one, losing the only
 * record of which Jira issue belongs to which fingerprint.
 */
export class LinksTable extends Table {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      partitionKey: { name: LINK_TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: LINK_TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Recorded webhook delivery ids expire by it; links never carry it.
      timeToLiveAttribute: EXPIRES_AT_ATTRIBUTE,
      // The links are the only record of which Jira issue belongs to which fingerprint: never drop them with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.addGlobalSecondaryIndex({ indexName: BY_ISSUE_ID_INDEX, partitionKey: { name: ISSUE_ID_ATTRIBUTE, type: AttributeType.STRING }, projectionType: ProjectionType.ALL });
  }

  /**
   * Named item actions on the table, and Query on the issue-id index, instead of grantReadWriteData: no scans, no
   * batch writes, nothing a worker does not do.
   */
  grantItemActions(grantee: IGrantable & { addToRolePolicy(statement: PolicyStatement): void }, actions: string[]): void {
    grantee.addToRolePolicy(new PolicyStatement({ actions, resources: [this.tableArn] }));
    grantee.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${this.tableArn}/index/${BY_ISSUE_ID_INDEX}`] }));
  }

  /**
   * The webhook receiver answers the internet: it may read and record delivery ids (a conditional put, then a read
   * to tell its own retried put from a real repeat), and can never read or touch a link or any other item.
   */
  grantDeliveryLog(grantee: { addToRolePolicy(statement: PolicyStatement): void }): void {
    grantee.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:GetItem'],
        resources: [this.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [deliveryPartitionKey('*')] } },
      }),
    );
  }
}
