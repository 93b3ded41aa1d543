/**
 * The Jira sandbox's pages as HTML, from plain view models (`site-pages.ts` builds them): the issue list at
 * `{site}/` and `{site}/browse`, and the issue at `{site}/browse/{KEY}`, where a person chosen on the page
 * transitions, assigns and sets Fix Versions. The real pages need a login; the sandbox's let you pick who you are
 * among the site's people (never the integration's account, whose changes the bridge takes for its own echoes).
 * Everything shown is escaped.
 */
import { escapeHtml as e, option, page } from '../common/html.ts';
import type { StatusCategoryKey } from './types.ts';

const PRODUCT = 'Jira sandbox';
const COLOR = '#0747a6';

/** A person one can act as or assign to: `id` is what the forms send (accountId on Cloud, username on Server). */
export interface PersonView {
  id: string;
  name: string;
}

export interface IssueSummaryView {
  key: string;
  summary: string;
  status: { name: string; category: StatusCategoryKey };
  assignee?: string;
  fixVersions: string[];
  /** Epoch ms. */
  updated: number;
}

export interface IssueListView {
  /** Site path prefix for links (the context path, '' for Cloud). */
  base: string;
  issues: IssueSummaryView[];
}

export interface IssuePageView {
  base: string;
  issue: IssueSummaryView & {
    projectKey: string;
    issueType: string;
    resolution?: string;
    labels: string[];
    description: string;
    created: number;
    assigneeId?: string;
  };
  people: PersonView[];
  /** Who the page acts as (the `as` query parameter), when it names one of `people`. */
  actorId?: string;
  transitions: { id: string; name: string; to: string; asksResolution: boolean }[];
  resolutions: string[];
  /** The project's versions (archived ones only when the issue has them), `checked` when in Fix Versions. */
  versions: { name: string; released: boolean; checked: boolean }[];
  /** Newest first. */
  history: { author: string; at: number; items: { field: string; from: string; to: string }[] }[];
  comments: { author: string; at: number; body: string }[];
  notice?: string;
  error?: string;
}

const when = (epochMs: number): string => new Date(epochMs).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
const lozenge = (status: { name: string; category: string }): string => `<span class="lozenge ${e(status.category)}">${e(status.name)}</span>`;
const issueHref = (base: string, key: string, actorId?: string): string =>
  `${base}/browse/${encodeURIComponent(key)}${actorId ? `?as=${encodeURIComponent(actorId)}` : ''}`;

export function renderIssueList(view: IssueListView): string {
  const rows = view.issues.map(
    (issue) => `<tr><td><a href="${e(issueHref(view.base, issue.key))}">${e(issue.key)}</a></td><td>${e(issue.summary)}</td><td>${lozenge(issue.status)}</td>
<td>${e(issue.assignee ?? 'Unassigned')}</td><td>${e(issue.fixVersions.join(', '))}</td><td class="muted-text">${e(when(issue.updated))}</td></tr>`,
  );
  const body = `<h1>Issues</h1>
${view.issues.length === 0 ? '<p class="panel">No issues yet. Post an error group to the bridge (<code>npm run send-sample</code>) and its issue appears here.</p>' : `<table><thead><tr><th>Key</th><th>Summary</th><th>Status</th><th>Assignee</th><th>Fix versions</th><th>Updated</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`}`;
  return page({ title: `Issues - ${PRODUCT}`, product: PRODUCT, color: COLOR, header: `<a href="${e(view.base)}/browse">Issues</a>`, body });
}

