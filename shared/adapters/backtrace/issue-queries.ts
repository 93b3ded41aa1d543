/**
 * The `/api/query` requests the bridge sends on Backtrace's `issues` table (../shared/reference/backtrace.md
 * section 5.1): one fingerprint's row, or the rows of a batch of fingerprints, paged and pinned to one snapshot.
 *
 * - Several fingerprints are matched with one anchored `regular-expression` (`equal` takes one value only, and
 *   morgue matches several with `^fp1$|^fp2$`); every fingerprint is escaped, so an odd one cannot widen the match.
 * - Pages after the first add `_tx at-most <tx of the first page>`, as backtrace-forensics' `nextPage()` does, so
 *   rows created while paging are neither seen twice nor shift the offset.
 */

/** At most this many fingerprints per query (the issue's bound; also keeps the regular expression short). */
export const MAX_FINGERPRINTS_PER_QUERY = 100;
/** Rows per page. A batch matches at most its own fingerprints, so one page normally holds it whole. */
export const PAGE_SIZE = 100;

/** The columns sync reads. `ticket` and `invariants` come back as JSON strings (section 5.3). */
export const ISSUE_COLUMNS = ['fingerprint', 'state', 'ticket', 'invariants', 'invariant_reopen_count', 'invariant_reopen_last_time'] as const;

/** `fingerprints` in batches of at most `size`, duplicates dropped, order kept. */
export function fingerprintBatches(fingerprints: readonly string[], size = MAX_FINGERPRINTS_PER_QUERY): string[][] {
  const unique = [...new Set(fingerprints)];
  const batches: string[][] = [];
  for (let start = 0; start < unique.length; start += size) batches.push(unique.slice(start, start + size));
  return batches;
}

/** A regular-expression literal matching `text` exactly (every metacharacter escaped). */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** `^(?:fp1|fp2|...)$`: exactly these fingerprints, nothing that merely contains one. */
export function fingerprintPattern(fingerprints: readonly string[]): string {
  return `^(?:${fingerprints.map(escapeRegExp).join('|')})$`;
}

/** The select query for one page of a batch; `tx` pins pages after the first to the first page's snapshot. */
export function batchQuery(fingerprints: readonly string[], page: { offset: number; tx?: number }): Record<string, unknown> {
  return {
    table: 'issues',
    filter: [
      {
        fingerprint: [['regular-expression', fingerprintPattern(fingerprints)]],
        ...(page.tx === undefined ? {} : { _tx: [['at-most', page.tx]] }),
      },
    ],
    select: [...ISSUE_COLUMNS],
    order: [{ name: 'fingerprint', ordering: 'ascending' }],
    limit: PAGE_SIZE,
    offset: page.offset,
  };
}

/** The select query for one fingerprint's row. */
export function singleQuery(fingerprint: string): Record<string, unknown> {
  return { table: 'issues', filter: [{ fingerprint: [['equal', fingerprint]] }], select: [...ISSUE_COLUMNS], limit: 1 };
}
