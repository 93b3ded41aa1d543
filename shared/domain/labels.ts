/**
 * Jira labels: one word each (Jira refuses a label with a space), at most 255 characters.
 */
import { cutText } from './text-cut.ts';

/** Longest label Jira stores. */
export const JIRA_LABEL_MAX_LENGTH = 255;

/**
 * Makes one configured or rendered label valid for Jira: trimmed, every whitespace run replaced by `-` (so
 * `"Crash Reporter"` becomes `"Crash-Reporter"`; `-` rather than `_` because it is the usual word separator in labels
 * such as `release-2.3.1`, and rather than refusing because a label is a tag, not an identifier the admin must type
 * exactly), cut to 255 characters between graphemes. May return `''`.
 */
export function normaliseLabel(label: string): string {
  // No whitespace is left to trim, so this is the longest whole-grapheme prefix that fits.
  return cutText(label.trim().replace(/\s+/gu, '-'), JIRA_LABEL_MAX_LENGTH, { ellipsis: '' });
}

/**
 * Normalises every label (see {@link normaliseLabel}), drops empty ones and duplicates (the first spelling wins;
 * Jira would store a duplicate once anyway, and a clean list makes the request readable in logs).
 *
 * @example
 * normaliseLabels(['Backtrace', ' crash  reporter ', '', 'Backtrace']); // ['Backtrace', 'crash-reporter']
 */
export function normaliseLabels(labels: readonly string[]): string[] {
  const out: string[] = [];
  for (const label of labels) {
    const normalised = normaliseLabel(label);
    if (normalised !== '' && !out.includes(normalised)) out.push(normalised);
  }
  return out;
}
