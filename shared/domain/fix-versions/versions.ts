/**
 * Release versions as Backtrace's `version_gt` / `version_ge` invariants compare them (../shared/reference/backtrace.md
 * section 3.2: "seen in version attribute > X"), read from Jira's Fix Version names:
 *
 * - numeric parts compare as numbers (1.10 > 1.9), missing parts are 0 (1.2 equals 1.2.0);
 * - a pre-release sorts below its release (2.0.0-rc.1 < 2.0.0), pre-release identifiers as semver orders them;
 * - build metadata (`+build.7`) is ignored; a leading `v` is allowed.
 *
 * A name that is no version (after the admin's `versionPattern` isolated the number) is refused, never guessed.
 */

export interface Version {
  /** The text the version was read from, after the pattern (e.g. "2.4.0"). */
  text: string;
  numbers: number[];
  /** Pre-release identifiers; empty for a release. */
  prerelease: (number | string)[];
}

const VERSION = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

/** A version from its text, or undefined when the text is no version. */
export function parseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  const numbers = match[1]!.split('.').map(Number);
  if (numbers.some((part) => !Number.isSafeInteger(part))) return undefined;
  const prerelease = match[2] ? match[2].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id)) : [];
  return { text: text.trim(), numbers, prerelease };
}

function comparePrerelease(a: Version['prerelease'], b: Version['prerelease']): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.numbers.length, b.numbers.length); i++) {
    const x = a.numbers[i] ?? 0;
    const y = b.numbers[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return comparePrerelease(a.prerelease, b.prerelease);
}

/** The greatest of `versions`, or undefined for none. */
export function highestVersion(versions: readonly Version[]): Version | undefined {
  return versions.reduce<Version | undefined>((best, version) => (best === undefined || compareVersions(version, best) > 0 ? version : best), undefined);
}

/** How many capture groups a regular expression has (the pattern must have exactly one). */
export function captureGroups(pattern: string): number {
  return new RegExp(`${pattern}|`).exec('')!.length - 1;
}

export type VersionFromName = { ok: true; version: Version } | { ok: false; reason: string };

/**
 * The version a Jira version name stands for: the pattern's one group when a `versionPattern` is set (searched
 * anywhere in the name), else the whole name.
 */
export function versionFromName(name: string, pattern: string | undefined): VersionFromName {
  let text = name;
  if (pattern !== undefined) {
    const match = new RegExp(pattern).exec(name);
    if (!match || match[1] === undefined) return { ok: false, reason: `"${name}" does not match the versionPattern ${pattern}` };
    text = match[1];
  }
  const version = parseVersion(text);
  return version ? { ok: true, version } : { ok: false, reason: `"${text}"${pattern === undefined ? '' : ` (from "${name}")`} is not a version (digits and dots, e.g. 2.4.0)` };
}
