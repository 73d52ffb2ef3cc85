// Drives the simulation Web Worker so the latest change wins. Where the page is cross-origin
// isolated, the worker shares an Int32 with the runner holding the id of the wanted run: a newer
// request or Cancel stops the stale run at its next poll, and the same warm worker takes the next
// one. Elsewhere a new request while a short run is in flight waits for it (its result is
// dropped) — a warm worker finishing a short run beats a cold one starting over; a run that goes
// on longer than expected (over `restartAfterMs` and twice the last run), or any run of a
// scenario that takes over a second, is stopped by terminating the worker and starting a fresh
// one. Results of anything but the latest request never reach the handlers.
//
// Runs of a stationary scenario (closed loop or constant rate, no faults) expected to take over
// `previewAboveMs` ask the worker for a preview first: the same scenario with the measured window
// cut to about `previewTargetMs` of work (at least a tenth of it), shown as provisional until the
// full result replaces it. The expectation comes from the last full run: its engine time per
// simulated request for an open load (rate × simulated seconds), its time per simulated second
// for a closed loop (a slider step keeps the load about the same).
import type { Scenario } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import type { AnalyticView } from './analytic';
import type { FromWorker, ToWorker } from './protocol';

/** The part of a Web Worker the runner uses. */
export interface WorkerLike {
  postMessage(message: ToWorker): void;
  terminate(): void;
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
}

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
}

/** How long a stale run may take to notice the shared flag before its worker is replaced. */
const STOP_GRACE_MS = 1000;

/** Whether a cut-short run says something about the whole: the load does not change over time. */
function stationary(s: Scenario): boolean {
  return (
    (s.workload.type === 'closed' || typeof s.workload.rate_rps === 'number') &&
    s.gateway.faults.length === 0
  );
}

function defaultWanted(): Int32Array | null {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer !== 'undefined' && g.crossOriginIsolated === true
    ? new Int32Array(new SharedArrayBuffer(4))
    : null;
}

interface Req {
  id: number;
  scenario: Scenario;
  requestedAt: number;
}

/** Runs scenarios in a worker, latest request wins (see the module comment). */
export class SimRunner {
  private worker: WorkerLike | null = null;
  private gen = 0;
  private current: (Req & { startedAt: number }) | null = null;
  private pending: Req | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private startTimer: ReturnType<typeof setTimeout> | null = null;
  /** Wall time of the last run that finished (ms), to judge whether waiting beats restarting. */
  private lastRunMs = 0;
  /** Engine time of one simulated second of the last full result. */
  private msPerSimS = 0;
  /** Engine ms per simulated request of the last full result (until then, about Chromium's). */
  private msPerRequest = 0.0015;
  private readonly wanted: Int32Array | null;
  private readonly previewAboveMs: number;
  private readonly previewTargetMs: number;
  private readonly restartAfterMs: number;
  private readonly startTimeoutMs: number;
  private readonly maxPoints: number;
  private readonly now: () => number;

  constructor(
    private readonly createWorker: () => WorkerLike,
    private readonly handlers: RunnerHandlers,
    opts: RunnerOptions = {},
  ) {
    this.restartAfterMs = opts.restartAfterMs ?? 150;
    this.maxPoints = opts.maxPoints ?? 800;
    this.startTimeoutMs = opts.startTimeoutMs ?? 15_000;
    this.now = opts.now ?? (() => performance.now());
    this.wanted = opts.wanted === undefined ? defaultWanted() : opts.wanted;
    this.previewAboveMs = opts.previewAboveMs ?? 60;
    this.previewTargetMs = opts.previewTargetMs ?? 35;
  }

  /** Whether stale runs are stopped through shared memory (no worker restarts). */
  get sharesFlag(): boolean {
    return this.wanted !== null;
  }

  /** Remembers how fast the engine ran this scenario, to judge the next run. */
  private learn(r: SimResult, s: Scenario): void {
    const total = s.warmup_s + s.duration_s;
    this.msPerSimS = total > 0 ? r.wall_ms / total : 0;
    const requests = r.offered_rps * total;
    if (requests >= 1000) this.msPerRequest = r.wall_ms / requests;
  }

  private want(id: number): void {
    if (this.wanted) Atomics.store(this.wanted, 0, id);
  }

