/**
 * The JQL subset the bridge needs: `clause AND clause ... [ORDER BY field [ASC|DESC], ...]` where a clause is
 * `project|labels|key|issuekey|issuetype|type (= | != | in | not in) value(s)`. Anything else is a 400 with
 * Jira's wording, so a client relying on more JQL than this finds out in tests.
 */
import type { FakeIssue } from './types.ts';

export interface JqlClause {
  /** `custom` = a `cf[NNNNN]` clause on a custom field (e.g. a custom labels field), matched on `customFieldId`. */
  field: 'project' | 'labels' | 'key' | 'issuetype' | 'custom';
  customFieldId?: string;
  negate: boolean;
  values: string[];
}

export interface JqlOrder {
  field: 'created' | 'key' | 'id';
  direction: 'ASC' | 'DESC';
}

export interface JqlQuery {
  clauses: JqlClause[];
  order: JqlOrder[];
}

export class JqlError extends Error {}

type Token = { kind: 'word' | 'string' | 'op' | 'paren' | 'comma'; text: string };

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '"' || c === "'") {
      let text = '';
      i += 1;
      while (i < jql.length && jql[i] !== c) {
        if (jql[i] === '\\' && i + 1 < jql.length) i += 1;
        text += jql[i];
        i += 1;
      }
      if (i >= jql.length) throw new JqlError(`Error in the JQL Query: The quoted string '${text}' has not been completed.`);
      i += 1;
      tokens.push({ kind: 'string', text });
    } else if (c === '!' && jql[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if (c === '=') {
      tokens.push({ kind: 'op', text: '=' });
      i += 1;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: 'paren', text: c });
      i += 1;
    } else if (c === ',') {
      tokens.push({ kind: 'comma', text: c });
      i += 1;
    } else if (/[~<>]/.test(c)) {
      throw new JqlError(`Error in the JQL Query: the operator '${c}' is not supported by the Jira fake.`);
    } else {
      let text = '';
      while (i < jql.length && !/[\s=!(),"']/.test(jql[i]!)) {
        text += jql[i];
        i += 1;
      }
      const reserved = /^cf\[\d+\]$/i.test(text) ? null : /[+.;?|*/%^$#@[\]]/.exec(text);
      if (reserved) {
        const code = reserved[0].charCodeAt(0).toString(16).padStart(4, '0');
        throw new JqlError(`Error in the JQL Query: The character '${reserved[0]}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${code}' instead.`);
      }
      tokens.push({ kind: 'word', text });
    }
  }
  return tokens;
}

const FIELD_ALIASES: Record<string, JqlClause['field']> = {
  project: 'project',
  labels: 'labels',
  key: 'key',
  issuekey: 'key',
  issuetype: 'issuetype',
  type: 'issuetype',
};

const ORDER_FIELDS: Record<string, JqlOrder['field']> = { created: 'created', createddate: 'created', key: 'key', issuekey: 'key', id: 'id' };

