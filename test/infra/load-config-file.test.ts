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

  it('returns the validated config and, for embedding, the document exactly as written', () => {
    // Prepare
    const document = { $schema: './config.schema.json', ...configDocument() };
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(document, null, 2));

    // Act
    const loaded = loadConfigFile(path);

    // Assess
    expect(loaded.document).toEqual(document);
    expect(loaded.config.integrations[0].jira.issueType).toBe('Bug');
    expect(loaded.config.integrations[0].jira.siteUrl).toBe('https://acme.atlassian.net');
    expect(loaded.path).toBe(path);
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
