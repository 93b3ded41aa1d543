/**
 * Debian's Chromium (`apt-get install chromium`), headless, driven by playwright-core: the sandboxes' pages are
 * checked and photographed in a real browser without downloading one (playwright's own browser builds cannot be
 * fetched on these machines; `.ci/run` installs the Debian package when it is missing). Each launch gets a fresh,
 * empty profile that is removed on close. The flags keep Chromium off the network it would otherwise call at start
 * (updates, sync, field trials): on a closed network those calls fail, many at a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const SYSTEM_CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface SystemBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile; pages open at `viewport` (default 1000x700). */
export async function launchSystemChromium(options: { viewport?: { width: number; height: number } } = {}): Promise<SystemBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'bridge-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: SYSTEM_CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: options.viewport ?? { width: 1000, height: 700 },
    });
    return {
      context,
      close: async () => {
        await context.close().catch(() => undefined);
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    const missing = error instanceof Error && /executable doesn't exist|ENOENT/i.test(error.message);
    throw missing ? new Error(`No Chromium at ${SYSTEM_CHROMIUM}: install Debian's package (apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH`) : error;
  }
}
