// The autoscaler and the SLO windows, the layer above model/probes.ts.
//
// `server.autoscale` is an HPA-like controller over instance slots 0..max−1 (state.ts sizes the
// instance arrays for max). Each slot is OFF, PROVISIONING, SERVING or DRAINING; the balancer picks
// among SERVING ones only (gateway.ts: `off`).
//
// Semantics chosen here:
// - The run starts with server.instances (clamped to min..max) serving; `static` mode: max, and no
//   controller (peak provisioning, for comparison).
// - Every interval_s the controller samples its metric over the interval just ended, across the
//   instances that ran (serving or draining): utilization = busy handlers / handlers; cpu = busy
//   cores / cores of the instances' host machines; inflight = requests in handlers and backlog per
//   instance. Recommendation: ceil(serving × metric / target) (unchanged while |metric/target − 1|
//   ≤ tolerance), clamped to min..max. `forecast` mode multiplies the ratio by r̂ / r: r the arrival
//   rate over the interval, r̂ the highest predicted rate from now to now + provision_s +
//   interval_s (the earliest an instance asked for now can serve, and until the next decision
//   lands). The prediction is `forecast_rps`, or else the workload's own rate curve (a perfect
//   forecast: the best a forecast-driven scaler could do).
// - Scale-up: slots start PROVISIONING now and serve after provision_s. Scale-down: to the highest
//   recommendation of the last cooldown_s (Kubernetes' stabilisation window); provisioning slots
//   are cancelled first (newest first), then the highest-numbered serving ones drain: they take no
//   new work, finish what is in their handlers and backlog, and are OFF once empty (async tasks they
//   queued still run: the queue is durable, as with a crash). `step` bounds each decision's change.
// - Cost: instance_seconds = ∫ (provisioning + serving + draining) dt over the measured window (a
//   booting or draining machine is paid for). The timeline lists every change of those counts.
// - SLO (`slo`): the measured window cut into window_s windows; a window violates the SLO when its
//   ok responses' P99 is above p99_ms or its error rate is above max_error_rate.
import type { Scenario } from '../schema';
import { DBL0 } from '../engine';
import { RateCurve } from '../arrivals';
import { traceRatePoints } from '../trace';
import { Probes } from './probes';
import type { RunOptions } from './state';
import * as K from './state';

// the shared constants as module-local copies (state.ts says why)
const { EV_READY, EV_SCALE, EV_SLO, PRI_CONTROL } = K;

const OFF = 0;
const PROVISIONING = 1;
const SERVING = 2;
const DRAINING = 3;

/** One change of the instance counts (simulated seconds from the start, warm-up included). */
export interface ScalePoint {
  t_s: number;
  serving: number;
  provisioning: number;
  draining: number;
}

/** One decision of the controller. */
export interface ScaleDecision {
  t_s: number;
  metric: number;
  /** What this interval's sample asked for, and the count decided (after the stabilisation). */
  recommended: number;
  desired: number;
}

/** One SLO window of the measured window. */
export interface SloWindowRaw {
  t_s: number;
  ok: number;
  errors: number;
  p99_ms: number;
  violated: boolean;
}

/** The autoscaler and SLO windows. */
export abstract class Scaler extends Probes {
  private readonly as: Scenario['server']['autoscale'];
  private readonly state: Uint8Array;
  private readonly readyAt: Float64Array;
  private nServing = 0;
  private nProv = 0;
  private nDrain = 0;
  /** ∫ live (serving + draining) and ∫ billed (+ provisioning) instances dt, ms, since the start. */
  private liveArea = DBL0;
  private billArea = DBL0;
  private areaT = DBL0;
  private billAtWarm = DBL0;
  private liveAtWarm = DBL0;
  readonly timeline: ScalePoint[] = [];
  readonly decisions: ScaleDecision[] = [];
  scaleUps = 0;
  scaleDowns = 0;
  peakBilled = 0;
  // ---- the metric over the last interval
  private prevBusy = DBL0;
  private prevQueue = DBL0;
  private prevHost = DBL0;
  private prevLive = DBL0;
  private prevArrivals = 0;
  private readonly recent: { t: number; rec: number }[] = [];
  private readonly forecast: RateCurve | null;
  private readonly cores: number;
  // ---- SLO windows (outcome() in workload.ts fills sloHist, sloOk and sloErrors)
  private readonly sloMs: number;
  private readonly sloP99: number;
  private readonly sloErr: number;
  private sloStart = DBL0;
  readonly sloWindows: SloWindowRaw[] = [];

