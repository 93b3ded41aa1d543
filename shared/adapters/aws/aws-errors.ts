/**
 * Maps AWS SDK v3 failures into the bridge's error taxonomy (shared/ports/errors.ts). Used by every AWS adapter
 * (DynamoDB, SQS, Secrets Manager): their transient failures look the same.
 */
import { PermanentError, RetryableError } from '../../ports/errors.ts';

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalFailure',
  'InternalServiceError',
  'InternalServiceErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'OverLimit',
]);

const TRANSIENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH']);

interface AwsErrorShape {
  name?: string;
  code?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** True when the same call may succeed later: throttling, 5xx, timeouts, connection failures. */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as AwsErrorShape;
  if (e.$retryable) return true;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && TRANSIENT_NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === 429 || (status !== undefined && status >= 500);
}

/**
 * Wrap an AWS SDK failure: transient -> {@link RetryableError}, anything else -> {@link PermanentError}.
 * `what` describes the operation for the admin ("DynamoDB PutItem on table links"); it must not contain secrets.
 * Errors already in the taxonomy pass through unchanged.
 */
export function toBridgeError(error: unknown, what: string): RetryableError | PermanentError {
  if (error instanceof RetryableError || error instanceof PermanentError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  const name = e.name ?? 'Error';
  const detail = error instanceof Error ? `${name}: ${error.message}` : String(error);
  if (isTransientAwsError(error)) {
    return new RetryableError(`${what} failed transiently (${detail})`, { cause: error });
  }
  return new PermanentError(`${what} failed (${detail})`, { status: e.$metadata?.httpStatusCode, cause: error });
}
