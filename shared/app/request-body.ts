/**
 * Reading an HTTP route's body the same way on both routes: the exact bytes (for the Jira signature), then text that
 * is valid UTF-8, nested no deeper than the limit, then one `JSON.parse`. Each refusal is a 400 (413 for size) naming
 * what is wrong; nothing here throws for any input.
 */
import { checkJsonDepth, checkWellFormed, decodeUtf8 } from '../domain/input-limits.ts';
import { encodeQueueMessage, MAX_QUEUE_MESSAGE_BYTES, type QueueMessageInput } from '../domain/queue-message.ts';
import { answer, type HttpAnswer, type IncomingRequest } from './http.ts';

export type BodyResult<T> = { ok: true; value: T } | { ok: false; answer: HttpAnswer };

const refused = (statusCode: number, message: string): { ok: false; answer: HttpAnswer } => ({ ok: false, answer: answer(statusCode, { message }) });

/**
 * The body's bytes as the caller sent them. A string body (API Gateway's text bodies) holding a lone surrogate did
 * not come from UTF-8, and encoding it would replace it silently, so it is refused here.
 */
export function requestBytes(request: IncomingRequest): BodyResult<Buffer> {
  const body = request.body ?? '';
  if (request.isBase64Encoded) return { ok: true, value: Buffer.from(body, 'base64') };
  const wellFormed = checkWellFormed(body);
  if (!wellFormed.ok) return refused(400, wellFormed.problem);
  return { ok: true, value: Buffer.from(body, 'utf8') };
}

/** The body's JSON: valid UTF-8, at most `MAX_JSON_DEPTH` deep, one value. `emptyHint` says what was expected. */
export function parseJsonBody(bytes: Buffer, emptyHint: string): BodyResult<unknown> {
  const text = decodeUtf8(bytes);
  if (!text.ok) return refused(400, text.problem);
  if (!text.value.trim()) return refused(400, `the body is empty: expected ${emptyHint}`);
  const shallow = checkJsonDepth(text.value);
  if (!shallow.ok) return refused(400, shallow.problem);
  try {
    return { ok: true, value: JSON.parse(text.value) as unknown };
  } catch (error) {
    return refused(400, `the body is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Refuses, with a 413, a message too large for SQS once encoded (non-ASCII characters are queued as 6-byte escapes),
 * so the refusal reaches the sender instead of a queue failing to take it.
 */
export function checkQueueMessageSize(message: QueueMessageInput): HttpAnswer | undefined {
  const bytes = Buffer.byteLength(encodeQueueMessage(message), 'utf8');
  if (bytes <= MAX_QUEUE_MESSAGE_BYTES) return undefined;
  return answer(413, {
    message: `the body is ${bytes} bytes once queued (characters past ASCII take 6 bytes each); the queue takes ${MAX_QUEUE_MESSAGE_BYTES}: send a smaller body`,
  });
}
