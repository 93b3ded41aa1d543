/**
 * Backtrace's Common Settings submit/filter actions (../shared/reference/backtrace.md section 1.1): by default
 * every group notifies; with rules, they are evaluated top to bottom and the last matching rule wins.
 */
import type { BacktraceGroup } from './backtrace-group.ts';
import { allAttributeValues, attributeNames } from './group-attributes.ts';

/** One action row, structurally (the config's `rules[i]`). */
export interface SubmitRule {
  action: 'submit' | 'filter';
  /** Regular expression on the attribute NAME, anchored at both ends (`env` does not match `environment`). */
  attribute: string;
  /** Regular expression on the attribute VALUE, unanchored like Backtrace's (`nyc` matches `nyc-2`). */
  regex: string;
}

export interface SubmitDecision {
  submit: boolean;
  /** Index of the rule that decided; absent when no rule matched (or there are none) and the default applied. */
  ruleIndex?: number;
  /** One sentence for the log. */
  reason: string;
}

interface CompiledRule {
  rule: SubmitRule;
  name: RegExp;
  value: RegExp;
}

function compile(rule: SubmitRule): CompiledRule {
  return { rule, name: new RegExp(`^(?:${rule.attribute})$`), value: new RegExp(rule.regex) };
}


function describe(rule: SubmitRule, index: number): string {
  return `rule ${index} (${rule.action} ${JSON.stringify(rule.attribute)} =~ ${JSON.stringify(rule.regex)})`;
}

/**
 * Decides whether a group becomes a Jira issue. A rule matches when some attribute whose name fully matches
 * `attribute` has some value matching `regex`. Attributes are the group's histogram plus its built-ins (fingerprint,
 * application, classifiers, ...), as in templates, so "filter `.*` `.*`" filters every group.
 *
 * @throws Error when a rule's regular expression is invalid (the config schema refuses such rules first).
 * @example
 * // Backtrace's example: only groups from nyc notify.
 * shouldSubmit(group, [
 *   { action: 'filter', attribute: '.*', regex: '.*' },
 *   { action: 'submit', attribute: 'datacenter', regex: 'nyc' },
 * ]);
 */
export function shouldSubmit(group: BacktraceGroup, rules: readonly SubmitRule[]): SubmitDecision {
  if (rules.length === 0) return { submit: true, reason: 'no submit/filter rules: every group is submitted' };
  const names = attributeNames(group);
  let decided: { index: number; rule: SubmitRule } | undefined;
  rules.map(compile).forEach((compiled, index) => {
    const matches = names.some(
      (name) => compiled.name.test(name) && allAttributeValues(group, name).some((value) => compiled.value.test(value)),
    );
    if (matches) decided = { index, rule: compiled.rule };
  });
  if (decided === undefined) return { submit: true, reason: 'no rule matched: submitted by default' };
  const submit = decided.rule.action === 'submit';
  return {
    submit,
    ruleIndex: decided.index,
    reason: `${describe(decided.rule, decided.index)} is the last rule that matched: ${submit ? 'submitted' : 'filtered out'}`,
  };
}
