import { describe, expect, it } from 'vitest';
import { verifyHubSignature, verifyQueryToken } from '../../../shared/domain/sync/webhook-signature.ts';

// Atlassian's published test vector (jira-rest-v2.md section 6.4); sha1/sha512 computed independently with Python's hmac.
const SECRET = "It's a Secret to Everybody";
const BODY = 'Hello World!';
const SHA256 = 'a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9';
const SHA1 = 'c515f330a339e006a451ec24110648f028c87a11';
const SHA512 = 'bbfa6773bc306551cb4fd3b0fb0e5b65c352a188cdc4f8a3a3d54a67404605472ec97defc7610b1316f2d4906ac5454676b17fc01d64935a4fda65d20e0d4821';

describe('Function: verifyHubSignature', () => {
  it.each([
    ["Atlassian's vector, body as a string", BODY, `sha256=${SHA256}`],
    ["Atlassian's vector, body as raw bytes", Buffer.from(BODY, 'utf8'), `sha256=${SHA256}`],
    ['an upper-case method name', BODY, `SHA256=${SHA256}`],
    ['upper-case hex digits', BODY, `sha256=${SHA256.toUpperCase()}`],
    ['surrounding whitespace in the header', BODY, `  sha256=${SHA256} `],
    ['an sha1 signature', BODY, `sha1=${SHA1}`],
    ['an sha512 signature', BODY, `sha512=${SHA512}`],
  ])('accepts %s', (_case, body, header) => {
    // Act
    const result = verifyHubSignature(body, header, SECRET);

    // Assess
    expect(result).toEqual({ ok: true });
  });

  it.each([
    ['a missing header', BODY, undefined, SECRET, 'missing X-Hub-Signature header'],
    ['an empty header', BODY, '', SECRET, 'missing X-Hub-Signature header'],
    ['a digest without its method', BODY, SHA256, SECRET, 'malformed X-Hub-Signature header'],
    ['a colon instead of "="', BODY, `sha256:${SHA256}`, SECRET, 'malformed X-Hub-Signature header'],
    ['non-hex digits', BODY, `sha256=${SHA256.slice(0, 63)}z`, SECRET, 'malformed X-Hub-Signature header'],
    ['an unsupported method', BODY, `md5=${SHA256.slice(0, 32)}`, SECRET, 'unsupported X-Hub-Signature method "md5" (supported: sha256, sha1, sha512)'],
    ['a truncated signature', BODY, `sha256=${SHA256.slice(0, 63)}`, SECRET, 'sha256 digest has 63 hex digits, expected 64'],
    ['an empty digest', BODY, 'sha256=', SECRET, 'sha256 digest has 0 hex digits, expected 64'],
    ['a signature one digit too long', BODY, `sha256=${SHA256}0`, SECRET, 'sha256 digest has 65 hex digits, expected 64'],
    ['an sha1 digest labelled sha256', BODY, `sha256=${SHA1}`, SECRET, 'sha256 digest has 40 hex digits, expected 64'],
    ['a wrong signature', BODY, `sha256=${'0'.repeat(64)}`, SECRET, 'does not match the body'],
    ['a signature made with another secret', BODY, `sha256=${SHA256}`, "It's a secret to everybody", 'does not match the body'],
    ['a body changed by one byte', 'Hello World?', `sha256=${SHA256}`, SECRET, 'does not match the body'],
    ['a body with one byte more', `${BODY}\n`, `sha256=${SHA256}`, SECRET, 'does not match the body'],
    ['no configured secret', BODY, `sha256=${SHA256}`, '', 'no webhook secret is configured'],
  ])('refuses %s', (_case, body, header, secret, reason) => {
    // Act
    const result = verifyHubSignature(body, header, secret);

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('never puts the secret or a digest in its reason', () => {
    // Prepare
    const header = `sha256=${'ab'.repeat(32)}`;

    // Act
    const result = verifyHubSignature(BODY, header, SECRET);

    // Assess
    expect(result.ok).toBe(false);
    const reason = !result.ok ? result.reason : '';
    expect(reason).not.toContain(SECRET);
    expect(reason).not.toContain(SHA256);
    expect(reason).not.toContain('ab'.repeat(32));
  });
});

describe('Function: verifyQueryToken', () => {
  it('accepts the exact secret', () => {
    // Act
    const result = verifyQueryToken('s3cr3t-token', 's3cr3t-token');

    // Assess
    expect(result).toEqual({ ok: true });
  });

  it.each([
    ['a missing token', undefined, 's3cr3t-token', 'missing "token" query parameter'],
    ['an empty token', '', 's3cr3t-token', 'missing "token" query parameter'],
    ['a wrong token of the same length', 's3cr3t-tokex', 's3cr3t-token', 'does not match the webhook secret'],
    ['a truncated token', 's3cr3t-toke', 's3cr3t-token', 'does not match the webhook secret'],
    ['a token in another case', 'S3CR3T-TOKEN', 's3cr3t-token', 'does not match the webhook secret'],
    ['no configured secret', 'anything', '', 'no webhook secret is configured'],
  ])('refuses %s', (_case, given, secret, reason) => {
    // Act
    const result = verifyQueryToken(given, secret);

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
    expect(!result.ok && result.reason).not.toContain('s3cr3t');
  });
});
