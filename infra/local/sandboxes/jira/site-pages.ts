/**
 * The Jira sandbox's browser pages: `GET {site}/` and `{site}/browse` list the issues, `GET {site}/browse/{KEY}`
 * shows one, and `POST {site}/browse/{KEY}` (a plain form) transitions, assigns or sets Fix Versions as the person
 * picked on the page, through the same UI session as `jira.actAs(user)`: history, changelog and webhooks follow
 * exactly as for a person in Jira. The answer is a 303 back to the page (POST, redirect, GET). The real pages need a
 * login; these let you pick who you are among the site's people, never the integration's own account.
 */
import type { ServerResponse } from 'node:http';
import { parseForm, redirect, sendHtml } from '../common/html.ts';
import { renderIssueList, renderIssuePage, renderMissingIssue, type IssuePageView, type IssueSummaryView, type PersonView } from './browse-page.ts';
import type { IssueStore } from './issue-store.ts';
import type { ProjectDirectory } from './projects.ts';
import type { UserDirectory } from './users.ts';
import { currentVersions } from './version-fields.ts';
import type { VersionCatalogue } from './versions.ts';
import type { Workflow } from './workflow.ts';
import type { FakeIssue, FakeUser, JiraDeploymentType, JiraUiSession } from './types.ts';

export interface SitePagesContext {
  deployment: JiraDeploymentType;
  /** '' on Cloud, e.g. '/jira' on Data Center. */
  contextPath: string;
  store: IssueStore;
  projects: ProjectDirectory;
  versions: VersionCatalogue;
  users: UserDirectory;
  workflow: Workflow;
  /** Logins the REST API accepts (Basic users): their accounts are the integration's, not people. */
  integrationLogins: string[];
  session(actor: FakeUser): JiraUiSession;
}

const ISSUE_PATH = /^\/browse\/([A-Za-z][A-Za-z0-9_]*-\d+)$/;

/** Answers the request when it is for a page; false leaves it to the REST API. */
export function handleSitePage(context: SitePagesContext, request: { method: string; sitePath: string; query: URLSearchParams; body: string }, res: ServerResponse): boolean {
  const { method, sitePath, query } = request;
  if (method === 'GET' && (sitePath === '' || sitePath === '/' || sitePath === '/browse' || sitePath === '/browse/')) {
    sendHtml(res, 200, renderIssueList({ base: context.contextPath, issues: context.store.issues.map((issue) => summaryOf(issue)) }));
    return true;
  }
  const match = ISSUE_PATH.exec(sitePath);
  if (!match || (method !== 'GET' && method !== 'POST')) return false;
  const key = match[1]!;
  const issue = context.store.find(key);
  if (!issue) {
    sendHtml(res, 404, renderMissingIssue(context.contextPath, key));
    return true;
  }
  const people = peopleOf(context);
  if (method === 'GET') {
    // An old key (the issue moved) opens the issue under its new key, as Jira redirects.
    if (issue.key !== key) redirect(res, pageUrl(context, issue.key, query.get('as') ?? undefined));
    else sendHtml(res, 200, renderIssuePage(issueView(context, issue, people, query.get('as') ?? undefined, query.get('notice') ?? undefined)));
    return true;
  }
  const form = parseForm(request.body);
  const outcome = act(context, issue, people, form);
  if (outcome.ok) redirect(res, pageUrl(context, issue.key, outcome.actor.id, outcome.notice));
  else sendHtml(res, outcome.status, renderIssuePage({ ...issueView(context, issue, people, form.get('actor') ?? undefined), error: outcome.error }));
  return true;
}

type ActOutcome = { ok: true; actor: PersonView; notice: string } | { ok: false; status: 400 | 409; error: string };

