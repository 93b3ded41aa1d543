import { describe, expect, it } from 'vitest';
import { cleanSummary, renderSummary, SUMMARY_MAX_LENGTH } from '../../shared/domain/summary.ts';
import { cutText } from '../../shared/domain/text-cut.ts';
import { sampleGroup } from './domain-factories.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const FINGERPRINT = '8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40';

describe('Function: renderSummary', () => {
  it.each([
    ['a subject from the sample group', '$classifiers in $application ($version)', 'exception in my_app.exe (1.1.0)'],
    ['newlines as spaces and whitespace collapsed', '  Crash\r\n in \t$application\n\n', 'Crash in my_app.exe'],
    ['an empty rendering as the fallback', '$nothere', 'Backtrace error group 8910551e27a3'],
    ['a whitespace-only rendering as the fallback', ' \n\t ', 'Backtrace error group 8910551e27a3'],
  ])('renders %s', (_case, template, expected) => {
    // Act
    const summary = renderSummary(template, sampleGroup());

    // Assess
    expect(summary).toBe(expected);
  });
});

describe('Function: cleanSummary', () => {
  it('keeps a summary of exactly 254 characters', () => {
    // Prepare
    const text = 'a'.repeat(SUMMARY_MAX_LENGTH);

    // Act
    const summary = cleanSummary(text, FINGERPRINT);

    // Assess
    expect(summary).toBe(text);
  });

  it('cuts a long summary at a word boundary with an ellipsis', () => {
    // Prepare
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');

    // Act
    const summary = cleanSummary(words, FINGERPRINT);

    // Assess
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX_LENGTH);
    expect(summary.endsWith('…')).toBe(true);
    expect(words.startsWith(summary.slice(0, -1))).toBe(true);
    expect(words[summary.length - 1]).toBe(' ');
  });

  it('cuts inside a word when the only space is far from the limit', () => {
    // Prepare
    const text = `Crash ${'x'.repeat(400)}`;

    // Act
    const summary = cleanSummary(text, FINGERPRINT);

    // Assess
    expect(summary).toBe(`Crash ${'x'.repeat(SUMMARY_MAX_LENGTH - 7)}…`);
  });

  it.each([
    ['a surrogate pair straddling the cut', 'a'.repeat(252) + '😀😀', 'a'.repeat(252) + '…'],
    ['a surrogate pair ending just before the room runs out', 'a'.repeat(251) + '😀😀', 'a'.repeat(251) + '😀…'],
    ['a ZWJ family emoji at the cut', 'a'.repeat(245) + '👨‍👩‍👧‍👦 tail', 'a'.repeat(245) + '…'],
  ])('never splits %s', (_case, text, expected) => {
    // Act
    const summary = cleanSummary(text, FINGERPRINT);

    // Assess
    expect(summary).toBe(expected);
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX_LENGTH);
    expect(summary).not.toMatch(LONE_SURROGATE);
  });
});

describe('Function: cutText', () => {
  it.each([
    ['text that fits', 'short', 10, {}, 'short'],
    ['at a word boundary', 'Segfault in render_frame', 16, { wordBoundaryMinShare: 0.5 }, 'Segfault in…'],
    ['without a word boundary', 'Segfault in render_frame', 16, {}, 'Segfault in ren…'],
    ['before an emoji that does not fit', 'ok 😀😀', 5, {}, 'ok…'],
    ['with another ellipsis', 'abcdef', 5, { ellipsis: '...' }, 'ab...'],
  ])('cuts %s', (_case, text, max, options, expected) => {
    // Act
    const cut = cutText(text, max, options);

    // Assess
    expect(cut).toBe(expected);
  });
});
