/**
 * What the sync use-cases run on: the config, each integration's Jira and Backtrace clients, the link store, the
 * Backtrace user directory, time and the log. Each use-case takes only the part it needs.
 */
import type { BridgeConfig } from '../domain/config/index.ts';
import type { BacktraceUserDirectory } from '../ports/backtrace-user-directory.ts';
import type { Clock } from '../ports/clock.ts';
import type { ClientsFor } from '../ports/integration-clients.ts';
import type { LinkStore } from '../ports/link-store.ts';
import type { Logger } from '../ports/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { SettledLinks } from './settled-links.ts';

export interface SyncDeps {
  config: BridgeConfig;
  clientsFor: ClientsFor;
  links: LinkStore;
  users: BacktraceUserDirectory;
  clock: Clock;
  log: Logger;
  /** Counts issues created and adopted, sync writes, echoes dropped. @default - none */
  metrics?: Metrics;
  /** The settled links this container has seen: their repeat deliveries are answered without a read. @default - none (every delivery reads the table) */
  settledLinks?: SettledLinks;
}
