/**
 * `POST /api/issue?universe=U&project=P` (reference section 3.5): set state, tags, invariants and the whole
 * `ticket` list of one or more fingerprints. Unknown keys and wrong shapes are refused, so a client typo cannot pass
 * silently.
 */
import { CoronerRequestError } from './coroner-errors.ts';
import { parseInvariants } from './invariants.ts';
import { automaticState, renderIssueResult, type IssueTable } from './issue-table.ts';
import { FINGERPRINT_STATES, type IssueInvariant, type Ticket } from './wire.ts';

const KNOWN_KEYS = new Set(['fingerprint', 'project', 'state', 'ticket', 'tags', 'invariants']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

interface IssueUpdate {
  fingerprints: string[];
  state?: string;
  tickets?: Ticket[];
  tags?: string;
  invariants?: IssueInvariant[];
}

function parseUpdate(body: unknown, project: string): IssueUpdate {
  if (!isObject(body)) throw new CoronerRequestError('empty body');
  for (const key of Object.keys(body)) {
    if (!KNOWN_KEYS.has(key)) throw new CoronerRequestError(`unknown key '${key}'`);
  }
  const { fingerprint, state, ticket, tags, invariants } = body;
  if (!Array.isArray(fingerprint) || fingerprint.length === 0 || !fingerprint.every((f) => typeof f === 'string' && f !== '')) {
    throw new CoronerRequestError('fingerprint must be a non-empty list of fingerprints');
  }
  if (body.project !== undefined && body.project !== project) throw new CoronerRequestError(`project '${String(body.project)}' does not match the query's project '${project}'`);
  const update: IssueUpdate = { fingerprints: fingerprint as string[] };
  if (state !== undefined) {
    if (!FINGERPRINT_STATES.includes(state as never)) throw new CoronerRequestError(`invalid state '${String(state)}'`);
    update.state = state as string;
  }
  if (ticket !== undefined) update.tickets = parseTickets(ticket);
  if (tags !== undefined) {
    if (!isObject(tags) || tags.action !== 'set' || typeof tags.value !== 'string') throw new CoronerRequestError("tags must be {action:'set', value:'<space separated>'}");
    update.tags = tags.value;
  }
  if (invariants !== undefined) {
    if (!isObject(invariants) || invariants.action !== 'set' || !Array.isArray(invariants.value)) throw new CoronerRequestError("invariants must be {action:'set', value:[...]}");
    update.invariants = parseInvariants(invariants.value);
  }
  return update;
}

function parseTickets(ticket: unknown): Ticket[] {
  if (!isObject(ticket) || ticket.action !== 'set') throw new CoronerRequestError("ticket must be {action:'set', value:[...]}");
  if (ticket.assignee !== undefined && ticket.assignee !== 'set') throw new CoronerRequestError("ticket.assignee must be 'set' when given");
  const value = ticket.value ?? [];
  if (!Array.isArray(value)) throw new CoronerRequestError('ticket.value must be a list');
  for (const entry of value) {
    if (!isObject(entry) || typeof entry.watcher !== 'string' || entry.watcher === '') throw new CoronerRequestError('every ticket needs a watcher');
    if (entry.state !== undefined && !FINGERPRINT_STATES.includes(entry.state as never)) throw new CoronerRequestError(`invalid ticket state '${String(entry.state)}'`);
    if (entry.assignees !== undefined && (!Array.isArray(entry.assignees) || !entry.assignees.every((a) => isObject(a) && typeof a.id === 'number'))) {
      throw new CoronerRequestError('ticket assignees must be [{id:<number>, username?, email?}]');
    }
  }
  // Stored as sent: the list is a whole-value replacement and readers get back exactly what the writer wrote.
  return structuredClone(value) as Ticket[];
}

/**
 * Applies the update as one transaction and returns the `/api/issue` answer; throws CoronerRequestError for a
 * refused request (nothing is written then). Nothing is announced anywhere: Backtrace pushes no change events
 * (reference sections 3.7 and 5), readers poll `/api/query`.
 */
export function applyIssueUpdate(table: IssueTable, universe: string, project: string, body: unknown): Record<string, unknown> {
  const update = parseUpdate(body, project);
  return table.transaction((tx) => {
    const results = update.fingerprints.map((fingerprint) => {
      const row = table.getOrCreate(universe, project, fingerprint, tx);
      if (update.tickets !== undefined) row.tickets = structuredClone(update.tickets);
      if (update.tags !== undefined) row.tags = update.tags;
      if (update.invariants !== undefined) row.invariants = structuredClone(update.invariants);
      row.state = update.state ?? (update.tickets !== undefined ? automaticState(row.state, row.tickets ?? []) : row.state);
      row.modifications += 1;
      return renderIssueResult(row);
    });
    return { results };
  });
}
