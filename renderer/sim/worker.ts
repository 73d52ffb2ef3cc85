// The simulation Web Worker: serves each run request off the UI thread (see runSim.ts). One run
// at a time; the console drops stale results and terminates this worker to stop a long run.
import { serveRun } from './runSim';
import type { FromWorker, ToWorker } from './protocol';

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

let wanted: Int32Array | undefined;

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  if (ev.data.type === 'init') wanted = new Int32Array(ev.data.wanted);
  else if (ev.data.type === 'run') serveRun(ev.data, post, wanted);
};
