/**
 * Runs DynamoDB calls against one table with the bridge's failure taxonomy: throttling, 5xx, timeouts ->
 * RetryableError; anything else -> PermanentError naming the operation and the table. A failed condition of a
 * conditional write is an answer, not a failure.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { toBridgeError } from '../aws/aws-errors.ts';

/** The outcome of a conditional write: its output, or the refusal (carrying the item when DynamoDB returns it). */
export type ConditionalOutcome<T> = { applied: true; output: T } | { applied: false; refusal: ConditionalCheckFailedException };

const isConditionFailure = (error: unknown): error is ConditionalCheckFailedException =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';

export class TableCalls {
  constructor(readonly tableName: string) {}

  async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toBridgeError(error, `DynamoDB ${operation} on table ${this.tableName}`);
    }
  }

  /** Runs a conditional write: true when it applied, false when its condition failed. */
  async conditional(operation: string, call: () => Promise<unknown>): Promise<boolean> {
    return (await this.conditionalOutcome(operation, call)).applied;
  }

  /** Runs a conditional write and keeps what it answered: the output, or the refusal with its old item. */
  async conditionalOutcome<T>(operation: string, call: () => Promise<T>): Promise<ConditionalOutcome<T>> {
    try {
      return { applied: true, output: await call() };
    } catch (error) {
      if (isConditionFailure(error)) return { applied: false, refusal: error };
      throw toBridgeError(error, `DynamoDB ${operation} on table ${this.tableName}`);
    }
  }
}
