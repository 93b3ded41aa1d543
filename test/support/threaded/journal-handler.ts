/**
 * An SQS handler for the poller's threaded mode tests: it notes what it does, line by line, in the file named by
 * THREAD_JOURNAL (the environment is shared with the test), so a test can see which thread ran which record, how
 * many invocations each thread's module instance served, and whether work after a kill ever ran. A record whose
 * body is `hang` on its first receive stops at a point only a kill (or the timeout) ends.
 */
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import type { SQSEvent } from 'aws-lambda';

let invocationsInThisModule = 0;

const note = (line: string) => appendFileSync(process.env.THREAD_JOURNAL!, `${line}\n`);

export const handler = async (event: SQSEvent) => {
  invocationsInThisModule++;
  for (const record of event.Records) {
    const receive = record.attributes.ApproximateReceiveCount;
    note(`thread ${threadId} invocation ${invocationsInThisModule} started ${record.body} receive ${receive}`);
    if (record.body === 'hang' && receive === '1') await new Promise((resolve) => setTimeout(resolve, 600_000));
    note(`thread ${threadId} finished ${record.body} receive ${receive}`);
  }
};
