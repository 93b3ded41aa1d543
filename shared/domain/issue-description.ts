/**
 * The main body of a new Jira issue, in Jira wiki markup (REST API v2), shaped by Backtrace's Display Settings
 * (Classifiers, Callstack, Attributes + Attribute List; see ../shared/reference/backtrace.md section 1.1).
 */
import type { AttributeCount, BacktraceGroup } from './backtrace-group.ts';
import { attributeValueText, isoFromUnixSeconds } from './group-attributes.ts';
import { escapeWiki, escapeWikiCell, noformatBlock, wikiLink } from './jira-wiki.ts';
import { cutText } from './text-cut.ts';

/** Jira's limit for a text field such as the description (32,767 characters, counted in UTF-16 code units). */
export const JIRA_TEXT_FIELD_LIMIT = 32_767;

/** Backtrace's Display Settings, structurally (the config's `display`). */
export interface DescriptionDisplay {
  classifiers: boolean;
  callstack: boolean;
  attributes: boolean;
  /** Attributes to show, in this order; empty = every attribute of the group. */
  attributeList: readonly string[];
}

export interface DescriptionOptions {
  /** Default {@link JIRA_TEXT_FIELD_LIMIT}. */
  maxLength?: number;
  /** Values shown per attribute, highest count first. Default 5. */
  maxValuesPerAttribute?: number;
}

// Caps on single values, applied to the raw text before escaping so a cut never lands inside an escape sequence.
// They keep the fixed part of the description far below the limit, whatever the group holds.
const FACT_MAX = 1_000;
const FRAME_MAX = 1_000;
const CELL_NAME_MAX = 200;
const CELL_VALUE_MAX = 300;
const URL_MAX = 4_000;

function fact(label: string, value: string): string {
  return `*${label}:* ${escapeWiki(cutText(value, FACT_MAX)).replace(/\n/g, ' ')}`;
}

function headLines(group: BacktraceGroup, display: DescriptionDisplay): string[] {
  const lines = ['h3. Backtrace error group'];
  if (display.classifiers && group.classifiers !== undefined && group.classifiers.length > 0) {
    lines.push(fact('Classifiers', group.classifiers.join(', ')));
  }
  if (group.application !== undefined && group.application !== '') lines.push(fact('Application', group.application));
  lines.push(fact('Project', `${group.universe} / ${group.project}`));
  lines.push(fact('Fingerprint', group.fingerprint));
  if (group.occurrences !== undefined) lines.push(fact('Occurrences', String(group.occurrences)));
  if (group.timestamp !== undefined) {
    lines.push(fact('First seen', isoFromUnixSeconds(group.timestamp[0])));
    lines.push(fact('Last seen', isoFromUnixSeconds(group.timestamp[1])));
  }
  const link = group.group_url !== undefined && group.group_url.length <= URL_MAX
    ? wikiLink('View in Backtrace', group.group_url)
    : undefined;
  if (link !== undefined) lines.push(link);
  return lines;
}

function attributeRow(name: string, histogram: readonly AttributeCount[], maxValues: number): string {
  // A stable sort keeps Backtrace's order among equal counts.
  const sorted = [...histogram].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, maxValues).map(([value, count]) => {
    const text = attributeValueText(value);
    const label = text === '' ? '(no value)' : cutText(text, CELL_VALUE_MAX);
    return `${escapeWikiCell(label)} (${count})`;
  });
  const hidden = sorted.length - shown.length;
  if (hidden > 0) shown.push(`and ${hidden} more`);
  return `|${escapeWikiCell(cutText(name, CELL_NAME_MAX))}|${shown.join(', ')}|`;
}

function attributeRows(group: BacktraceGroup, display: DescriptionDisplay, maxValues: number): string[] {
  const attributes = group.attributes ?? {};
  const names = display.attributeList.length > 0
    ? display.attributeList.filter((name, index, list) => list.indexOf(name) === index)
    : Object.keys(attributes);
  return names
    .filter((name) => Object.hasOwn(attributes, name) && attributes[name].length > 0)
    .map((name) => attributeRow(name, attributes[name], maxValues));
}

interface Section {
  /** Text before the lines (heading, block opening). */
  open: string;
  lines: string[];
  /** Text after the lines (block closing). */
  close: string;
  /** The line that replaces the lines left out. */
  omittedNote: (omitted: number) => string;
}

