/**
 * Use-case behind `POST /jira/webhook`: authenticate Jira's delivery (X-Hub-Signature HMAC of the raw body, or a
 * secret token in the URL for Jira versions that cannot sign), drop duplicates by X-Atlassian-Webhook-Identifier,
 * and enqueue a trimmed copy for the sync-to-backtrace worker. Answers fast: Jira retries slow or failed deliveries
 * and may give up, so the Backtrace write happens from the queue, with retries and a DLQ.
 *
 * Refusals change nothing: 401 for an unsigned or wrongly signed body (nothing parsed), 400 for a malformed one
 * (invalid UTF-8, nested too deep, an overlong delivery id, a time far ahead). A signed delivery older than
 * `jiraWebhook.replayWindowSeconds` is dropped with a warning and a 200 (see replay-window.ts).
 * Events the bridge does not act on (comments, issue creations; issues no fingerprint is linked to, dropped by the
 * worker) get a 2xx.
 */
import type { BridgeConfig, IntegrationConfig } from '../domain/config/index.ts';
import { parseJiraWebhook } from '../domain/jira/jira-webhook.ts';
import { trimJiraWebhook } from '../domain/jira/trim-jira-webhook.ts';
import { replayVerdict } from '../domain/jira/replay-window.ts';
import { checkDeliveryId, describeTime } from '../domain/input-limits.ts';
import { JIRA_CHANGE_KIND, type QueueMessageInput } from '../domain/queue-message.ts';
import { HUB_SIGNATURE_HEADER, verifyHubSignature, verifyQueryToken } from '../domain/sync/webhook-signature.ts';
import type { Clock } from '../ports/clock.ts';
import type { DeliveryLog } from '../ports/delivery-log.ts';
import { RetryableError } from '../ports/errors.ts';
import type { Logger } from '../ports/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { Queue } from '../ports/queue.ts';
import type { SecretSource } from '../ports/secrets.ts';
import { answer, type HttpAnswer, type IncomingRequest } from './http.ts';
import { checkQueueMessageSize, parseJsonBody, requestBytes } from './request-body.ts';

/** Jira retries a failed delivery for about half an hour; a day of memory covers every retry with room. */
export const DELIVERY_MEMORY_SECONDS = 24 * 3600;
/** SQS takes 256 KiB; the trimmed event is a few KiB, and Jira's full bodies (comments, etc.) can be large. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

/** Why a `jira:issue_created` delivery is answered without queueing (see SUBSCRIBED_WEBHOOK_EVENTS). */
export const CREATION_IGNORED = 'jira:issue_created events are not synced: the bridge reads each issue it links right after creating or adopting it';

export interface AcceptJiraWebhookDeps {
  config: BridgeConfig;
  secrets: SecretSource;
  queue: Queue;
  deliveries: DeliveryLog;
  log: Logger;
  clock: Clock;
  /** Counts deliveries queued. @default - none */
  metrics?: Metrics;
}

/** Integrations that take Jira webhooks, each checked (no early exit) against the delivery's proof. */
async function authenticatedIntegrations(deps: AcceptJiraWebhookDeps, raw: Buffer, request: IncomingRequest): Promise<{ accepted: IntegrationConfig[]; reasons: string[] }> {
  const accepted: IntegrationConfig[] = [];
  const reasons: string[] = [];
  for (const integration of deps.config.integrations) {
    const webhook = integration.jiraWebhook;
    if (!webhook) continue;
    let secret: string;
    try {
      secret = await deps.secrets.get(webhook.secret);
    } catch (error) {
      // One integration's broken secret must not lock every other integration out: it simply matches nothing.
      if (error instanceof RetryableError) throw error;
      deps.log.error('An integration\'s Jira webhook secret cannot be read; it accepts no delivery until fixed', { integration: integration.name, error: (error as Error).message });
      continue;
    }
    if (webhook.verification === 'signature') {
      const verdict = verifyHubSignature(raw, request.headers[HUB_SIGNATURE_HEADER], secret);
      if (verdict.ok) accepted.push(integration);
      else reasons.push(`${integration.name}: ${verdict.reason}`);
    } else {
      const verdict = verifyQueryToken(request.queryStringParameters?.token, secret);
      if (verdict.ok) accepted.push(integration);
      else reasons.push(`${integration.name}: ${verdict.reason}`);
    }
  }
  return { accepted, reasons };
}

