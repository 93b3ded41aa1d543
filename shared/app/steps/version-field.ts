/**
 * The id of the field the Fix Versions are read from, checked at first use: `fixVersions` needs no lookup; a
 * version picker named by id or name is found in Jira's field list (cached by the adapter) and must hold versions.
 */
import { versionFieldFor } from '../../domain/fix-versions/version-field.ts';
import { PermanentError } from '../../ports/errors.ts';
import type { IssueTracker } from '../../ports/issue-tracker.ts';

export async function versionFieldIdOf(tracker: Pick<IssueTracker, 'listFields'>, jiraField: string, configPath: string): Promise<string> {
  if (jiraField.trim().toLowerCase() === 'fixversions') return 'fixVersions';
  const found = versionFieldFor(await tracker.listFields(), jiraField, configPath);
  if (!found.ok) throw new PermanentError(found.problem);
  return found.field.id;
}
