/**
 * SQS jira-changes -> the linked fingerprint's state, assignees and ticket entry (Jira -> Backtrace, two-way sync).
 * Thin: the rules live in shared/app/apply-jira-change.ts.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { applyJiraChange } from '../shared/app/apply-jira-change.ts';
import type { JiraWebhookMessage } from '../shared/app/queue-messages.ts';
import { PermanentError } from '../shared/ports/errors.ts';
import { queueWorker } from '../shared/runtime/queue-worker.ts';
import { workerDeps } from '../shared/runtime/worker-deps.ts';
import { requiredEnv } from '../shared/runtime/environment.ts';

const { logger, deps } = workerDeps('sync-to-backtrace');

async function process(body: string): Promise<void> {
  let message: JiraWebhookMessage;
  try {
    message = JSON.parse(body) as JiraWebhookMessage;
  } catch {
    throw new PermanentError('the queued Jira change is not JSON');
  }
  if (message?.kind !== 'jira.webhook' || !Array.isArray(message.integrations)) throw new PermanentError('the queued message is not a Jira change');
  const applied = await applyJiraChange(deps, message);
  logger.debug('Jira change processed', { deliveryId: message.deliveryId, applied });
}

export const handler = queueWorker({ sqs: new SQSClient({}), queueUrl: requiredEnv('JIRA_CHANGES_QUEUE_URL'), logger, process });
