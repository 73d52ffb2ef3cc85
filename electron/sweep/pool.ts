// A pool of sweep worker threads that stays up between points: runs any combination of values
// of the dimensions it was opened with, in any order, as many at a time as it has threads. For
// searches that choose their next points from the results of the last ones (the capacity plan),
// where a sweep's fixed grid does not fit and starting threads for every batch would cost more
// than the simulations. The threads are the sweep's own (startSweepWorker).
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { SimResult } from '../../sim-core/result';
import { runPoint, type PointReply, type WorkerInit } from './point';
import { startSweepWorker } from './threads';

/** Why a point did not run: the pool was closed first (e.g. Ctrl+C). */
export class PoolClosed extends Error {
  override name = 'PoolClosed';
}

interface Job {
  id: number;
  values: number[];
  resolve: (r: SimResult) => void;
  reject: (e: Error) => void;
  /** Set by reply(): gets the reply as it is, a scenario error included. */
  onReply?: (rep: PointReply) => void;
}

/** Worker threads running points of one scenario and set of varied paths. */
export class PointPool {
  private readonly queue: Job[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly workers: Worker[] = [];
  private nextId = 0;
  private closed = false;
  private inThreadRunning = false;

  private constructor(
    private readonly init: WorkerInit,
    /** Worker threads (0: points run in this thread, one at a time). */
    readonly threads: number,
  ) {}

  /** Opens a pool of `threads` workers (default: one per core; 0 runs points in this thread). */
  static async open(init: WorkerInit, threads = availableParallelism()): Promise<PointPool> {
    const pool = new PointPool(init, Math.max(0, Math.floor(threads)));
    for (let t = 0; t < pool.threads; t++) pool.spawn();
    return pool;
  }

  private spawn() {
    const w = startSweepWorker(this.init);
    this.workers.push(w);
    this.idle.push(w);
    w.on('message', (rep: PointReply) => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      this.idle.push(w);
      if (job) this.settle(job, rep);
      this.pump();
    });
    w.on('error', (err) => this.fail(new Error(`plan worker failed: ${err.message}`)));
    w.on('exit', (code) => {
      if (!this.closed && code !== 0)
        this.fail(new Error(`plan worker stopped with exit code ${code}`));
    });
  }

  private settle(job: Job, rep: PointReply) {
    if (job.onReply) job.onReply(rep);
    else if (rep.ok) job.resolve(rep.result);
    else job.reject(new Error(rep.error));
  }

  /** Runs the scenario with `values` at the pool's varied paths (in their order). */
  run(values: number[]): Promise<SimResult> {
    if (this.closed) return Promise.reject(new PoolClosed('the pool is closed'));
    return new Promise<SimResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, values, resolve, reject });
      this.pump();
    });
  }

  /** The point's reply: its result, or the scenario error at it (rejects only when closed). */
  reply(values: number[]): Promise<PointReply> {
    if (this.closed) return Promise.reject(new PoolClosed('the pool is closed'));
    return new Promise<PointReply>((onReply, reject) => {
      this.queue.push({ id: this.nextId++, values, resolve: () => {}, reject, onReply });
      this.pump();
    });
  }

  private pump() {
    if (this.closed) return;
    if (this.threads === 0) {
      if (this.inThreadRunning) return;
      this.inThreadRunning = true;
      void (async () => {
        while (!this.closed && this.queue.length > 0) {
          const job = this.queue.shift()!;
          this.settle(job, runPoint(this.init, { index: job.id, values: job.values }));
          // let an abort (or other events) in between points
          await new Promise<void>((r) => setImmediate(r));
        }
        this.inThreadRunning = false;
      })();
      return;
    }
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage({ index: job.id, values: job.values });
    }
  }

  private fail(err: Error) {
    if (this.closed) return;
    void this.close(err);
  }

  /** Stops the threads; points not finished are rejected (PoolClosed, or `reason`). */
  async close(reason?: Error): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = reason ?? new PoolClosed('the pool was closed');
    for (const job of [...this.queue, ...this.busy.values()]) job.reject(err);
    this.queue.length = 0;
    this.busy.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
