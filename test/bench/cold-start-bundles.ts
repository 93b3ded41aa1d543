/**
 * Builds what `npm run bench:cold-start` measures: each function's bundle with the stack's own esbuild options
 * (infra/constructs/bundle-options.ts), and beside it a dependencies-only bundle: the same imports from the same
 * packages (and the same members of namespace imports), with none of our code, so the two differ by our code alone.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import ts from 'typescript';
import { REPO_ROOT, configDefine, esbuildOptions } from '../../infra/constructs/bundle-options.ts';
import { loadConfigFile } from '../../infra/load-config-file.ts';
import type { BridgeConfig } from '../../shared/domain/config/index.ts';

/** The most a function bundle (minified `index.mjs`, without its map) may weigh: issue 11's cold-start budget. */
export const MAX_BUNDLE_KIB = 500;

export interface BuiltBundle {
  /** Function name, from its file under functions/ (e.g. `sync-to-jira`). */
  readonly name: string;
  /** Absolute path of the minified ESM file, `node <file>` imports it. */
  readonly file: string;
  readonly bytes: number;
}

export interface FunctionBundles {
  readonly full: BuiltBundle;
  readonly depsOnly: BuiltBundle;
  /** Bytes of the full bundle by origin: `ours` (not under node_modules) and each package. */
  readonly bytesByOrigin: Readonly<Record<string, number>>;
}

/** The handler files the stack deploys: every `functions/*.ts`. */
export function functionEntries(): string[] {
  return readdirSync(join(REPO_ROOT, 'functions'))
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => `functions/${file}`);
}

/** The config every bundle embeds: the one `cdk synth` uses by default (cdk.json's `config` context), validated as synth does. */
export function defaultConfig(): BridgeConfig {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: { config?: string } };
  return loadConfigFile(join(REPO_ROOT, cdkJson.context?.config ?? 'infra/config/example.config.json')).config;
}

const packageOf = (input: string): string | undefined => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];

/** What one of our source files imports at run time from packages (and node: built-ins). */
interface PackageImports {
  readonly sideEffectOnly: Set<string>;
  readonly named: Map<string, Set<string>>;
  /** Default imports; `default` named imports land here too. */
  readonly defaults: Set<string>;
  /** Members read from namespace imports (`z.string` of `import * as z from 'zod'`). */
  readonly namespaceMembers: Map<string, Set<string>>;
}

const isBare = (specifier: string) => !specifier.startsWith('.') && !isAbsolute(specifier);