/** One form submission: who acts (`actor`) and what they do (`action`). */
function act(context: SitePagesContext, issue: FakeIssue, people: Person[], form: URLSearchParams): ActOutcome {
  const actor = people.find((person) => person.view.id === form.get('actor'));
  if (!actor) return { ok: false, status: 400, error: 'Choose who you are ("You are") before changing the issue: the sandbox acts as that person.' };
  const session = context.session(actor.user);
  const action = form.get('action');
  try {
    if (action === 'transition') {
      const transition = context.workflow.available(issue.status).find((t) => t.id === form.get('transition'));
      if (!transition) return { ok: false, status: 409, error: `That transition is not available from '${issue.status.name}' (the issue may have changed meanwhile): pick one from the list.` };
      const status = context.workflow.status(transition.to)!;
      const resolution = form.get('resolution') || undefined;
      session.transition(issue.key, status.name, transition.screen?.resolution && resolution ? { resolution } : {});
      return { ok: true, actor: actor.view, notice: `${actor.view.name} moved ${issue.key} to ${status.name}.` };
    }
    if (action === 'assign') {
      const id = form.get('assignee') ?? '';
      const assignee = id === '' ? null : people.find((person) => person.view.id === id);
      if (assignee === undefined) return { ok: false, status: 400, error: `No person '${id}' on this site: pick the assignee from the list.` };
      session.assign(issue.key, assignee?.user ?? null);
      return { ok: true, actor: actor.view, notice: `${actor.view.name} assigned ${issue.key} to ${assignee?.view.name ?? 'nobody'}.` };
    }
    if (action === 'fixVersions') {
      const names = form.getAll('fixVersion');
      session.setFixVersions(issue.key, names);
      return { ok: true, actor: actor.view, notice: `${actor.view.name} set the fix versions of ${issue.key} to ${names.join(', ') || 'none'}.` };
    }
  } catch (error) {
    // The UI session refuses what Jira's UI would not offer (an inactive assignee, a version of another project).
    return { ok: false, status: 409, error: error instanceof Error ? error.message.replace(/^Jira fake: /, '') : String(error) };
  }
  return { ok: false, status: 400, error: `Unknown action '${action ?? ''}': use the Transition, Assign or Save fix versions button.` };
}

interface Person {
  user: FakeUser;
  view: PersonView;
}

const personId = (user: FakeUser): string => user.accountId ?? user.name ?? user.displayName;

/** The site's people: configured, active, human accounts that are not one of the integration's logins. */
function peopleOf(context: SitePagesContext): Person[] {
  const logins = new Set(context.integrationLogins.map((login) => login.toLowerCase()));
  const login = (user: FakeUser) => (context.deployment === 'Cloud' ? user.emailAddress : user.name)?.toLowerCase();
  return context.users.users
    .filter((user) => context.users.isConfigured(user) && user.active !== false && (user.accountType ?? 'atlassian') === 'atlassian' && !logins.has(login(user) ?? ''))
    .map((user) => ({ user, view: { id: personId(user), name: user.displayName } }));
}

function pageUrl(context: SitePagesContext, key: string, actorId?: string, notice?: string): string {
  const query = new URLSearchParams();
  if (actorId) query.set('as', actorId);
  if (notice) query.set('notice', notice);
  const text = query.toString();
  return `${context.contextPath}/browse/${encodeURIComponent(key)}${text ? `?${text}` : ''}`;
}

const fixVersionsOf = (issue: FakeIssue) => currentVersions(issue.fields.fixVersions);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function summaryOf(issue: FakeIssue): IssueSummaryView {
  return {
    key: issue.key,
    summary: text(issue.fields.summary),
    status: { name: issue.status.name, category: issue.status.category },
    ...(issue.assignee ? { assignee: issue.assignee.displayName } : {}),
    fixVersions: fixVersionsOf(issue).map((version) => version.name),
    updated: issue.updated,
  };
}

function issueView(context: SitePagesContext, issue: FakeIssue, people: Person[], actorId: string | undefined, notice?: string): IssuePageView {
  const project = context.store.projectOf(issue);
  const chosen = fixVersionsOf(issue);
  const { workflow } = context;
  return {
    base: context.contextPath,
    issue: {
      ...summaryOf(issue),
      projectKey: issue.projectKey,
      issueType: project.issueTypes.find((type) => type.id === issue.issueTypeId)?.name ?? issue.issueTypeId,
      ...(issue.resolution ? { resolution: issue.resolution.name } : {}),
      labels: issue.labels,
      description: text(issue.fields.description),
      created: issue.created,
      ...(issue.assignee ? { assigneeId: personId(issue.assignee) } : {}),
    },
    people: people.map((person) => person.view),
    ...(people.some((person) => person.view.id === actorId) ? { actorId } : {}),
    transitions: workflow.available(issue.status).map((t) => ({ id: t.id, name: t.name, to: workflow.status(t.to)!.name, asksResolution: t.screen?.resolution !== undefined })),
    resolutions: workflow.resolutions.map((resolution) => resolution.name),
    versions: context.versions
      .of(project)
      .filter((version) => !version.archived || chosen.includes(version))
      .map((version) => ({ name: version.name, released: version.released, checked: chosen.some((c) => c.id === version.id) })),
    history: [...issue.history].reverse().map((entry) => ({
      author: entry.author.displayName,
      at: entry.created,
      items: entry.items.map((item) => ({ field: item.field, from: item.fromString ?? '', to: item.toString ?? '' })),
    })),
    comments: issue.comments.map((comment) => ({ author: comment.author.displayName, at: comment.created, body: comment.body })),
    ...(notice ? { notice } : {}),
  };
}
