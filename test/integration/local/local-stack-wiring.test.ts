import { afterEach, describe, expect, it, vi } from 'vitest';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { startLocalEngines, type LocalEngines } from '../../../infra/local/engines.ts';
import { startHttpApi, type LocalHttpApi } from '../../../infra/local/http-server.ts';
import { startSqsPoller, type SqsPoller } from '../../../infra/local/sqs-poller.ts';

describe('Local stack wiring: HTTP API -> ingest handler -> SQS -> poller -> middy worker', () => {
  const savedEnv = { ...process.env };
  let engines: LocalEngines | undefined;
  let api: LocalHttpApi | undefined;
  let poller: SqsPoller | undefined;

  afterEach(async () => {
    await api?.close();
    await poller?.stop();
    await engines?.stop();
    process.env = { ...savedEnv };
    vi.restoreAllMocks();
  });

  it('carries a webhook body to the worker and dead-letters what the worker keeps failing', async () => {
    // Prepare: handlers build their SDK clients from the environment alone, as they do in Lambda.
    const sdkWarnings = vi.spyOn(console, 'warn');
    engines = await startLocalEngines({
      linksTableName: 'links',
      queues: [{ name: 'backtrace-events', maxReceiveCount: 2, visibilityTimeoutSeconds: 1 }],
      interceptLocalhostDns: true,
    });
    Object.assign(process.env, engines.env, { QUEUE_URL: engines.sqs.queues['backtrace-events']?.url });
    const ingestSqs = new SQSClient({});
    const ingest = async (event: APIGatewayProxyEventV2) => {
      await ingestSqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: event.body ?? '' }));
      return { statusCode: 202, body: '{"queued":true}' };
    };
    const worked: string[] = [];
    const worker = middy<SQSEvent>()
      .use(sqsPartialBatchFailure({ logger: () => undefined }))
      .handler(async (event) =>
        Promise.allSettled(
          event.Records.map(async (record) => {
            worked.push(`${JSON.parse(record.body).fingerprint}:${record.attributes.ApproximateReceiveCount}`);
            if (record.body.includes('bad')) throw new Error('cannot create issue');
          }),
        ),
      );
    api = await startHttpApi({ routes: { 'POST /backtrace/events': ingest } });
    const pollerSqs = new SQSClient(engines.clientConfig('sqs'));
    poller = await startSqsPoller({
      sqs: pollerSqs,
      queueUrl: engines.sqs.queues['backtrace-events']?.url ?? '',
      handler: worker,
      functionName: 'sync-to-jira',
      log: () => undefined,
    });

    // Act
    const replies = await Promise.all(
      ['good', 'bad'].map((fingerprint) =>
        fetch(`${api?.url}/backtrace/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ fingerprint }),
        }),
      ),
    );
    await poller.idle();
    const dlq = await pollerSqs.send(
      new ReceiveMessageCommand({
        QueueUrl: engines.sqs.queues['backtrace-events']?.deadLetterQueue.url,
        WaitTimeSeconds: 5,
      }),
    );

    // Assess
    expect(replies.map((reply) => reply.status)).toEqual([202, 202]);
    expect(worked.sort()).toEqual(['bad:1', 'bad:2', 'good:1']);
    expect(dlq.Messages?.map((message) => message.Body)).toEqual(['{"fingerprint":"bad"}']);
    expect(sdkWarnings).not.toHaveBeenCalled();
    ingestSqs.destroy();
    await poller.stop();
    pollerSqs.destroy();
  });
});
