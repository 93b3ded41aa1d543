/**
 * Why a queue message last failed, by SQS message id, so a dead letter can be shown with its reason (SQS keeps none:
 * a message moved to a DLQ keeps its id and body only). Written by the queue workers on each failed delivery, read
 * by `npx bridge dlq list`. Implemented on DynamoDB with a TTL: `shared/adapters/dynamodb/failure-log.ts`.
 */
export interface FailureNote {
  messageId: string;
  /** The error's message: it names what to change, and never holds a secret. */
  reason: string;
  /** Whether the worker meant to retry (false: refused for good, bound for the DLQ). */
  retryable: boolean;
  /** ApproximateReceiveCount of the failed delivery. */
  receiveCount: number;
  /** Epoch ms. */
  at: number;
}

export interface FailureLog {
  /** Record (or replace) the last failure of a message. Best effort for the caller: a failure here loses only the note. */
  record(note: FailureNote): Promise<void>;
  /** The notes of these message ids that exist (ids without one are left out). */
  find(messageIds: readonly string[]): Promise<Map<string, FailureNote>>;
}
