/**
 * What the bridge keeps of an error group's event for Fix Versions: the group's Backtrace URL (for the regression
 * comment's `$group_url`) and the values of the attributes the rule sets key on (so the link keeps its rule set
 * after the event is gone). And the event's say on a regression: its highest version above the resolved-until one.
 */
import type { BacktraceGroup } from '../backtrace-group.ts';
import type { FixVersionsConfig } from '../config/index.ts';
import { attributeValueText, topValue } from '../group-attributes.ts';
import type { LinkSyncState, VersionInvariant } from '../model/link.ts';
import { regressedVersion } from './resolved-until.ts';
import { ruleAttributes, versioningFor } from './version-rules.ts';

export type GroupNote = NonNullable<LinkSyncState['group']>;

/** The group's URL and, per rule-set attribute, its most frequent value (as Backtrace's `$attribute` picks it). */
export function groupNoteFor(config: FixVersionsConfig, group: BacktraceGroup): GroupNote {
  const values: Record<string, string> = {};
  for (const name of ruleAttributes(config)) {
    const value = topValue(group.attributes?.[name]);
    if (value !== undefined && value !== null) values[name] = attributeValueText(value);
  }
  return { ...(group.group_url === undefined ? {} : { url: group.group_url }), values };
}

/** Same URL and values? (Only a difference is worth a table write.) */
export function sameGroupNote(a: GroupNote | undefined, b: GroupNote): boolean {
  if (!a || a.url !== b.url) return false;
  const keys = Object.keys(b.values);
  return keys.length === Object.keys(a.values).length && keys.every((key) => a.values[key] === b.values[key]);
}

/**
 * The highest version of the group's version attribute (by its rule set) above `resolvedUntil`: an error in it
 * makes Backtrace reopen the fingerprint. Undefined when none is (an older version reopens nothing).
 */
export function eventRegression(config: FixVersionsConfig, group: BacktraceGroup, note: GroupNote, resolvedUntil: VersionInvariant | undefined | null): string | undefined {
  if (!resolvedUntil) return undefined;
  const { versionAttribute } = versioningFor(config, note.values);
  const values = (group.attributes?.[versionAttribute] ?? []).map(([value]) => attributeValueText(value)).filter((value) => value !== '');
  return regressedVersion(values, { ...resolvedUntil, field: versionAttribute });
}
