/** Named secrets (AWS Secrets Manager in the cloud, a local file or env vars on one machine). */
export interface SecretSource {
  /** The secret's string value. Throws PermanentError naming the secret (never its value) when it does not exist. */
  get(name: string): Promise<string>;
}
