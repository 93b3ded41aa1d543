/**
 * Cutting text to a length limit without leaving half a character: Jira (Java) counts UTF-16 code units, as
 * `String.prototype.length` does, so limits are measured that way, and cuts fall between grapheme clusters so an
 * emoji (a surrogate pair, or a ZWJ family) is kept whole or dropped whole.
 */

// Made on the first cut, not at import: building a segmenter loads ICU's break rules, about 4.5 ms of every cold
// start (a CPU profile of the sync-to-jira bundle), and most texts fit without one.
let graphemes: Intl.Segmenter | undefined;
const segmenter = () => (graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' }));

export interface CutOptions {
  /** Appended when the text was cut; counted in `max`. Default `'…'`. */
  ellipsis?: string;
  /**
   * Prefer to cut at the last whitespace, as long as that keeps at least this share of the room (0..1); below it a
   * word is cut instead, so one long token does not empty the text. Default: no word boundary.
   */
  wordBoundaryMinShare?: number;
}

/**
 * Returns `text` unchanged when it fits in `max` UTF-16 code units; otherwise the longest whole-grapheme prefix that
 * fits together with the ellipsis.
 *
 * @example
 * cutText('Segfault in render_frame', 16, { wordBoundaryMinShare: 0.5 }); // 'Segfault in…'
 * cutText('ok 😀😀', 5); // 'ok 😀' is 5 units, too long with the ellipsis: 'ok…'
 */
export function cutText(text: string, max: number, options: CutOptions = {}): string {
  if (text.length <= max) return text;
  const ellipsis = options.ellipsis ?? '…';
  const room = Math.max(0, max - ellipsis.length);
  let end = 0;
  for (const { segment, index } of segmenter().segment(text)) {
    if (index + segment.length > room) break;
    end = index + segment.length;
  }
  let kept = text.slice(0, end);
  if (options.wordBoundaryMinShare !== undefined) {
    const lastSpace = kept.search(/\s\S*$/);
    if (lastSpace >= room * options.wordBoundaryMinShare) kept = kept.slice(0, lastSpace);
  }
  return `${kept.trimEnd()}${ellipsis}`;
}
