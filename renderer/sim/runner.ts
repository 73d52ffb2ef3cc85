// Drives the simulation Web Workers so the latest change wins. A request runs as independent
// replications on a pool of workers, one per core (navigator.hardwareConcurrency, at most 8):
// sim-core/merge.ts plans them — a stationary scenario's measured window cut into shorter runs
// with a warm-up each, anything else repeated whole with seeds of its own — and merges their
// results into one, with intervals from the batches or the runs. One worker: the plain run.
//
// Where the page is cross-origin isolated, the workers share an Int32 with the runner holding the
// id of the wanted run: a newer request or Cancel stops every stale run at its next poll, and the
// same warm workers take the next one (a worker that has not stopped a second later is replaced).
// Elsewhere a new request while a short run is in flight waits for it (its result is dropped) — a
// warm worker finishing a short run beats a cold one starting over; a run that goes on longer than
// expected (over `restartAfterMs` and twice the last run), or any run of a scenario that takes
// over a second, is stopped by terminating its worker and starting a fresh one. A worker that
// never says it started is replaced and the run reported failed. Results of anything but the
// latest request never reach the handlers.
//
// Runs of a stationary scenario whose replication is expected to take over `previewAboveMs` show
// a preview first: the first replication with the measured window cut to about `previewTargetMs`
// of work (at least a tenth of it), shown as provisional until the full result replaces it — on
// one worker before the run, on a pool on a worker of its own beside the replications. The
// expectation comes from the fastest of the last replications of the scenario (speed.ts).
import type { Scenario } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import { isStationary, mergeResults, planReplications } from '../../sim-core/merge';
import type { ReplicationPlan } from '../../sim-core/merge';
import type { AnalyticView } from './analytic';
import type { FromWorker } from './protocol';
import { Lane, type LaneJob, type SentJob, type WorkerLike } from './pool';
import { EngineSpeed } from './speed';

export type { WorkerLike };

export interface RunnerHandlers {
  onStart(): void;
  onProgress(fraction: number): void;
  /** A provisional result from a shorter run of the same scenario; the full one follows. */
  onPreview?(
    result: SimResult,
    analytic: AnalyticView | null,
    latencyMs: number,
    scenario: Scenario,
  ): void;
  /** `scenario` is the one this result is of (the request's). */
  onResult(
    result: SimResult,
    analytic: AnalyticView | null,
    latencyMs: number,
    scenario: Scenario,
  ): void;
  onError(message: string): void;
  onCancel(): void;
}

export interface RunnerOptions {
  restartAfterMs?: number;
  maxPoints?: number;
  /** A worker that has not said "started" by then is replaced and the run reported failed. */
  startTimeoutMs?: number;
  now?: () => number;
  /**
   * Shared Int32 for stopping stale runs (see the module comment); by default one is made when
   * the page is cross-origin isolated. `null`: none.
   */
  wanted?: Int32Array | null;
  /** Preview runs when the run is expected to take longer than this (ms); Infinity: never. */
  previewAboveMs?: number;
  /** Wall time a preview should take (ms). */
  previewTargetMs?: number;
  /** Workers in the pool (replications of a run); by default one per core, at most 8. */
  workers?: number;
  /** How long a stale run may take to notice the shared flag before its worker is replaced. */
  stopGraceMs?: number;
}

/** Most workers the pool starts, whatever the core count. */
export const MAX_WORKERS = 8;

function defaultWanted(): Int32Array | null {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer !== 'undefined' && g.crossOriginIsolated === true
    ? new Int32Array(new SharedArrayBuffer(4))
    : null;
}

/** One worker per core, at most MAX_WORKERS. */
export function defaultWorkers(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  return Math.max(1, Math.min(MAX_WORKERS, Math.floor(n ?? 1) || 1));
}

/** The request being served: its replications and what has come back of them. */
interface Batch {
  id: number;
  scenario: Scenario;
  plan: ReplicationPlan;
  requestedAt: number;
  results: (SimResult | null)[];
  progress: number[];
  analytic: AnalyticView | null;
}

