import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../infra/load-config-file.ts';
import { ConfigError } from '../../shared/domain/config/index.ts';
import { configDocument } from './bridge-config.factory.ts';

describe('Function: loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the validated config as plain JSON data, so a function bundle embeds it as it is', () => {
    // Prepare
    const document = { $schema: './config.schema.json', ...configDocument() };
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(document, null, 2));

    // Act
    const loaded = loadConfigFile(path);

    // Assess
    // What a cold start reads back (JSON.parse of the embedded text) is the config synth validated: no Date,
    // RegExp, Map or function in it that JSON would turn into something else.
    expect(JSON.parse(JSON.stringify(loaded.config))).toEqual(loaded.config);
    expect(loaded.config.integrations[0].jira.issueType).toBe('Bug');
    expect(loaded.config.integrations[0].jira.siteUrl).toBe('https://acme.atlassian.net');
    expect(loaded.path).toBe(path);
  });

  it('reads the example config (two-way sync, rules, custom fields, user map) into plain JSON data: what a bundle embeds comes back equal', () => {
    // Act
    const { config } = loadConfigFile('infra/config/example.config.json');

    // Assess
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  it('names the file when it does not exist', () => {
    // Prepare
    const path = join(dir, 'missing.json');

    // Act
    const act = () => loadConfigFile(path);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(`Invalid bridge config (${path})`);
    expect(act).toThrow('file not found');
  });

  it('reports a JSON syntax error as a config error', () => {
    // Prepare
    const path = join(dir, 'syntax.json');
    writeFileSync(path, '{ "settings": ');

    // Act
    const act = () => loadConfigFile(path);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow('not valid JSON');
  });
});
