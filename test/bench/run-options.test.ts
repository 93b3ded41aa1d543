/**
 * `npm run bench`'s command line refuses an option it cannot honour by name, before it starts anything, instead of
 * running a different bench than the one asked for.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));

describe('Bench: command line', () => {
  it.each(['1.5', '-1', 'three'])('refuses --ingest-threads %s, naming the option and what it takes', (value) => {
    // Act
    const run = spawnSync(process.execPath, ['--import', 'tsx', RUN, '--storm', '--events', '10', '--fingerprints', '2', '--flood', '0', `--ingest-threads=${value}`], { encoding: 'utf8', timeout: 60_000 });

    // Assess: a failure that says which option and what it wants, and no storm report
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`--ingest-threads wants a whole number of environments, 0 or more (0: ingest in the main thread), got "${value}"`);
    expect(run.stdout).not.toContain('Storm (');
  });
});
