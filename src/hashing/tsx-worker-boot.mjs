// Development-only worker entry: installs tsx inside the worker thread, then loads the TypeScript
// module named in workerData. Used by pool.ts when it runs from source (vitest, `node --import tsx`).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
