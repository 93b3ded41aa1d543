/**
 * The message the ingest function puts on the backtrace-events queue. The worker also accepts a bare group and
 * the EventBridge envelope (see `parseEnvelope` in shared/domain/backtrace-group.ts).
 */
import type { BacktraceGroup } from '../domain/backtrace-group.ts';

export interface GroupMessage {
  kind: 'backtrace.group';
  /** The integration that accepted it (its rules already passed). */
  integration: string;
  group: BacktraceGroup;
  receivedAt: string;
}

export const groupMessage = (integration: string, group: BacktraceGroup, receivedAt: string): GroupMessage => ({
  kind: 'backtrace.group',
  integration,
  group,
  receivedAt,
});