function sectionText(section: Section, kept: number): string {
  const lines = section.lines.slice(0, kept);
  const omitted = section.lines.length - kept;
  if (omitted > 0) lines.push(section.omittedNote(omitted));
  return `${section.open}${lines.join('\n')}${section.close}`;
}

/** The most lines of `section` that fit in `budget`, with the note for the rest; '' when not even the note fits. */
function fitSection(section: Section, budget: number): string {
  const full = sectionText(section, section.lines.length);
  if (full.length <= budget) return full;
  let used = section.open.length + section.close.length;
  let kept = 0;
  while (kept < section.lines.length) {
    const next = used + section.lines[kept].length + 1;
    const note = section.omittedNote(section.lines.length - kept - 1).length;
    if (next + note > budget) break;
    used = next;
    kept += 1;
  }
  const text = sectionText(section, kept);
  return text.length <= budget ? text : '';
}

/**
 * Renders the description of a new issue: a heading, the group's facts (classifiers when shown, application,
 * fingerprint, occurrences, first/last seen in ISO-8601 UTC, a link to the group in Backtrace), then the callstack in
 * a `{noformat}` block and an attribute table `||Attribute||Value (count)||` when those are shown. Everything from the
 * group is escaped (see ./jira-wiki.ts).
 *
 * The result never exceeds `maxLength` (Jira's 32,767): when callstack and attributes do not fit, whole frames and
 * whole table rows are left out from the end, each section keeps at least about half the room when it needs it, and a
 * "… truncated" line says how many were left out.
 *
 * @example
 * renderDescription(group, { classifiers: true, callstack: true, attributes: true, attributeList: [] });
 */
export function renderDescription(
  group: BacktraceGroup,
  display: DescriptionDisplay,
  options: DescriptionOptions = {},
): string {
  const maxLength = options.maxLength ?? JIRA_TEXT_FIELD_LIMIT;
  const maxValues = Math.max(1, options.maxValuesPerAttribute ?? 5);
  const head = headLines(group, display).join('\n');
  const separator = '\n\n';

  const sections: Section[] = [];
  if (display.callstack && group.callstack !== undefined && group.callstack.length > 0) {
    // Built as a {noformat} block by hand (not noformatBlock per frame) so frames can be dropped line by line.
    const block = noformatBlock(group.callstack.map((frame) => cutText(frame, FRAME_MAX)).join('\n'));
    const inner = block.slice('{noformat}\n'.length, -'\n{noformat}'.length);
    sections.push({
      open: 'h4. Callstack\n{noformat}\n',
      lines: inner.split('\n'),
      close: '\n{noformat}',
      omittedNote: (omitted) => `… truncated: ${omitted} more frame${omitted === 1 ? '' : 's'}`,
    });
  }
  if (display.attributes) {
    const rows = attributeRows(group, display, maxValues);
    if (rows.length > 0) {
      sections.push({
        open: 'h4. Attributes\n||Attribute||Value (count)||\n',
        lines: rows,
        close: '',
        // After a blank line, so Jira ends the table before it.
        omittedNote: (omitted) => `\n… truncated: ${omitted} more attribute${omitted === 1 ? '' : 's'}, see Backtrace`,
      });
    }
  }

  const fullTexts = sections.map((section) => sectionText(section, section.lines.length));
  const full = [head, ...fullTexts].join(separator);
  if (full.length <= maxLength) return full;

  let room = maxLength - head.length - separator.length * sections.length;
  const parts = [head];
  sections.forEach((section, index) => {
    const later = fullTexts.slice(index + 1).reduce((sum, text) => sum + text.length, 0);
    const share = index === sections.length - 1 ? room : Math.max(Math.floor(room / 2), room - later);
    const text = fitSection(section, Math.max(0, share));
    room -= text.length;
    if (text !== '') parts.push(text);
  });
  const result = parts.join(separator);
  if (result.length <= maxLength) return result;
  // Only reachable with a tiny maxLength: the caps above keep the facts far below Jira's limit. Still, the limit is
  // Jira's hard refusal, so it is enforced (whole lines only), not assumed.
  const lines = headLines(group, display);
  while (lines.length > 1 && lines.join('\n').length > maxLength) lines.pop();
  return cutText(lines.join('\n'), maxLength);
}
