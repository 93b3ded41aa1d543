import type { QueueMessageInput } from '../../../shared/domain/queue-message.ts';
import type { Queue } from '../../../shared/ports/queue.ts';

/** {@link Queue} that keeps what was sent, as JSON round-trips it (what SQS would carry). */
export class RecordingQueue implements Queue {
  readonly sent: { message: QueueMessageInput; delaySeconds?: number }[] = [];
  /** Set to make the next sends fail, as an SQS outage would. */
  failWith?: Error;

  async send(message: QueueMessageInput, options: { delaySeconds?: number } = {}): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ message: JSON.parse(JSON.stringify(message)) as QueueMessageInput, ...options });
  }
}
