/**
 * The dedupe label: a Jira label unique to one error group, set on every issue the bridge creates. It is the recovery
 * path of exactly-once creation: after a crash between "Jira created the issue" and "DynamoDB recorded it", the
 * worker searches this label (labels are searchable, issue properties are not) instead of creating a second issue.
 */
import { createHash } from 'node:crypto';
import type { FingerprintRef } from './model/backtrace.ts';

/** Default pattern: `bt-` and 12 hex characters. */
export const DEFAULT_DEDUPE_LABEL_PATTERN = 'bt-{hash}';


const TOKENS = ['{hash}', '{hash12}', '{fingerprint12}', '{fingerprint}'] as const;
// Characters that need no quoting or escaping in JQL or URLs, so the recovery search cannot miss the label.
const SAFE_LITERAL = /^[A-Za-z0-9_.:-]*$/;
const MAX_LENGTH = 255;

/**
 * What is wrong with a pattern, or `undefined`. A pattern must contain a per-group token (`{hash}`, `{hash12}`,
 * `{fingerprint12}` or `{fingerprint}`): a label shared by several groups would make recovery attach the wrong issue.
 */
export function dedupeLabelProblem(pattern: string): string | undefined {
  if (!TOKENS.some((token) => pattern.includes(token))) {
    return `must contain {hash} (or {hash12}, {fingerprint12}, {fingerprint}) so every error group gets its own label, e.g. "${DEFAULT_DEDUPE_LABEL_PATTERN}"`;
  }
  let literal = pattern;
  for (const token of TOKENS) literal = literal.split(token).join('');
  const unknown = /\{[^}]*\}/.exec(literal);
  if (unknown !== null) {
    return `unknown placeholder ${unknown[0]} (use {hash}, {hash12}, {fingerprint12} or {fingerprint})`;
  }
  if (!SAFE_LITERAL.test(literal)) {
    return 'may only contain letters, digits, "_", ".", ":" and "-" besides the placeholders (a Jira label has no spaces, and the recovery search must find it verbatim)';
  }
  if (literal.length + 64 > MAX_LENGTH) return `is too long: a Jira label has at most ${MAX_LENGTH} characters`;
  return undefined;
}

/** First 12 hex characters of sha256(`universe/project/fingerprint`). */
export function groupHash(identity: FingerprintRef): string {
  return createHash('sha256')
    .update(`${identity.universe}/${identity.project}/${identity.fingerprint}`)
    .digest('hex')
    .slice(0, 12);
}

/**
 * The dedupe label of one group. `{hash}`/`{hash12}` scope it by universe and project as well, so the same fingerprint
 * in two Backtrace projects filed into one Jira project gets two labels.
 *
 * @throws Error when the pattern is invalid (config validation reports it first, see {@link dedupeLabelProblem}).
 * @example
 * dedupeLabel('bt-{hash}', { universe: 'acme', project: 'game', fingerprint: '8910…' }); // 'bt-' + 12 hex characters
 */
export function dedupeLabel(pattern: string, identity: FingerprintRef): string {
  const problem = dedupeLabelProblem(pattern);
  if (problem !== undefined) throw new Error(`dedupe label pattern ${JSON.stringify(pattern)} ${problem}`);
  const fingerprint = identity.fingerprint.replace(/[^A-Za-z0-9_.:-]/g, '-');
  const hash = groupHash(identity);
  const label = pattern
    .split('{hash12}').join(hash)
    .split('{hash}').join(hash)
    .split('{fingerprint12}').join(fingerprint.slice(0, 12))
    .split('{fingerprint}').join(fingerprint);
  // A fingerprint longer than Backtrace's 64 hex characters would overflow; the hash keeps such labels unique.
  return label.length <= MAX_LENGTH ? label : `${label.slice(0, MAX_LENGTH - 13)}-${hash}`;
}
