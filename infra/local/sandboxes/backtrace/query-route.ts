/**
 * `POST /api/query?universe=U&project=P` on `table: "issues"` with `select` (reference section 5): filter, order,
 * page, and answer column-wise with run-length encoded values, as coroner does. What a reconcile poller sends works:
 * a regular-expression batch of fingerprints, `_tx at-most <tx>` pinning (section 5.1 "Pagination"), ordering,
 * `limit`/`offset`. Group/fold queries, other tables and keys the sandbox does not implement are refused with
 * coroner's `{error}` envelope at HTTP 200 (section 5.0; `guesses.ts` G9, G11).
 */
import { CoronerRequestError } from './coroner-errors.ts';
import { MAX_QUERY_LIMIT } from './guesses.ts';
import { invariantsColumn, ticketColumn, type IssueTable, type StoredRow } from './issue-table.ts';

type Scalar = string | number;

interface Column {
  format: string;
  type: string;
  read(row: StoredRow): Scalar;
}

/** The issues table's columns (formats and types: G10; `ticket`/`invariants` as JSON strings: G4; `_tx`: G3). */
const COLUMNS: Record<string, Column> = {
  fingerprint: { format: 'sha256', type: 'dictionary', read: (r) => r.fingerprint },
  state: { format: 'none', type: 'dictionary', read: (r) => r.state },
  ticket: { format: 'none', type: 'dictionary', read: ticketColumn },
  tags: { format: 'labels', type: 'dictionary', read: (r) => r.tags },
  invariants: { format: 'none', type: 'dictionary', read: invariantsColumn },
  invariant_reopen_count: { format: 'none', type: 'uint32', read: (r) => r.invariantReopenCount },
  invariant_reopen_last_time: { format: 'unix_timestamp', type: 'uint64', read: (r) => r.invariantReopenLastTime },
  _tx: { format: 'none', type: 'uint64', read: (r) => r.tx },
};

