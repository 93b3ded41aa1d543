/**
 * Backtrace's `$attribute` template language, used by the subject and by custom field values.
 *
 * - `$name` takes `[A-Za-z0-9_.]+`, except that trailing dots end the sentence rather than the name
 *   (`"Crash in $version."` reads the attribute `version`).
 * - `${name}` takes letters, digits, `_`, `.` and `-` (for names such as `uname.sysname` or `build-id` next to text).
 * - An attribute from the group's histogram renders as its highest-count value (ties: first listed); when the group has
 *   no such attribute, a built-in (see {@link BUILTIN_NAMES}); otherwise the empty string.
 * - `$$` is a literal `$`; a `$` that starts no reference is kept as is.
 */
import type { BacktraceGroup } from './backtrace-group.ts';
import { attributeText, builtinValues } from './group-attributes.ts';

export { BUILTIN_NAMES } from './group-attributes.ts';

type Token = { kind: 'text'; text: string } | { kind: 'ref'; name: string };

const BARE_NAME = /[A-Za-z0-9_.]+/y;
const BRACED_NAME = /^[A-Za-z0-9_.-]+$/;

function parseTemplate(template: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  let i = 0;
  const flushText = (): void => {
    if (text !== '') tokens.push({ kind: 'text', text });
    text = '';
  };
  while (i < template.length) {
    const char = template[i];
    if (char !== '$') {
      text += char;
      i += 1;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      text += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      const name = close === -1 ? '' : template.slice(i + 2, close);
      if (BRACED_NAME.test(name)) {
        flushText();
        tokens.push({ kind: 'ref', name });
        i = close + 1;
        continue;
      }
    } else {
      BARE_NAME.lastIndex = i + 1;
      const match = BARE_NAME.exec(template);
      const name = match?.[0].replace(/\.+$/, '') ?? '';
      if (name !== '') {
        flushText();
        tokens.push({ kind: 'ref', name });
        i += 1 + name.length;
        continue;
      }
    }
    text += '$';
    i += 1;
  }
  flushText();
  return tokens;
}

/**
 * Renders a template against one error group.
 *
 * @example
 * // sample group: version [["1.2.3",10],["1.2.2",1],["1.1.0",24]]
 * renderTemplate('Hostname: $hostname, Version: $version', group); // 'Hostname: , Version: 1.1.0'
 */
export function renderTemplate(template: string, group: BacktraceGroup): string {
  return parseTemplate(template)
    .map((token) => (token.kind === 'text' ? token.text : (attributeText(group, token.name) ?? '')))
    .join('');
}

/**
 * Renders a template for an array field (labels, multi-selects, versions, users): "comma-separated parts become
 * items", as Backtrace's Jira page puts it.
 *
 * The template is split on the commas the admin typed, before substitution; each part is rendered, trimmed, and
 * dropped when empty. So `$uname.sysname,linux` gives two items, and an attribute value that itself contains a comma
 * stays one item: an attribute is one value, and splitting it would turn `"1,024 MB"` into two labels.
 * A part that is a lone reference to a list-valued built-in (`$classifiers`) becomes one item per value, since a
 * group with two classifiers should get two labels, not one joined with ", ".
 *
 * @example
 * renderTemplateParts('backtrace, $environment, $classifiers', group); // ['backtrace', 'production', 'exception']
 */
export function renderTemplateParts(template: string, group: BacktraceGroup): string[] {
  const parts: Token[][] = [[]];
  for (const token of parseTemplate(template)) {
    if (token.kind === 'ref') {
      parts[parts.length - 1].push(token);
      continue;
    }
    token.text.split(',').forEach((piece, index) => {
      if (index > 0) parts.push([]);
      if (piece !== '') parts[parts.length - 1].push({ kind: 'text', text: piece });
    });
  }

  const items: string[] = [];
  for (const part of parts) {
    const refs = part.filter((token) => token.kind === 'ref');
    const loneRef = refs.length === 1 && part.every((token) => token.kind === 'ref' || token.text.trim() === '');
    if (loneRef) {
      const name = refs[0].name;
      const attributes = group.attributes;
      const hasHistogram = attributes !== undefined && Object.hasOwn(attributes, name) && attributes[name].length > 0;
      const builtin = hasHistogram ? undefined : builtinValues(group, name);
      if (builtin !== undefined) {
        items.push(...builtin.map((value) => value.trim()).filter((value) => value !== ''));
        continue;
      }
    }
    const rendered = part
      .map((token) => (token.kind === 'text' ? token.text : (attributeText(group, token.name) ?? '')))
      .join('')
      .trim();
    if (rendered !== '') items.push(rendered);
  }
  return items;
}

/** The attribute names a template refers to, in order of first use (for config checks and docs). */
export function templateReferences(template: string): string[] {
  const names: string[] = [];
  for (const token of parseTemplate(template)) {
    if (token.kind === 'ref' && !names.includes(token.name)) names.push(token.name);
  }
  return names;
}
