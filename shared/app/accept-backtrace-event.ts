/**
 * Use-case behind `POST /backtrace/events`: authenticate Backtrace's webhook call, validate the error group, apply
 * each matching integration's submit/filter rules and enqueue one message per integration. Never calls Jira: the
 * answer must be fast, and the queue gives retries and a DLQ.
 *
 * Bad input changes nothing: every refusal happens before the first enqueue. A repeat of a group this container
 * queued moments ago is answered 202 `coalesced` and not queued again (queued-groups.ts says why that loses nothing).
 */
import type { BridgeConfig } from '../domain/config/index.ts';
import { credentialsMatch, parseBasicAuthorization, parseStoredCredentials, type BasicCredentials } from '../domain/basic-auth.ts';
import { parseBacktraceGroup } from '../domain/backtrace-group.ts';
import { checkEventTime, checkFingerprint, groupLimitProblems } from '../domain/input-limits.ts';
import { FINGERPRINT_CHANGE_KIND, GROUP_KIND, type QueueMessageInput } from '../domain/queue-message.ts';
import { integrationsForProject } from '../domain/routing.ts';
import { shouldSubmit } from '../domain/rules.ts';
import { isFingerprintUpdated, parseFingerprintUpdated } from '../domain/sync/fingerprint-event.ts';
import { syncEnabled } from '../domain/sync/sync-decisions.ts';
import type { Clock } from '../ports/clock.ts';
import { RetryableError } from '../ports/errors.ts';
import type { Logger } from '../ports/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { Queue } from '../ports/queue.ts';
import type { SecretSource } from '../ports/secrets.ts';
import { answer, type HttpAnswer, type IncomingRequest } from './http.ts';
import type { QueuedGroups } from './queued-groups.ts';
import { checkQueueMessageSize, parseJsonBody, requestBytes } from './request-body.ts';

/** Backtrace posts one group of a few KiB; SQS takes 256 KiB per message, and the message wraps the group. */
export const MAX_EVENT_BYTES = 200 * 1024;

export interface AcceptEventDeps {
  config: BridgeConfig;
  secrets: SecretSource;
  queue: Queue;
  log: Logger;
  clock: Clock;
  /** Counts events in, filtered and coalesced. @default - none */
  metrics?: Metrics;
  /** The groups this container queued moments ago: their repeats are not queued again (queued-groups.ts). @default - every event is queued */
  queuedGroups?: QueuedGroups;
}

const refuse = (statusCode: number, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): HttpAnswer =>
  answer(statusCode, { message, ...extra }, headers);

const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="backtrace-jira-bridge", charset="UTF-8"' };

async function integrationsAcceptingCredentials(deps: AcceptEventDeps, given: BasicCredentials): Promise<Set<string>> {
  const accepted = new Set<string>();
  // Check every integration (no early exit), so the time taken does not tell which one matched.
  for (const integration of deps.config.integrations) {
    const secretName = integration.ingest.basicAuthSecret;
    try {
      const stored = parseStoredCredentials(await deps.secrets.get(secretName), secretName);
      if (credentialsMatch(given, stored)) accepted.add(integration.name);
    } catch (error) {
      // One integration's broken secret must not lock every other integration out: it simply matches nothing.
      if (error instanceof RetryableError) throw error;
      deps.log.error('An integration\'s webhook credentials cannot be read; it accepts no event until fixed', { integration: integration.name, error: (error as Error).message });
    }
  }
  return accepted;
}

