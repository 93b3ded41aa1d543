import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createLambdaContext } from '../../../infra/local/lambda-context.ts';
import { parseConfig, type IntegrationConfig } from '../../../shared/domain/config/index.ts';
import { PermanentError } from '../../../shared/ports/errors.ts';
import { scheduledPoll } from '../../../shared/runtime/scheduled-poll.ts';
import { integrationDocument } from '../app/app-world.ts';

const backtrace = integrationDocument().backtrace as Record<string, unknown>;
const config = parseConfig(
  {
    settings: {},
    integrations: [
      integrationDocument({ name: 'jira-prod' }),
      integrationDocument({ name: 'jira-ops', backtrace: { ...backtrace, project: 'ops' } }),
      integrationDocument({ name: 'jira-quiet', backtrace: { ...backtrace, project: 'quiet' }, sync: { mode: 'none' } }),
    ],
  },
  'test',
);

/** Runs the handler on one schedule event: the integrations polled, in order, and the error it threw. */
async function schedule(event: unknown): Promise<{ polled: string[]; error?: Error }> {
  const polled: string[] = [];
  const handler = scheduledPoll({
    config,
    logger: new Logger({ logLevel: 'SILENT' }),
    poll: async (integration: IntegrationConfig) => {
      polled.push(integration.name);
      return { integration: integration.name, linked: 0, queries: 0, changes: 0, repairs: 0, missing: 0, durationMs: 0 };
    },
  });
  try {
    await handler(event, createLambdaContext({ functionName: 'poll-backtrace', timeoutMs: 10_000 }));
    return { polled };
  } catch (error) {
    return { polled, error: error as Error };
  }
}

describe('Function: scheduledPoll', () => {
  it.each([
    ['no input (the rule passes none): every integration that polls', undefined, ['jira-prod', 'jira-ops']],
    ['null', null, ['jira-prod', 'jira-ops']],
    ['an event without integrations (EventBridge fields are kept, not refused)', { source: 'aws.events', 'detail-type': 'Scheduled Event' }, ['jira-prod', 'jira-ops']],
    ['the named integrations', { integrations: ['jira-ops'] }, ['jira-ops']],
    ['a named integration that does not poll', { integrations: ['jira-quiet', 'jira-prod'] }, ['jira-prod']],
  ])('polls on %s', async (_case, event, expected) => {
    // Act
    const result = await schedule(event);

    // Assess
    expect(result).toEqual({ polled: expected });
  });

  it.each([
    ['integrations not a list', { integrations: 'jira-prod' }],
    ['an empty integration name', { integrations: ['jira-prod', ''] }],
    ['a name that is no string', { integrations: [7] }],
    ['an input that is no object', 'jira-prod'],
  ])('refuses %s as permanent, naming the input it expects, and polls nothing', async (_case, event) => {
    // Act
    const result = await schedule(event);

    // Assess
    expect(result.error).toBeInstanceOf(PermanentError);
    expect(result.error?.message).toBe('the schedule\'s input must be {"integrations": ["<name>", ...]}');
    expect(result.polled).toEqual([]);
  });
});
