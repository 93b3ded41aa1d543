/**
 * The Jira summary (Backtrace's "Subject") of a new issue.
 */
import type { BacktraceGroup } from './backtrace-group.ts';
import { cleanText } from './jira-wiki.ts';
import { renderTemplate } from './template.ts';
import { cutText } from './text-cut.ts';

/**
 * Longest summary we send. Jira answers a longer one with "Summary must be less than 255 characters." (so 254 is the
 * real maximum, counted in UTF-16 code units like Java strings), and the Jira fake refuses more than 254 as well.
 */
export const SUMMARY_MAX_LENGTH = 254;

/**
 * Makes any text a valid summary: one line (Jira refuses newlines in the summary), whitespace collapsed, at most
 * {@link SUMMARY_MAX_LENGTH} code units cut at a word boundary when one is near (with '…'), never inside an emoji.
 * Empty text becomes `Backtrace error group <first 12 characters of the fingerprint>`, since Jira requires a summary.
 */
export function cleanSummary(text: string, fingerprint: string): string {
  const oneLine = cleanText(text).replace(/\s+/gu, ' ').trim();
  if (oneLine === '') return `Backtrace error group ${fingerprint.slice(0, 12)}`;
  return cutText(oneLine, SUMMARY_MAX_LENGTH, { wordBoundaryMinShare: 0.6 });
}

/**
 * Renders the subject template for a group and makes it a valid summary (see {@link cleanSummary}).
 *
 * @example
 * renderSummary('$classifiers in $application ($version)', group); // 'exception in my_app.exe (1.1.0)'
 */
export function renderSummary(template: string, group: BacktraceGroup): string {
  return cleanSummary(renderTemplate(template, group), group.fingerprint);
}
