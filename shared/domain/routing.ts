/**
 * Which integrations an error group or a change is for: those configured for its Backtrace universe and project, or
 * those a queue message names.
 */
import type { BridgeConfig, IntegrationConfig } from './config/index.ts';

/** Integrations configured for the Backtrace universe and project, in config order. */
export function integrationsForProject(config: BridgeConfig, source: { universe: string; project: string }): IntegrationConfig[] {
  return config.integrations.filter((integration) => integration.backtrace.universe === source.universe && integration.backtrace.project === source.project);
}

/** The integration named `name`, or undefined (renamed or removed since the message was queued). */
export function integrationNamed(config: BridgeConfig, name: string): IntegrationConfig | undefined {
  return config.integrations.find((integration) => integration.name === name);
}
