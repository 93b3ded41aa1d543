/**
 * Which version attribute and pattern a fingerprint's Fix Versions are read with: the first of `fixVersions.rules`
 * whose attribute's value matches its regex (one rule set per environment or product line, as in Backtrace's
 * Advanced Rules Builder), else the top-level `versionAttribute` and `versionPattern`. A rule set may give only one
 * of the two; the other comes from the top level.
 */
import type { FixVersionsConfig } from '../config/index.ts';

export interface Versioning {
  /** The Backtrace attribute the invariant compares, e.g. "version". */
  versionAttribute: string;
  /** The pattern isolating the version in a Jira version name; absent: the whole name. */
  versionPattern?: string;
  /** Index of the rule set that applied; absent: the top level. */
  rule?: number;
}

/** The attributes the rule sets key on: the ones to remember of a group when its link is made. */
export function ruleAttributes(config: FixVersionsConfig): string[] {
  return [...new Set(config.rules.map((rule) => rule.attribute))];
}

/** The versioning for a fingerprint whose group had these attribute values (the most frequent value of each). */
export function versioningFor(config: FixVersionsConfig, attributes: Readonly<Record<string, string>>): Versioning {
  const index = config.rules.findIndex((rule) => {
    const value = attributes[rule.attribute];
    return value !== undefined && new RegExp(rule.regex).test(value);
  });
  const rule = index >= 0 ? config.rules[index] : undefined;
  const versionPattern = rule?.versionPattern ?? config.versionPattern;
  return {
    versionAttribute: rule?.versionAttribute ?? config.versionAttribute,
    ...(versionPattern === undefined ? {} : { versionPattern }),
    ...(index >= 0 ? { rule: index } : {}),
  };
}