  constructor(s: Scenario, opts: RunOptions) {
    super(s, opts);
    const as = s.server.autoscale;
    this.as = as;
    const I = this.I;
    this.state = new Uint8Array(I);
    this.readyAt = new Float64Array(I);
    this.cores = s.server.host !== undefined && s.hosts ? s.hosts[s.server.host].cores : 1;
    let forecast: RateCurve | null = null;
    if (as && as.mode === 'forecast') {
      const w = s.workload;
      const rate =
        as.forecast_rps ??
        (w.type === 'open' ? w.rate_rps : w.type === 'trace' ? traceRatePoints(w) : null);
      if (rate !== null) forecast = new RateCurve(rate);
    }
    this.forecast = forecast;
    if (as) {
      const n =
        as.mode === 'static' ? as.max : Math.min(as.max, Math.max(as.min, s.server.instances));
      for (let i = 0; i < I; i++) {
        this.state[i] = i < n ? SERVING : OFF;
        this.off[i] = i < n ? 0 : 1;
      }
      this.nServing = n;
      this.peakBilled = n;
      this.mark();
    }
    const slo = s.slo;
    this.sloOn = slo !== undefined;
    this.sloMs = slo ? slo.window_s * 1000 : 0;
    this.sloP99 = slo ? slo.p99_ms : 0;
    this.sloErr = slo ? slo.max_error_rate : 0;
  }

  /** The controller's first tick and the first SLO window's end. */
  protected startScaler(): void {
    const as = this.as;
    if (as && as.mode !== 'static') this.ev.push(as.interval_s * 1000, EV_SCALE, 0, PRI_CONTROL);
    if (this.sloOn) {
      this.sloStart = this.warmMs;
      const t = Math.min(this.warmMs + this.sloMs, this.endMs);
      this.ev.push(t, EV_SLO, 0, PRI_CONTROL);
    }
  }

  /** Brings the count integrals up to now (before any change of the counts). */
  private integrate(): void {
    const dt = this.now - this.areaT;
    const live = this.nServing + this.nDrain;
    this.liveArea += live * dt;
    this.billArea += (live + this.nProv) * dt;
    this.areaT = this.now;
  }

  /** Records the counts now (after a change). */
  private mark(): void {
    const t = round(this.now / 1000);
    const p: ScalePoint = {
      t_s: t,
      serving: this.nServing,
      provisioning: this.nProv,
      draining: this.nDrain,
    };
    const last = this.timeline[this.timeline.length - 1];
    if (last && last.t_s === t) this.timeline[this.timeline.length - 1] = p;
    else this.timeline.push(p);
    const billed = this.nServing + this.nProv + this.nDrain;
    if (billed > this.peakBilled) this.peakBilled = billed;
  }

  protected override resetWindowStats(): void {
    // the station areas restart at the warm-up: keep the controller's deltas continuous
    const b0 = this.handlerBusy();
    const q0 = this.handlerQueue();
    const h0 = this.hostBusy();
    super.resetWindowStats();
    this.prevBusy += this.handlerBusy() - b0;
    this.prevQueue += this.handlerQueue() - q0;
    this.prevHost += this.hostBusy() - h0;
    if (this.as) {
      this.integrate();
      this.billAtWarm = this.billArea;
      this.liveAtWarm = this.liveArea;
    }
  }

  private handlerBusy(): number {
    let a = 0;
    for (let i = 0; i < this.I; i++) a += this.areaB(i);
    return a;
  }

  private handlerQueue(): number {
    let a = 0;
    for (let i = 0; i < this.I; i++) a += this.areaQ(i);
    return a;
  }

  private hostBusy(): number {
    if (this.mInst < 0) return 0;
    let a = 0;
    for (let i = 0; i < this.I; i++) a += this.areaB(this.sHost + this.mInst + i);
    return a;
  }

  /** EV_SCALE: the controller samples its metric and decides. */
  protected scaleTick(): void {
    const as = this.as!;
    this.integrate();
    // drained instances the request paths did not catch (a timed-out backlog, a crash)
    for (let i = 0; i < this.I; i++) if (this.state[i] === DRAINING) this.checkDrained(i);
    const busy = this.handlerBusy();
    const queue = this.handlerQueue();
    const host = this.hostBusy();
    const live = this.liveArea - this.prevLive;
    const dBusy = busy - this.prevBusy;
    const dQueue = queue - this.prevQueue;
    const dHost = host - this.prevHost;
    const arrivals = this.allArrivals - this.prevArrivals;
    this.prevBusy = busy;
    this.prevQueue = queue;
    this.prevHost = host;
    this.prevLive = this.liveArea;
    this.prevArrivals = this.allArrivals;
    const intervalMs = as.interval_s * 1000;
    if (this.now + intervalMs < this.endMs)
      this.ev.push(this.now + intervalMs, EV_SCALE, 0, PRI_CONTROL);
    if (!(live > 0)) return;
    const metric =
      as.metric === 'utilization'
        ? dBusy / (live * this.conc)
        : as.metric === 'cpu'
          ? dHost / (live * this.cores)
          : (dBusy + dQueue) / live;
    let ratio = metric / as.target;
    if (this.forecast !== null) {
      const observed = arrivals / as.interval_s;
      const predicted = this.peakForecast(
        this.now,
        this.now + (as.provision_s + as.interval_s) * 1000,
      );
      if (observed > 0) ratio *= predicted / observed;
    }
    const total = this.nServing + this.nProv;
    let rec = Math.abs(ratio - 1) <= as.tolerance ? total : Math.ceil(this.nServing * ratio - 1e-9);
    rec = Math.min(as.max, Math.max(as.min, rec));
    // stabilisation: a scale-down goes only to the highest recommendation of the last cooldown
    const recent = this.recent;
    recent.push({ t: this.now, rec });
    while (recent.length > 0 && recent[0].t < this.now - as.cooldown_s * 1000) recent.shift();
    let desired = rec;
    if (rec < total) {
      let hi = 0;
      for (const r of recent) if (r.rec > hi) hi = r.rec;
      desired = Math.min(total, hi);
    }
    const step = as.step ?? Infinity;
    if (desired > total) desired = Math.min(desired, total + step);
    else if (desired < total) desired = Math.max(desired, total - step);
    this.decisions.push({ t_s: round(this.now / 1000), metric, recommended: rec, desired });
    if (desired > total) this.scaleUp(desired - total, as.provision_s * 1000);
    else if (desired < total) this.scaleDown(total - desired);
  }

