/**
 * The local stack in a child process of its own, as `npm start` runs it, so a test can kill it with SIGKILL (what a
 * user's Ctrl-\ , a closed terminal or an OOM kill does) and start it again. Environment: `BRIDGE_CONFIG_FILE`,
 * `BRIDGE_SECRETS_FILE`, `BRIDGE_DATA_DIR`. Prints one JSON line `{"url": ...}` once it listens; then, for each
 * line `settled` read on stdin, waits until the stack is quiet and prints `{"settled": true}` (or `{"error": ...}`).
 */
import { createInterface } from 'node:readline';
import { startLocalStack } from '../../../infra/local/local-stack.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const stack = await startLocalStack({
  configFile: process.env.BRIDGE_CONFIG_FILE!,
  secretsFile: process.env.BRIDGE_SECRETS_FILE!,
  ...(process.env.BRIDGE_DATA_DIR ? { dataDir: process.env.BRIDGE_DATA_DIR } : {}),
  pollTimers: false,
  log: () => undefined,
});
process.stdout.write(`${JSON.stringify({ url: stack.url })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'settled') continue;
  try {
    await stack.settled();
    process.stdout.write(`${JSON.stringify({ settled: true })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
  }
}
await stack.stop();
