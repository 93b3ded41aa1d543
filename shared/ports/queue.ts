/** The message queues between the entry points and the workers (SQS). */
import type { QueueMessageInput } from '../domain/queue-message.ts';

export interface Queue {
  /** Enqueue one message; `delaySeconds` keeps it hidden that long first (at most 15 minutes). */
  send(message: QueueMessageInput, options?: { delaySeconds?: number }): Promise<void>;
}
