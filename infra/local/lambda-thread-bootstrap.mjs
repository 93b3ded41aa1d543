// The first module of a worker thread that runs a Lambda handler (see lambda-thread.ts): it teaches this thread's
// module loader TypeScript, as `tsx` did for the main thread, then starts the runtime. Plain JavaScript because it
// runs before any loader: `execArgv: ['--import', 'tsx']` on the Worker does not reach the thread's entry module on
// Node 20 (ERR_UNKNOWN_FILE_EXTENSION).
import { register } from 'tsx/esm/api';

register();
await import('./lambda-thread.ts');
