/** The message queue between the entry points and the workers (SQS). */
export interface Queue {
  /** Enqueue one message body (JSON-serialisable). */
  send(body: unknown, options?: { delaySeconds?: number }): Promise<void>;
}
