// Where the points of a plan or a sweep run: on this machine's worker threads (PointPool), or on
// `peakline worker` processes through a BullMQ queue on Redis (QueuePool, with --redis). Both run
// a point's values and give its result (or its reply, a scenario error included), so the plan and
// the sweep do not care which it is. The queue's code (and BullMQ) loads only when asked for.
import type { SimResult } from '../../sim-core/result';
import type { QueueStatus } from '../queue/executor';
import type { PointReply, WorkerInit } from './point';
import { PointPool } from './pool';

export type { QueueStatus } from '../queue/executor';

/** Runs points of one scenario and set of varied paths. */
export interface PointExecutor {
  /** The result of the scenario with `values` at the varied paths (rejects on a scenario error). */
  run(values: number[]): Promise<SimResult>;
  /** The point's reply: its result, or its scenario error. */
  reply(values: number[]): Promise<PointReply>;
  /** Stops; points not finished are rejected. */
  close(reason?: Error): Promise<void>;
  /** Local threads (0: this thread), or null on the queue. */
  readonly threads: number | null;
  /** The queue's Redis (without password), or null for local threads. */
  readonly redis: string | null;
  /** Workers connected to the queue at the last count (local: null). */
  readonly workers: number | null;
}

export interface ExecutorOptions {
  /** Local worker threads (default one per core); ignored with `redis`. */
  threads?: number;
  /** A Redis URL: the points go to the BullMQ queue there, for `peakline worker` processes. */
  redis?: string;
  /** Queue only: connected workers and Redis, every couple of seconds. */
  onStatus?: (s: QueueStatus) => void;
  /** Queue only: a line of news (Redis lost or back, jobs queued again). */
  onNote?: (line: string) => void;
  /** Queue only: give up after Redis has been away this long (default 60 s). */
  lostAfterMs?: number;
}

/** Opens local threads, or the queue at `opts.redis` (a RedisUrlError names --redis). */
export async function openExecutor(
  init: WorkerInit,
  opts: ExecutorOptions = {},
): Promise<PointExecutor> {
  if (opts.redis !== undefined) {
    const { QueuePool } = await import('../queue/executor');
    const q = await QueuePool.open(init, {
      redis: opts.redis,
      onStatus: opts.onStatus,
      onNote: opts.onNote,
      lostAfterMs: opts.lostAfterMs,
    });
    return {
      run: (v) => q.run(v),
      reply: (v) => q.reply(v),
      close: (r) => q.close(r),
      threads: null,
      redis: q.where,
      get workers() {
        return q.workerCount;
      },
    };
  }
  const pool = await PointPool.open(init, opts.threads);
  return {
    run: (v) => pool.run(v),
    reply: (v) => pool.reply(v),
    close: (r) => pool.close(r),
    threads: pool.threads,
    redis: null,
    workers: null,
  };
}
