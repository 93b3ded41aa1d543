/**
 * The zod the Lambda functions' schemas are written with: zod's mini API, English messages. Use it as a namespace,
 * `import * as z from './zod-mini.ts'`, and write mini's functions: `z.optional(z.string().check(z.minLength(1)))`.
 *
 * Why mini: each function bundle must stay within 500 KiB minified (issue 11, cold start). Classic zod's schema
 * methods reach almost all of `zod/v4/core` (~100 KiB of every bundle); mini's functions are tree-shaken to what the
 * schemas use (~33 KiB). The config schema (shared/domain/config/) stays classic: it is validated at `cdk synth`.
 *
 * Why the locale here: classic zod sets English error messages by itself; mini does not, so in a bundle with mini
 * alone every default message would be the bare "Invalid input" (e.g. the queue worker's
 * `integrations: Too small: expected array to have >=1 items`). With `"sideEffects": false` in package.json a
 * bundler drops a module none of whose own bindings is used, and with it any setup it runs, so `export * from
 * 'zod/mini'` (bindings of zod's, not this module's) would lose it. Each function below is a binding of this
 * module: a schema built with any of them keeps the setup in the bundle. A function the schemas need and this list
 * lacks is a type error (`Property 'x' does not exist`): add it here. test/unit/zod-mini-locale.test.ts bundles
 * the queue message schema as the functions are bundled and checks the messages on plain Node.
 *
 * `jitless` is set by shared/runtime/runtime-config.ts, not here. zod's memoizer (classic installs it, mini leaves
 * it to the caller) only acts on recursive schemas, which these are not, so it is not installed.
 */
import * as mini from 'zod/mini';
import en from 'zod/v4/locales/en.js';

mini.config(en());

export type { core, input, output } from 'zod/mini';

export const string = mini.string;
export const number = mini.number;
export const boolean = mini.boolean;
const nullSchema = mini.null;
export { nullSchema as null };
export const unknown = mini.unknown;
export const literal = mini.literal;
const enumSchema = mini.enum;
export { enumSchema as enum };
export const array = mini.array;
export const tuple = mini.tuple;
export const record = mini.record;
export const object = mini.object;
export const looseObject = mini.looseObject;
export const union = mini.union;
export const discriminatedUnion = mini.discriminatedUnion;
export const optional = mini.optional;
export const nullish = mini.nullish;
export const pipe = mini.pipe;
export const transform = mini.transform;
export const minLength = mini.minLength;
export const int = mini.int;
export const nonnegative = mini.nonnegative;
export const NEVER = mini.NEVER;
