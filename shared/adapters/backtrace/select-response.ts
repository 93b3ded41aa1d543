/**
 * Decoding of `POST /api/query` select answers: column-wise, run-length encoded
 * (../shared/reference/backtrace.md section 5.2, "Select (ungrouped) results").
 */

export interface QueryEnvelope {
  response?: {
    columns?: unknown[];
    columns_desc?: { name?: unknown }[];
    values?: unknown[];
  };
  error?: unknown;
}

/**
 * Rows of a select answer as objects keyed by column name. Each `values` entry is one column,
 * `[groupKey, [value, runLength], ...]`; runs are expanded and the columns zipped by row index.
 */
export function decodeSelectRows(envelope: QueryEnvelope): Record<string, unknown>[] {
  const response = envelope.response;
  if (!response || !Array.isArray(response.values)) return [];
  const names = columnNames(response);
  if (names.length === 0) return [];
  const rows: Record<string, unknown>[] = [];
  // Several groups repeat the column list, one block of `names.length` entries per group.
  for (let block = 0; block < response.values.length; block += names.length) {
    const columns = response.values.slice(block, block + names.length).map((entry) => expandRuns(entry));
    const rowCount = Math.max(0, ...columns.map((column) => column.length));
    for (let row = 0; row < rowCount; row++) {
      const record: Record<string, unknown> = {};
      columns.forEach((column, index) => {
        const name = names[index];
        if (name !== undefined) record[name] = column[row];
      });
      rows.push(record);
    }
  }
  return rows;
}

/** Names from `columns_desc`, else from `columns` (`[name, format]` pairs); the two lists share one order. */
function columnNames(response: NonNullable<QueryEnvelope['response']>): (string | undefined)[] {
  if (Array.isArray(response.columns_desc) && response.columns_desc.length > 0) {
    return response.columns_desc.map((column) => (typeof column?.name === 'string' ? column.name : undefined));
  }
  return (response.columns ?? []).map((column) =>
    Array.isArray(column) && typeof column[0] === 'string' ? column[0] : typeof column === 'string' ? column : undefined,
  );
}

function expandRuns(entry: unknown): unknown[] {
  if (!Array.isArray(entry)) return [];
  const values: unknown[] = [];
  for (const run of entry.slice(1)) {
    if (!Array.isArray(run) || run.length === 0) continue;
    const count = run.length > 1 && typeof run[1] === 'number' && run[1] > 0 ? run[1] : 1;
    for (let i = 0; i < count; i++) values.push(run[0]);
  }
  return values;
}
