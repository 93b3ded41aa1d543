/**
 * The poller's handler shape: an EventBridge schedule's event names the integrations to poll (the rule's input,
 * `{"integrations": ["jira-prod"]}`; absent: every integration that polls), each is polled in turn, and a failure
 * of one is logged and makes the invocation fail after the others were polled (so the function's error metric
 * shows it, and the next schedule tries again).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from '../domain/zod-mini.ts';
import type { BridgeConfig, IntegrationConfig } from '../domain/config/index.ts';
import { polls, type PollReport } from '../app/poll-backtrace.ts';
import { PermanentError } from '../ports/errors.ts';
import { withCorrelation } from './correlation.ts';
import { describeError } from './logger.ts';

const pollEvent = z.looseObject({ integrations: z.optional(z.array(z.string().check(z.minLength(1)))) });

export interface ScheduledPollOptions {
  config: BridgeConfig;
  logger: Logger;
  poll(integration: IntegrationConfig): Promise<PollReport>;
}

export function scheduledPoll(options: ScheduledPollOptions) {
  const { config, logger } = options;
  return middy(async (event: unknown): Promise<PollReport[]> => {
    const parsed = pollEvent.safeParse(event ?? {});
    if (!parsed.success) throw new PermanentError('the schedule\'s input must be {"integrations": ["<name>", ...]}');
    const names = parsed.data.integrations;
    const targets = config.integrations.filter((integration) => polls(integration) && (names === undefined || names.includes(integration.name)));
    const reports: PollReport[] = [];
    let failed: unknown;
    for (const integration of targets) {
      try {
        reports.push(await withCorrelation({ integration: integration.name }, () => options.poll(integration)));
      } catch (error) {
        logger.error('Could not poll Backtrace for an integration', { integration: integration.name, error: describeError(error) });
        failed ??= error;
      }
    }
    if (failed !== undefined) throw failed;
    return reports;
  }).use(injectLambdaContext(logger));
}
