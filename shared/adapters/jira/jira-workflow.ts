/**
 * Issue state and transitions as Jira answers them (../shared/reference/jira-rest-v2.md section 3): statuses
 * are told apart by id and `statusCategory.key`, never by display name; a transition's resolution requirement comes
 * from its screen fields (`expand=transitions.fields`).
 */
import { PermanentError } from '../../ports/errors.ts';
import type { JiraComment } from '../../ports/issue-tracker.ts';
import type { JiraHistoryEntry, JiraIssueState, JiraTransition } from '../../domain/model/jira.ts';
import { changelogField } from '../../domain/jira/jira-webhook.ts';
// One parser for Jira's times, shared with the webhook parser: REST and webhook watermarks must compare equal.
import { idString, isObject, parseJiraDateTime, readJiraStatus, readJiraUser } from '../../domain/jira/jira-json.ts';

/** `StatusDetails`; a status without a category reads as `undefined`, Jira's own "No Category" key. */
function toResolution(value: unknown): { id: string; name: string } | null {
  if (!isObject(value)) return null;
  const id = idString(value.id);
  if (id === undefined) return null;
  return { id, name: typeof value.name === 'string' ? value.name : id };
}

/** The names of the versions in a version field's value (`[{id, name, ...}]`), sorted; unnamed entries skipped. */
function versionNames(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [];
  return [...new Set(list.filter(isObject).map((version) => version.name).filter((name): name is string => typeof name === 'string' && name !== ''))].sort();
}

/**
 * The answer of `GET issue/{key}?fields=status,assignee,resolution,updated,created,project` (and with
 * `versionField`, that field and `summary`).
 */
export function toIssueState(data: unknown, asked: string, versionField?: string): JiraIssueState {
  const broken = (what: string) => new PermanentError(`Jira answered GET issue/${asked} without ${what}: check jira.apiUrl points at Jira's REST API v2`);
  if (!isObject(data) || !isObject(data.fields)) throw broken('its fields');
  const id = idString(data.id);
  const key = typeof data.key === 'string' ? data.key : undefined;
  if (id === undefined || key === undefined) throw broken('an id and key');
  const status = readJiraStatus(data.fields.status);
  if (!status) throw broken('a status');
  const updatedAt = parseJiraDateTime(data.fields.updated);
  if (updatedAt === undefined) throw broken(`a readable "updated" time (got ${JSON.stringify(data.fields.updated)})`);
  const project = isObject(data.fields.project) && typeof data.fields.project.key === 'string' ? data.fields.project.key : key.replace(/-\d+$/, '');
  const createdAt = parseJiraDateTime(data.fields.created);
  const history = isObject(data.changelog) ? toHistory(data.changelog) : undefined;
  return {
    id,
    key,
    projectKey: project,
    status,
    assignee: readJiraUser(data.fields.assignee) ?? null,
    resolution: toResolution(data.fields.resolution),
    updatedAt,
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(history === undefined ? {} : { history }),
    ...(versionField === undefined ? {} : { fixVersions: versionNames(data.fields[versionField]) }),
    ...(versionField !== undefined && typeof data.fields.summary === 'string' ? { summary: data.fields.summary } : {}),
  };
}

/** The answer of `GET issue/{key}/comment`: `{comments: [{id, body, author}]}`; unreadable entries skipped. */
export function toComments(data: unknown): JiraComment[] {
  const list = isObject(data) && Array.isArray(data.comments) ? data.comments : [];
  const comments: JiraComment[] = [];
  for (const entry of list) {
    if (!isObject(entry)) continue;
    const id = idString(entry.id);
    if (id === undefined || typeof entry.body !== 'string') continue;
    const author = readJiraUser(entry.author);
    comments.push({ id, body: entry.body, ...(author ? { author } : {}) });
  }
  return comments;
}

/**
 * `changelog.histories` (`expand=changelog`, newest first, section 6.2 for the item shape): the entries that changed
 * status or assignee, with their author and time. Entries without a readable time are left out.
 */
function toHistory(changelog: Record<string, unknown>): JiraHistoryEntry[] {
  const histories = Array.isArray(changelog.histories) ? changelog.histories : [];
  const entries: JiraHistoryEntry[] = [];
  for (const history of histories) {
    if (!isObject(history)) continue;
    const at = parseJiraDateTime(history.created);
    const items = Array.isArray(history.items) ? history.items.filter(isObject) : [];
    const fields = [...new Set(items.map(changelogField).filter((field) => field === 'status' || field === 'assignee'))] as JiraHistoryEntry['fields'];
    if (at === undefined || fields.length === 0) continue;
    const author = readJiraUser(history.author);
    entries.push({ at, ...(author ? { author } : {}), fields });
  }
  return entries.sort((a, b) => b.at - a.at);
}

/** The answer of `GET issue/{key}/transitions?expand=transitions.fields`; entries Jira cannot perform are left out. */
export function toTransitions(data: unknown): JiraTransition[] {
  const list = isObject(data) && Array.isArray(data.transitions) ? data.transitions : [];
  const transitions: JiraTransition[] = [];
  for (const entry of list) {
    if (!isObject(entry) || entry.isAvailable === false) continue;
    const id = idString(entry.id);
    const to = readJiraStatus(entry.to);
    if (id === undefined || !to) continue;
    const transition: JiraTransition = { id, name: typeof entry.name === 'string' ? entry.name : id, to };
    const resolution = isObject(entry.fields) ? entry.fields.resolution : undefined;
    if (isObject(resolution)) {
      transition.resolution = {
        required: resolution.required === true,
        allowedValues: (Array.isArray(resolution.allowedValues) ? resolution.allowedValues : [])
          .map((value) => toResolution(value))
          .filter((value): value is { id: string; name: string } => value !== null),
      };
    }
    transitions.push(transition);
  }
  return transitions;
}
