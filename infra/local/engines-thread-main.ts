/** The entry module of the engines' worker thread (engines-thread.ts): starts them, answers their data, stops them on request. */
import { parentPort, workerData } from 'node:worker_threads';
import { startLocalEngines, type LocalEnginesOptions } from './engines.ts';
import type { EnginesThreadMessage } from './engines-thread.ts';

const port = parentPort!;
const post = (message: EnginesThreadMessage) => port.postMessage(message);
try {
  const engines = await startLocalEngines((workerData as { options: LocalEnginesOptions }).options);
  port.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void engines.stop().finally(() => post({ type: 'stopped' }));
  });
  const { region, dynamodb, sqs, env, startupMs } = engines;
  post({ type: 'ready', engines: { region, dynamodb, sqs, env, startupMs } });
} catch (error) {
  post({ type: 'failed', message: (error as Error).message });
}
