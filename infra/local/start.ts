/**
 * `npm start`: the bridge on this machine. Config from `BRIDGE_CONFIG_FILE` (default infra/local/local.config.json,
 * which starts Jira and Backtrace sandboxes), secrets from `BRIDGE_SECRETS_FILE` (default
 * infra/local/local.secrets.json), HTTP port from `PORT` (default 3000). Ctrl-C stops it. DynamoDB lives in
 * `.local/dynamodb` (git-ignored), so links survive a restart, even a kill (unless a Jira sandbox runs: see
 * `LocalStackOptions.dataDir`); queued messages do not.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../shared/domain/config/index.ts';
import { PermanentError } from '../../shared/ports/errors.ts';
import { DEFAULT_CONFIG_FILE, DEFAULT_SECRETS_FILE, startLocalStack } from './local-stack.ts';
import { LOCAL_STATE_FILE, localStateOf } from './local-state.ts';
import { demoPageLines, demoPageUrls, seedDemoVersions } from './demo-pages.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Powertools prints one readable JSON object per log line locally.
process.env.POWERTOOLS_DEV ??= 'true';

const configFile = process.env.BRIDGE_CONFIG_FILE || DEFAULT_CONFIG_FILE;
const secretsFile = process.env.BRIDGE_SECRETS_FILE || DEFAULT_SECRETS_FILE;

try {
  const localDir = new URL('../../.local/', import.meta.url);
  // Links survive a restart (even a kill) in .local/dynamodb (git-ignored); delete that folder to start afresh.
  const stack = await startLocalStack({ configFile, secretsFile, port: Number(process.env.PORT ?? 3000), dataDir: fileURLToPath(localDir) });
  mkdirSync(localDir, { recursive: true });
  writeFileSync(LOCAL_STATE_FILE, `${JSON.stringify(localStateOf(stack, configFile, secretsFile), null, 2)}\n`);
  seedDemoVersions(stack);
  for (const line of demoPageLines(demoPageUrls(stack))) console.log(line);
  console.log('\nPost the documented Backtrace sample and see the Jira issue it became:  npm run send-sample');
  console.log('Stop with Ctrl-C.');
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping...');
    rmSync(LOCAL_STATE_FILE, { force: true });
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  // Config and secret problems are the admin's to fix: their message says how; a stack trace would only bury it.
  console.error(error instanceof ConfigError || error instanceof PermanentError ? error.message : error);
  process.exit(1);
}
