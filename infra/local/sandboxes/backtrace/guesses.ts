/**
 * Every behaviour of the Backtrace sandbox that ../shared/reference/backtrace.md marks as a guess or unknown, or
 * does not document at all, in one place with the reference section it rests on. The constants are used by the
 * routes; the behaviours without a constant name the file that implements them. When Backtrace is observed to do
 * otherwise, change it here (and there), not in the bridge.
 *
 * Regressions ("resolve until", section 3.2)
 * - G1  The invariants sent to `/api/issue` are checked against section 3.2's schema and refused with the envelope
 *       when malformed; the real server's checks are not documented. (`invariants.ts`)
 * - G2  Matching: `version_gt`/`version_ge` compare the attribute named by `field` with `version` by numeric dotted
 *       parts (a leading `v` is dropped, missing parts are 0, a part counts by its leading digits, none = 0, so
 *       `2.4.0-beta` equals `2.4.0`); `timestamp_gt` matches when now (unix seconds) is later than `timestamp`;
 *       `regular_expression` runs JavaScript's RegExp, not PCRE (a leading `(?i)` becomes the `i` flag; a pattern
 *       JavaScript cannot compile never matches); `and` needs every child. An attribute the error does not carry
 *       never matches. (`invariants.ts`)
 *
 * Rows, transactions and the people who change them
 * - G3  `_tx`: a row's `_tx` is the transaction that created it, and the answer's `_.tx` is the last committed
 *       transaction, so `_tx at-most <_.tx of page 1>` keeps later pages stable while rows are created (section 5.1
 *       "Pagination": forensics pins exactly that; section 5.2: object ids are `_tx` values). Every `/api/issue`
 *       write, every person's action, every reported error and every seeded new row is one transaction. An
 *       unwritten fingerprint named with `equal` has `_tx` 0. (`issue-table.ts`)
 * - G4  `ticket` and `invariants` columns are JSON strings, the empty string when never set (section 5.3: "I guess
 *       query results carry the same string" as `/api/issue`'s answer). (`query-route.ts`, `issue-table.ts`)
 * - G5  `invariant_reopen_last_time` is 0 before the first reopen (section 5.3 gives only the unit, seconds).
 * - G6  A reopen sets the state to exactly `open`, even when the fingerprint is assigned or linked (section 3.2 says
 *       "sets state Open"; how that meets the automatic in-progress of section 3.1 is not documented). Invariants
 *       are kept, the ticket entries' own `state` is left alone (Backtrace's own Jira reopen is not simulated).
 *       Muted fingerprints reopen the same way ("Mute until"). (`backtrace-fake.ts` `reportError`)
 * - G7  A reported error of a fingerprint the table does not have creates its row (open), as a new fingerprint
 *       would. (`backtrace-fake.ts` `reportError`)
 * - G8  `resolve`/`mute` without invariants clears invariants set before (the column then reads `[]`); with them it
 *       replaces them. `reopen` goes through section 3.1's automatic state: open, or in-progress when assigned or
 *       linked. The web app's exact writes are not documented. (`ui.ts`)
 *
 * The query API
 * - G9  `limit` above `MAX_QUERY_LIMIT` is refused with the envelope at HTTP 200; coroner's real maximum (if any) is
 *       not documented (section 5.1). (`query-route.ts`)
 * - G10 The `format`/`type` in `columns_desc` for the issues columns (section 5.2 has fixtures of the objects table
 *       only). (`query-route.ts`)
 * - G11 Keys the sandbox does not implement (`set`, `actions`, `having`, `select_wildcard`, `virtual_columns`, and
 *       any unknown key) are refused rather than ignored; coroner accepts at least `set` (section 3.5 b). A malformed
 *       regular expression is refused with the envelope at HTTP 200 (the message is ours). (`query-route.ts`)
 *
 * Tokens and sessions
 * - G12 A refused or missing token: HTTP 401 with `{error:{code: UNAUTHORIZED, message}}`. Section 5.0 documents
 *       only the envelope and code 32769 (malformed request); the status and code are guesses. (`auth.ts`)
 * - G13 `POST /api/login` with wrong or missing credentials: HTTP 401 with the envelope, message
 *       `LOGIN_REFUSED_MESSAGE`. Section 3.7 only says morgue posts username and password and reads `{token, ...}`;
 *       morgue fails on a non-200 status or on `json.error`, so either would be noticed. (`auth.ts`)
 * - G14 The login answer beyond `token`: `{token, user:{uid, username}, universe:{id, name}}` (section 3.7 says
 *       `{token, ...}`; morgue later reads `config.universe.name`). A user's universe defaults to
 *       `DEFAULT_LOGIN_UNIVERSE`; a session is accepted for every universe and project. (`auth.ts`)
 * - G15 Sessions expire after `DEFAULT_SESSION_TTL_MS` unless `sessionTtlMs` says otherwise; the real lifetime is
 *       not documented (section 3.7: "log in again on expiry or 401"). (`auth.ts`)
 * - G16 An expired or unknown session token: HTTP 401, message `INVALID_TOKEN_MESSAGE` (sections 3.7, 5.0). (`auth.ts`)
 * - G17 Whether a project API token may call `/api/issue` is unknown (section 3.7: the documented scopes are
 *       error:post, symbol:post, object:get, query:post, sync:post; none names issue writes). Option
 *       `apiTokensMayWriteIssues` (default true, as the sandbox always behaved); when false the refusal is HTTP 403
 *       with `ISSUE_WRITE_REFUSED_MESSAGE`, code `FORBIDDEN`. (`auth.ts`)
 */

/** G9 */
export const MAX_QUERY_LIMIT = 10_000;

/** G12: the code of a refused token (Backtrace's is not documented). */
export const UNAUTHORIZED = 5;
/** G17: the code of a token that may not do this. */
export const FORBIDDEN = 6;
/** G13 */
export const LOGIN_REFUSED_STATUS = 401;
export const LOGIN_REFUSED_MESSAGE = 'invalid username or password';
/** G14 */
export const DEFAULT_LOGIN_UNIVERSE = 'sandbox';
/** G15: one hour. */
export const DEFAULT_SESSION_TTL_MS = 60 * 60 * 1000;
/** G16 (and G12 for an unknown API token). */
export const INVALID_TOKEN_STATUS = 401;
export const INVALID_TOKEN_MESSAGE = 'invalid token';
/** G17 */
export const ISSUE_WRITE_REFUSED_STATUS = 403;
export const ISSUE_WRITE_REFUSED_MESSAGE = 'token lacks the capability to modify issues';
