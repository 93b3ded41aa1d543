/**
 * Runs `npx bridge ...` in-process, as the launcher does, with stdout, stderr and the exit code captured. The
 * environment is the test's own: no running `npm start` on this machine leaks in unless a test names its state file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../infra/cli/main.ts';

export interface BridgeRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json` runs). */
  json(): any;
}

export async function runBridge(args: string[], env: Record<string, string | undefined> = {}): Promise<BridgeRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: { BRIDGE_LOCAL_STATE: '/nonexistent/bridge-state.json', ...env },
    isTty: false,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** A temporary directory for config, secrets and event files. */
export function tempFiles(): { write(name: string, content: unknown): string; remove(): void } {
  const directory = mkdtempSync(join(tmpdir(), 'bridge-cli-'));
  return {
    write(name, content) {
      const path = join(directory, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return path;
    },
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