/** Runs scenarios on a pool of workers, latest request wins (see the module comment). */
export class SimRunner {
  private readonly lanes: Lane[];
  /** With more than one worker, previews run on a worker of their own (see `run`). */
  private readonly previewLane: Lane | null;
  private gen = 0;
  private current: Batch | null = null;
  /** Wall time of the last replication that finished (ms), to judge waiting against restarting. */
  private lastRunMs = 0;
  /** How fast the engine ran the last replications (to judge whether to preview). */
  private readonly speed = new EngineSpeed();
  private readonly wanted: Int32Array | null;
  private readonly previewAboveMs: number;
  private readonly previewTargetMs: number;
  private readonly restartAfterMs: number;
  private readonly stopGraceMs: number;
  private readonly maxPoints: number;
  private readonly now: () => number;

  constructor(
    createWorker: () => WorkerLike,
    private readonly handlers: RunnerHandlers,
    opts: RunnerOptions = {},
  ) {
    this.restartAfterMs = opts.restartAfterMs ?? 150;
    this.stopGraceMs = opts.stopGraceMs ?? 1000;
    this.maxPoints = opts.maxPoints ?? 800;
    this.now = opts.now ?? (() => performance.now());
    this.wanted = opts.wanted === undefined ? defaultWanted() : opts.wanted;
    this.previewAboveMs = opts.previewAboveMs ?? 100;
    this.previewTargetMs = opts.previewTargetMs ?? 35;
    const size = Math.max(1, Math.floor(opts.workers ?? defaultWorkers()));
    const laneOpts = {
      startTimeoutMs: opts.startTimeoutMs ?? 15_000,
      now: this.now,
      wanted: this.wanted,
    };
    const events = {
      onMessage: (lane: Lane, job: SentJob, msg: FromWorker) => this.onMessage(job, msg),
      onFailed: (lane: Lane, job: SentJob, message: string) => this.onFailed(job, message),
    };
    this.previewLane = size > 1 ? new Lane(-1, createWorker, events, laneOpts) : null;
    this.lanes = Array.from(
      { length: size },
      (_, i) => new Lane(i, createWorker, events, laneOpts),
    );
  }

  /** Whether stale runs are stopped through shared memory (no worker restarts). */
  get sharesFlag(): boolean {
    return this.wanted !== null;
  }

  /** Workers in the pool: the most replications a run is split into. */
  get size(): number {
    return this.lanes.length;
  }

  private want(id: number): void {
    if (this.wanted) Atomics.store(this.wanted, 0, id);
  }

  /** Measured seconds of the preview to ask for before the run `s` (a replication), or 0. */
  previewFor(s: Scenario): number {
    if (!isStationary(s)) return 0;
    const total = s.warmup_s + s.duration_s;
    const expected = this.speed.expectedMs(s);
    if (!(expected > this.previewAboveMs)) return 0;
    const fit = (total * this.previewTargetMs) / expected - s.warmup_s;
    // at least a tenth of the run, to say something of it, but no more than a minute (a run said
    // yes to at duration_s 1e9 would otherwise preview for days)
    const p = Math.round(Math.max(fit, Math.min(s.duration_s / 10, 60)) * 10) / 10;
    return p > 0 && p <= s.duration_s / 2 ? p : 0;
  }

  /** Asks for a run of `scenario`; any earlier request's result will be dropped. */
  run(scenario: Scenario): void {
    this.gen += 1;
    const id = this.gen;
    this.want(id);
    this.handlers.onStart();
    const plan = planReplications(scenario, this.lanes.length);
    const k = plan.runs.length;
    this.current = {
      id,
      scenario,
      plan,
      requestedAt: this.now(),
      results: plan.runs.map(() => null),
      progress: plan.runs.map(() => 0),
      analytic: null,
    };
    const previewS = this.previewFor(plan.runs[0]);
    // a stitched series should not be wider than one run's
    const maxPoints = plan.mode === 'split' ? Math.ceil(this.maxPoints / k) : this.maxPoints;
    // The preview: the first run with its measured window cut short. On one worker it goes before
    // that run; on a pool it goes to a worker of its own beside the runs, so that it holds up the
    // full result by its share of the cores only, not by its whole length.
    const own = this.previewLane !== null && previewS > 0;
    if (this.previewLane) {
      if (own)
        this.submit(this.previewLane, {
          part: -1,
          msg: {
            type: 'run',
            id,
            scenario: { ...plan.runs[0], duration_s: previewS },
            maxPoints: this.maxPoints,
          },
        });
      else this.previewLane.drop();
    }
    plan.runs.forEach((run, part) =>
      this.submit(this.lanes[part], {
        part,
        msg: {
          type: 'run',
          id,
          scenario: run,
          maxPoints,
          previewS: part === 0 && !own ? previewS : 0,
          ...(k > 1 ? { parts: true } : {}),
          ...(part > 0 ? { analytic: false } : {}),
        },
      }),
    );
    // lanes this request does not use: their stale runs stop on the shared flag, or are left
    for (const lane of this.lanes.slice(k)) lane.drop();
  }

