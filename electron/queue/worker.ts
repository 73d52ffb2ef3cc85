// `peakline worker --redis URL [--concurrency N]`: runs the points of `plan --redis` and
// `sweep --redis` from the BullMQ queue, N at a time on the sweep's worker threads (the main
// thread only talks to Redis, so it keeps renewing the locks of the jobs it runs however long a
// simulation takes). A line when it starts, a progress line every few seconds while it works,
// `--verbose` a line per job. SIGINT/SIGTERM: it takes no new job, finishes the ones it runs and
// stops; a second signal stops at once and leaves those jobs to the other workers (BullMQ's
// stalled check puts them back on the queue within seconds).
import { availableParallelism, hostname } from 'node:os';
import type { Worker as Thread } from 'node:worker_threads';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import { redactUrl } from '../live/source';
import type { PointReply, PointRequest, WorkerInit } from '../sweep/point';
import { startSweepWorker } from '../sweep/threads';
import { packageVersion } from '../version';
import { CliError, parseCommand, wholeNumberText } from '../cli/util';
import {
  encodeReply,
  JobDataSchema,
  LOCK_MS,
  MAX_STALLED,
  probeRedis,
  QUEUE_NAME,
  QUEUE_PREFIX,
  RedisUrlError,
  bullConnection,
  connectRedis,
  STALLED_INTERVAL_MS,
} from './protocol';

const err = (text: string) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

/** A simulation thread and the scenario it has. */
interface Slot {
  thread: Thread;
  key: string | null;
}

/** N sweep threads that take a scenario with a point when it is not the one they have. */
class Threads {
  private readonly idle: Slot[] = [];
  private readonly all = new Set<Thread>();
  private closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.idle.push(this.spawn());
  }

  private spawn(): Slot {
    const thread = startSweepWorker({ scenario: null, vary: [] });
    this.all.add(thread);
    thread.once('exit', () => this.all.delete(thread));
    return { thread, key: null };
  }

  /** Runs one point on an idle thread (BullMQ's concurrency is the thread count). */
  run(key: string, init: WorkerInit, values: number[]): Promise<PointReply> {
    const slot = this.idle.pop() ?? this.spawn();
    const req: PointRequest & { init?: WorkerInit } = { index: 0, values };
    if (slot.key !== key) req.init = init;
    slot.key = key;
    return new Promise<PointReply>((resolve, reject) => {
      const t = slot.thread;
      const done = () => {
        t.off('message', onMessage);
        t.off('error', onError);
        t.off('exit', onExit);
      };
      const onMessage = (rep: PointReply) => {
        done();
        this.idle.push(slot);
        resolve(rep);
      };
      const lost = (why: string) => {
        done();
        // a crashed thread is replaced; the job fails this attempt and is tried again
        if (!this.closed) this.idle.push(this.spawn());
        reject(new Error(why));
      };
      const onError = (e: Error) => lost(`simulation thread failed: ${e.message}`);
      const onExit = (code: number) => lost(`simulation thread stopped (exit code ${code})`);
      t.on('message', onMessage);
      t.on('error', onError);
      t.on('exit', onExit);
      t.postMessage(req);
    });
  }

  async close() {
    this.closed = true;
    await Promise.all([...this.all].map((t) => t.terminate()));
  }
}

