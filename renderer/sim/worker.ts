// A simulation Web Worker of the console's pool: serves each run request (a whole run, or one
// replication of it) off the UI thread (see runSim.ts). One run at a time; the console drops stale
// results, and stops a stale run through the shared flag or by terminating this worker.
import { serveRun } from './runSim';
import type { FromWorker, ToWorker } from './protocol';

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

let wanted: Int32Array | undefined;

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  if (ev.data.type === 'init') wanted = new Int32Array(ev.data.wanted);
  else if (ev.data.type === 'run') serveRun(ev.data, post, wanted);
};
