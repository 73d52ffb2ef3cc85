// Points run by `peakline worker` processes through a BullMQ queue on Redis: the executor behind
// `plan --redis` and `sweep --redis`, with the same run(values) as the local PointPool.
//
// Each point is one job whose id is its key (protocol.ts), so it is added once however often it is
// asked for, and each caller waits for that job's result. Results arrive through BullMQ's queue
// events; every two seconds the jobs still waited for are also looked up, so a result is not lost
// to a missed event, a job that has vanished (Redis restarted without its data) is added again, and
// a failed one is reported. A job whose worker was killed is put back on the queue by the other
// workers' stalled check (protocol.ts: within seconds) and run again: its result is the same,
// and it is delivered once (a promise settles once). While Redis is unreachable the executor waits
// and says so; after `lostAfterMs` it gives up with a clear message rather than an answer.
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SimResult } from '../../sim-core/result';
import { redactUrl } from '../live/source';
import type { PointReply, WorkerInit } from '../sweep/point';
import {
  ATTEMPTS,
  connectRedis,
  decodeReply,
  jobData,
  jobId,
  KEEP_S,
  probeRedis,
  QUEUE_NAME,
  QUEUE_PREFIX,
  bullConnection,
  replyResult,
  scenarioHash,
} from './protocol';

/** Why a point did not run: the executor was closed first (e.g. Ctrl+C). */
export class QueueClosed extends Error {
  override name = 'QueueClosed';
}

/** Redis stayed away longer than the executor may wait: no answer rather than a wrong one. */
export class RedisLost extends Error {
  override name = 'RedisLost';
}

/** What the executor sees of the queue, every couple of seconds. */
export interface QueueStatus {
  /** `peakline worker` processes connected to the queue. */
  workers: number;
  /** Whether Redis answers. */
  connected: boolean;
  /** Points waited for. */
  pending: number;
}

export interface QueuePoolOptions {
  /** The --redis URL. */
  redis: string;
  /** Called every couple of seconds and when something changes. */
  onStatus?: (s: QueueStatus) => void;
  /** A line of news: Redis lost or back, jobs added again, no workers. */
  onNote?: (line: string) => void;
  /** Give up when Redis has been unreachable this long (default 60 s). */
  lostAfterMs?: number;
  /** How often jobs waited for are looked up and workers counted (default 2 s). */
  checkEveryMs?: number;
}

interface Pending {
  id: string;
  values: number[];
  since: number;
  waiters: { resolve: (r: PointReply) => void; reject: (e: Error) => void }[];
}

/** Points of one scenario and set of varied paths, run by the workers of a queue. */
export class QueuePool {
  private readonly pending = new Map<string, Pending>();
  private readonly hash: string;
  private readonly paths: string[];
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private lostSince: number | null = null;
  private workers = 0;
  private checking = false;
  private connected = true;

  private constructor(
    private readonly init: WorkerInit,
    private readonly opts: QueuePoolOptions,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly monitor: Redis,
  ) {
    this.hash = scenarioHash(init.scenario);
    this.paths = init.vary.map((d) => d.path);
  }

  /** The URL without user or password, for messages. */
  get where(): string {
    return redactUrl(this.opts.redis);
  }

  /** Workers connected at the last count. */
  get workerCount(): number {
    return this.workers;
  }

