import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeVisibility, MAX_VISIBILITY_TIMEOUT_SECONDS, SqsQueue } from '../../../shared/adapters/sqs/queue.ts';
import type { QueueMessageInput } from '../../../shared/domain/queue-message.ts';
import { PermanentError } from '../../../shared/ports/errors.ts';

let server: FauxqsServer;
let client: SQSClient;

beforeAll(async () => {
  server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  client = new SQSClient({
    endpoint: server.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

/** A queue message as the ingest route sends it. */
const groupMessage = (fingerprint: string, occurrences = 3): QueueMessageInput => ({
  kind: 'backtrace.group',
  integrations: ['jira-prod'],
  group: { universe: 'acme', project: 'game', fingerprint, occurrences },
});

async function receiveOne(queueUrl: string) {
  const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }));
  return out.Messages?.[0];
}

describe('Class: SqsQueue', () => {
  describe('Method: send', () => {
    it('delivers the body as JSON to the queue', async () => {
      // Prepare
      const { queueUrl } = server.createQueue('send-json');
      const queue = new SqsQueue({ client, queueUrl });

      // Act
      await queue.send(groupMessage('abc'));

      // Assess
      const message = await receiveOne(queueUrl);
      expect(JSON.parse(message?.Body ?? 'null')).toEqual(groupMessage('abc'));
    });

    it('holds a delayed message back instead of delivering it at once', async () => {
      // Prepare
      const { queueUrl } = server.createQueue('send-delayed');
      const queue = new SqsQueue({ client, queueUrl });

      // Act
      await queue.send(groupMessage('fp-1'), { delaySeconds: 600 });

      // Assess
      expect(server.inspectQueue('send-delayed')?.messages.delayed).toHaveLength(1);
      expect(await receiveOne(queueUrl)).toBeUndefined();
    });

    it('reports a queue that does not exist as permanent, naming it', async () => {
      // Prepare
      const queueUrl = `${server.address}/000000000000/no-such-queue`;
      const queue = new SqsQueue({ client, queueUrl });

      // Act
      const attempt = queue.send(groupMessage('fp-1'));

      // Assess
      await expect(attempt).rejects.toThrow(PermanentError);
      await expect(attempt).rejects.toThrow('no-such-queue');
    });
  });
});

describe('Function: changeVisibility', () => {
  it('keeps a received message hidden for the requested time', async () => {
    // Prepare
    const { queueUrl } = server.createQueue('visibility-wait');
    await new SqsQueue({ client, queueUrl }).send(groupMessage('fp-1'));
    const message = await receiveOne(queueUrl);
    const before = Date.now();

    // Act
    const applied = await changeVisibility(client, queueUrl, message!.ReceiptHandle!, 120);

    // Assess
    expect(applied).toBe(120);
    const [inflight] = server.inspectQueue('visibility-wait')!.messages.inflight;
    expect(inflight!.visibilityDeadline).toBeGreaterThanOrEqual(before + 100_000);
    expect(await receiveOne(queueUrl)).toBeUndefined();
  });

  it('clamps a wait longer than SQS allows to 12 hours', async () => {
    // Prepare
    const { queueUrl } = server.createQueue('visibility-clamp');
    await new SqsQueue({ client, queueUrl }).send(groupMessage('fp-1'));
    const message = await receiveOne(queueUrl);

    // Act
    const applied = await changeVisibility(client, queueUrl, message!.ReceiptHandle!, 3 * 24 * 3600);

    // Assess
    expect(applied).toBe(MAX_VISIBILITY_TIMEOUT_SECONDS);
    expect(server.inspectQueue('visibility-clamp')!.messages.inflight).toHaveLength(1);
  });

  it('makes the message visible again at once with 0 seconds', async () => {
    // Prepare
    const { queueUrl } = server.createQueue('visibility-now');
    await new SqsQueue({ client, queueUrl }).send(groupMessage('fp-7', 7));
    const message = await receiveOne(queueUrl);

    // Act
    await changeVisibility(client, queueUrl, message!.ReceiptHandle!, 0);

    // Assess
    const again = await receiveOne(queueUrl);
    expect(JSON.parse(again?.Body ?? 'null')).toEqual(groupMessage('fp-7', 7));
  });
});


