/**
 * Finding the Jira field an admin means: Backtrace's settings take field names ("Hostname") or ids
 * ("customfield_10051"), while Jira's create call takes ids. Names are not unique in Jira
 * (../shared/reference/jira-rest-v2.md section 2.5), so an ambiguous name is refused with the candidates' ids.
 */
import type { JiraField } from './model/jira.ts';

export type ResolveFieldResult = { ok: true; field: JiraField } | { ok: false; problem: string };

const CLAUSE_ID = /^cf\[(\d+)\]$/i;

function describeField(field: JiraField): string {
  return `${field.id} (${JSON.stringify(field.name)})`;
}

/**
 * Resolves `nameOrId` against `GET /rest/api/2/field`: by id first (case-insensitive; JQL's `cf[10051]` is accepted
 * for `customfield_10051`), then by name (case-insensitive, surrounding spaces ignored).
 *
 * @example
 * resolveField('hostname', fields); // { ok: true, field: { id: 'customfield_10050', name: 'Hostname', ... } }
 */
export function resolveField(nameOrId: string, fields: readonly JiraField[]): ResolveFieldResult {
  const wanted = nameOrId.trim();
  const clause = CLAUSE_ID.exec(wanted);
  const id = (clause === null ? wanted : `customfield_${clause[1]}`).toLowerCase();
  const byId = fields.find((field) => field.id.toLowerCase() === id);
  if (byId !== undefined) return { ok: true, field: byId };

  const name = wanted.toLowerCase();
  const byName = fields.filter((field) => field.name.trim().toLowerCase() === name);
  if (byName.length === 1) return { ok: true, field: byName[0] };
  if (byName.length > 1) {
    return {
      ok: false,
      problem: `several Jira fields are named ${JSON.stringify(wanted)}: ${byName.map(describeField).join(', ')}; use the id of the one you mean`,
    };
  }

  const similar = fields.filter((field) => name !== '' && field.name.toLowerCase().includes(name)).slice(0, 5);
  const hint = similar.length > 0
    ? `similar: ${similar.map(describeField).join(', ')}`
    : 'check the spelling, or use the field id from GET /rest/api/2/field; the Jira user must also be able to see the field';
  return { ok: false, problem: `no Jira field has the id or name ${JSON.stringify(wanted)} (${hint})` };
}
