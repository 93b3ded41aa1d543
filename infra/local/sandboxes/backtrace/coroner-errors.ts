/** Coroner's error envelope `{error:{code,message}}`; semantic refusals come with HTTP 200, as the real API does. */

/** The code coroner uses for a malformed request (backtrace-android fixture `operation-error.json`). */
export const MALFORMED = 32769;
/** Code the fake uses for a refused token (the real code is not documented). */
export const UNAUTHORIZED = 5;

export const coronerError = (code: number, message: string) => ({ error: { code, message } });

export class CoronerRequestError extends Error {
  readonly code: number;
  constructor(message: string, code = MALFORMED) {
    super(message);
    this.code = code;
  }
}
