// The capacity plan run on points somewhere: this machine's worker threads, or `peakline worker`
// processes through the BullMQ queue at a Redis URL. The CLI's `plan` and the console's Plan view
// both call runPlanOn; the search and statistics are sim-core's (runPlan), which does not know
// where the replications run.
import {
  runPlan,
  type PlanInput,
  type PlanProgress,
  type PlanReport,
} from '../../sim-core/plan/index';
import { openExecutor, type QueueStatus } from './executor';

export interface PlanRunOptions {
  /** Run on the BullMQ queue at this Redis URL (`peakline worker` processes run the points). */
  redis?: string;
  /** Local worker threads (default one per core; 0: this thread); ignored with `redis`. */
  threads?: number;
  /** Aborting stops the plan: the report is the best so far, marked partial. */
  signal?: AbortSignal;
  onProgress?: (p: PlanProgress) => void;
  /** A line of news: a clause not monotone in a field; Redis lost or back. */
  onNote?: (line: string) => void;
  /** With `redis`: the workers connected and whether Redis answers, every couple of seconds. */
  onStatus?: (s: QueueStatus) => void;
  /** With `redis`: give up after Redis has been away this long (default 60 s). */
  lostAfterMs?: number;
}

export interface PlanRun {
  report: PlanReport;
  wall_ms: number;
  /** Local threads, or null on the queue. */
  threads: number | null;
  /** The queue's Redis URL (without password), or null. */
  redis: string | null;
  /** Workers connected at the end (queue only), or null. */
  workers: number | null;
}

/**
 * Plans `input` on `scenario` (the scenario as written: the varied values and each replication's
 * seed are set on it point by point). Throws a RedisUrlError (naming --redis) when Redis cannot be
 * reached at the start, and an Error when it stays away past `lostAfterMs` during the plan.
 */
export async function runPlanOn(
  scenario: unknown,
  input: PlanInput,
  opts: PlanRunOptions = {},
): Promise<PlanRun> {
  const started = performance.now();
  const ex = await openExecutor(
    {
      scenario,
      vary: [
        ...input.dims.map((d) => ({ path: d.path, values: [] })),
        { path: 'seed', values: [] },
      ],
    },
    {
      threads: opts.threads,
      redis: opts.redis,
      onStatus: opts.onStatus,
      onNote: opts.onNote,
      lostAfterMs: opts.lostAfterMs,
    },
  );
  const signal = opts.signal;
  const onAbort = () => void ex.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const report = await runPlan(input, (values, seed) => ex.run([...values, seed]), {
      signal: {
        get aborted() {
          return signal?.aborted ?? false;
        },
      },
      onProgress: opts.onProgress,
      onNote: opts.onNote,
    });
    return {
      report,
      wall_ms: Math.round(performance.now() - started),
      threads: ex.threads,
      redis: ex.redis,
      workers: ex.workers,
    };
  } catch (e) {
    // Redis gone for good is the plan's failure, not the point's that happened to be waiting
    const cause = e instanceof Error ? e.cause : undefined;
    if (cause instanceof Error && cause.name === 'RedisLost') throw cause;
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await ex.close();
  }
}
