/**
 * What an error group says about an attribute name: the histogram Backtrace sends first, then the group's own
 * fields as built-ins. Templates (`$name`) and submit/filter rules read attributes through here so both agree.
 */
import type { AttributeCount, BacktraceGroup } from './backtrace-group.ts';

/** Built-in names a template or rule can use when the group has no attribute of that name. */
export const BUILTIN_NAMES = [
  'fingerprint', 'universe', 'project', 'application', 'classifiers', 'occurrences', 'first_seen', 'last_seen',
  'group_url', 'callstack', 'object_id', 'hosts', 'guids',
] as const;
export type BuiltinName = (typeof BUILTIN_NAMES)[number];

/** How many frames `$callstack` shows: enough to recognise a crash in a one-line field. */
export const CALLSTACK_TEMPLATE_FRAMES = 5;

/** Renders one histogram value as text; `null` (Backtrace's "no value") is the empty string. */
export function attributeValueText(value: AttributeCount[0]): string {
  return value === null ? '' : String(value);
}

/**
 * The value with the highest count, as Backtrace does for `$attribute` ("if the group has several values the one
 * with the highest count is used"). Ties go to the value listed first. `undefined` for an empty histogram.
 */
export function topValue(histogram: readonly AttributeCount[] | undefined): AttributeCount[0] | undefined {
  if (histogram === undefined || histogram.length === 0) return undefined;
  let best = histogram[0];
  for (const entry of histogram) if (entry[1] > best[1]) best = entry;
  return best[0];
}

/** Unix seconds to ISO-8601 UTC, without the `.000` a whole second would show. */
export function isoFromUnixSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return '';
  return date.toISOString().replace('.000Z', 'Z');
}

/**
 * The built-in value(s) of a group for `name`: a list for classifiers (one entry per classifier), one string for
 * the others, `undefined` when the group does not carry it.
 */
export function builtinValues(group: BacktraceGroup, name: string): string[] | undefined {
  switch (name as BuiltinName) {
    case 'fingerprint':
      return [group.fingerprint];
    case 'universe':
      return [group.universe];
    case 'project':
      return [group.project];
    case 'application':
      return group.application === undefined ? undefined : [group.application];
    case 'classifiers':
      return group.classifiers;
    case 'occurrences':
      return group.occurrences === undefined ? undefined : [String(group.occurrences)];
    case 'first_seen':
      return group.timestamp === undefined ? undefined : [isoFromUnixSeconds(group.timestamp[0])];
    case 'last_seen':
      return group.timestamp === undefined ? undefined : [isoFromUnixSeconds(group.timestamp[1])];
    case 'group_url':
      return group.group_url === undefined ? undefined : [group.group_url];
    case 'callstack':
      return group.callstack === undefined
        ? undefined
        : [group.callstack.slice(0, CALLSTACK_TEMPLATE_FRAMES).join(' < ')];
    case 'object_id':
      return group.object_id === undefined ? undefined : [group.object_id];
    case 'hosts':
      return group.hosts === undefined ? undefined : [String(group.hosts)];
    case 'guids':
      return group.guids === undefined ? undefined : [String(group.guids)];
    default:
      return undefined;
  }
}

function histogramOf(group: BacktraceGroup, name: string): AttributeCount[] | undefined {
  const attributes = group.attributes;
  if (attributes === undefined || !Object.hasOwn(attributes, name)) return undefined;
  const histogram = attributes[name];
  return histogram.length === 0 ? undefined : histogram;
}

/**
 * The one value `$name` stands for: the histogram's top value, else the built-in (classifiers joined with ', '),
 * else `undefined`.
 */
export function attributeText(group: BacktraceGroup, name: string): string | undefined {
  const histogram = histogramOf(group, name);
  if (histogram !== undefined) return attributeValueText(topValue(histogram) ?? null);
  return builtinValues(group, name)?.join(', ');
}

/**
 * Every value a group has for `name` (all histogram values, or the built-in's values): what a submit/filter rule
 * tests its regex against.
 */
export function allAttributeValues(group: BacktraceGroup, name: string): string[] {
  const histogram = histogramOf(group, name);
  if (histogram !== undefined) return histogram.map(([value]) => attributeValueText(value));
  return builtinValues(group, name) ?? [];
}

/** Every attribute name a group answers to: its histogram names, then the built-ins it carries. */
export function attributeNames(group: BacktraceGroup): string[] {
  const names = Object.keys(group.attributes ?? {}).filter((name) => histogramOf(group, name) !== undefined);
  for (const builtin of BUILTIN_NAMES) {
    if (!names.includes(builtin) && builtinValues(group, builtin) !== undefined) names.push(builtin);
  }
  return names;
}
