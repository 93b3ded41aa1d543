/**
 * Reopen criteria ("resolve until" / "mute until", reference section 3.2): checking their shape when they are
 * written, and deciding whether a newly arrived error matches them. The matching rules are guesses where the
 * reference is silent (`guesses.ts` G1, G2). The version comparer is the sandbox's own, not the bridge's.
 */
import { CoronerRequestError } from './coroner-errors.ts';
import { INVARIANT_TYPES, type IssueInvariant } from './wire.ts';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Checks a written invariants list against the schema of section 3.2; throws CoronerRequestError (G1). */
export function parseInvariants(value: unknown): IssueInvariant[] {
  if (!Array.isArray(value)) throw new CoronerRequestError('invariants.value must be a list');
  value.forEach((invariant, index) => checkInvariant(invariant, `invariants[${index}]`, true));
  return structuredClone(value) as IssueInvariant[];
}

function checkInvariant(invariant: unknown, where: string, mayNest: boolean): void {
  if (!isObject(invariant) || !INVARIANT_TYPES.includes(invariant.type as never)) {
    throw new CoronerRequestError(`${where}: type must be one of ${INVARIANT_TYPES.join(', ')}`);
  }
  switch (invariant.type) {
    case 'version_gt':
    case 'version_ge':
      if (!nonEmptyString(invariant.field) || !nonEmptyString(invariant.version)) throw new CoronerRequestError(`${where}: ${invariant.type} needs field and version`);
      return;
    case 'timestamp_gt':
      if (typeof invariant.timestamp !== 'number' || !Number.isFinite(invariant.timestamp)) throw new CoronerRequestError(`${where}: timestamp_gt needs a numeric timestamp (unix seconds)`);
      return;
    case 'regular_expression':
      if (!nonEmptyString(invariant.field) || typeof invariant.pattern !== 'string') throw new CoronerRequestError(`${where}: regular_expression needs field and pattern`);
      return;
    default: {
      // 'and': one level of nesting only (section 3.2).
      if (!mayNest) throw new CoronerRequestError(`${where}: 'and' cannot be nested`);
      const children = invariant.children;
      if (!Array.isArray(children) || children.length === 0) throw new CoronerRequestError(`${where}: and needs a non-empty children list`);
      children.forEach((child, index) => checkInvariant(child, `${where}.children[${index}]`, false));
    }
  }
}

/** Numeric dotted parts; missing parts are 0; a part counts by its leading digits (G2). Negative: a < b. */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.trim().replace(/^v/i, '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

function compilePattern(pattern: string): RegExp | undefined {
  const insensitive = pattern.startsWith('(?i)');
  try {
    return new RegExp(insensitive ? pattern.slice(4) : pattern, insensitive ? 'i' : '');
  } catch {
    return undefined;
  }
}

/** Whether an error carrying these attributes, arriving at `nowSeconds`, matches the invariant (G2). */
export function invariantMatches(invariant: IssueInvariant, attributes: Record<string, string>, nowSeconds: number): boolean {
  const attribute = (field: string): string | undefined => (Object.hasOwn(attributes, field) ? attributes[field] : undefined);
  switch (invariant.type) {
    case 'version_gt':
    case 'version_ge': {
      const seen = attribute(invariant.field);
      if (seen === undefined) return false;
      const order = compareVersions(seen, invariant.version);
      return invariant.type === 'version_gt' ? order > 0 : order >= 0;
    }
    case 'timestamp_gt':
      return nowSeconds > invariant.timestamp;
    case 'regular_expression': {
      const seen = attribute(invariant.field);
      return seen !== undefined && (compilePattern(invariant.pattern)?.test(seen) ?? false);
    }
    case 'and':
      return invariant.children.every((child) => invariantMatches(child, attributes, nowSeconds));
  }
}

/** The list is OR-ed: any one match reopens (section 3.2). */
export const anyInvariantMatches = (invariants: readonly IssueInvariant[], attributes: Record<string, string>, nowSeconds: number): boolean =>
  invariants.some((invariant) => invariantMatches(invariant, attributes, nowSeconds));
