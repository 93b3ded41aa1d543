/**
 * Runs DynamoDB calls against one table with the bridge's failure taxonomy: throttling, 5xx, timeouts ->
 * RetryableError; anything else -> PermanentError naming the operation and the table. A failed condition of a
 * conditional write is an answer, not a failure.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { toBridgeError } from './aws-errors.ts';

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
    try {
      await call();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException') {
        return false;
      }
      throw toBridgeError(error, `DynamoDB ${operation} on table ${this.tableName}`);
    }
  }
}
