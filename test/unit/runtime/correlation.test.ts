import { describe, expect, it } from 'vitest';
import { correlatedLogger, correlationKeys, withCorrelation } from '../../../shared/runtime/correlation.ts';
import { RecordingLog } from '../../support/recording-log.ts';

describe('Function: correlatedLogger', () => {
  it.each<[string, Record<string, unknown> | undefined, Record<string, unknown>]>([
    ['outside any correlation: the line as written', undefined, { step: 'claim' }],
    ["inside one: its keys, then the line's fields", { integrations: ['jira-prod'], fingerprint: 'fp-1' }, { integrations: ['jira-prod'], fingerprint: 'fp-1', step: 'claim' }],
  ])('writes %s', async (_case, keys, expected) => {
    // Prepare
    const log = new RecordingLog();
    const logger = correlatedLogger(log);
    const write = async () => logger.info('Claimed', { step: 'claim' });

    // Act
    await (keys ? withCorrelation(keys, write) : write());

    // Assess
    expect(log.lines).toEqual([{ level: 'info', message: 'Claimed', extra: expected }]);
  });

  it('lets the line\'s own fields win, nests correlations and leaves out undefined keys', async () => {
    // Prepare
    const log = new RecordingLog();
    const logger = correlatedLogger(log);

    // Act
    await withCorrelation({ integration: 'jira-prod', fingerprint: 'fp-1', issueKey: undefined }, async () => {
      await withCorrelation({ issueKey: 'CRASH-1' }, async () => logger.warn('About another one', { fingerprint: 'fp-2' }));
      logger.error('Back outside the inner one');
    });

    // Assess
    expect(log.lines).toEqual([
      { level: 'warn', message: 'About another one', extra: { integration: 'jira-prod', fingerprint: 'fp-2', issueKey: 'CRASH-1' } },
      { level: 'error', message: 'Back outside the inner one', extra: { integration: 'jira-prod', fingerprint: 'fp-1' } },
    ]);
    expect(correlationKeys()).toEqual({});
  });

  it('keeps concurrent correlations apart', async () => {
    // Prepare
    const log = new RecordingLog();
    const logger = correlatedLogger(log);
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

    // Act
    await Promise.all(
      ['fp-a', 'fp-b'].map((fingerprint) =>
        withCorrelation({ fingerprint }, async () => {
          await tick();
          logger.info('step 1');
          await tick();
          logger.info('step 2');
        }),
      ),
    );

    // Assess
    expect(log.lines.map((line) => `${line.message} ${String(line.extra?.fingerprint)}`)).toEqual(['step 1 fp-a', 'step 1 fp-b', 'step 2 fp-a', 'step 2 fp-b']);
  });
});
