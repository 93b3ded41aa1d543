/**
 * JSON paths and value descriptions for problem messages, so every refusal reads the same way:
 * `<json path>: <what is wrong> (<what is expected>)`.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Formats a path the way a reader would type it into a JSON tool: `attributes.version[0][1]`,
 * `attributes["build id"]`. An empty path is the document itself.
 *
 * @example
 * formatJsonPath(['attributes', 'version', 0, 1]); // 'attributes.version[0][1]'
 */
export function formatJsonPath(path: readonly PropertyKey[], root = '(body)'): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? root : out;
}

/** Joins a prefix such as `detail` or `integrations[0]` and a formatted path. */
export function joinJsonPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  if (path === '' || path === '(body)') return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

/**
 * Names the kind of a value for a message without echoing big or sensitive content: strings are shown (cut to 40
 * characters) because a wrong string is the usual mistake and seeing it is the fastest fix.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