  /** Gives `job` to `lane`: at once when it is free, else after (or instead of) its stale run. */
  private submit(lane: Lane, job: LaneJob): void {
    if (!lane.job) {
      lane.send(job);
      return;
    }
    if (this.wanted) {
      // the stale run stops at its next poll and the worker reports it; then this one goes
      lane.queue(job, this.stopGraceMs);
      return;
    }
    const busyFor = this.now() - lane.job.startedAt;
    const limit = this.lastRunMs > 1000 ? 0 : Math.max(this.restartAfterMs, 2 * this.lastRunMs);
    if (busyFor >= limit) {
      lane.restart();
      lane.send(job);
      return;
    }
    lane.queue(job, limit - busyFor);
  }

  /** Stops whatever runs and forgets what waits. */
  cancel(): void {
    this.gen += 1;
    this.want(this.gen);
    this.current = null;
    for (const lane of this.all()) {
      lane.drop();
      if (lane.busy && !this.wanted) lane.restart();
    }
    this.handlers.onCancel();
  }

  /** Terminates the workers for good. */
  dispose(): void {
    this.gen += 1;
    this.current = null;
    for (const lane of this.all()) lane.dispose();
  }

  /** Whether a run is in flight (for tests and the UI). */
  get busy(): boolean {
    return this.all().some((l) => l.busy);
  }

  /** Every lane: the runs' and the preview's. */
  private all(): Lane[] {
    return this.previewLane ? [...this.lanes, this.previewLane] : this.lanes;
  }

  /** Workers made so far by each lane (for tests: replacements show here). */
  get workersMade(): number[] {
    return this.lanes.map((l) => l.made);
  }

  /** The batch `id` belongs to, when it is the latest request's and still being served. */
  private latest(id: number): Batch | null {
    const b = this.current;
    return b && b.id === id && id === this.gen ? b : null;
  }

  private onFailed(job: SentJob, message: string): void {
    // a preview that fails says nothing the runs will not say
    if (job.part < 0 || !this.latest(job.msg.id)) return;
    this.current = null;
    this.handlers.onError(message);
  }

  private onMessage(job: SentJob, msg: FromWorker): void {
    const b = this.latest(msg.id);
    if (job.part < 0) {
      // the preview's own worker: its result is the preview (dropped once the full one is in)
      if (msg.type === 'result' && b)
        this.handlers.onPreview?.(msg.result, msg.analytic, this.now() - b.requestedAt, b.scenario);
      return;
    }
    switch (msg.type) {
      case 'started':
        return;
      case 'progress':
        if (b) {
          b.progress[job.part] = msg.fraction;
          this.handlers.onProgress(b.progress.reduce((a, x) => a + x, 0) / b.progress.length);
        }
        return;
      case 'preview':
        if (b)
          this.handlers.onPreview?.(
            msg.result,
            msg.analytic,
            this.now() - b.requestedAt,
            b.scenario,
          );
        return;
      case 'cancelled':
        if (b) {
          this.current = null;
          this.handlers.onCancel();
        }
        return;
      case 'error':
        this.lastRunMs = this.now() - job.startedAt;
        if (b) {
          this.current = null;
          this.handlers.onError(msg.message);
        }
        return;
      case 'result':
        this.lastRunMs = this.now() - job.startedAt;
        this.speed.learn(job.msg.scenario, msg.result.wall_ms, msg.result.offered_rps);
        if (!b) return;
        b.results[job.part] = msg.result;
        if (job.part === 0) b.analytic = msg.analytic;
        if (b.results.every((r) => r !== null)) this.finish(b);
        return;
    }
  }

  /** Every replication is in: one result for the handlers. */
  private finish(b: Batch): void {
    this.current = null;
    const rs = b.results as SimResult[];
    let result = rs[0];
    if (rs.length > 1) {
      result = mergeResults(b.scenario, b.plan, rs);
      // the raw figures served the merge; the store keeps (and exports) the summary
      delete result.parts;
    }
    this.handlers.onResult(result, b.analytic, this.now() - b.requestedAt, b.scenario);
  }
}
