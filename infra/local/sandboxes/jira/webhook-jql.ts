/** The JQL filter of a webhook: parsed once at registration (bad JQL is refused then), matched per event. */
import { JqlError, matchesJql, parseJql, type JqlQuery } from './jql.ts';
import type { ProjectDirectory } from './projects.ts';
import type { FakeIssue } from './types.ts';

/** Parses the JQL and resolves project names and ids to keys, as search does; throws JqlError for a bad query. */
export function compileWebhookJql(projects: ProjectDirectory, jql: string): JqlQuery {
  const query = parseJql(jql);
  for (const clause of query.clauses) {
    if (clause.field !== 'project') continue;
    clause.values = clause.values.map((value) => {
      const project = projects.findForJql(value);
      if (!project) throw new JqlError(`The value '${value}' does not exist for the field 'project'.`);
      return project.key;
    });
  }
  return query;
}

export function webhookJqlMatches(projects: ProjectDirectory, issue: FakeIssue, jql: string): boolean {
  let query: JqlQuery;
  try {
    query = compileWebhookJql(projects, jql);
  } catch {
    return false;
  }
  const project = projects.find(issue.projectKey);
  if (!project) return false;
  const issueTypeName = project.issueTypes.find((type) => type.id === issue.issueTypeId)?.name ?? '';
  return matchesJql(query, { issue, projectId: project.id, issueTypeName });
}
