/**
 * The Backtrace sandbox's browser page: `GET /` lists the fingerprints, `POST /` (the page's form) resolves, mutes,
 * reopens or assigns one as the person picked on the page, through the same UI session as `backtrace.actAs(user)`:
 * the row changes in one transaction and nothing is announced, as in Backtrace (the bridge sees it on its next poll).
 * The answer is a 303 back to the page (POST, redirect, GET).
 */
import type { ServerResponse } from 'node:http';
import { parseForm, redirect, sendHtml } from '../common/html.ts';
import { renderFingerprintPage, type FingerprintPageView, type FingerprintRowView } from './fingerprint-page.ts';
import type { IssueTable, StoredRow } from './issue-table.ts';
import type { BacktraceUiSession } from './types.ts';
import { BACKTRACE_WATCHER, type IssueInvariant, type TicketAssignee } from './wire.ts';

export interface BacktracePagesContext {
  table: IssueTable;
  people: TicketAssignee[];
  session(user: TicketAssignee): BacktraceUiSession;
}

/** The default people of the sandbox's universe: the Jira sandbox's colleagues, and one who is only in Backtrace. */
export const defaultBacktracePeople = (): TicketAssignee[] => [
  { id: 7, username: 'ana', email: 'ana@example.com' },
  { id: 8, username: 'harper', email: 'harper@example.com' },
  { id: 9, username: 'sam', email: 'sam@example.com' },
];

const personView = (user: TicketAssignee) => ({ id: String(user.id), name: user.username ?? user.email ?? `user ${user.id}` });

/** Answers the request when it is for the page (`/`); false leaves it to the API routes. */
export function handleBacktracePage(context: BacktracePagesContext, request: { method: string; path: string; query: URLSearchParams; body: string }, res: ServerResponse): boolean {
  if (request.path !== '/' || (request.method !== 'GET' && request.method !== 'POST')) return false;
  if (request.method === 'GET') {
    sendHtml(res, 200, renderFingerprintPage(pageView(context, request.query.get('as') ?? undefined, request.query.get('notice') ?? undefined)));
    return true;
  }
  const form = parseForm(request.body);
  const outcome = act(context, form);
  if (outcome.ok) {
    const query = new URLSearchParams({ as: outcome.actorId, notice: outcome.notice });
    redirect(res, `/?${query.toString()}`);
  } else {
    sendHtml(res, outcome.status, renderFingerprintPage({ ...pageView(context, form.get('actor') ?? undefined), error: outcome.error }));
  }
  return true;
}

type ActOutcome = { ok: true; actorId: string; notice: string } | { ok: false; status: 400 | 404; error: string };

function act(context: BacktracePagesContext, form: URLSearchParams): ActOutcome {
  const actor = context.people.find((person) => String(person.id) === form.get('actor'));
  if (!actor) return { ok: false, status: 400, error: 'Choose who you are ("You are") before changing a fingerprint: the sandbox acts as that person.' };
  const [action = '', ...rest] = (form.get('action') ?? '').split(':');
  const rowKey = rest.join(':');
  let target: [string, string, string];
  try {
    target = JSON.parse(rowKey) as [string, string, string];
    if (!Array.isArray(target) || target.length !== 3 || !target.every((part) => typeof part === 'string')) throw new Error('not a row');
  } catch {
    return { ok: false, status: 400, error: 'The button did not name a fingerprint: reload the page and click again.' };
  }
  const [universe, project, fingerprint] = target;
  if (!context.table.get(universe, project, fingerprint)) return { ok: false, status: 404, error: `No fingerprint ${fingerprint} in ${universe}/${project}.` };
  const session = context.session(actor);
  const who = personView(actor).name;
  const short = fingerprint.slice(0, 16);
  switch (action) {
    case 'resolve':
      session.resolve(universe, project, fingerprint);
      return { ok: true, actorId: String(actor.id), notice: `${who} resolved ${short}….` };
    case 'mute':
      session.mute(universe, project, fingerprint);
      return { ok: true, actorId: String(actor.id), notice: `${who} muted ${short}….` };
    case 'reopen':
      session.reopen(universe, project, fingerprint);
      return { ok: true, actorId: String(actor.id), notice: `${who} reopened ${short}….` };
    case 'assign': {
      const id = form.get(`assignee:${rowKey}`) ?? '';
      const assignee = id === '' ? undefined : context.people.find((person) => String(person.id) === id);
      if (id !== '' && !assignee) return { ok: false, status: 400, error: `No person with id ${id} in this universe: pick the assignee from the list.` };
      session.assign(universe, project, fingerprint, assignee ? [assignee] : []);
      return { ok: true, actorId: String(actor.id), notice: `${who} assigned ${short}… to ${assignee ? personView(assignee).name : 'nobody'}.` };
    }
    default:
      return { ok: false, status: 400, error: `Unknown action '${action}': use the Resolve, Mute, Reopen or Assign button.` };
  }
}

function pageView(context: BacktracePagesContext, actorId: string | undefined, notice?: string): FingerprintPageView {
  const people = context.people.map(personView);
  return {
    people,
    ...(people.some((person) => person.id === actorId) ? { actorId } : {}),
    rows: context.table.allRows().map(({ universe, project, row }) => rowView(universe, project, row)),
    ...(notice ? { notice } : {}),
  };
}

function rowView(universe: string, project: string, row: StoredRow): FingerprintRowView {
  const tickets = row.tickets ?? [];
  // Backtrace's own entry carries the assignees (reference section 3.4); the others repeat them.
  const assignees = tickets.find((ticket) => ticket.watcher === BACKTRACE_WATCHER)?.assignees ?? tickets.find((ticket) => ticket.assignees?.length)?.assignees ?? [];
  return {
    universe,
    project,
    fingerprint: row.fingerprint,
    state: row.state,
    assignees: assignees.map(personView),
    tickets: tickets
      .filter((ticket) => ticket.watcher !== BACKTRACE_WATCHER)
      .map((ticket) => ({ watcher: ticket.watcher, ...(ticket.short ? { short: ticket.short } : {}), ...(ticket.url ? { url: ticket.url } : {}), ...(ticket.state ? { state: ticket.state } : {}) })),
    until: (row.state === 'resolved' || row.state === 'muted') && row.invariants ? row.invariants.map(describeInvariant) : [],
    reopenCount: row.invariantReopenCount,
  };
}

function describeInvariant(invariant: IssueInvariant): string {
  switch (invariant.type) {
    case 'version_gt':
      return `until ${invariant.field} > ${invariant.version}`;
    case 'version_ge':
      return `until ${invariant.field} ≥ ${invariant.version}`;
    case 'timestamp_gt':
      return invariant.timestamp <= 1 ? 'until seen again' : `until seen after ${new Date(invariant.timestamp * 1000).toISOString()}`;
    case 'regular_expression':
      return `until ${invariant.field} matches ${invariant.pattern}`;
    case 'and':
      return `until ${invariant.children.map(describeInvariant).map((text) => text.replace(/^until /, '')).join(' and ')}`;
  }
}
