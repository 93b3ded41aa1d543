/**
 * The application link's RSA key pair: generated with node:crypto, the private key kept as a PKCS#8 PEM secret, the
 * public key shown as the SPKI PEM that Jira's "Public Key" field takes (reference section 7, step 1).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

/** Jira's own guide uses 1024 bits; 2048 is the least anyone should use today. */
export const MIN_KEY_BITS = 2048;

export interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateKeyPair(bits: number = MIN_KEY_BITS): KeyPair {
  if (!Number.isInteger(bits) || bits < MIN_KEY_BITS) throw new RangeError(`the key size must be a whole number of bits, at least ${MIN_KEY_BITS}`);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * A stored private key as PEM: secrets pasted into JSON or a console often carry literal `\n` instead of newlines.
 */
export function normalisePem(stored: string): string {
  const text = stored.includes('\\n') && !stored.includes('\n') ? stored.replaceAll('\\n', '\n') : stored;
  return `${text.trim()}\n`;
}

/**
 * The public key (SPKI PEM) of a stored private key and its size in bits, or a message saying what is wrong.
 */
export function publicKeyOf(storedPrivateKey: string): { ok: true; publicKeyPem: string; bits: number } | { ok: false; problem: string } {
  try {
    const privateKey = createPrivateKey(normalisePem(storedPrivateKey));
    if (privateKey.asymmetricKeyType !== 'rsa') return { ok: false, problem: `it is a ${privateKey.asymmetricKeyType ?? 'non-RSA'} key, Jira's OAuth 1.0a needs RSA` };
    const publicKey = createPublicKey(privateKey);
    return { ok: true, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), bits: privateKey.asymmetricKeyDetails?.modulusLength ?? 0 };
  } catch {
    return { ok: false, problem: 'it is not a PEM private key ("-----BEGIN PRIVATE KEY-----" or "-----BEGIN RSA PRIVATE KEY-----")' };
  }
}
