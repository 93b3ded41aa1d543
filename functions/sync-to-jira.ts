/**
 * SQS backtrace-events -> one Jira issue per (integration, fingerprint) -> ticket link on the Backtrace fingerprint;
 * and fingerprint.updated changes -> the linked Jira issue's status and assignee (Backtrace -> Jira sync).
 * Thin: the rules live in shared/app/process-backtrace-message.ts and the use-cases it calls.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { processBacktraceMessage } from '../shared/app/process-backtrace-message.ts';
import { queueWorker } from '../shared/runtime/queue-worker.ts';
import { workerDeps } from '../shared/runtime/worker-deps.ts';
import { requiredEnv } from '../shared/runtime/environment.ts';

const { logger, deps } = workerDeps('sync-to-jira');

export const handler = queueWorker({
  sqs: new SQSClient({}),
  queueUrl: requiredEnv('EVENTS_QUEUE_URL'),
  logger,
  process: (body) => processBacktraceMessage(deps, body),
});
