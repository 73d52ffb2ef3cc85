// The probes, the layer above model/async.ts: what the model records besides the request fates —
// per-station raw figures, the batches of the batch-means estimator, the time-series windows and
// how wide those are — and when: the warm-up reset (`resetWindowStats`: the measured window
// starts), each batch boundary (`closeBatch`) and series window (`closeWindow`), the end of run.
import type { Scenario } from '../schema';
import { DBL0 } from '../engine';
import { Async } from './async';
import type { RunOptions } from './state';
import * as K from './state';

// the shared constants as module-local copies (state.ts says why)
const { EV_BATCH, EV_WARMUP, EV_WINDOW, PRI_CONTROL } = K;

/** Per-station raw figures at the end of a run (the result builder names and aggregates them). */
export interface StationRaw {
  busyArea: number;
  queueArea: number;
  waitSum: number;
  waitN: number;
  servers: number;
}

/** One batch of the batch-means estimator. */
export interface BatchRaw {
  ok: number;
  latSum: number;
  p99: number;
  seconds: number;
  /** Per station: busy-server area and queue-length area (ms) within the batch. */
  busyArea: Float64Array;
  queueArea: Float64Array;
  /** Per lock step: the busiest key's share of the batch it was held. */
  lockUtil: Float64Array;
}

/** A series window's snapshot. */
export interface WindowRaw {
  t_s: number;
  seconds: number;
  arrivals: number;
  ok: number;
  errors: number;
  p50: number;
  p99: number;
  in_flight: number;
  backlog: number;
  async_backlog: number;
  blocked: number;
}

/** Window width (s) for the series: the given one, or a round width giving 100–300 points. */
export function chooseWindow(totalS: number, given: number): number {
  if (given > 0) {
    let w = given;
    while (totalS / w > 10000) w *= 2;
    return w;
  }
  const nice = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300,
    600, 1800, 3600,
  ];
  for (const w of nice) if (totalS / w <= 300) return w;
  return Math.ceil(totalS / 300 / 3600) * 3600;
}

/** The probes: warm-up reset, batches and series windows. */
export abstract class Probes extends Async {
  private batchStart = DBL0;
  protected readonly batchMs: number;
  readonly batches: BatchRaw[] = [];
  protected readonly nBatches: number;
  protected readonly nWindows: number;
  private prevAreaB = new Float64Array(0);
  private prevAreaQ = new Float64Array(0);
  private readonly lkPrev: Float64Array[] = [];
  readonly windowMs: number;
  private winStart = DBL0;
  readonly windows: WindowRaw[] = [];

  constructor(s: Scenario, opts: RunOptions) {
    super(s, opts);
    const n = this.nSt;
    this.prevAreaB = new Float64Array(n);
    this.prevAreaQ = new Float64Array(n);
    for (let l = 0; l < this.L; l++) this.lkPrev.push(new Float64Array(0));
    const B = s.stats.batches;
    this.batchMs = (s.duration_s * 1000) / B;
    this.batchStart = this.warmMs;
    this.windowMs = chooseWindow(s.warmup_s + s.duration_s, s.stats.window_s) * 1000;
    this.nBatches = B;
    this.nWindows = this.series ? Math.ceil(this.endMs / this.windowMs - 1e-9) : 0;
  }

  /** The warm-up reset and the first batch and series-window boundaries. */
  protected startProbes(): void {
    const ev = this.ev;
    if (this.warmMs > 0) ev.push(this.warmMs, EV_WARMUP, 0, PRI_CONTROL);
    // batch and series-window boundaries: each schedules the next, so the heap holds one of each
    if (this.nBatches > 1) ev.push(this.warmMs + this.batchMs, EV_BATCH, 1, PRI_CONTROL);
    if (this.nWindows > 1) ev.push(this.windowMs, EV_WINDOW, 1, PRI_CONTROL);
  }

