import { describe, expect, it } from 'vitest';
import { codeBlock, escapeWiki, escapeWikiCell, noformatBlock, wikiLink } from '../../shared/domain/jira-wiki.ts';

describe('Function: escapeWiki', () => {
  it.each([
    ['plain words', 'Segmentation fault in main', 'Segmentation fault in main'],
    ['underscores and dashes inside words', 'my_var_name 1.2.3-beta a+b x^y', 'my_var_name 1.2.3-beta a+b x^y'],
    ['a spaced dash and star', 'a - b * c', 'a - b * c'],
    ['bold openers (a phrase cannot form without one)', '*ptr is *bad*', '\\*ptr is \\*bad*'],
    ['emphasis openers', '__init__ and _x_ x_', '\\_\\_init__ and \\_x_ x_'],
    ['strike, insert, super and subscript openers', '-old- +new+ ^up^ ~down~', '\\-old- \\+new+ \\^up^ \\~down~'],
    ['dash runs (en and em dash)', 'a -- b --- c', 'a \\-- b \\-\\-- c'],
    ['a citation', 'why?? ok? a?b', 'why\\?\\? ok? a?b'],
    ['macro braces and monospace', '{noformat} {{mono}} {color:red}', '\\{noformat\\} \\{\\{mono\\}\\} \\{color:red\\}'],
    ['link brackets and table pipes', '[PROJ-1] |cell| [~admin]', '\\[PROJ-1\\] \\|cell\\| \\[\\~admin\\]'],
    ['an image opener but not an exclamation', '!evil.png! failed! !', '\\!evil.png! failed! !'],
    ['a backslash (escape and line break in Jira)', 'C:\\app\\x.exe \\\\server', 'C:&#92;app&#92;x.exe &#92;&#92;server'],
    ['an ampersand that looks like an entity', 'a &amp; b & c &#42;', 'a &amp;amp; b & c &amp;#42;'],
    ['emoticons', 'foo(x) (y) :) :D ;) (+)', 'foo\\(x) \\(y) \\:) \\:D \\;) \\(\\+)'],
    ['emoticon-like text inside words', 'std::Display (xy)', 'std::Display (xy)'],
    ['a URL, kept linkable', 'see https://x.io/a_b-c?d=1&e=2 now', 'see https://x.io/a_b-c?d=1&e=2 now'],
    ['emoji beside markers', '😀*bold*😀', '😀\\*bold*😀'],
    ['control characters', 'a\u0000b\u0007c\td', 'abc\td'],
  ])('escapes %s', (_case, text, expected) => {
    // Act
    const escaped = escapeWiki(text);

    // Assess
    expect(escaped).toBe(expected);
  });

  it.each([
    ['bullet list', '* item', '\\* item'],
    ['numbered list', '# item', '\\# item'],
    ['dash list', '- item', '\\- item'],
    ['nested list', '** item', '\\*\\* item'],
    ['horizontal rule', '----', '\\-\\-\\-\\-'],
    ['heading', 'h1. Title', '&#104;1. Title'],
    ['indented heading', '  h3. Title', '  &#104;3. Title'],
    ['block quote', 'bq. quoted', '&#98;q. quoted'],
    ['table row', '||a||b||', '\\|\\|a\\|\\|b\\|\\|'],
    ['hash mid-line', 'issue #42', 'issue #42'],
  ])('escapes %s markup at the start of a line', (_case, line, expected) => {
    // Act
    const escaped = escapeWiki(`first\n${line}`);

    // Assess
    expect(escaped).toBe(`first\n${expected}`);
  });

  it('turns CRLF into LF', () => {
    // Act
    const escaped = escapeWiki('a\r\nb\rc');

    // Assess
    expect(escaped).toBe('a\nb\nc');
  });
});

describe('Function: escapeWikiCell', () => {
  it.each([
    ['a newline as a forced line break', 'a\nb', 'a \\\\ b'],
    ['an empty value as a space', '', ' '],
    ['a pipe', 'a|b', 'a\\|b'],
  ])('renders %s', (_case, text, expected) => {
    // Act
    const cell = escapeWikiCell(text);

    // Assess
    expect(cell).toBe(expected);
  });
});

describe('Function: wikiLink', () => {
  it.each([
    ['a plain URL', 'https://x.io/a?b=1', '[View|https://x.io/a?b=1]'],
    ['characters that would end the link', 'https://x.io/a|b]c d', '[View|https://x.io/a%7Cb%5Dc%20d]'],
    ['a Backtrace group URL as is', 'https://u.sp.backtrace.io/dashboard/u/project/p/query-builder?filters=((fingerprint%3Dequal%3Dab))', '[View|https://u.sp.backtrace.io/dashboard/u/project/p/query-builder?filters=((fingerprint%3Dequal%3Dab))]'],
  ])('links %s', (_case, url, expected) => {
    // Act
    const link = wikiLink('View', url);

    // Assess
    expect(link).toBe(expected);
  });

  it.each([['javascript:alert(1)'], ['/relative/path'], ['ftp://x.io/'], ['']])('refuses %j as a link target', (url) => {
    // Act
    const link = wikiLink('View', url);

    // Assess
    expect(link).toBeUndefined();
  });
});

describe('Function: noformatBlock', () => {
  it('keeps content verbatim', () => {
    // Act
    const block = noformatBlock('*a* _b_ [c] \\d');

    // Assess
    expect(block).toBe('{noformat}\n*a* _b_ [c] \\d\n{noformat}');
  });

  it('cannot be closed early by content holding the tag', () => {
    // Prepare
    const content = 'before\n{noformat}\n*after* {NOFORMAT:title=x}';

    // Act
    const block = noformatBlock(content);

    // Assess
    const inner = block.slice('{noformat}\n'.length, -'\n{noformat}'.length);
    expect(inner).not.toMatch(/\{noformat[}:]/i);
    expect(inner.replace(/\u200B/g, '')).toBe(content);
    expect(block.match(/\{noformat\}/g)).toHaveLength(2);
  });
});

describe('Function: codeBlock', () => {
  it('names the language and cannot be closed early', () => {
    // Act
    const block = codeBlock('x = "{code}"', 'java<script>');

    // Assess
    expect(block).toBe('{code:javascript}\nx = "{\u200Bcode}"\n{code}');
  });
});