/** Request keys the sandbox serves; the others coroner knows are refused as not implemented (G11). */
const SERVED_KEYS = new Set(['table', 'filter', 'select', 'order', 'offset', 'limit', 'group', 'fold']);
const UNSERVED_KEYS = new Set(['set', 'actions', 'having', 'select_wildcard', 'virtual_columns']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

type Predicate = (value: Scalar) => boolean;

function predicate(attribute: string, condition: unknown): Predicate {
  if (!Array.isArray(condition) || typeof condition[0] !== 'string') throw new CoronerRequestError(`invalid filter on '${attribute}': expected [operator, value]`);
  const [op, operand, options] = condition as [string, unknown, unknown];
  const insensitive = isObject(options) && options.case_insensitive === true;
  const text = (v: Scalar) => (insensitive ? String(v).toLowerCase() : String(v));
  const wanted = insensitive ? String(operand).toLowerCase() : String(operand);
  // Coroner takes numbers as numbers or as "<n>." strings (reference section 5.1).
  const number = () => {
    const n = Number(String(operand).replace(/\.$/, ''));
    if (!Number.isFinite(n)) throw new CoronerRequestError(`invalid numeric operand for '${attribute}'`);
    return n;
  };
  const regex = () => {
    try {
      return new RegExp(String(operand), insensitive ? 'i' : '');
    } catch {
      throw new CoronerRequestError(`invalid regular expression for '${attribute}'`);
    }
  };
  switch (op) {
    case 'equal':
      return (v) => text(v) === wanted;
    case 'not-equal':
      return (v) => text(v) !== wanted;
    case 'contains':
      return (v) => text(v).includes(wanted);
    case 'not-contains':
      return (v) => !text(v).includes(wanted);
    case 'regular-expression': {
      const re = regex();
      return (v) => re.test(String(v));
    }
    case 'inverse-regular-expression': {
      const re = regex();
      return (v) => !re.test(String(v));
    }
    case 'is-set':
      return (v) => v !== '' && v !== 0;
    case 'is-not-set':
      return (v) => v === '' || v === 0;
    case 'greater-than':
      return (v) => Number(v) > number();
    case 'less-than':
      return (v) => Number(v) < number();
    case 'at-least':
      return (v) => Number(v) >= number();
    case 'at-most':
      return (v) => Number(v) <= number();
    default:
      throw new CoronerRequestError(`unknown operator '${op}'`);
  }
}

interface ParsedQuery {
  select: string[];
  filters: { column: Column; test: Predicate }[];
  /** Fingerprints the filter names with `equal`: they exist even if nobody wrote them. */
  named: string[];
  order: { name: string; descending: boolean }[];
  offset: number;
  limit?: number;
}

function parseQuery(body: unknown): ParsedQuery {
  if (!isObject(body)) throw new CoronerRequestError('empty body');
  for (const key of Object.keys(body)) {
    if (UNSERVED_KEYS.has(key)) throw new CoronerRequestError(`the Backtrace fake does not implement '${key}'`);
    if (!SERVED_KEYS.has(key)) throw new CoronerRequestError(`unknown key '${key}'`);
  }
  if (body.table !== 'issues') throw new CoronerRequestError(`the Backtrace fake only serves table 'issues' (got '${String(body.table ?? 'objects')}')`);
  if (body.group !== undefined || body.fold !== undefined) throw new CoronerRequestError('the Backtrace fake answers select queries only (no group/fold)');
  if (!Array.isArray(body.select) || body.select.length === 0) throw new CoronerRequestError('select must be a non-empty list of columns');
  const select = body.select.map((name) => {
    if (typeof name !== 'string' || !COLUMNS[name]) throw new CoronerRequestError(`invalid attribute '${String(name)}' in select`);
    return name;
  });
  const filters: ParsedQuery['filters'] = [];
  const named: string[] = [];
  if (body.filter !== undefined) {
    if (!Array.isArray(body.filter)) throw new CoronerRequestError('filter must be a list holding one object');
    for (const group of body.filter) {
      if (!isObject(group)) throw new CoronerRequestError('filter must be a list holding one object');
      for (const [attribute, conditions] of Object.entries(group)) {
        const column = COLUMNS[attribute];
        if (!column) throw new CoronerRequestError(`invalid attribute '${attribute}' in filter`);
        if (!Array.isArray(conditions)) throw new CoronerRequestError(`invalid filter on '${attribute}': expected a list of [operator, value]`);
        for (const condition of conditions) {
          filters.push({ column, test: predicate(attribute, condition) });
          if (attribute === 'fingerprint' && Array.isArray(condition) && condition[0] === 'equal' && typeof condition[1] === 'string') named.push(condition[1]);
        }
      }
    }
  }
  if (body.order !== undefined && !Array.isArray(body.order)) throw new CoronerRequestError('order must be a list of {name, ordering}');
  const order = ((body.order as unknown[] | undefined) ?? []).map((entry) => {
    if (!isObject(entry) || typeof entry.name !== 'string' || !COLUMNS[entry.name]) throw new CoronerRequestError('order entries must be {name:<column>, ordering}');
    if (entry.ordering !== undefined && entry.ordering !== 'ascending' && entry.ordering !== 'descending') throw new CoronerRequestError(`invalid ordering '${String(entry.ordering)}'`);
    return { name: entry.name, descending: entry.ordering === 'descending' };
  });
  const offset = body.offset === undefined ? 0 : body.offset;
  const limit = body.limit === undefined ? undefined : body.limit;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0))) {
    throw new CoronerRequestError('offset and limit must be non-negative integers');
  }
  if (limit !== undefined && limit > MAX_QUERY_LIMIT) throw new CoronerRequestError(`limit ${limit} is above the maximum of ${MAX_QUERY_LIMIT}`);
  return { select, filters, named, order, offset, limit };
}

/** Run-length encodes one column: `['*', [value, count], ...]`. */
function encodeColumn(values: Scalar[]): unknown[] {
  const runs: [Scalar, number][] = [];
  for (const value of values) {
    const last = runs.at(-1);
    if (last && last[0] === value) last[1] += 1;
    else runs.push([value, 1]);
  }
  return ['*', ...runs];
}

export function runQuery(table: IssueTable, universe: string, project: string, body: unknown): Record<string, unknown> {
  const query = parseQuery(body);
  const tx = table.tx;
  const candidates = table.rowsOf(universe, project, query.named);
  const matching = candidates.filter((row) => query.filters.every(({ column, test }) => test(column.read(row))));
  for (const { name, descending } of [...query.order].reverse()) {
    const read = COLUMNS[name]!.read;
    matching.sort((a, b) => {
      const x = read(a);
      const y = read(b);
      const diff = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -diff : diff;
    });
  }
  const page = matching.slice(query.offset, query.limit === undefined ? undefined : query.offset + query.limit);
  return {
    response: {
      version: '1.2.0',
      encoding: 'rle',
      seq: tx,
      pagination: { limit: query.limit ?? page.length, offset: query.offset },
      columns: query.select.map((name) => [name, COLUMNS[name]!.format]),
      columns_desc: query.select.map((name) => ({ name, format: COLUMNS[name]!.format, type: COLUMNS[name]!.type })),
      objects: [['*', page.map((row) => [row.id])]],
      values: query.select.map((name) => encodeColumn(page.map(COLUMNS[name]!.read))),
      cardinalities: {
        initial: { rows: candidates.length, groups: 1 },
        having: { rows: matching.length, groups: 1 },
        pagination: { rows: page.length, groups: 1 },
      },
    },
    _: { tx, universe, project, user: 'sandbox', latency: '42 us', runtime: { filter: { rows: matching.length, time: 1 } } },
  };
}
