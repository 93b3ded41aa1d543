/**
 * The esbuild choices of every function bundle, in one place: {@link BridgeFunction} hands them to NodejsFunction
 * (`cdk synth`), and `npm run bench:cold-start` builds the same bundles with {@link esbuildOptions} to measure them.
 */
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import type { BridgeConfig } from '../../shared/domain/config/index.ts';

/** Repository root: bundles are built from here (NodejsFunction's projectRoot, esbuild's working directory). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * ESM bundles have no `require`; CommonJS dependencies bundled into them (parts of the AWS SDK and Powertools) may
 * call it, so every bundle starts by recreating it.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Packages replaced inside the bundles, relative to {@link REPO_ROOT} (each says why it is safe on Lambda):
 * - `axios` becomes axios' own browser ES build (`dist/esm/axios.js` of the same release: the xhr and fetch adapters,
 *   no http adapter). The request runner uses axios' `fetch` adapter everywhere (shared/adapters/http/request-runner.ts),
 *   so the Node `http` adapter is dead code, and with it follow-redirects, proxy-from-env, https-proxy-agent,
 *   form-data and debug, ~50 KiB of each bundle. Its browser platform helpers differ from the Node ones only for
 *   form objects and cookies (XSRF), which the runner never sends. esbuild's command line (what NodejsFunction runs) takes no plugins, so the file that leaves the http
 *   adapter out is chosen by alias rather than stubbed. test/infra/bridge-function.test.ts runs requests through
 *   the bundled runner;
 * - `@aws-sdk/credential-provider-node` (every SDK client's default chain) becomes the environment provider, what
 *   answers on Lambda: the rest of the chain and its STS/SSO clients are ~95 KiB of each bundle.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  axios: './node_modules/axios/dist/esm/axios.js',
  '@aws-sdk/credential-provider-node': './infra/constructs/bundle-shims/credential-provider-node.ts',
};

/**
 * The settings shared by both builders; `define` adds the embedded config per function.
 *
 * package.json says `"sideEffects": false` for our own files: a module none of whose exports a bundle uses is left
 * out whole (esbuild otherwise keeps every top-level call of an imported module, such as the config schema's
 * `z.object(...)`, even when only a sibling export is used). None of our modules is imported for its side effects
 * alone; the entry points under functions/ are kept regardless.
 */
export const BUNDLE_SETTINGS = {
  format: 'esm',
  target: 'node22',
  // Prefer packages' ESM builds: smaller bundles, and no CommonJS interop where a package offers both.
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  // The map is built and uploaded with the code; whether Node reads it is BridgeFunction's `enableSourceMaps`.
  sourceMap: true,
  sourcesContent: false,
  // Empty list = bundle @aws-sdk/* too (NodejsFunction leaves it out by default on Node 18+): it initialises
  // faster from the bundle than from the runtime's copy.
  externalModules: [] as string[],
} as const;

/**
 * `define` of a function embedding the validated config (`parseConfig`'s output, plain JSON data) as the string
 * literal `__BRIDGE_VALIDATED_CONFIG__`, which shared/runtime/runtime-config.ts reads instead of validating again.
 */
export function configDefine(config: BridgeConfig): Record<string, string> {
  return { __BRIDGE_VALIDATED_CONFIG__: JSON.stringify(JSON.stringify(config)) };
}

/**
 * The esbuild API options equivalent to the command line NodejsFunction runs for {@link BUNDLE_SETTINGS} (it adds
 * `--platform=node --bundle` and writes `index.mjs`), so a bundle built here is the bundle `cdk synth` uploads.
 */
export function esbuildOptions(entry: string, outfile: string, define: Record<string, string>): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    format: BUNDLE_SETTINGS.format,
    target: BUNDLE_SETTINGS.target,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    banner: { js: BUNDLE_SETTINGS.banner },
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourceMap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    external: [...BUNDLE_SETTINGS.externalModules],
    alias: { ...BUNDLE_ALIASES },
    define,
    logLevel: 'warning',
  };
}
