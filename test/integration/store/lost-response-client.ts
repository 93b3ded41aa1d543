/**
 * A real DynamoDBClient whose transport lets chosen requests reach the server but loses their response (the
 * connection "resets" afterwards), so the SDK retries a write that already landed: the ambiguous failure every
 * conditional write of the link store must recognise.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface LostResponseClient {
  client: DynamoDBClient;
  /** Lose the response of the next `times` calls of `operation` (e.g. 'PutItem'); each call is still applied. */
  loseNextResponse(operation: string, times?: number): void;
  /** How many responses were lost so far. */
  lost(): number;
  close(): void;
}

type Handler = { handle(request: { headers: Record<string, string> }, options?: unknown): Promise<{ response: { body?: unknown } }> };

export function lostResponseClient(endpoint: string): LostResponseClient {
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const transport = new DynamoDBClient(config);
  const inner = transport.config.requestHandler as unknown as Handler;
  const pending = new Map<string, number>();
  let lostCount = 0;
  const handler: Handler = {
    async handle(request, options) {
      const result = await inner.handle(request, options);
      const operation = (request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const left = pending.get(operation) ?? 0;
      if (left > 0) {
        pending.set(operation, left - 1);
        lostCount++;
        (result.response.body as { resume?: () => void } | undefined)?.resume?.();
        throw Object.assign(new Error('socket hang up after the request was sent'), { code: 'ECONNRESET' });
      }
      return result;
    },
  };
  const client = new DynamoDBClient({ ...config, requestHandler: handler as never });
  return {
    client,
    loseNextResponse: (operation, times = 1) => pending.set(operation, (pending.get(operation) ?? 0) + times),
    lost: () => lostCount,
    close: () => {
      client.destroy();
      transport.destroy();
    },
  };
}
