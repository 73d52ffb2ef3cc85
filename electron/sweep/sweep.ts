// Parameter sweeps: runs one simulation per combination of the varied values on worker threads
// across all cores, and picks the cheapest configuration meeting an SLO. Each point's result
// depends only on the scenario, its values and the scenario's seed (every point uses the same
// seed: common random numbers), so results are identical whatever the thread count. Cancellable.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { SimResult } from '../../sim-core/result';
import { validateScenario } from '../../sim-core/validate';
import { formatPath, parsePath, setPath } from '../../sim-core/validate/paths';
import {
  formatSlo,
  gridPoints,
  meetsSlo,
  parseSlo,
  MAX_SWEEP_POINTS,
  type SloClause,
  type VaryDim,
} from './spec';
import { clauseMargin, holds, metricValue } from '../../sim-core/plan/slo';
import { openExecutor, type QueueStatus } from './executor';
import { runPoint, type PointReply, type PointRequest, type WorkerInit } from './point';
import { startSweepWorker } from './threads';

export { startSweepWorker } from './threads';

export type { SloClause, VaryDim } from './spec';
export { formatSlo, parseSlo, parseVary, meetsSlo } from './spec';

/** A sweep that cannot start: a bad dimension, SLO or point (the message names which). */
export class SweepInputError extends Error {
  override name = 'SweepInputError';
}

function sloFromText(text: string): SloClause[] {
  try {
    return parseSlo(text);
  } catch (e) {
    throw new SweepInputError((e as Error).message, { cause: e });
  }
}

/** Options of one sweep. */
export interface SweepOptions {
  /** SLO clauses, or text such as `p99<=200,error_rate<=0.01`. */
  slo?: SloClause[] | string;
  /** Called after each point with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting stops the sweep; the result then has `cancelled: true` and the points done so far. */
  signal?: AbortSignal;
  /** Worker threads (default: all cores, at most one per point); 0 runs in this thread. */
  threads?: number;
  /**
   * Cost of a configuration = Σ weight(path) × value over the varied paths (weight 1 unless given
   * here). The cheapest point meeting the SLO is reported; ties go to the lower P99.
   */
  weights?: Record<string, number>;
  /** Keep each point's full SimResult in `result` (default true). */
  keepResults?: boolean;
  /**
   * Run the points on the BullMQ queue at this Redis URL (`peakline worker` processes run them)
   * instead of local threads; `threads` is then ignored.
   */
  redis?: string;
  /** With `redis`: the workers connected and whether Redis answers, every couple of seconds. */
  onStatus?: (s: QueueStatus) => void;
  /** With `redis`: a line of news (Redis lost or back, jobs queued again). */
  onNote?: (line: string) => void;
  /**
   * Add each point's standing against the SLO (`slo_clauses`: value, margin, met) and the P99's
   * 95 % interval (`p99_ci95`) — what the console's heatmap colours and shows on hover.
   */
  sloDetail?: boolean;
}

/** A point's standing against one SLO clause. */
export interface SweepClauseStanding {
  clause: string;
  /** The metric at this point (null when it is not a finite number: nothing was ok). */
  value: number | null;
  /** Share of the threshold inside (> 0) or outside (< 0) it; null when not a number. */
  margin: number | null;
  met: boolean;
}

/** One configuration of a sweep and what it gave. */
export interface SweepPoint {
  /** Position in the grid (first dimension outermost). */
  index: number;
  /** The varied values, by path. */
  values: Record<string, number>;
  throughput_rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  mean_ms: number;
  error_rate: number;
  /** Async task delay P99 (ms), or null without an async section. */
  task_delay_p99_ms: number | null;
  /** Station that saturates first, as the simulator names it. */
  saturated: string | null;
  /** Whether the point meets the SLO (null without an SLO). */
  meets_slo: boolean | null;
  /** Σ weight × value over the varied paths. */
  cost: number;
  /** Set when this configuration could not be simulated. */
  error?: string;
  result?: SimResult;
  /** With `sloDetail`: each clause's value and margin at this point. */
  slo_clauses?: SweepClauseStanding[];
  /** With `sloDetail`: the batch-means 95 % interval of P99 (half width, ms). */
  p99_ci95?: number;
}