/** Decide and enqueue. Throws only when the queue or the secret store fails (the handler answers 503: Backtrace retries). */
export async function acceptBacktraceEvent(deps: AcceptEventDeps, request: IncomingRequest): Promise<HttpAnswer> {
  const given = parseBasicAuthorization(request.headers.authorization);
  if (!given) {
    return refuse(401, "HTTP Basic credentials are required: set the username and password on Backtrace's webhook integration", {}, BASIC_CHALLENGE);
  }
  const allowed = await integrationsAcceptingCredentials(deps, given);
  if (allowed.size === 0) {
    // No username: a caller who typed a password into the username field would find it in the log.
    deps.log.warn('Refused a Backtrace event: credentials match no integration');
    return refuse(401, "the HTTP Basic credentials match no integration's ingest.basicAuthSecret", {}, BASIC_CHALLENGE);
  }

  const bytes = requestBytes(request);
  if (!bytes.ok) return bytes.answer;
  if (bytes.value.byteLength > MAX_EVENT_BYTES) {
    return refuse(413, `the body is ${bytes.value.byteLength} bytes; the limit is ${MAX_EVENT_BYTES} bytes (Backtrace sends one error group per POST)`);
  }
  const body = parseJsonBody(bytes.value, "the JSON error group Backtrace's webhook integration sends");
  if (!body.ok) return body.answer;
  const json = body.value;
  if (Array.isArray(json)) {
    return refuse(400, 'the body is a JSON array: send one error group object per POST, as Backtrace\'s webhook integration does');
  }
  if (isFingerprintUpdated(json)) return acceptFingerprintChange(deps, json, allowed);
  const parsed = parseBacktraceGroup(json);
  if (!parsed.ok) {
    return refuse(400, `the body is not a Backtrace error group: ${parsed.problems.join('; ')}`, { problems: parsed.problems });
  }
  const group = parsed.group;
  const limits = groupLimitProblems(group, deps.clock.now());
  if (limits.length > 0) return refuse(400, `the error group is outside the bridge's limits: ${limits.join('; ')}`, { problems: limits });

  const targets = integrationsForProject(deps.config, group);
  if (targets.length === 0) {
    return refuse(
      422,
      `no integration is configured for Backtrace universe "${group.universe}", project "${group.project}": add one (integrations[].backtrace.universe/project) or fix the webhook's source`,
    );
  }
  const permitted = targets.filter((integration) => allowed.has(integration.name));
  if (permitted.length === 0) {
    return refuse(403, `these credentials are not those of the integration(s) for universe "${group.universe}", project "${group.project}"`);
  }

  const accepted: { integration: string; fingerprint: string }[] = [];
  const filtered: { integration: string; fingerprint: string; rule?: number }[] = [];
  const now = deps.clock.now();
  const receivedAt = new Date(now).toISOString();
  let coalescible = true;
  for (const integration of permitted) {
    const decision = shouldSubmit(group, integration.rules);
    if (!decision.submit) {
      filtered.push({ integration: integration.name, fingerprint: group.fingerprint, rule: decision.ruleIndex });
      deps.log.info('Backtrace event filtered by a rule', { integration: integration.name, fingerprint: group.fingerprint, rule: decision.ruleIndex });
      continue;
    }
    accepted.push({ integration: integration.name, fingerprint: group.fingerprint });
    // A repeat may carry a version above the fingerprint's resolved-until one: a regression the worker must see.
    if (integration.fixVersions.enabled) coalescible = false;
  }
  // One message for all of them: the worker handles the integrations of one fingerprint in turn, never racing on
  // its ticket list.
  if (accepted.length > 0) {
    const names = accepted.map((entry) => entry.integration);
    if (coalescible && deps.queuedGroups?.queuedRecently(names, group.fingerprint, now)) {
      deps.metrics?.count('RepeatsCoalesced');
      if (filtered.length > 0) deps.metrics?.count('EventsFiltered', undefined, filtered.length);
      deps.log.debug('Repeat of an error group this container queued moments ago: not queued again', { fingerprint: group.fingerprint, integrations: names });
      return { statusCode: 202, body: { accepted: [], filtered, coalesced: accepted } };
    }
    const message: QueueMessageInput = { kind: GROUP_KIND, integrations: names, group, receivedAt };
    const tooLarge = checkQueueMessageSize(message);
    if (tooLarge) return tooLarge;
    await deps.queue.send(message);
    if (coalescible) deps.queuedGroups?.remember(names, group.fingerprint, now);
    deps.metrics?.count('EventsIn', { route: 'BacktraceEvents' });
  }
  if (filtered.length > 0) deps.metrics?.count('EventsFiltered', undefined, filtered.length);
  deps.log.info('Backtrace event accepted', { fingerprint: group.fingerprint, accepted: accepted.length, filtered: filtered.length });
  return { statusCode: 202, body: { accepted, filtered } };
}

/**
 * A `fingerprint.updated` event (Backtrace -> Jira sync): queued for each integration that syncs state or assignee
 * to Jira. Submit/filter rules do not apply: they decide which new groups become issues, not which changes follow.
 */
async function acceptFingerprintChange(deps: AcceptEventDeps, json: unknown, allowed: Set<string>): Promise<HttpAnswer> {
  const parsed = parseFingerprintUpdated(json);
  if (!parsed.ok) {
    return refuse(400, `the body is not a fingerprint.updated event: ${parsed.problems.join('; ')}`, { problems: parsed.problems });
  }
  const { event } = parsed;
  const now = deps.clock.now();
  // A time in the future would become the watermark and silently drop every real change after it.
  const limits = [checkFingerprint(event.fingerprint), checkEventTime(event.at, now, 'at', 'ISO-8601, unix seconds or unix milliseconds')].flatMap((check) => (check.ok ? [] : [check.problem]));
  if (limits.length > 0) return refuse(400, `the fingerprint.updated event is outside the bridge's limits: ${limits.join('; ')}`, { problems: limits });
  const targets = integrationsForProject(deps.config, event);
  if (targets.length === 0) {
    return refuse(422, `no integration is configured for Backtrace universe "${event.universe}", project "${event.project}"`);
  }
  const permitted = targets.filter((integration) => allowed.has(integration.name));
  if (permitted.length === 0) {
    return refuse(403, `these credentials are not those of the integration(s) for universe "${event.universe}", project "${event.project}"`);
  }
  const accepted: { integration: string; fingerprint: string }[] = [];
  const skipped: { integration: string; reason: string }[] = [];
  const receivedAt = new Date(now).toISOString();
  const messages: { integration: string; message: QueueMessageInput }[] = [];
  for (const integration of permitted) {
    if (!syncEnabled(integration.sync, 'to-jira', 'state') && !syncEnabled(integration.sync, 'to-jira', 'assignee')) {
      const reason = integration.sync.mode === 'none' ? 'sync to Jira is off (sync.mode "none")' : 'sync to Jira is off (sync.state and sync.assignee are both false)';
      skipped.push({ integration: integration.name, reason });
      continue;
    }
    messages.push({ integration: integration.name, message: { kind: FINGERPRINT_CHANGE_KIND, integration: integration.name, event, receivedAt } });
  }
  // Every message checked before the first is sent: a refusal enqueues nothing.
  for (const { message } of messages) {
    const tooLarge = checkQueueMessageSize(message);
    if (tooLarge) return tooLarge;
  }
  for (const { integration, message } of messages) {
    await deps.queue.send(message);
    accepted.push({ integration, fingerprint: event.fingerprint });
  }
  if (accepted.length > 0) deps.metrics?.count('EventsIn', { route: 'BacktraceEvents' });
  deps.log.info('Fingerprint change accepted', { fingerprint: event.fingerprint, state: event.state, accepted: accepted.length });
  return { statusCode: 202, body: { accepted, skipped } };
}
