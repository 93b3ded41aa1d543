/**
 * Authenticity of Jira's webhook deliveries. Jira Cloud admin webhooks and Data Center 10+ sign the raw body with
 * the webhook secret and send `X-Hub-Signature: <method>=<hex HMAC>` (WebSub style); older Jira versions cannot
 * sign, so the bridge can instead require the secret as a `?token=` in the URL it registered. See
 * ../shared/reference/jira-rest-v2.md section 6.4.
 *
 * Reasons are for the log: they never contain the secret, the expected digest or the given signature.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** The header name Jira uses (exactly this, not `X-Hub-Signature-256`). Node lower-cases incoming header names. */
export const HUB_SIGNATURE_HEADER = 'x-hub-signature';

/**
 * HMAC methods accepted in the `method=` prefix, with their hex digest length. Jira signs with sha256 today and warns
 * it may move to another method, so the prefix is read rather than assumed; sha1/sha512 cost nothing to support.
 */
const METHODS: Record<string, { algorithm: string; hexLength: number }> = {
  sha256: { algorithm: 'sha256', hexLength: 64 },
  sha1: { algorithm: 'sha1', hexLength: 40 },
  sha512: { algorithm: 'sha512', hexLength: 128 },
};

const SIGNATURE_FORMAT = /^([A-Za-z0-9-]+)=([0-9A-Fa-f]*)$/;

/**
 * Checks `X-Hub-Signature` against the HMAC of the raw request body. The comparison is constant-time; a signature of
 * the wrong length is refused before any comparison (the right length is public, so that leaks nothing).
 *
 * The method name and hex digits are read case-insensitively: a client that upper-cases them still proves it knows
 * the secret, and the bytes compared are the same.
 *
 * @param rawBody - the body exactly as received (before JSON parsing; API Gateway may hand it over base64-decoded)
 * @param header - the `X-Hub-Signature` header value, if any
 * @param secret - the webhook secret
 * @example
 * const check = verifyHubSignature(body, headers['x-hub-signature'], secret);
 * if (!check.ok) { logger.warn('refused Jira webhook', { reason: check.reason }); return { statusCode: 401 }; }
 */
export function verifyHubSignature(rawBody: Buffer | string, header: string | undefined, secret: string): VerifyResult {
  if (secret === '') return { ok: false, reason: 'no webhook secret is configured: refusing every delivery (set the secret named in jiraWebhook.secret)' };
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing X-Hub-Signature header (set a secret on the Jira webhook, or use jiraWebhook.verification "query-token" for Jira versions that cannot sign)' };
  }
  const match = SIGNATURE_FORMAT.exec(header.trim());
  if (!match) return { ok: false, reason: 'malformed X-Hub-Signature header (expected "<method>=<hex digest>", e.g. "sha256=...")' };
  const methodName = match[1].toLowerCase();
  const method = METHODS[methodName];
  if (!method) {
    return { ok: false, reason: `unsupported X-Hub-Signature method "${methodName.slice(0, 20)}" (supported: ${Object.keys(METHODS).join(', ')})` };
  }
  const givenHex = match[2];
  if (givenHex.length !== method.hexLength) {
    return { ok: false, reason: `X-Hub-Signature ${methodName} digest has ${givenHex.length} hex digits, expected ${method.hexLength} (truncated or not a ${methodName} HMAC)` };
  }
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const expected = createHmac(method.algorithm, secret).update(body).digest();
  const given = Buffer.from(givenHex, 'hex');
  // Same length by construction (hex length checked above), as timingSafeEqual requires.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'X-Hub-Signature does not match the body (the webhook secret in Jira differs from the configured one, or the body was altered)' };
  }
  return { ok: true };
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks the `?token=` query parameter against the secret, for Jira versions that cannot sign. Both sides are
 * hashed first so the comparison is constant-time whatever their lengths.
 */
export function verifyQueryToken(given: string | undefined, secret: string): VerifyResult {
  if (secret === '') return { ok: false, reason: 'no webhook secret is configured: refusing every delivery (set the secret named in jiraWebhook.secret)' };
  if (given === undefined || given === '') {
    return { ok: false, reason: 'missing "token" query parameter (register the webhook URL as .../jira/webhook?token=<secret>)' };
  }
  if (!timingSafeEqual(digest(given), digest(secret))) {
    return { ok: false, reason: 'the "token" query parameter does not match the webhook secret' };
  }
  return { ok: true };
}