  /** Connects (throws RedisUrlError naming --redis when Redis cannot be reached) and opens. */
  static async open(init: WorkerInit, opts: QueuePoolOptions): Promise<QueuePool> {
    await probeRedis(opts.redis);
    const connection = bullConnection(opts.redis);
    const queue = new Queue(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX });
    const events = new QueueEvents(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX });
    // connection errors are the monitor's to report; BullMQ would print them
    queue.on('error', () => {});
    events.on('error', () => {});
    const monitor = connectRedis(opts.redis, 'peakline-plan');
    monitor.on('error', () => {});
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const pool = new QueuePool(init, opts, queue, events, monitor);
    pool.start();
    await pool.countWorkers();
    pool.status();
    if (pool.workers === 0)
      pool.note(
        `no worker is connected to ${pool.where} yet: the points wait on the queue until one is (peakline worker --redis URL)`,
      );
    return pool;
  }

  private note(line: string) {
    this.opts.onNote?.(line);
  }

  private status() {
    this.opts.onStatus?.({
      workers: this.workers,
      connected: this.connected,
      pending: this.pending.size,
    });
  }

  private start() {
    this.events.on('completed', ({ jobId: id, returnvalue }) => {
      const p = this.pending.get(id);
      if (p && typeof returnvalue === 'string') this.settle(p, decodeReply(returnvalue));
    });
    this.events.on('failed', ({ jobId: id }) => {
      // a job that failed an attempt and will be retried is not given up yet: look it up
      const p = this.pending.get(id);
      // Redis away: the next tick looks again
      if (p) this.lookUp([p]).catch(() => {});
    });
    this.monitor.on('close', () => this.lost());
    this.monitor.on('ready', () => this.back());
    const every = this.opts.checkEveryMs ?? 2000;
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref?.();
  }

  private lost() {
    if (this.closed || this.lostSince !== null) return;
    this.lostSince = Date.now();
    this.connected = false;
    this.note(
      `lost Redis at ${this.where}; waiting for it (workers keep their jobs; up to ${Math.round((this.opts.lostAfterMs ?? 60_000) / 1000)} s)`,
    );
    this.status();
  }

  private back() {
    if (this.closed || this.lostSince === null) return;
    const s = (Date.now() - this.lostSince) / 1000;
    this.lostSince = null;
    this.connected = true;
    this.note(
      `Redis at ${this.where} is back after ${s.toFixed(1)} s; checking the jobs waited for`,
    );
    void this.tick(true);
  }

  private async tick(all = false) {
    if (this.closed) return;
    if (this.lostSince !== null) {
      const limit = this.opts.lostAfterMs ?? 60_000;
      if (Date.now() - this.lostSince > limit)
        void this.close(
          new RedisLost(
            `Redis at ${this.where} has been unreachable for ${Math.round(limit / 1000)} s; stopped without an answer (run again when Redis is back: results already made are kept)`,
          ),
        );
      return;
    }
    if (this.checking) return;
    this.checking = true;
    try {
      await this.countWorkers();
      const now = Date.now();
      const old = [...this.pending.values()].filter((p) => all || now - p.since > 1500);
      // the longest-waited first, a bounded number each time
      await this.lookUp(old.slice(0, 500));
    } catch {
      // Redis went away during the look-up: the monitor says so, the next tick tries again
    } finally {
      this.checking = false;
    }
    this.status();
  }

  private async countWorkers() {
    const before = this.workers;
    this.workers = await this.queue.getWorkersCount();
    if (this.workers === 0 && before !== 0 && this.pending.size > 0)
      this.note(
        `no worker is connected to ${this.where}: start one with peakline worker --redis URL`,
      );
  }

  /** Looks jobs up: settles the finished ones, adds the vanished ones again. */
  private async lookUp(list: Pending[]) {
    const jobs = await Promise.all(list.map((p) => Job.fromId(this.queue, p.id)));
    let gone = 0;
    await Promise.all(
      list.map(async (p, i) => {
        if (!this.pending.has(p.id)) return;
        const job = jobs[i];
        if (!job) {
          gone++;
          await this.add(p);
          return;
        }
        if (job.finishedOn && typeof job.returnvalue === 'string') {
          this.settle(p, decodeReply(job.returnvalue));
          return;
        }
        if (job.finishedOn && job.failedReason && (await job.getState()) === 'failed') {
          this.fail(p, new Error(`the job of this point failed on a worker: ${job.failedReason}`));
        }
      }),
    );
    if (gone > 0) {
      this.note(`${gone} job${gone === 1 ? ' was' : 's were'} gone from Redis; queued again`);
    }
  }

  private async add(p: Pending) {
    await this.queue.add('point', jobData(this.init.scenario, this.hash, this.paths, p.values), {
      jobId: p.id,
      attempts: ATTEMPTS,
      backoff: { type: 'fixed', delay: 500 },
      removeOnComplete: { age: KEEP_S },
      removeOnFail: { age: KEEP_S },
    });
  }

  private settle(p: Pending, reply: PointReply) {
    if (this.pending.get(p.id) !== p) return;
    this.pending.delete(p.id);
    for (const w of p.waiters) w.resolve(reply);
  }

  private fail(p: Pending, e: Error) {
    if (this.pending.get(p.id) !== p) return;
    this.pending.delete(p.id);
    for (const w of p.waiters) w.reject(e);
  }

  /** A point's reply (a scenario error is a reply, not a rejection). */
  reply(values: number[]): Promise<PointReply> {
    if (this.closed) return Promise.reject(new QueueClosed('the queue executor is closed'));
    const id = jobId(this.hash, this.paths, values);
    return new Promise<PointReply>((resolve, reject) => {
      const known = this.pending.get(id);
      if (known) {
        known.waiters.push({ resolve, reject });
        return;
      }
      const p: Pending = { id, values: [...values], since: Date.now(), waiters: [] };
      p.waiters.push({ resolve, reject });
      this.pending.set(id, p);
      void (async () => {
        try {
          await this.add(p);
          // it may have been there already: finished (its result is kept) or failed before
          const job = await Job.fromId(this.queue, id);
          if (!job || !this.pending.has(id)) return;
          if (job.finishedOn && typeof job.returnvalue === 'string')
            this.settle(p, decodeReply(job.returnvalue));
          else if (job.failedReason && (await job.getState()) === 'failed') await job.retry();
        } catch {
          // Redis away: the look-ups add it when it is back
        }
      })();
    });
  }

  /** Runs the scenario with `values` at the varied paths (in their order). */
  async run(values: number[]): Promise<SimResult> {
    return replyResult(await this.reply(values));
  }

  /** Stops waiting: points not finished are rejected (QueueClosed, or `reason`). Jobs stay. */
  async close(reason?: Error): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const err = reason ?? new QueueClosed('the queue executor was closed');
    const left = [...this.pending.keys()];
    for (const p of this.pending.values()) for (const w of p.waiters) w.reject(err);
    this.pending.clear();
    const within = (ms: number, work: Promise<unknown>) =>
      Promise.race([work, new Promise((r) => setTimeout(r, ms).unref())]);
    // stopped early (Ctrl+C): jobs nobody has started are taken off the queue (best effort)
    if (!reason && this.lostSince === null && left.length > 0)
      await within(2000, Promise.allSettled(left.map((id) => this.queue.remove(id))));
    this.monitor.disconnect();
    await within(3000, Promise.allSettled([this.events.close(), this.queue.close()]));
    if (this.lostSince !== null) await this.queue.disconnect().catch(() => {});
  }
}
