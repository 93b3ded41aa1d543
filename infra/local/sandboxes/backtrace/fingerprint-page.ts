/**
 * The Backtrace sandbox's page at `/` as HTML, from a plain view model (`site-pages.ts` builds it): every
 * fingerprint the sandbox holds, per universe and project, with its state, assignees and tickets (links open the
 * ticket), and the buttons a person has in Backtrace's triage view: resolve, mute, reopen and assign. One form
 * holds the whole table, so "You are" at the top applies to whichever button is clicked. Everything is escaped,
 * and only http(s) ticket URLs become links.
 */
import { escapeHtml as e, option, page } from '../common/html.ts';

const PRODUCT = 'Backtrace sandbox';
const COLOR = '#3b2e58';

export interface BacktracePersonView {
  /** The Backtrace uid, as the forms send it. */
  id: string;
  name: string;
}

export interface FingerprintRowView {
  universe: string;
  project: string;
  fingerprint: string;
  state: string;
  assignees: BacktracePersonView[];
  tickets: { watcher: string; short?: string; url?: string; state?: string }[];
  /** "resolved until" / "muted until" criteria, in words. */
  until: string[];
  reopenCount: number;
}

export interface FingerprintPageView {
  people: BacktracePersonView[];
  actorId?: string;
  rows: FingerprintRowView[];
  notice?: string;
  error?: string;
}

/** What a row's buttons carry to name it: its universe, project and fingerprint. */
export const rowKey = (row: { universe: string; project: string; fingerprint: string }): string => JSON.stringify([row.universe, row.project, row.fingerprint]);

const isWebUrl = (url: string): boolean => /^https?:\/\//i.test(url);

function ticketCell(ticket: FingerprintRowView['tickets'][number]): string {
  const label = ticket.short ?? ticket.url ?? '(no key)';
  const link = ticket.url && isWebUrl(ticket.url) ? `<a href="${e(ticket.url)}">${e(label)}</a>` : e(label);
  return `<div>${link} <span class="muted-text">${e(ticket.watcher)}${ticket.state ? `, ${e(ticket.state)}` : ''}</span></div>`;
}

function rowHtml(row: FingerprintRowView, people: BacktracePersonView[]): string {
  const key = rowKey(row);
  const button = (action: string, label: string, disabled: boolean) =>
    `<button name="action" value="${e(`${action}:${key}`)}"${disabled ? ' disabled' : ''}>${label}</button>`;
  const current = row.assignees[0]?.id;
  const choices = [...people, ...row.assignees.filter((a) => !people.some((p) => p.id === a.id))];
  return `<tr data-fingerprint="${e(row.fingerprint)}"><td><code title="${e(row.fingerprint)}">${e(row.fingerprint.slice(0, 16))}…</code></td>
<td><span class="lozenge ${e(row.state)}">${e(row.state)}</span>${row.until.map((u) => `<div class="muted-text">${e(u)}</div>`).join('')}${row.reopenCount > 0 ? `<div class="muted-text">reopened ${row.reopenCount}×</div>` : ''}</td>
<td>${row.assignees.length === 0 ? '<span class="muted-text">Unassigned</span>' : e(row.assignees.map((a) => a.name).join(', '))}</td>
<td>${row.tickets.length === 0 ? '<span class="muted-text">None</span>' : row.tickets.map(ticketCell).join('')}</td>
<td><div class="actions" style="gap:6px">${button('resolve', 'Resolve', row.state === 'resolved')}${button('mute', 'Mute', row.state === 'muted')}${button('reopen', 'Reopen', row.state === 'open' || row.state === 'in-progress')}</div>
<div class="actions" style="gap:6px;margin-top:6px"><select name="${e(`assignee:${key}`)}" aria-label="Assignee">${option('', 'Unassigned', current === undefined)}${choices.map((p) => option(p.id, p.name, p.id === current)).join('')}</select>${button('assign', 'Assign', false)}</div></td></tr>`;
}

export function renderFingerprintPage(view: FingerprintPageView): string {
  const groups = new Map<string, FingerprintRowView[]>();
  for (const row of view.rows) {
    const group = `${row.universe} / ${row.project}`;
    groups.set(group, [...(groups.get(group) ?? []), row]);
  }
  const tables = [...groups.entries()].map(
    ([group, rows]) => `<h2>${e(group)}</h2><table><thead><tr><th>Fingerprint</th><th>State</th><th>Assignees</th><th>Tickets</th><th>Triage</th></tr></thead>
<tbody>${rows.map((row) => rowHtml(row, view.people)).join('\n')}</tbody></table>`,
  );
  const actor = `<label>You are <select name="actor" aria-label="You are">${view.actorId ? '' : option('', 'Choose a person', true)}${view.people
    .map((person) => option(person.id, person.name, person.id === view.actorId))
    .join('')}</select></label>`;
  const body = `${view.error ? `<p class="error" role="alert">${e(view.error)}</p>` : ''}${view.notice ? `<p class="notice" role="status">${e(view.notice)}</p>` : ''}
<h1>Fingerprints</h1>
${
  view.rows.length === 0
    ? '<p class="panel">No fingerprints yet. Post an error group to the bridge (<code>npm run send-sample</code>): its row appears here once the bridge has linked its Jira issue.</p>'
    : `<form method="post" action="/"><div class="panel actions">${actor}<span class="muted-text">Backtrace tells nobody about these changes: the bridge sees them on its next poll.</span></div>${tables.join('\n')}</form>`
}`;
  return page({ title: `Fingerprints - ${PRODUCT}`, product: PRODUCT, color: COLOR, header: '<a href="/">Fingerprints</a>', body });
}
