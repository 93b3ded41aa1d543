import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * The configured secrets, referenced by name (they are created by the admin, never by the stack), each readable by
 * exactly the functions given for it: `grants` pairs a list of secret names with the function that reads them.
 */
export class SecretGrants extends Construct {
  readonly #secrets = new Map<string, ISecret>();

  constructor(scope: Construct, id: string, grants: readonly [names: readonly string[], grantee: IGrantable][]) {
    super(scope, id);
    for (const [names, grantee] of grants) for (const name of names) this.secretNamed(name).grantRead(grantee);
  }

  /** The secret named `name`; fromSecretNameV2 matches the 6-character suffix Secrets Manager appends ("-??????"). */
  secretNamed(name: string): ISecret {
    let secret = this.#secrets.get(name);
    if (!secret) {
      secret = Secret.fromSecretNameV2(this, `Secret${this.#secrets.size}`, name);
      this.#secrets.set(name, secret);
    }
    return secret;
  }
}
