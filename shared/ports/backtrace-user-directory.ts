/**
 * Backtrace users the bridge has seen, per universe, so a Jira assignee can be mapped back to a Backtrace user id
 * by e-mail. Implemented on DynamoDB: `shared/adapters/dynamodb/backtrace-user-directory.ts`.
 */
import type { KnownBacktraceUser } from '../domain/model/backtrace.ts';

export interface BacktraceUserDirectory {
  /**
   * Remember each user that has an e-mail. `seenAt` is epoch ms; a record newer than it is kept, so a late event
   * cannot give an address that moved to another Backtrace user back to its former owner.
   */
  remember(universe: string, users: KnownBacktraceUser[], seenAt: number): Promise<void>;
  /** The Backtrace user last seen with `email` (compared case-insensitively) in `universe`. */
  findByEmail(universe: string, email: string): Promise<KnownBacktraceUser | undefined>;
}