/** What a sweep found. */
export interface SweepResult {
  vary: VaryDim[];
  slo: string | null;
  points: SweepPoint[];
  /** The cheapest point meeting the SLO, or null (no SLO, or none meets it). */
  best: SweepPoint | null;
  cancelled: boolean;
  threads: number;
  /** With --redis: the queue's Redis (without password) and the workers connected at the end. */
  redis?: string;
  workers?: number;
  wall_ms: number;
}

/** Turns a `{path, from, to, step}` range (the API contract's form) into a dimension. */
export function varyFromRange(v: {
  path: string;
  from: number;
  to: number;
  step?: number;
}): VaryDim {
  const step = v.step ?? 1;
  if (!(step > 0)) throw new Error(`${v.path}: step must be > 0`);
  if (v.to < v.from) throw new Error(`${v.path}: to must be >= from`);
  const n = Math.floor((v.to - v.from) / step + 1e-9) + 1;
  if (n > MAX_SWEEP_POINTS) throw new Error(`${v.path}: ${n} values is too many`);
  return {
    path: v.path,
    values: Array.from({ length: n }, (_, i) => Number((v.from + i * step).toPrecision(12))),
  };
}

function summarise(
  index: number,
  dims: readonly VaryDim[],
  vals: readonly number[],
  reply: PointReply,
  slo: SloClause[] | null,
  weights: Record<string, number>,
  keep: boolean,
  detail = false,
): SweepPoint {
  const values: Record<string, number> = {};
  let cost = 0;
  dims.forEach((d, i) => {
    values[d.path] = vals[i];
    cost += (weights[d.path] ?? 1) * vals[i];
  });
  cost = Number(cost.toPrecision(12));
  if (!reply.ok) {
    return {
      index,
      values,
      throughput_rps: 0,
      p50_ms: 0,
      p90_ms: 0,
      p99_ms: 0,
      p999_ms: 0,
      mean_ms: 0,
      error_rate: 1,
      task_delay_p99_ms: null,
      saturated: null,
      meets_slo: slo ? false : null,
      cost,
      error: reply.error,
    };
  }
  const r = reply.result;
  return {
    index,
    values,
    throughput_rps: r.throughput_rps,
    p50_ms: r.latency_ms.p50,
    p90_ms: r.latency_ms.p90,
    p99_ms: r.latency_ms.p99,
    p999_ms: r.latency_ms.p999,
    mean_ms: r.latency_ms.mean,
    error_rate: r.error_rate,
    task_delay_p99_ms: r.async ? r.async.task_delay_ms.p99 : null,
    saturated: r.saturated,
    meets_slo: slo ? meetsSlo(r, slo) : null,
    cost,
    ...(keep ? { result: r } : {}),
    ...(detail
      ? {
          slo_clauses: (slo ?? []).map((c) => {
            const v = metricValue(r, c);
            const m = clauseMargin(c, v);
            return {
              clause: formatSlo([c]),
              value: Number.isFinite(v) ? v : null,
              margin: Number.isFinite(m) ? m : Number.isNaN(m) ? null : m > 0 ? 1e9 : -1e9,
              met: holds(c, v),
            };
          }),
          p99_ci95: r.ci95.latency_p99_ms.half_width,
        }
      : {}),
  };
}

/** The cheapest point meeting the SLO (ties: lower P99, then grid order), or null. */
export function cheapest(points: readonly SweepPoint[]): SweepPoint | null {
  let best: SweepPoint | null = null;
  for (const p of points) {
    if (p.meets_slo !== true) continue;
    if (
      !best ||
      p.cost < best.cost ||
      (p.cost === best.cost &&
        (p.p99_ms < best.p99_ms || (p.p99_ms === best.p99_ms && p.index < best.index)))
    )
      best = p;
  }
  return best;
}

/**
 * Runs `scenario` once for every combination of `vary` values (one or two dimensions) on worker
 * threads and reports each point, and the cheapest meeting `opts.slo`. Throws before starting when
 * a dimension or a point is invalid (the message names the point and the field).
 */
