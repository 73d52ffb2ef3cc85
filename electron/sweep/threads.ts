// Starting a sweep worker thread: shared by the sweep, the plan's pool of threads (PointPool) and
// the queue worker (`peakline worker`), in a module of its own so none of them imports another.
import { Worker } from 'node:worker_threads';
import type { WorkerInit } from './point';

/**
 * The compiled sweep worker (`npm run build` makes it). The same path from this source file and
 * from the bundles in out/main/, so the sources under test run the build's worker too.
 */
const WORKER_FILE = new URL('../../out/main/sweep-worker.js', import.meta.url);

/** Starts one sweep worker thread (it runs points of `init`, one message each). */
export function startSweepWorker(init: WorkerInit): Worker {
  return new Worker(WORKER_FILE, { workerData: init });
}