  /** The highest forecast rate (per ms) over [from, to]. */
  private peakForecast(from: number, to: number): number {
    const f = this.forecast!;
    let hi = Math.max(f.at(from), f.at(to));
    for (const t of f.T) if (t > from && t < to) hi = Math.max(hi, f.at(t));
    return hi * 1000;
  }

  private scaleUp(n: number, provisionMs: number): void {
    this.integrate();
    for (let i = 0; i < this.I && n > 0; i++) {
      if (this.state[i] !== OFF) continue;
      n--;
      this.scaleUps++;
      if (provisionMs <= 0) {
        this.state[i] = SERVING;
        this.off[i] = 0;
        this.nServing++;
        continue;
      }
      this.state[i] = PROVISIONING;
      this.nProv++;
      this.readyAt[i] = this.now + provisionMs;
      this.ev.push(this.now + provisionMs, EV_READY, i, PRI_CONTROL);
    }
    this.mark();
  }

  private scaleDown(n: number): void {
    this.integrate();
    // cancel provisioning first, newest (highest ready time) first
    while (n > 0 && this.nProv > 0) {
      let pick = -1;
      for (let i = 0; i < this.I; i++)
        if (this.state[i] === PROVISIONING && (pick < 0 || this.readyAt[i] >= this.readyAt[pick]))
          pick = i;
      this.state[pick] = OFF;
      this.nProv--;
      this.scaleDowns++;
      n--;
    }
    for (let i = this.I - 1; i >= 0 && n > 0; i--) {
      if (this.state[i] !== SERVING || this.nServing <= 1) continue;
      this.state[i] = DRAINING;
      this.off[i] = 1;
      this.nServing--;
      this.nDrain++;
      this.scaleDowns++;
      n--;
    }
    this.mark();
    for (let i = 0; i < this.I; i++) if (this.state[i] === DRAINING) this.checkDrained(i);
  }

  /** EV_READY: a provisioned instance starts serving (unless the scale-up was cancelled). */
  protected instanceReady(i: number): void {
    if (this.state[i] !== PROVISIONING || this.readyAt[i] !== this.now) return;
    this.integrate();
    this.state[i] = SERVING;
    this.off[i] = 0;
    this.nProv--;
    this.nServing++;
    this.mark();
  }

  /** A draining instance with nothing in its handlers or backlog stops (is OFF). */
  protected checkDrained(i: number): void {
    if (this.state[i] !== DRAINING || this.active[i] !== 0) return;
    this.integrate();
    this.state[i] = OFF;
    this.nDrain--;
    this.mark();
  }

  /** Whether instance i is draining (model.ts checks after a request leaves it). */
  protected isDraining(i: number): boolean {
    return this.state[i] === DRAINING;
  }

  /** EV_SLO: an SLO window ends. */
  protected closeSloWindow(): void {
    const ok = this.sloOk;
    const errors = this.sloErrors;
    const p99 = this.sloHist.quantile(0.99);
    const errRate = ok + errors > 0 ? errors / (ok + errors) : 0;
    this.sloWindows.push({
      t_s: round(this.sloStart / 1000),
      ok,
      errors,
      p99_ms: p99,
      violated: p99 > this.sloP99 || errRate > this.sloErr,
    });
    this.sloHist.reset();
    this.sloOk = 0;
    this.sloErrors = 0;
    this.sloStart = this.now;
    if (this.now < this.endMs) {
      const t = Math.min(this.now + this.sloMs, this.endMs);
      this.ev.push(t, EV_SLO, 0, PRI_CONTROL);
    }
  }

  /** Closes the scaler's books at the end of the run (or where it stopped). */
  protected closeScaler(): void {
    if (this.as) this.integrate();
    // the last window (its EV_SLO falls at the end, which the main loop does not pop)
    if (this.sloOn && this.now > this.sloStart && this.now > this.warmMs) this.closeSloWindow();
  }

  /** Instance-seconds over the measured window (to now). */
  instanceSeconds(): number {
    return (this.billArea - this.billAtWarm) / 1000;
  }

  /** Mean live (serving + draining) instances over the measured window. */
  meanLive(): number {
    const ms = this.now - this.warmMs;
    return ms > 0 ? (this.liveArea - this.liveAtWarm) / ms : this.nServing + this.nDrain;
  }

  get autoscaled(): boolean {
    return this.as !== undefined;
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6 + 0; // never -0
}