  /** The warm-up ends (EV_WARMUP): station figures start afresh for the measured window. */
  protected resetWindowStats(): void {
    for (let st = 0; st < this.nSt; st++) {
      this.stSumB[st] = -this.stBusy[st] * this.now + this.lazyFuture(st, false);
      this.stSumQ[st] = -this.stQ[st] * this.now + this.lazyFuture(st, true);
      this.stWaitSum[st] = 0;
      this.stWaitN[st] = 0;
    }
    this.prevAreaB.fill(0);
    this.prevAreaQ.fill(0);
    for (let l = 0; l < this.L; l++) {
      this.lkPrev[l].fill(0);
      this.lkArea[l].fill(0);
      const held = this.lkHeld[l];
      const since = this.lkSince[l];
      for (let k = 0; k < held.length; k++) if (held[k] !== 0) since[k] = this.now;
    }
    // the deepest channel of any instance (each instance has its own), as during the run
    let deepest = 0;
    for (let i = 0; i < this.I; i++) deepest = Math.max(deepest, this.asyncBacklog(i));
    this.aMaxBacklog = deepest;
    if (this.lazy) this.lazyWarmWaits();
  }

  /** A batch ends (EV_BATCH, and the end of the run): its figures go to `batches`. */
  protected closeBatch(): void {
    const seconds = (this.now - this.batchStart) / 1000;
    const n = this.nSt;
    const busyArea = new Float64Array(n);
    const queueArea = new Float64Array(n);
    for (let st = 0; st < n; st++) {
      const b = this.areaB(st);
      const q = this.areaQ(st);
      busyArea[st] = b - this.prevAreaB[st];
      queueArea[st] = q - this.prevAreaQ[st];
      this.prevAreaB[st] = b;
      this.prevAreaQ[st] = q;
    }
    const lockUtil = new Float64Array(this.L);
    for (let l = 0; l < this.L; l++) {
      // the busiest key within this batch: held time since the last batch, key by key
      const area = this.lkArea[l];
      const held = this.lkHeld[l];
      const since = this.lkSince[l];
      let prev = this.lkPrev[l];
      if (prev.length < area.length) {
        const p = new Float64Array(area.length);
        p.set(prev);
        prev = p;
        this.lkPrev[l] = p;
      }
      let max = 0;
      for (let k = 0; k < area.length; k++) {
        const a = area[k] + (held[k] !== 0 ? this.now - since[k] : 0);
        if (a - prev[k] > max) max = a - prev[k];
        prev[k] = a;
      }
      lockUtil[l] = seconds > 0 ? max / (seconds * 1000) : 0;
    }
    this.batches.push({
      ok: this.batchOk,
      latSum: this.batchLatSum,
      p99: this.batchHist.quantile(0.99),
      seconds,
      busyArea,
      queueArea,
      lockUtil,
    });
    this.wOk += this.batchOk;
    this.latHist.merge(this.batchHist);
    this.batchHist.reset();
    this.batchOk = 0;
    this.batchLatSum = 0;
    this.batchStart = this.now;
  }

  /** A series window ends (EV_WINDOW, and the end of the run): its snapshot goes to `windows`. */
  protected closeWindow(): void {
    let backlog = 0;
    let abacklog = 0;
    for (let i = 0; i < this.I; i++) {
      backlog += this.qLen[i];
      abacklog += this.asyncBacklog(i);
    }
    const seconds = (this.now - this.winStart) / 1000;
    this.windows.push({
      t_s: this.now / 1000,
      seconds,
      arrivals: this.winArr,
      ok: this.winOk,
      errors: this.winErr,
      p50: this.winHist.quantile(0.5),
      p99: this.winHist.quantile(0.99),
      in_flight: this.inFlight,
      backlog,
      async_backlog: abacklog,
      blocked: this.blocked,
    });
    this.winHist.reset();
    this.winArr = 0;
    this.winOk = 0;
    this.winErr = 0;
    this.winStart = this.now;
  }

  /** Per-key lock utilisation of the busiest key of lock l over the measured window. */
  lockMaxUtil(l: number): number {
    const area = this.lkArea[l];
    const held = this.lkHeld[l];
    const since = this.lkSince[l];
    let max = 0;
    for (let k = 0; k < area.length; k++) {
      const a = area[k] + (held[k] !== 0 ? this.now - since[k] : 0);
      if (a > max) max = a;
    }
    // over the measured window (to `now`: the end, or where the run was stopped)
    const ms = this.now - this.warmMs;
    return ms > 0 ? max / ms : 0;
  }
}