  /** Measured seconds of the preview to ask for, or 0 for none. */
  previewFor(s: Scenario): number {
    if (!stationary(s)) return 0;
    const total = s.warmup_s + s.duration_s;
    const w = s.workload;
    const expected =
      w.type === 'open' && typeof w.rate_rps === 'number'
        ? w.rate_rps * total * this.msPerRequest
        : this.msPerSimS * total;
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
    const req: Req = { id: this.gen, scenario, requestedAt: this.now() };
    this.want(req.id);
    this.handlers.onStart();
    if (!this.current) {
      this.send(req);
      return;
    }
    if (this.wanted) {
      // the stale run stops at its next poll and the worker reports it; then this one goes
      this.pending = req;
      this.clearTimer();
      this.timer = setTimeout(() => this.preempt(), STOP_GRACE_MS);
      return;
    }
    const busyFor = this.now() - this.current.startedAt;
    const limit = this.lastRunMs > 1000 ? 0 : Math.max(this.restartAfterMs, 2 * this.lastRunMs);
    if (busyFor >= limit) {
      this.restart();
      this.send(req);
      return;
    }
    this.pending = req;
    this.clearTimer();
    this.timer = setTimeout(() => this.preempt(), limit - busyFor);
  }

  /** Stops whatever runs and forgets what waits. */
  cancel(): void {
    this.gen += 1;
    this.want(this.gen);
    this.pending = null;
    this.clearTimer();
    if (this.current && !this.wanted) this.restart();
    this.handlers.onCancel();
  }

  /** Terminates the worker for good. */
  dispose(): void {
    this.gen += 1;
    this.clearStartTimer();
    this.pending = null;
    this.clearTimer();
    this.worker?.terminate();
    this.worker = null;
    this.current = null;
  }

  /** Whether a run is in flight (for tests and the UI). */
  get busy(): boolean {
    return this.current !== null;
  }

  private preempt(): void {
    this.timer = null;
    if (!this.pending || !this.current) return;
    const req = this.pending;
    this.pending = null;
    this.restart();
    this.send(req);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private restart(): void {
    this.clearStartTimer();
    this.worker?.terminate();
    this.worker = null;
    this.current = null;
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const w = this.createWorker();
    if (this.wanted)
      w.postMessage({ type: 'init', wanted: this.wanted.buffer as SharedArrayBuffer });
    w.onmessage = (ev) => this.onMessage(w, ev.data);
    w.onerror = (ev) => {
      if (w !== this.worker) return;
      ev.preventDefault?.();
      this.restart();
      this.handlers.onError(ev.message || 'the simulation worker failed to start');
    };
    this.worker = w;
    return w;
  }

  private clearStartTimer(): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
  }

  /** The worker never answered (its script failed to load, or it hangs): replace it. */
  private onStartTimeout(id: number): void {
    this.startTimer = null;
    if (!this.current || this.current.id !== id) return;
    this.restart();
    const next = this.pending;
    this.pending = null;
    this.clearTimer();
    if (id === this.gen) this.handlers.onError('the simulation worker did not start');
    if (next) this.send(next);
  }

  private send(req: Req): void {
    this.current = { ...req, startedAt: this.now() };
    this.clearStartTimer();
    this.startTimer = setTimeout(() => this.onStartTimeout(req.id), this.startTimeoutMs);
    this.ensureWorker().postMessage({
      type: 'run',
      id: req.id,
      scenario: req.scenario,
      maxPoints: this.maxPoints,
      previewS: this.previewFor(req.scenario),
    });
  }

  private onMessage(w: WorkerLike, msg: FromWorker): void {
    if (w !== this.worker || !this.current || msg.id !== this.current.id) return;
    const latest = msg.id === this.gen;
    this.clearStartTimer();
    if (msg.type === 'started') return;
    if (msg.type === 'progress') {
      if (latest) this.handlers.onProgress(msg.fraction);
      return;
    }
    const req = this.current;
    if (msg.type === 'preview') {
      if (latest)
        this.handlers.onPreview?.(
          msg.result,
          msg.analytic,
          this.now() - req.requestedAt,
          req.scenario,
        );
      return;
    }
    this.current = null;
    if (msg.type === 'result') this.learn(msg.result, req.scenario);
    if (msg.type !== 'cancelled') this.lastRunMs = this.now() - req.startedAt;
    if (latest) {
      if (msg.type === 'result')
        this.handlers.onResult(
          msg.result,
          msg.analytic,
          this.now() - req.requestedAt,
          req.scenario,
        );
      else if (msg.type === 'error') this.handlers.onError(msg.message);
      else this.handlers.onCancel();
    }
    if (this.pending) {
      const next = this.pending;
      this.pending = null;
      this.clearTimer();
      this.send(next);
    }
  }
}
