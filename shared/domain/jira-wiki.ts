/**
 * Jira wiki markup (what REST API v2 takes for `description` and text areas), made safe for text we did not write:
 * attribute values, application names, frames. The rules follow Atlassian's renderer (atlassian-renderer
 * `PhraseRendererComponent`, `BackslashEscapeRendererComponent`, `EmoticonRendererComponent`):
 *
 * - `\` escapes `- # * _ + ? ^ ~ | % { } [ ] ( ) ! @`; a `\` before anything else stays, and `\\` is a line break,
 *   so a literal backslash is written as the entity `&#92;` (the renderer keeps entities).
 * - Phrase markers (`*bold*`, `_em_`, `-strike-`, `+ins+`, `^sup^`, `~sub~`) and images (`!pic.png!`) only open
 *   where no letter, digit or backslash precedes the marker and a non-space follows it, and a phrase cannot form
 *   without its opener. So only markers that could open are escaped: `my_var_name`, `1.2.3-beta`, `a - b` and
 *   `failed!` stay as typed, which keeps the raw text readable too.
 * - `{ } [ ] |` (macros, links, tables) are always escaped; `??` (citation); list, heading and quote markers at the
 *   start of a line; emoticons such as `(x)` or `:D`.
 * - Bare URLs are kept as typed so Jira still links them.
 */

const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;
const WHITESPACE = /\s/u;
const PHRASE_MARKERS = new Set(['*', '_', '^', '~', '+', '-', '!']);
const ALWAYS_ESCAPED = new Set(['{', '}', '[', ']', '|']);
const ENTITY_LIKE = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/iy;
const URL_AT = /(?:https?|ftp):\/\/[^\s<>"[\]{}|\\^`]+/y;
/** Jira's default emoticon symbols; each renders as an icon when no letter or digit follows it. */
const EMOTICONS = [
  '(flagoff)', '(flag)', '(off)', '(on)', '(*r)', '(*g)', '(*b)', '(*y)', '(*)', '(y)', '(n)', '(i)', '(/)', '(x)',
  '(!)', '(+)', '(-)', '(?)', ':)', ':(', ':P', ':p', ':D', ':d', ';)',
];
// Characters Jira refuses or silently mangles in text fields (XML 1.0 cannot carry them); tab and newline stay.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

const isLetterOrDigit = (char: string | undefined): boolean => char !== undefined && LETTER_OR_DIGIT.test(char);
const isSpace = (char: string | undefined): boolean => char === undefined || WHITESPACE.test(char);

/** Removes control characters (except tab and newline) and turns CRLF/CR into LF. */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL_CHARACTERS, '');
}

function escapeLine(line: string): string {
  const chars = Array.from(line);
  let out = '';
  let i = 0;
  let offset = 0; // UTF-16 offset of chars[i] in line, for the sticky regexes

  const lead = /^(\s*)(?:(h[1-6]\.)|(bq\.)|([*#-]+))/.exec(line);
  if (lead !== null) {
    const [whole, space, heading, quote, listMarkers] = lead;
    if (heading !== undefined) out = `${space}&#104;${heading.slice(1)}`;
    else if (quote !== undefined) out = `${space}&#98;${quote.slice(1)}`;
    else out = space + Array.from(listMarkers).map((marker) => `\\${marker}`).join('');
    i = Array.from(whole).length;
    offset = whole.length;
  }

  while (i < chars.length) {
    const char = chars[i];
    const prev = chars[i - 1];
    const next = chars[i + 1];

    if ((char === 'h' || char === 'f') && !isLetterOrDigit(prev)) {
      URL_AT.lastIndex = offset;
      const url = URL_AT.exec(line);
      if (url !== null) {
        out += url[0];
        i += Array.from(url[0]).length;
        offset += url[0].length;
        continue;
      }
    }

    if (char === '(' || char === ':' || char === ';') {
      const emoticon = EMOTICONS.find((symbol) => line.startsWith(symbol, offset));
      if (emoticon !== undefined && !isLetterOrDigit(chars[i + Array.from(emoticon).length])) {
        // The renderer shows a backslashed emoticon as text; the symbol's own characters still go through the rules
        // below, so "(+)" becomes "\(\+)".
        out += '\\';
      }
    }

    ENTITY_LIKE.lastIndex = offset;
    if (char === '\\') out += '&#92;';
    else if (char === '&' && ENTITY_LIKE.test(line)) out += '&amp;';
    else if (ALWAYS_ESCAPED.has(char)) out += `\\${char}`;
    else if (char === '?') out += prev === '?' || next === '?' ? '\\?' : '?';
    else if (PHRASE_MARKERS.has(char)) out += !isLetterOrDigit(prev) && !isSpace(next) ? `\\${char}` : char;
    else out += char;
    i += 1;
    offset += char.length;
  }
  return out;
}

/**
 * Escapes plain text so Jira shows it as typed. Newlines are kept (each line is escaped on its own, since list and
 * heading markup only starts at a line start).
 *
 * @example
 * escapeWiki('*ptr is NULL in my_fn [0x1f]'); // '\\*ptr is NULL in my_fn \\[0x1f\\]'
 */
export function escapeWiki(text: string): string {
  return cleanText(text).split('\n').map(escapeLine).join('\n');
}

/**
 * Escapes text for one table cell: a newline would end the table row, so it becomes Jira's forced line break `\\`;
 * an empty cell becomes a space, since `||` would start a header cell.
 */
export function escapeWikiCell(text: string): string {
  const escaped = cleanText(text).split('\n').map(escapeLine).join(' \\\\ ');
  return escaped.trim() === '' ? ' ' : escaped;
}

/** Percent-encodes the characters that would end a `[alias|url]` link early or that a URL may not contain raw. */
function encodeLinkUrl(url: string): string {
  return url.replace(/[\s"<>[\]{}|\\^`]/gu, (char) => encodeURIComponent(char));
}

/**
 * A link `[alias|url]`, or `undefined` when `url` is not http(s) (a `javascript:` or relative URL has no place in a
 * ticket). The alias is escaped; the URL is percent-encoded where it would break the link markup.
 */
export function wikiLink(alias: string, url: string): string | undefined {
  const trimmed = cleanText(url).trim();
  if (!/^https?:\/\/[^\s/]/i.test(trimmed)) return undefined;
  return `[${escapeWiki(alias).replace(/\n/g, ' ')}|${encodeLinkUrl(trimmed)}]`;
}

/**
 * Breaks a macro tag such as `{noformat}` inside block content with a zero-width space after the `{`, so the block
 * cannot be closed early (Jira has no escape inside `{noformat}`/`{code}`: everything up to the next tag is literal).
 * The text reads the same; only a copy of it carries the invisible character.
 */
function neutraliseTag(content: string, tag: string): string {
  return content.replace(new RegExp(`\\{(${tag})(?=[}:])`, 'gi'), '{\u200B$1');
}

/** A `{noformat}` block (monospaced, no markup, no highlighting) holding `content` verbatim. */
export function noformatBlock(content: string): string {
  return `{noformat}\n${neutraliseTag(cleanText(content), 'noformat')}\n{noformat}`;
}

/** A `{code}` block, with an optional language (only letters, digits, `+`, `#`, `-` are kept from it). */
export function codeBlock(content: string, language?: string): string {
  const lang = language?.replace(/[^A-Za-z0-9+#-]/g, '') ?? '';
  const open = lang === '' ? '{code}' : `{code:${lang}}`;
  return `${open}\n${neutraliseTag(cleanText(content), 'code')}\n{code}`;
}
