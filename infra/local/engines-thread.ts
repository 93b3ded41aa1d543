/**
 * The local engines (dynalite and fauxqs, see engines.ts) in a worker thread of their own: the same servers, tables
 * and queues, answering on their own event loop. The storm bench uses it so that DynamoDB and SQS stop sharing one
 * thread with the HTTP API and the handlers they serve: in AWS they are services on other machines, and in one
 * thread every engine request waits behind the handlers' work (and theirs behind it). Default for `npm start` and the
 * tests stays in-process, which starts faster and needs no thread.
 */
import { interceptLocalhostDns } from 'fauxqs';
import { clientConfigFor, type LocalEngines, type LocalEnginesOptions } from './engines.ts';
import { startTsThread } from './ts-thread.ts';

/** What the thread answers once its engines are ready: everything of {@link LocalEngines} that is data. */
export type EnginesThreadReady = Pick<LocalEngines, 'region' | 'dynamodb' | 'sqs' | 'env' | 'startupMs'>;

export type EnginesThreadMessage = { type: 'ready'; engines: EnginesThreadReady } | { type: 'failed'; message: string } | { type: 'stopped' };

const ENTRY = new URL('./engines-thread-main.ts', import.meta.url);

/** {@link startLocalEngines} in a worker thread; `interceptLocalhostDns` patches this thread's resolver, where the clients are. */
export async function startLocalEnginesInThread(options: LocalEnginesOptions): Promise<LocalEngines> {
  const { interceptLocalhostDns: intercept, ...threadOptions } = options;
  const worker = startTsThread(ENTRY, { options: threadOptions });
  const ready = await new Promise<EnginesThreadReady>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`local engines thread exited with code ${code} before it was ready`)));
    worker.once('message', (message: EnginesThreadMessage) => {
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      if (message.type === 'ready') resolve(message.engines);
      else reject(new Error(`local engines thread: ${message.type === 'failed' ? message.message : 'stopped before it was ready'}`));
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  let exited = false;
  worker.once('exit', () => (exited = true));
  const restoreDns = intercept ? interceptLocalhostDns() : undefined;
  let stopping: Promise<void> | undefined;
  return {
    ...ready,
    clientConfig: clientConfigFor({ dynamodb: ready.dynamodb.endpoint, sqs: ready.sqs.endpoint }),
    stop: () =>
      (stopping ??= (async () => {
        restoreDns?.();
        // The engines close their servers (and a durable LevelDB store) in the thread; then the thread ends.
        if (exited) return;
        await new Promise<void>((resolve) => {
          worker.once('exit', () => resolve());
          worker.once('message', () => void worker.terminate());
          worker.postMessage({ type: 'stop' });
        });
      })()),
  };
}
