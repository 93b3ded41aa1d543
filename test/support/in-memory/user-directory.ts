import type { KnownBacktraceUser } from '../../../shared/domain/model/backtrace.ts';
import type { BacktraceUserDirectory } from '../../../shared/ports/backtrace-user-directory.ts';

/** {@link BacktraceUserDirectory} in memory, keyed by universe and lower-cased e-mail; the newest sighting wins. */
export class InMemoryUserDirectory implements BacktraceUserDirectory {
  readonly users = new Map<string, KnownBacktraceUser & { seenAt: number }>();

  async remember(universe: string, users: KnownBacktraceUser[], seenAt: number): Promise<void> {
    for (const user of users) {
      if (!user.email?.trim()) continue;
      const key = `${universe}/${user.email.trim().toLowerCase()}`;
      if ((this.users.get(key)?.seenAt ?? -Infinity) <= seenAt) this.users.set(key, { ...user, seenAt });
    }
  }

  async findByEmail(universe: string, email: string): Promise<KnownBacktraceUser | undefined> {
    const found = this.users.get(`${universe}/${email.trim().toLowerCase()}`);
    if (!found) return undefined;
    const { seenAt: _seenAt, ...user } = found;
    return user;
  }
}
