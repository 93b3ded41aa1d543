/**
 * SQS jira-changes -> the linked fingerprint's state, assignees and ticket entry (Jira -> Backtrace, two-way sync).
 * Thin: the rules live in shared/app/apply-jira-change.ts.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { applyJiraChange } from '../shared/app/apply-jira-change.ts';
import { queueWorker } from '../shared/runtime/queue-worker.ts';
import { requiredEnv } from '../shared/runtime/runtime-config.ts';
import { workerDeps } from '../shared/runtime/worker-deps.ts';
import { AWS_CLIENT_OPTIONS } from '../shared/adapters/aws/client-options.ts';

const { logger, deps, metrics, failures } = workerDeps('sync-to-backtrace');

export const handler = queueWorker({
  sqs: new SQSClient(AWS_CLIENT_OPTIONS),
  queueUrl: requiredEnv('JIRA_CHANGES_QUEUE_URL'),
  logger,
  metrics: { metrics, queue: 'jira-changes', maxReceiveCount: deps.config.settings.maxReceiveCount },
  failures,
  handlers: {
    'jira.webhook': async (message) => {
      const applied = await applyJiraChange(deps, message);
      logger.debug('Jira change processed', { deliveryId: message.deliveryId, applied });
    },
  },
});
