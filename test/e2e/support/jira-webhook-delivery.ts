/**
 * Acting as Jira's webhook sender from a test: `X-Hub-Signature: <method>=<hex HMAC of the exact bytes>` and an
 * `X-Atlassian-Webhook-Identifier`, POSTed to the bridge's `/jira/webhook` (reference jira-rest-v2.md section 6.4).
 */
import { createHmac, randomUUID } from 'node:crypto';

/** `sha256=<hex>` (or another method) over `body`, as Jira computes it. */
export function hubSignature(body: Buffer | string, secret: string, method: 'sha256' | 'sha1' | 'sha512' | 'md5' = 'sha256'): string {
  return `${method}=${createHmac(method, secret).update(body).digest('hex')}`;
}

export interface DeliveryOptions {
  /** The `X-Hub-Signature` value; `null` sends none. Default: a sha256 signature with `secret`. */
  signature?: string | null;
  /** Key for the default signature. */
  secret?: string;
  /** `X-Atlassian-Webhook-Identifier`; `null` sends none. Default: a new UUID. */
  deliveryId?: string | null;
}

export interface DeliveryAnswer {
  status: number;
  body: Record<string, any>;
  deliveryId?: string;
}

/** POSTs `body` byte for byte to `${apiUrl}/jira/webhook` with Jira's headers. */
export async function deliverJiraWebhook(apiUrl: string, body: Buffer | string, options: DeliveryOptions = {}): Promise<DeliveryAnswer> {
  const deliveryId = options.deliveryId === undefined ? randomUUID() : (options.deliveryId ?? undefined);
  let signature = options.signature;
  if (signature === undefined) {
    if (options.secret === undefined) throw new Error('deliverJiraWebhook: give a secret to sign with, or an explicit signature');
    signature = hubSignature(body, options.secret);
  }
  const response = await fetch(`${apiUrl}/jira/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Atlassian Webhook HTTP Client',
      ...(deliveryId === undefined ? {} : { 'x-atlassian-webhook-identifier': deliveryId }),
      ...(signature === null ? {} : { 'x-hub-signature': signature }),
    },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await response.text();
  let parsed: Record<string, any> = {};
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Record<string, any>);
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, ...(deliveryId === undefined ? {} : { deliveryId }) };
}