export function parseJql(jql: string): JqlQuery {
  const tokens = tokenize(jql);
  let pos = 0;
  const peekWord = (word: string) => tokens[pos]?.kind === 'word' && tokens[pos]!.text.toLowerCase() === word;
  const next = (): Token => {
    const token = tokens[pos];
    if (!token) throw new JqlError('Error in the JQL Query: Expecting more input at the end of the query.');
    pos += 1;
    return token;
  };
  const value = (): string => {
    const token = next();
    if (token.kind !== 'word' && token.kind !== 'string') throw new JqlError(`Error in the JQL Query: Expecting either a value, list or function but got '${token.text}'.`);
    return token.text;
  };

  const clauses: JqlClause[] = [];
  while (pos < tokens.length && !peekWord('order')) {
    if (clauses.length > 0) {
      if (!peekWord('and')) throw new JqlError(`Error in the JQL Query: Expecting 'AND' or 'ORDER BY' but got '${tokens[pos]!.text}' (the Jira fake supports AND only).`);
      pos += 1;
    }
    const fieldToken = next();
    const customId = /^cf\[(\d+)\]$/i.exec(fieldToken.text)?.[1];
    const field = customId ? 'custom' : FIELD_ALIASES[fieldToken.text.toLowerCase()];
    if (!field) throw new JqlError(`Field '${fieldToken.text}' does not exist or you do not have permission to view it.`);
    let negate = false;
    let values: string[];
    const op = next();
    if (op.kind === 'op') {
      negate = op.text === '!=';
      values = [value()];
    } else if (op.kind === 'word' && (op.text.toLowerCase() === 'in' || op.text.toLowerCase() === 'not')) {
      if (op.text.toLowerCase() === 'not') {
        if (!peekWord('in')) throw new JqlError("Error in the JQL Query: Expecting 'IN' after 'NOT'.");
        pos += 1;
        negate = true;
      }
      if (next().text !== '(') throw new JqlError("Error in the JQL Query: Expecting '(' after 'IN'.");
      values = [value()];
      while (tokens[pos]?.kind === 'comma') {
        pos += 1;
        values.push(value());
      }
      if (next().text !== ')') throw new JqlError("Error in the JQL Query: Expecting ')' to close the list.");
    } else {
      throw new JqlError(`Error in the JQL Query: Expecting operator but got '${op.text}'.`);
    }
    clauses.push({ field, negate, values, ...(customId ? { customFieldId: `customfield_${customId}` } : {}) });
  }

  const order: JqlOrder[] = [];
  if (peekWord('order')) {
    pos += 1;
    if (!peekWord('by')) throw new JqlError("Error in the JQL Query: Expecting 'BY' after 'ORDER'.");
    pos += 1;
    do {
      if (order.length > 0) pos += 1; // the comma
      const name = next().text;
      const field = ORDER_FIELDS[name.toLowerCase()];
      if (!field) throw new JqlError(`Error in the JQL Query: the Jira fake cannot order by '${name}'.`);
      let direction: JqlOrder['direction'] = 'ASC';
      if (peekWord('asc') || peekWord('desc')) direction = next().text.toUpperCase() as JqlOrder['direction'];
      order.push({ field, direction });
    } while (tokens[pos]?.kind === 'comma');
  }
  if (pos < tokens.length) throw new JqlError(`Error in the JQL Query: Unexpected '${tokens[pos]!.text}'.`);
  return { clauses, order };
}

export interface JqlSubject {
  issue: FakeIssue;
  projectId: string;
  issueTypeName: string;
}

/** `values` for project clauses must already be resolved to project keys by the caller. */
export function matchesJql(query: JqlQuery, subject: JqlSubject): boolean {
  return query.clauses.every((clause) => {
    const hit = clause.values.some((value) => matchesValue(clause, value, subject));
    return clause.negate ? !hit : hit;
  });
}

function matchesValue({ field, customFieldId }: JqlClause, value: string, { issue, projectId, issueTypeName }: JqlSubject): boolean {
  switch (field) {
    case 'custom': {
      const stored = issue.fields[customFieldId ?? ''];
      return Array.isArray(stored) ? stored.includes(value) : stored === value;
    }
    case 'project':
      return issue.projectKey.toUpperCase() === value.toUpperCase() || projectId === value;
    case 'labels':
      return issue.labels.includes(value);
    case 'key':
      return issue.key.toUpperCase() === value.toUpperCase() || issue.id === value;
    case 'issuetype':
      return issueTypeName.toLowerCase() === value.toLowerCase();
  }
}

/** Without ORDER BY, Jira lists newest first. */
export function compareByOrder(order: JqlOrder[]): (a: FakeIssue, b: FakeIssue) => number {
  const effective = order.length > 0 ? order : [{ field: 'id', direction: 'DESC' } as JqlOrder];
  return (a, b) => {
    for (const { field, direction } of effective) {
      const diff = field === 'created' ? a.created - b.created || Number(a.id) - Number(b.id) : Number(a.id) - Number(b.id);
      if (diff !== 0) return direction === 'ASC' ? diff : -diff;
    }
    return 0;
  };
}
