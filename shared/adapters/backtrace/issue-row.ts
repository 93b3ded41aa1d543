/**
 * One row of Backtrace's `issues` table as the bridge reads it, from a decoded select answer
 * (../shared/reference/backtrace.md sections 3.3, 3.4 and 5.3): `state` a string, `ticket` and `invariants` JSON
 * strings (empty when never set), `invariant_reopen_count` a number (coroner may send numbers as strings),
 * `invariant_reopen_last_time` unix seconds.
 */
import { FINGERPRINT_STATES, type FingerprintIssue, type FingerprintState, type Ticket } from '../../domain/model/backtrace.ts';
import { PermanentError } from '../../ports/errors.ts';

/** Which fingerprint a problem is about, for the message. */
export interface RowContext {
  universe: string;
  project: string;
  fingerprint: string;
}

/** A row never written reads as an empty state column: Backtrace shows such a fingerprint as open. */
export function parseState(value: unknown, at: RowContext): FingerprintState {
  if (value === undefined || value === null || value === '') return 'open';
  if (typeof value === 'string' && (FINGERPRINT_STATES as readonly string[]).includes(value)) return value as FingerprintState;
  throw new PermanentError(
    `Backtrace reports state ${JSON.stringify(value)} for fingerprint ${at.fingerprint} in ${at.universe}/${at.project}; the bridge knows ${FINGERPRINT_STATES.join(', ')}`,
  );
}

function parseJsonList(value: unknown, what: string, at: RowContext): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new PermanentError(`Backtrace's ${what} of fingerprint ${at.fingerprint} in ${at.universe}/${at.project} is not JSON`);
    }
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) throw new PermanentError(`Backtrace's ${what} of fingerprint ${at.fingerprint} in ${at.universe}/${at.project} is not a list`);
  return parsed;
}

/** The `ticket` column: a JSON string holding `Ticket[]`; an unset column reads as no tickets. */
export function parseTickets(value: unknown, at: RowContext): Ticket[] {
  // Entries are kept as they are, even odd ones: the list is written back whole and must not lose others' data.
  return parseJsonList(value, 'ticket list', at).filter((ticket): ticket is Ticket => typeof ticket === 'object' && ticket !== null);
}

const count = (value: unknown): number => {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? Math.floor(number) : 0;
};

/** A decoded select row (column name -> value) as a {@link FingerprintIssue}. */
export function parseIssueRow(record: Record<string, unknown>, at: RowContext): FingerprintIssue {
  const reopenLastTime = count(record.invariant_reopen_last_time);
  return {
    state: parseState(record.state, at),
    tickets: parseTickets(record.ticket, at),
    invariants: parseJsonList(record.invariants, 'invariants', at),
    reopenCount: count(record.invariant_reopen_count),
    ...(reopenLastTime > 0 ? { reopenLastTime } : {}),
  };
}
