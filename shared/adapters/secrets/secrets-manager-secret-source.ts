/**
 * {@link SecretSource} over AWS Secrets Manager `GetSecretValue`, cached per container: a Lambda container reads each
 * secret once per TTL instead of once per event, and a rotated secret is picked up within the TTL.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PermanentError } from '../../ports/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import { systemClock } from '../../ports/clock.ts';
import type { SecretSource } from '../../ports/secrets.ts';
import { toBridgeError } from '../aws/aws-errors.ts';

export interface SecretsManagerSecretSourceOptions {
  client: SecretsManagerClient;
  /** How long a value is reused before it is read again. Default 5 minutes. */
  ttlMs?: number;
  clock?: Clock;
}

const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * Reads secrets by name (or ARN). Errors name the secret, never its value: a missing secret or a denied read is a
 * PermanentError (fix the secret or the config, then redrive); throttling and 5xx are RetryableError.
 * Concurrent reads of the same secret share one request.
 */
export class SecretsManagerSecretSource implements SecretSource {
  readonly #client: SecretsManagerClient;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { value: Promise<string>; expiresAt: number }>();

  constructor(options: SecretsManagerSecretSourceOptions) {
    this.#client = options.client;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#clock = options.clock ?? systemClock;
  }

  get(name: string): Promise<string> {
    const now = this.#clock.now();
    const cached = this.#cache.get(name);
    if (cached && cached.expiresAt > now) return cached.value;
    const value = this.#read(name);
    this.#cache.set(name, { value, expiresAt: now + this.#ttlMs });
    // A failed read must not be cached: the next event tries again.
    value.catch(() => {
      if (this.#cache.get(name)?.value === value) this.#cache.delete(name);
    });
    return value;
  }

  async #read(name: string): Promise<string> {
    let out;
    try {
      out = await this.#client.send(new GetSecretValueCommand({ SecretId: name }));
    } catch (error) {
      const errorName = (error as { name?: string })?.name;
      if (errorName === 'ResourceNotFoundException') {
        throw new PermanentError(
          `Secret "${name}" does not exist in AWS Secrets Manager (create it, or correct the secret name in the config)`,
          { cause: error },
        );
      }
      if (errorName === 'AccessDeniedException' || errorName === 'DecryptionFailure') {
        throw new PermanentError(
          `Secret "${name}" cannot be read from AWS Secrets Manager (${errorName}: grant the function secretsmanager:GetSecretValue and kms:Decrypt on it)`,
          { cause: error },
        );
      }
      throw toBridgeError(error, `Reading secret "${name}" from AWS Secrets Manager`);
    }
    if (out.SecretString !== undefined) return out.SecretString;
    if (out.SecretBinary !== undefined) return Buffer.from(out.SecretBinary).toString('utf8');
    throw new PermanentError(`Secret "${name}" in AWS Secrets Manager has no value (set a secret string)`);
  }
}