function collectImports(file: string, into: PackageImports): void {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const namespaces = new Map<string, string>();
  const add = (map: Map<string, Set<string>>, key: string, value: string) => map.set(key, (map.get(key) ?? new Set()).add(value));
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    if (specifier === undefined || !isBare(specifier)) continue;
    if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly) continue;
      const elements = statement.exportClause && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements : [];
      for (const element of elements) if (!element.isTypeOnly) add(into.named, specifier, (element.propertyName ?? element.name).text);
      continue;
    }
    if (!ts.isImportDeclaration(statement)) continue;
    const clause = statement.importClause;
    if (!clause) {
      into.sideEffectOnly.add(specifier);
      continue;
    }
    if (clause.isTypeOnly) continue;
    if (clause.name) into.defaults.add(specifier);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, specifier);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) {
        if (element.isTypeOnly) continue;
        const imported = (element.propertyName ?? element.name).text;
        if (imported === 'default') into.defaults.add(specifier);
        else add(into.named, specifier, imported);
      }
    }
  }
  if (namespaces.size === 0) return;
  // Only property reads in value positions: `z.core.$ZodIssue` in a type is a QualifiedName, not one of these.
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && namespaces.has(node.expression.text)) {
      add(into.namespaceMembers, namespaces.get(node.expression.text)!, node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

/** Entry source of the dependencies-only bundle: every import our files make, each binding kept alive. */
export function dependenciesOnlySource(ourFiles: string[]): string {
  const imports: PackageImports = { sideEffectOnly: new Set(), named: new Map(), defaults: new Set(), namespaceMembers: new Map() };
  for (const file of ourFiles) collectImports(file, imports);
  const lines: string[] = [];
  const kept: string[] = [];
  let n = 0;
  const specifiers = new Set([...imports.sideEffectOnly, ...imports.named.keys(), ...imports.defaults, ...imports.namespaceMembers.keys()]);
  for (const specifier of [...specifiers].sort()) {
    const quoted = JSON.stringify(specifier);
    if (imports.defaults.has(specifier)) {
      lines.push(`import d${n} from ${quoted};`);
      kept.push(`d${n}`);
    }
    const named = [...(imports.named.get(specifier) ?? [])].sort();
    if (named.length > 0) {
      lines.push(`import { ${named.map((name, i) => `${name} as n${n}_${i}`).join(', ')} } from ${quoted};`);
      kept.push(...named.map((_, i) => `n${n}_${i}`));
    }
    const members = [...(imports.namespaceMembers.get(specifier) ?? [])].sort();
    if (members.length > 0) {
      lines.push(`import * as ns${n} from ${quoted};`);
      kept.push(...members.map((member) => `ns${n}.${member}`));
    }
    if (!imports.defaults.has(specifier) && named.length === 0 && members.length === 0) lines.push(`import ${quoted};`);
    n++;
  }
  // A global write esbuild cannot drop, so every imported binding (and what it pulls in) stays in the bundle.
  lines.push(`globalThis.__dependencies = [${kept.join(', ')}];`);
  return `${lines.join('\n')}\n`;
}

function bytesByOrigin(metafile: Metafile): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const origin = packageOf(input) ?? 'ours';
      totals[origin] = (totals[origin] ?? 0) + bytesInOutput;
    }
  }
  return totals;
}

/**
 * Builds the bundle of `entry` and its dependencies-only twin under `outdir/<name>/` and `outdir/<name>.deps/`.
 * @example
 * const { full, depsOnly } = await buildFunctionBundles('functions/sync-to-jira.ts', '/tmp/bundles', defaultConfig());
 */
export async function buildFunctionBundles(entry: string, outdir: string, config: BridgeConfig): Promise<FunctionBundles> {
  const name = entry.replace(/^.*\//, '').replace(/\.ts$/, '');
  const define = configDefine(config);
  const fullFile = join(outdir, name, 'index.mjs');
  const depsFile = join(outdir, `${name}.deps`, 'index.mjs');
  mkdirSync(join(outdir, name), { recursive: true });
  mkdirSync(join(outdir, `${name}.deps`), { recursive: true });

  const full = await build({ ...esbuildOptions(entry, fullFile, define), metafile: true });
  // Only our files with code in the bundle: the metafile also lists those esbuild left out whole (the config schema,
  // behind the embedded config), and their imports are in the bundle no more than they are.
  const inBundle = new Set(Object.values(full.metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input)));
  const ourFiles = Object.keys(full.metafile.inputs)
    .filter((input) => packageOf(input) === undefined && /\.(m?ts|m?js)$/.test(input) && inBundle.has(input))
    .map((input) => join(REPO_ROOT, input));
  const { entryPoints: _unused, ...options } = esbuildOptions(entry, depsFile, define);
  await build({
    ...options,
    stdin: { contents: dependenciesOnlySource(ourFiles), resolveDir: REPO_ROOT, sourcefile: `${name}.deps.mjs`, loader: 'js' },
  });

  return {
    full: { name, file: fullFile, bytes: statSync(fullFile).size },
    depsOnly: { name: `${name}.deps`, file: depsFile, bytes: statSync(depsFile).size },
    bytesByOrigin: bytesByOrigin(full.metafile),
  };
}

/** `path` relative to the repository root, for printing. */
export const fromRoot = (path: string) => relative(REPO_ROOT, path);
