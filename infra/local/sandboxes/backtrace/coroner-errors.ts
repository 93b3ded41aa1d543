/** Coroner's error envelope `{error:{code,message}}`; semantic refusals come with HTTP 200, as the real API does (reference section 5.0). */

/** The code coroner uses for a malformed request (backtrace-android fixture `operation-error.json`). */
export const MALFORMED = 32769;
/** Codes for refused tokens: guesses, see `guesses.ts` G12 and G17. */
export { FORBIDDEN, UNAUTHORIZED } from './guesses.ts';

export const coronerError = (code: number, message: string) => ({ error: { code, message } });

export class CoronerRequestError extends Error {
  readonly code: number;
  constructor(message: string, code = MALFORMED) {
    super(message);
    this.code = code;
  }
}
