/**
 * Reopen criteria ("resolve until" / "mute until", reference section 3.2): checking their shape when they are
 * written. How strict Backtrace is here is a guess (`guesses.ts` G1).
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
