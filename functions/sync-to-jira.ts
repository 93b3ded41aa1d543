/**
 * SQS backtrace-events -> one Jira issue per (integration, fingerprint), with the ticket attached to the Backtrace
 * fingerprint and the first sync when a link is new; and fingerprint changes -> the linked Jira issue's status and
 * assignee (Backtrace -> Jira). Thin: the rules live in the two use-cases.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { pushFingerprintChange } from '../shared/app/push-fingerprint-change.ts';
import { syncErrorGroup } from '../shared/app/sync-error-group.ts';
import { queueWorker } from '../shared/runtime/queue-worker.ts';
import { requiredEnv } from '../shared/runtime/runtime-config.ts';
import { workerDeps } from '../shared/runtime/worker-deps.ts';
import { AWS_CLIENT_OPTIONS } from '../shared/adapters/aws/client-options.ts';

const { logger, deps, metrics, failures } = workerDeps('sync-to-jira');

export const handler = queueWorker({
  sqs: new SQSClient(AWS_CLIENT_OPTIONS),
  queueUrl: requiredEnv('EVENTS_QUEUE_URL'),
  logger,
  metrics: { metrics, queue: 'backtrace-events', maxReceiveCount: deps.config.settings.maxReceiveCount },
  failures,
  handlers: {
    'backtrace.group': (message) => syncErrorGroup(deps, message),
    'backtrace.fingerprint-updated': (message) => pushFingerprintChange(deps, message),
  },
});
