/**
 * Every behaviour of the Backtrace sandbox that ../shared/reference/backtrace.md marks as a guess or unknown, or
 * does not document at all, in one place with the reference section it rests on. The constants are used by the
 * routes; the behaviours without a constant name the file that implements them. When Backtrace is observed to do
 * otherwise, change it here (and there), not in the bridge.
 *
 * Regressions ("resolve until", section 3.2)
 * - G1  The invariants sent to `/api/issue` are checked against section 3.2's schema and refused with the envelope
 *       when malformed; the real server's checks are not documented. (`invariants.ts`)
 */