export async function acceptJiraWebhook(deps: AcceptJiraWebhookDeps, request: IncomingRequest): Promise<HttpAnswer> {
  const bytes = requestBytes(request);
  if (!bytes.ok) return bytes.answer;
  const raw = bytes.value;
  if (raw.byteLength > MAX_WEBHOOK_BYTES) {
    return answer(413, { message: `the body is ${raw.byteLength} bytes; the limit is ${MAX_WEBHOOK_BYTES}` });
  }
  const { accepted, reasons } = await authenticatedIntegrations(deps, raw, request);
  if (accepted.length === 0) {
    deps.log.warn('Refused a Jira webhook delivery: not signed by any integration\'s jiraWebhook.secret', { reasons });
    return answer(401, { message: 'the delivery is not signed with a configured Jira webhook secret (X-Hub-Signature, or ?token= for unsigned Jira versions)' });
  }

  const delivery = checkDeliveryId(request.headers['x-atlassian-webhook-identifier']);
  if (!delivery.ok) return answer(400, { message: delivery.problem });
  const deliveryId = delivery.value;
  const body = parseJsonBody(raw, 'the JSON body Jira\'s webhook sends');
  if (!body.ok) return body.answer;
  const json = body.value;
  const parsed = parseJiraWebhook(json);
  if (parsed.kind === 'invalid') {
    return answer(400, { message: `the body is not a Jira webhook event: ${parsed.problems.join('; ')}`, problems: parsed.problems });
  }
  if (parsed.kind === 'ignored') {
    deps.log.debug('Jira webhook event ignored', { reason: parsed.reason });
    return answer(200, { ignored: parsed.reason });
  }
  if (parsed.event === 'created') {
    // Before the delivery log's read: in a storm every new group's create comes back here, and costs nothing.
    deps.log.debug('Jira webhook for an issue creation ignored', { issueKey: parsed.issueKey });
    return answer(200, { ignored: CREATION_IGNORED });
  }
  // No project filter here: a moved issue lives in another project from then on and keeps its link. The worker
  // looks the issue up by id and drops what no fingerprint is linked to; the webhook's JQL filter limits the load.
  const now = deps.clock.now();
  if (deliveryId && (await deps.deliveries.seen(deliveryId, now))) {
    deps.log.debug('Duplicate Jira webhook delivery dropped', { deliveryId, retry: request.headers['x-atlassian-webhook-retry'] });
    return answer(200, { duplicate: deliveryId });
  }
  // Each integration judges the delivery by its own window; those for which it is too old do not act on it.
  const fresh: IntegrationConfig[] = [];
  let stale: { eventAt: number; ageSeconds: number } | undefined;
  for (const integration of accepted) {
    const verdict = replayVerdict(parsed, now, integration.jiraWebhook?.replayWindowSeconds ?? 0);
    if (verdict.kind === 'invalid') return answer(400, { message: verdict.problem });
    if (verdict.kind === 'fresh') fresh.push(integration);
    else stale = verdict;
  }
  if (fresh.length === 0 && stale) {
    const { eventAt, ageSeconds } = stale;
    // 200, not 4xx: Jira retries neither, but a 4xx would list a real (late) delivery as failed in Jira's admin, and
    // a replayer learns nothing either way. The log line is what an operator reads.
    deps.log.warn('Stale Jira webhook delivery dropped (older than jiraWebhook.replayWindowSeconds)', {
      issueKey: parsed.issueKey,
      deliveryId,
      eventAt: describeTime(eventAt),
      ageSeconds,
      integrations: accepted.map((integration) => integration.name),
    });
    return answer(200, { dropped: 'stale', ageSeconds, message: `the delivery is ${ageSeconds} s old, older than jiraWebhook.replayWindowSeconds; nothing was queued` });
  }
  const integrations = fresh.map((integration) => integration.name);
  const message: QueueMessageInput = { kind: JIRA_CHANGE_KIND, integrations, deliveryId, receivedAt: new Date(now).toISOString(), event: trimJiraWebhook(json) };
  const tooLarge = checkQueueMessageSize(message);
  if (tooLarge) return tooLarge;
  // Queued first, recorded after: a crash in between makes Jira's retry queue it again (the worker is idempotent),
  // where the other order would drop that retry as a duplicate and lose the change.
  await deps.queue.send(message);
  if (deliveryId) await deps.deliveries.record(deliveryId, now, DELIVERY_MEMORY_SECONDS);
  deps.metrics?.count('EventsIn', { route: 'JiraWebhook' });
  deps.log.info('Jira webhook queued', { issueKey: parsed.issueKey, event: parsed.event, deliveryId, integrations });
  return answer(200, { queued: parsed.issueKey });
}
