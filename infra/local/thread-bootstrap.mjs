// The first module of the local stack's worker threads (a Lambda execution environment, see lambda-thread.ts; the
// engines, see engines-thread.ts): it teaches this thread's module loader TypeScript, as `tsx` did for the main
// thread, then imports the thread's own entry module, named by `workerData.entry`. Plain JavaScript because it runs
// before any loader: `execArgv: ['--import', 'tsx']` on the Worker does not reach the thread's entry module on Node 20
// (ERR_UNKNOWN_FILE_EXTENSION).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
