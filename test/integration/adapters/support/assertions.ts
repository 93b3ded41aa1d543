/** Helpers shared by the adapter tests. */

/** The error a call fails with; throws when the call succeeds, so a test cannot pass by accident. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Records the waits the retry runner asks for and returns at once, so backoff is asserted without sleeping. */
export function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}
