// A sweep worker thread: receives points to run, one message each, and answers with the result.
// A message may carry a new `init` (another scenario and varied paths) for this and later points:
// the queue worker (`peakline worker`) runs points of any plan or sweep on the same threads.
import { parentPort, workerData } from 'node:worker_threads';
import { runPoint, type PointRequest, type WorkerInit } from './point';

let init = workerData as WorkerInit;
if (!parentPort) throw new Error('the sweep worker must run in a worker thread');
const port = parentPort;
port.on('message', (req: PointRequest & { init?: WorkerInit }) => {
  if (req.init) init = req.init;
  port.postMessage(runPoint(init, req));
});
