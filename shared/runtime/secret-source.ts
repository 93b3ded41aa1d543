/** Where secrets come from: AWS Secrets Manager on Lambda, a file or environment variables on one machine. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LocalSecretSource } from '../adapters/secrets/local-secret-source.ts';
import { SecretsManagerSecretSource } from '../adapters/secrets/secrets-manager-secret-source.ts';
import type { SecretSource } from '../ports/secrets.ts';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.ts';

/**
 * Secrets from AWS Secrets Manager, or, on one machine, from `BRIDGE_SECRETS_FILE` and `BRIDGE_SECRET_<NAME>`
 * variables (`BRIDGE_LOCAL_SECRETS=1` selects the env-only local source).
 */
export function createSecretSource(): SecretSource {
  const file = process.env.BRIDGE_SECRETS_FILE;
  if (file || process.env.BRIDGE_LOCAL_SECRETS === '1') return new LocalSecretSource({ file: file || undefined });
  return new SecretsManagerSecretSource({ client: new SecretsManagerClient(AWS_CLIENT_OPTIONS) });
}