/** `peakline worker --redis URL [--concurrency N] [--verbose]`. */
export async function workerCommand(argv: string[]): Promise<number> {
  const o = parseCommand(
    'worker',
    argv,
    {
      redis: { type: 'string' },
      concurrency: { type: 'string' },
      verbose: { type: 'boolean' },
    },
    z.object({
      _: z.array(z.string()).max(0, { error: 'worker takes no FILE (jobs carry their scenario)' }),
      redis: z.string({ error: 'give --redis URL, e.g. --redis redis://127.0.0.1:6379' }),
      concurrency: wholeNumberText()
        .refine((n) => n >= 1 && n <= 256, { error: 'must be 1 to 256' })
        .optional(),
      verbose: z.boolean().optional(),
    }),
  );
  const concurrency = o.concurrency ?? availableParallelism();
  try {
    await probeRedis(o.redis);
  } catch (e) {
    if (e instanceof RedisUrlError) throw new CliError(`peakline worker: ${e.message}`, 2);
    throw e;
  }
  const where = redactUrl(o.redis);
  const version = packageVersion();
  const threads = new Threads(concurrency);
  const name = `${hostname()}:${process.pid}`;
  let done = 0;
  let failed = 0;
  let running = 0;

  let stopping = 0;
  const processor = async (job: Job): Promise<string> => {
    const parsed = JobDataSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(
        `not a peakline point: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`,
      );
    const d = parsed.data;
    if (d.version !== version)
      throw new UnrecoverableError(
        `the job is from peakline ${d.version}; this worker (${name}) runs ${version}: results would differ`,
      );
    running++;
    const started = performance.now();
    if (o.verbose) err(`worker: job ${job.id} started (attempt ${job.attemptsStarted})`);
    try {
      const reply = await threads.run(
        `${d.scenario_hash}\n${d.paths.join('\n')}`,
        { scenario: d.scenario, vary: d.paths.map((path) => ({ path, values: [] })) },
        d.values,
      );
      done++;
      if (o.verbose)
        err(`worker: job ${job.id} done in ${Math.round(performance.now() - started)} ms`);
      return encodeReply(reply);
    } catch (e) {
      failed++;
      if (o.verbose) err(`worker: job ${job.id} failed: ${(e as Error).message}`);
      throw e;
    } finally {
      running--;
    }
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: bullConnection(o.redis),
    prefix: QUEUE_PREFIX,
    concurrency,
    name,
    lockDuration: LOCK_MS,
    stalledInterval: STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED,
    autorun: false,
  });
  // a connection of its own tells when Redis goes and comes back (BullMQ reconnects by itself)
  let lostSince: number | null = null;
  const monitor = connectRedis(o.redis, 'peakline-worker-monitor');
  monitor.on('error', () => {});
  monitor.on('close', () => {
    if (lostSince !== null || stopping) return;
    lostSince = Date.now();
    err(`worker: lost Redis at ${where}; reconnecting (running jobs go on)`);
  });
  monitor.on('ready', () => {
    if (lostSince === null) return;
    err(
      `worker: Redis at ${where} is back after ${((Date.now() - lostSince) / 1000).toFixed(1)} s`,
    );
    lostSince = null;
  });
  let lastError = '';
  worker.on('error', (e) => {
    // connection errors while Redis is away are the monitor's to tell, once
    if (lostSince !== null || /ECONNREFUSED|ECONNRESET|Connection is closed/.test(e.message))
      return;
    if (e.message !== lastError) err(`worker: ${e.message}`);
    lastError = e.message;
  });
  await worker.waitUntilReady();
  err(
    `peakline worker ${version} (${name}): ${concurrency} simulation thread${concurrency === 1 ? '' : 's'}, taking jobs from ${where} (queue ${QUEUE_PREFIX}:${QUEUE_NAME}); Ctrl+C to stop`,
  );

  let lastDone = 0;
  let lastAt = performance.now();
  const progress = setInterval(() => {
    const now = performance.now();
    if (done === lastDone && running === 0) return;
    const rate = ((done - lastDone) * 1000) / (now - lastAt);
    err(
      `worker: ${done} job${done === 1 ? '' : 's'} done (${rate.toFixed(1)}/s), ${running} running${failed ? `, ${failed} failed` : ''}`,
    );
    lastDone = done;
    lastAt = now;
  }, 5000);

  const stopped = new Promise<number>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      stopping++;
      if (stopping === 1) {
        err(
          `worker: ${sig}: taking no new jobs${running ? `, finishing ${running} running` : ''} (again to stop at once)`,
        );
        void worker.close().then(() => resolve(0));
      } else {
        err(`worker: stopping now; ${running} unfinished job(s) go back to the queue for others`);
        void worker.close(true).finally(() => resolve(130));
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  void worker.run().catch((e: Error) => err(`worker: ${e.message}`));
  const code = await stopped;
  clearInterval(progress);
  await threads.close();
  monitor.disconnect();
  err(
    `worker: stopped after ${done} job${done === 1 ? '' : 's'}${failed ? ` (${failed} failed)` : ''}`,
  );
  return code;
}
