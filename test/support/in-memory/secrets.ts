import { PermanentError } from '../../../shared/ports/errors.ts';
import type { SecretSource } from '../../../shared/ports/secrets.ts';

/** {@link SecretSource} over a plain map; a missing name is refused as the real sources refuse it. */
export class StaticSecrets implements SecretSource {
  constructor(readonly values: Record<string, string>) {}
  /** Set to make every read fail (a Secrets Manager outage). */
  failWith?: Error;

  async get(name: string): Promise<string> {
    if (this.failWith) throw this.failWith;
    const value = this.values[name];
    if (value === undefined) throw new PermanentError(`secret "${name}" does not exist`);
    return value;
  }
}
