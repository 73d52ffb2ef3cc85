// A sweep worker thread: receives points to run, one message each, and answers with the result.
import { parentPort, workerData } from 'node:worker_threads';
import { runPoint, type PointRequest, type WorkerInit } from './point';

const init = workerData as WorkerInit;
if (!parentPort) throw new Error('the sweep worker must run in a worker thread');
const port = parentPort;
port.on('message', (req: PointRequest) => {
  port.postMessage(runPoint(init, req));
});
