#!/usr/bin/env node
// `npx bridge`: registers tsx (a devDependency, present after `npm ci`) so Node runs the TypeScript CLI as is.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { runCli } = await import('./main.ts');
process.exitCode = await runCli(process.argv.slice(2));
