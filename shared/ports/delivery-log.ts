/**
 * Jira webhook deliveries seen recently (`X-Atlassian-Webhook-Identifier`), so a retried or duplicated delivery is
 * processed once. Implemented on DynamoDB with a TTL: `shared/adapters/dynamodb/delivery-log.ts`.
 */
export interface DeliveryLog {
  /** Record a delivery id; false when it was recorded before (a retry or duplicate). Expires after `ttlSeconds`. */
  record(deliveryId: string, now: number, ttlSeconds: number): Promise<boolean>;
  /** Whether a delivery id was recorded and has not expired; reads only. */
  seen(deliveryId: string, now: number): Promise<boolean>;
}
