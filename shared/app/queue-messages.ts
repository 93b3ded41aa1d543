/**
 * The message the ingest function puts on the backtrace-events queue. The worker also accepts a bare group and
 * the EventBridge envelope (see `parseEnvelope` in shared/domain/backtrace-group.ts).
 */
import type { BacktraceGroup } from '../domain/backtrace-group.ts';
import type { FingerprintUpdatedEvent } from '../domain/sync/fingerprint-event.ts';

export interface GroupMessage {
  kind: 'backtrace.group';
  /** The integrations that accepted it (their rules passed), handled one after the other by the worker. */
  integrations: string[];
  group: BacktraceGroup;
  receivedAt: string;
}

export const groupMessage = (integrations: string[], group: BacktraceGroup, receivedAt: string): GroupMessage => ({
  kind: 'backtrace.group',
  integrations,
  group,
  receivedAt,
});

/** A Backtrace fingerprint change for one integration that syncs to Jira. */
export interface FingerprintChangeMessage {
  kind: 'backtrace.fingerprint-updated';
  integration: string;
  event: FingerprintUpdatedEvent;
  receivedAt: string;
}

export const FINGERPRINT_CHANGE_KIND = 'backtrace.fingerprint-updated';

export const fingerprintChangeMessage = (integration: string, event: FingerprintUpdatedEvent, receivedAt: string): FingerprintChangeMessage => ({
  kind: FINGERPRINT_CHANGE_KIND,
  integration,
  event,
  receivedAt,
});

/** A Jira webhook delivery, authenticated and trimmed by the receiver, for the sync-to-backtrace worker. */
export interface JiraWebhookMessage {
  kind: 'jira.webhook';
  /** Integrations whose webhook secret authenticated this delivery. */
  integrations: string[];
  deliveryId?: string;
  receivedAt?: string;
  /** The webhook body, trimmed to what sync reads (`trimJiraWebhook`). */
  event: unknown;
}