export function renderIssuePage(view: IssuePageView): string {
  const { issue } = view;
  const facts = [
    ['Type', e(issue.issueType)],
    ['Status', `${lozenge(issue.status)}${issue.resolution ? ` <span class="muted-text">Resolution: ${e(issue.resolution)}</span>` : ''}`],
    ['Assignee', e(issue.assignee ?? 'Unassigned')],
    ['Fix versions', e(issue.fixVersions.join(', ') || 'None')],
    ['Labels', e(issue.labels.join(', ') || 'None')],
    ['Created', e(when(issue.created))],
    ['Updated', e(when(issue.updated))],
  ]
    .map(([term, value]) => `<dt>${term}</dt><dd data-field="${e(term!.toLowerCase())}">${value}</dd>`)
    .join('');

  const actor = `<label>You are <select name="actor" aria-label="You are">${view.actorId ? '' : option('', 'Choose a person', true)}${view.people
    .map((person) => option(person.id, person.name, person.id === view.actorId))
    .join('')}</select></label>`;
  const asksResolution = view.transitions.some((t) => t.asksResolution);
  const transition =
    view.transitions.length === 0
      ? '<span class="muted-text">No transition from here.</span>'
      : `<label>Transition <select name="transition" aria-label="Transition">${view.transitions.map((t) => option(t.id, t.name === t.to ? t.name : `${t.name} → ${t.to}`)).join('')}</select></label>
${asksResolution ? `<label>Resolution <select name="resolution" aria-label="Resolution">${option('', 'Default')}${view.resolutions.map((r) => option(r, r)).join('')}</select></label>` : ''}
<button class="primary" name="action" value="transition">Transition</button>`;
  const assign = `<label>Assignee <select name="assignee" aria-label="Assignee">${option('', 'Unassigned', issue.assigneeId === undefined)}${view.people
    .map((person) => option(person.id, person.name, person.id === issue.assigneeId))
    .join('')}</select></label><button name="action" value="assign">Assign</button>`;
  const versions =
    view.versions.length === 0
      ? '<span class="muted-text">The project has no versions (Project settings → Releases).</span>'
      : `<fieldset style="border:0;padding:0;margin:0;display:flex;gap:10px;flex-wrap:wrap"><legend style="float:left;margin-right:6px">Fix versions</legend>${view.versions
          .map((v) => `<label><input type="checkbox" name="fixVersion" value="${e(v.name)}"${v.checked ? ' checked' : ''}>${e(v.name)}${v.released ? ' <span class="muted-text">(released)</span>' : ''}</label>`)
          .join('')}</fieldset><button name="action" value="fixVersions">Save fix versions</button>`;

  const history =
    view.history.length === 0
      ? '<p class="muted-text">No changes yet.</p>'
      : `<ul class="history">${view.history
          .map((entry) => `<li><b>${e(entry.author)}</b> <span class="muted-text">${e(when(entry.at))}</span>: ${entry.items.map((item) => `${e(item.field)} ${e(item.from || 'None')} → ${e(item.to || 'None')}`).join('; ')}</li>`)
          .join('')}</ul>`;
  const comments = view.comments.length === 0 ? '' : `<h2>Comments</h2>${view.comments.map((c) => `<div class="panel"><b>${e(c.author)}</b> <span class="muted-text">${e(when(c.at))}</span><pre>${e(c.body)}</pre></div>`).join('')}`;

  const body = `${view.error ? `<p class="error" role="alert">${e(view.error)}</p>` : ''}${view.notice ? `<p class="notice" role="status">${e(view.notice)}</p>` : ''}
<p class="muted-text"><a href="${e(view.base)}/browse">Issues</a> / ${e(issue.projectKey)}</p>
<h1>${e(issue.key)}: ${e(issue.summary)}</h1>
<form method="post" action="${e(issueHref(view.base, issue.key))}" class="panel">
<div class="actions">${actor}</div><div class="actions" style="margin-top:8px">${transition}</div>
<div class="actions" style="margin-top:8px">${assign}</div><div class="actions" style="margin-top:8px">${versions}</div>
</form>
<div class="panel"><dl class="facts">${facts}</dl></div>
<h2>History</h2><div class="panel">${history}</div>
<h2>Description</h2><div class="panel"><pre>${e(issue.description)}</pre></div>${comments}`;
  return page({ title: `[${issue.key}] ${issue.summary} - ${PRODUCT}`, product: PRODUCT, color: COLOR, header: `<a href="${e(view.base)}/browse">Issues</a>`, body });
}

export function renderMissingIssue(base: string, key: string): string {
  return page({ title: `${key} - ${PRODUCT}`, product: PRODUCT, color: COLOR, body: `<p class="error">Issue ${e(key)} does not exist. <a href="${e(base)}/browse">All issues</a></p>` });
}