export async function runSweep(
  scenario: unknown,
  vary: VaryDim[],
  opts: SweepOptions = {},
): Promise<SweepResult> {
  const started = performance.now();
  if (vary.length < 1 || vary.length > 2)
    throw new SweepInputError(`a sweep varies one or two paths (got ${vary.length})`);
  const seenPaths = new Set<string>();
  for (const d of vary) {
    const norm = formatPath(parsePath(d.path));
    if (seenPaths.has(norm)) throw new SweepInputError(`${d.path} is varied twice`);
    seenPaths.add(norm);
    if (d.values.length === 0) throw new SweepInputError(`${d.path}: no values to sweep`);
  }
  const slo =
    opts.slo === undefined ? null : typeof opts.slo === 'string' ? sloFromText(opts.slo) : opts.slo;
  const grid = gridPoints(vary);
  if (grid.length > MAX_SWEEP_POINTS)
    throw new SweepInputError(`${grid.length} points is too many (at most ${MAX_SWEEP_POINTS})`);

  // Check every point before spending any time on simulation.
  for (const vals of grid) {
    let obj: unknown = scenario;
    vary.forEach((d, i) => (obj = setPath(obj, d.path, vals[i])));
    const v = validateScenario(obj);
    if (!v.ok) {
      const at = vary.map((d, i) => `${d.path}=${vals[i]}`).join(', ');
      const p = v.problems[0];
      throw new SweepInputError(
        `sweep point ${at} is not a valid scenario: ${p.path ? `${p.path}: ` : ''}${p.message}`,
      );
    }
  }

  const weights = opts.weights ?? {};
  const keep = opts.keepResults ?? true;
  const total = grid.length;
  const replies: (PointReply | undefined)[] = new Array(total);
  let done = 0;
  const signal = opts.signal;
  const init: WorkerInit = { scenario, vary };
  const wantThreads = opts.threads ?? availableParallelism();
  const threads = Math.max(0, Math.min(wantThreads, total));

  const finish = (cancelled: boolean): SweepResult => {
    const points: SweepPoint[] = [];
    replies.forEach((rep, i) => {
      if (rep) points.push(summarise(i, vary, grid[i], rep, slo, weights, keep, opts.sloDetail));
    });
    return {
      vary: vary.map((d) => ({ path: d.path, values: [...d.values] })),
      slo: slo ? formatSlo(slo) : null,
      points,
      best: cheapest(points),
      cancelled,
      threads,
      wall_ms: Math.round((performance.now() - started) * 10) / 10,
    };
  };

  if (signal?.aborted) return finish(true);

  if (opts.redis !== undefined) {
    const ex = await openExecutor(init, {
      redis: opts.redis,
      onStatus: opts.onStatus,
      onNote: opts.onNote,
    });
    const onAbort = () => void ex.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // a bounded number of points on the queue at once, so Ctrl+C leaves little behind
      let next = 0;
      const lane = async () => {
        while (next < total && !signal?.aborted) {
          const i = next++;
          const rep = await ex.reply(grid[i]);
          replies[i] = { ...rep, index: i };
          done++;
          opts.onProgress?.(done, total);
        }
      };
      await Promise.all(Array.from({ length: Math.min(total, 256) }, lane)).catch((e: unknown) => {
        if (!signal?.aborted) throw e;
      });
      const r = finish(signal?.aborted ?? false);
      return { ...r, threads: 0, redis: ex.redis!, workers: ex.workers ?? 0 };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await ex.close();
    }
  }

  if (threads === 0) {
    for (let i = 0; i < total; i++) {
      if (signal?.aborted) return finish(true);
      replies[i] = runPoint(init, { index: i, values: grid[i] });
      done++;
      opts.onProgress?.(done, total);
      // Let an abort (or other events) in between points.
      await new Promise<void>((r) => setImmediate(r));
    }
    return finish(signal?.aborted ?? false);
  }

  return new Promise<SweepResult>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let settled = false;
    const stopAll = () => {
      for (const w of workers) void w.terminate();
    };
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      stopAll();
      fn();
    };
    const onAbort = () => settle(() => resolve(finish(true)));
    signal?.addEventListener('abort', onAbort, { once: true });

    const feed = (w: Worker) => {
      if (next >= total) return false;
      const req: PointRequest = { index: next, values: grid[next] };
      next++;
      w.postMessage(req);
      return true;
    };
    for (let t = 0; t < threads; t++) {
      const w = startSweepWorker(init);
      workers.push(w);
      w.on('message', (rep: PointReply) => {
        if (settled) return;
        replies[rep.index] = rep;
        done++;
        opts.onProgress?.(done, total);
        if (done === total) settle(() => resolve(finish(false)));
        else feed(w);
      });
      w.on('error', (err) =>
        settle(() => reject(new Error(`sweep worker failed: ${err.message}`))),
      );
      w.on('exit', (code) => {
        if (!settled && code !== 0)
          settle(() => reject(new Error(`sweep worker stopped with exit code ${code}`)));
      });
      feed(w);
    }
  });
}
