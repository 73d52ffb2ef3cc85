// `simulate(scenario, opts)`: runs the order-pipeline model (model.ts) on a validated scenario and
// turns its raw counters into a `SimResult` — fates, rates, latency percentiles, per-station
// figures, the first station to saturate, batch-means confidence intervals and, when asked, the
// time series and latency CDF. Synchronous and deterministic: the same scenario and seed give the
// same result, byte for byte, except `wall_ms`.
import type { Scenario } from './schema';
import type {
  AsyncStats,
  Ci95,
  LatencySummary,
  SeriesPoint,
  SimOptions,
  SimResult,
  StationStats,
} from './result';
import { CAUSES, PipelineSim, SimCancelled } from './model';
import type { Histogram } from './histogram';

export { SimCancelled };

/** Two-sided 95 % Student t quantiles for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** The 0.975 quantile of Student's t with df degrees of freedom. */
export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[df - 1];
  return 1.96 + 2.4 / df;
}

/** A 95 % interval around `estimate` from per-batch (or per-run) values. */
export function ci(estimate: number, values: number[]): Ci95 {
  const n = values.length;
  if (n < 2) return { mean: estimate, half_width: 0, low: estimate, high: estimate };
  let m = 0;
  for (const v of values) m += v;
  m /= n;
  let v2 = 0;
  for (const v of values) v2 += (v - m) * (v - m);
  const sd = Math.sqrt(v2 / (n - 1));
  const h = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { mean: estimate, half_width: h, low: estimate - h, high: estimate + h };
}

/** Mean, percentiles and max of a histogram's values. */
export function summary(h: Histogram): LatencySummary {
  return {
    mean: h.mean(),
    p50: h.quantile(0.5),
    p90: h.quantile(0.9),
    p99: h.quantile(0.99),
    p999: h.quantile(0.999),
    max: h.count > 0 ? h.max : 0,
  };
}

/** Stage depth for naming the first saturated station: a deeper station blocks the ones above. */
const DEPTH: Record<StationStats['kind'], number> = {
  instance: 0,
  queue: 1,
  workers: 2,
  pool: 3,
  shard: 4,
  service: 4,
  lock: 4,
  cache: 4,
  host: 5,
};

/** Utilisation at or above which a station counts as saturated. */
export const SATURATION = 0.9;

/** Raw station figures over some stretch of simulated time. */
interface Areas {
  ms: number;
  busyArea: ArrayLike<number>;
  queueArea: ArrayLike<number>;
  waitSum: ArrayLike<number> | null;
  waitN: ArrayLike<number> | null;
  lockUtil: number[];
  /** Add each station's throughput and residence time (the console's station table). */
  flow?: boolean;
  /** When given, each station's count of waits is put here by name. */
  waitCounts?: Record<string, number>;
}

/** Names and aggregates the model's stations (per-instance ones summed) over a stretch of time. */
function buildStations(
  scenario: Scenario,
  sim: PipelineSim,
  a: Areas,
): Record<string, StationStats> {
  const I = sim.I;
  const ms = a.ms;
  const stations: Record<string, StationStats> = {};
  const waitOf = a.waitCounts ? new Map<StationStats, number>() : null;
  const make = (
    kind: StationStats['kind'],
    servers: number,
    busyArea: number,
    queueArea: number,
    waitSum: number,
    waitN: number,
  ): StationStats => {
    const st: StationStats = {
      utilization: servers > 0 && ms > 0 ? busyArea / (ms * servers) : 0,
      mean_queue: ms > 0 ? queueArea / ms : 0,
      mean_wait_ms: waitN > 0 ? waitSum / waitN : 0,
      servers,
      kind,
    };
    if (a.flow) {
      // every start of service is counted (a zero wait too); the busy area over the starts is the
      // mean time held (Little's law), so a visit's residence is its wait plus that
      st.throughput_rps = ms > 0 ? waitN / (ms / 1000) : 0;
      st.residence_ms = waitN > 0 ? (waitSum + busyArea) / waitN : 0;
    }
    waitOf?.set(st, waitN);
    return st;
  };
  const one = (st: number, kind: StationStats['kind']) =>
    make(
      kind,
      sim.stServers[st],
      a.busyArea[st],
      a.queueArea[st],
      a.waitSum ? a.waitSum[st] : 0,
      a.waitN ? a.waitN[st] : 0,
    );
  // autoscaled: per-instance stations have servers only while their instance runs
  const live = sim.autoscaled ? sim.meanLive() / I : 1;
  const agg = (base: number, kind: StationStats['kind']) => {
    let b = 0;
    let q = 0;
    let ws = 0;
    let wn = 0;
    let servers = 0;
    for (let i = 0; i < I; i++) {
      b += a.busyArea[base + i];
      q += a.queueArea[base + i];
      ws += a.waitSum ? a.waitSum[base + i] : 0;
      wn += a.waitN ? a.waitN[base + i] : 0;
      servers += sim.stServers[base + i];
    }
    servers *= live;
    return make(kind, servers, b, q, ws, wn);
  };

  stations.instances = agg(0, 'instance');
  if (I > 1 && I <= 16) for (let i = 0; i < I; i++) stations[`instance[${i}]`] = one(i, 'instance');
  if (scenario.async) {
    const aq = agg(sim.sAq, 'queue');
    // the queue's "busy" is its occupancy: utilisation = mean backlog / capacity
    aq.utilization = aq.servers > 0 ? aq.mean_queue / aq.servers : 0;
    stations.async_queue = aq;
    const wk = agg(sim.sWork, 'workers');
    wk.mean_queue = aq.mean_queue;
    stations.workers = wk;
  }
  if (scenario.db) {
    stations.db_pool = agg(sim.sPool, 'pool');
    for (let k = 0; k < sim.S; k++) stations[`shard[${k}]`] = one(sim.sShard + k, 'shard');
  }
  sim.svcNames.forEach((name, k) => {
    stations[`service:${name}`] = one(sim.sSvc + k, 'service');
  });
  for (let l = 0; l < sim.L; l++) {
    const st = one(sim.sLock + l, 'lock');
    // a lock is a server per key: report the busiest key's share of time held
    st.utilization = a.lockUtil[l];
    stations[`lock[${l}]`] = st;
  }
  // host machines: cores in use by the model's jobs / cores; the queue is runnable jobs without a
  // core, the wait is how much longer than their demand CPU stints took
  if (sim.mInst >= 0) stations['host:instances'] = agg(sim.sHost + sim.mInst, 'host');
  // a station per shard: `name` with one shard, `name[k]` with several
  const perShard = (name: string, first: number, kind: 'host' | 'service') => {
    if (sim.S === 1) stations[name] = one(first, kind);
    else for (let k = 0; k < sim.S; k++) stations[`${name}[${k}]`] = one(first + k, kind);
  };
  if (sim.mShard >= 0) perShard('host:db', sim.sHost + sim.mShard, 'host');
  sim.svcNames.forEach((name, k) => {
    if (sim.svcMach[k] >= 0)
      stations[`host:service:${name}`] = one(sim.sHost + sim.svcMach[k], 'host');
  });
  if (sim.clientAlone) stations['host:client'] = one(sim.sHost + sim.mClient, 'host');
  // a pooler (db.pooler) per shard: threads busy, statements waiting for one
  if (sim.poolerThreads > 0) perShard('pooler', sim.sPooler, 'service');
  // a commit flush (db.commit_flush) per shard: a flush in progress, commits waiting for the next
  if (sim.flushing) perShard('flush', sim.sFlush, 'service');
  if (waitOf && a.waitCounts)
    for (const [name, st] of Object.entries(stations)) a.waitCounts[name] = waitOf.get(st) ?? 0;
  return stations;
}

/** How close to the busiest saturated station another must be for depth to decide between them. */
const FULL_TIE = 0.02;

/**
 * The saturated station among `stations`: of those at or above SATURATION and within FULL_TIE of
 * the busiest of them, the deepest stage (a full deeper station keeps the ones above it busy), then
 * the busiest. A station at 93 % never outranks a full one above it.
 */
function deepestSaturated(stations: Record<string, StationStats>): string | null {
  let top = 0;
  for (const [name, st] of Object.entries(stations)) {
    if (!name.startsWith('instance[') && st.utilization > top) top = st.utilization;
  }
  if (top < SATURATION) return null;
  let saturated: string | null = null;
  let best = -1;
  let bestU = 0;
  for (const [name, st] of Object.entries(stations)) {
    if (name.startsWith('instance[')) continue;
    const u = st.utilization;
    if (u < SATURATION || u < top - FULL_TIE) continue;
    const d = DEPTH[st.kind];
    if (d > best || (d === best && u > bestU)) {
      best = d;
      bestU = u;
      saturated = name;
    }
  }
  return saturated;
}

/**
 * The station that saturates first — the one that limits the pipeline while it is saturated: over
 * the batches of the measured window in which some station is at or above SATURATION, each
 * station's mean utilisation, and of those the deepest of the fullest (a spike saturates
 * something for a while even when the window's average stays low; the transient while a queue
 * fills does not outvote the steady state). Null when nothing saturates.
 */
export function firstSaturated(
  window: Record<string, StationStats>,
  batches: Record<string, StationStats>[],
): string | null {
  const hot = batches.filter((b) => deepestSaturated(b) !== null);
  if (hot.length === 0) return deepestSaturated(window);
  const mean: Record<string, StationStats> = {};
  for (const [name, st] of Object.entries(hot[0])) {
    let u = 0;
    for (const b of hot) u += b[name]?.utilization ?? 0;
    mean[name] = { ...st, utilization: u / hot.length };
  }
  return deepestSaturated(mean);
}

/** Runs one simulation of a validated scenario. Throws `SimCancelled` if `opts.shouldCancel` says so. */
export function simulate(scenario: Scenario, opts: SimOptions = {}): SimResult {
  const run = new Simulation(scenario, opts);
  run.advance();
  return run.result();
}

/**
 * One simulation run taken a slice at a time (`advance`), so a caller can do other things between
 * slices (answer Ctrl+C, print progress) and, if it must stop early, still get the figures of the
 * part done (`result()` before the end: marked `partial`). The events and their order are those of
 * `simulate`: a run advanced to its end gives the same result, byte for byte (but `wall_ms`).
 */
export class Simulation {
  private readonly sim: PipelineSim;
  private readonly clock: () => number;
  private readonly t0: number;
  private readonly seed: number;
  private readonly series: boolean;
  private readonly parts: boolean;
  private done = false;

  constructor(
    private readonly scenario: Scenario,
    opts: SimOptions = {},
  ) {
    this.clock = opts.now ?? (() => Date.now());
    this.t0 = this.clock();
    this.seed = opts.seed ?? scenario.seed;
    this.series = opts.series === true;
    this.parts = opts.parts === true;
    this.sim = new PipelineSim(scenario, {
      seed: this.seed,
      series: this.series,
      onProgress: opts.onProgress,
      shouldCancel: opts.shouldCancel,
      lazyAsync: opts.lazyAsync,
    });
  }

  /** Runs about `events` more events (all that are left by default); true once the run is complete. */
  advance(events = Infinity): boolean {
    if (!this.done) this.done = this.sim.run(events);
    return this.done;
  }

  /** Whether the run has reached its end. */
  get complete(): boolean {
    return this.done;
  }

  /** Simulated seconds so far (warm-up included). */
  get simulatedS(): number {
    return this.sim.now / 1000;
  }

  /** Seconds the whole run simulates (warm-up + duration). */
  get totalS(): number {
    return this.sim.endMs / 1000;
  }

  /** Events processed so far. */
  get events(): number {
    return this.sim.events;
  }

  /**
   * The result: of the whole run when it is complete; otherwise the run ends here and the result is
   * of the simulated time so far, marked `partial` (its measured window is what was simulated after
   * the warm-up; zero when stopped within the warm-up).
   */
  result(): SimResult {
    if (!this.done) this.sim.stopHere();
    return summarise(
      this.scenario,
      this.sim,
      this.seed,
      this.series,
      this.parts,
      this.clock,
      this.t0,
    );
  }
}

/** Turns a finished (or stopped) run's raw counters into a SimResult. */
function summarise(
  scenario: Scenario,
  sim: PipelineSim,
  seed: number,
  series: boolean,
  parts: boolean,
  clock: () => number,
  t0: number,
): SimResult {
  const stopped = sim.stoppedMs;
  const T = stopped === null ? scenario.duration_s : Math.max(0, stopped - sim.warmMs) / 1000;
  const Tms = T * 1000;
  const per = (x: number) => (T > 0 ? x / T : 0);
  // ---- stations over the measured window, and per batch (for when each first saturates)
  const waitCounts: Record<string, number> | undefined = parts ? {} : undefined;
  const stations = buildStations(scenario, sim, {
    ms: Tms,
    busyArea: sim.stAreaB,
    queueArea: sim.stAreaQ,
    waitSum: sim.stWaitSum,
    waitN: sim.stWaitN,
    lockUtil: Array.from({ length: sim.L }, (_, l) => sim.lockMaxUtil(l)),
    flow: series,
    waitCounts,
  });
  const batchStations = sim.batches.map((b) =>
    buildStations(scenario, sim, {
      ms: b.seconds * 1000,
      busyArea: b.busyArea,
      queueArea: b.queueArea,
      waitSum: null,
      waitN: null,
      lockUtil: Array.from(b.lockUtil),
    }),
  );
  const saturated = firstSaturated(stations, batchStations);

  // ---- latency and CIs
  const lat = summary(sim.latHist);
  const throughput = per(sim.wOk);
  const bThroughput = sim.batches.map((b) => b.ok / b.seconds);
  const bMean = sim.batches.filter((b) => b.ok > 0).map((b) => b.latSum / b.ok);
  const bP99 = sim.batches.filter((b) => b.ok > 0).map((b) => b.p99);

  const errors = {} as SimResult['errors'];
  CAUSES.forEach((c, k) => {
    errors[c] = sim.cErr[k];
  });
  const errCount = sim.cRejected + sim.cFailed + sim.cTimedOut;

  let asyncStats: AsyncStats | null = null;
  if (scenario.async) {
    asyncStats = {
      enqueued: sim.aEnqueued,
      completed: sim.aCompleted,
      rejected: sim.aRejected,
      failed: sim.aFailed,
      pending: sim.asyncPending(),
      mean_backlog: stations.async_queue.mean_queue,
      max_backlog: sim.aMaxBacklog,
      task_delay_ms: summary(sim.taskHist),
      throughput_rps: per(sim.aCompleted),
    };
  }

  const result: SimResult = {
    scenario: scenario.name,
    seed,
    duration_s: T,
    warmup_s: scenario.warmup_s,
    throughput_rps: throughput,
    goodput_rps: throughput,
    offered_rps: per(sim.wArrivals),
    error_rate: sim.cOk + errCount > 0 ? errCount / (sim.cOk + errCount) : 0,
    latency_ms: lat,
    requests: {
      arrived: sim.cArrived,
      completed: sim.cOk + sim.cFailed,
      ok: sim.cOk,
      rejected: sim.cRejected,
      timed_out: sim.cTimedOut,
      in_flight: sim.cArrived - sim.cOk - sim.cFailed - sim.cRejected - sim.cTimedOut,
    },
    errors,
    events: sim.events,
    wall_ms: 0,
    stations,
    saturated,
    async: asyncStats,
    ci95: {
      throughput_rps: ci(throughput, bThroughput),
      latency_mean_ms: ci(lat.mean, bMean),
      latency_p99_ms: ci(lat.p99, bP99),
    },
    window_s: sim.windowMs / 1000,
  };
  const as = scenario.server.autoscale;
  if (as) {
    const is = sim.instanceSeconds();
    result.instance_seconds = is;
    result.autoscale = {
      mode: as.mode,
      metric: as.metric,
      target: as.target,
      min: as.min,
      max: as.max,
      instance_seconds: is,
      mean_instances: sim.meanLive(),
      peak_instances: sim.peakBilled,
      scale_ups: sim.scaleUps,
      scale_downs: sim.scaleDowns,
      timeline: sim.timeline,
      decisions: sim.decisions,
    };
  } else if (scenario.slo) result.instance_seconds = scenario.server.instances * T;
  if (scenario.slo) {
    const slo = scenario.slo;
    const end = sim.warmMs / 1000 + T;
    const wins = sim.sloWindows;
    let violatedS = 0;
    for (const w of wins) if (w.violated) violatedS += Math.min(w.t_s + slo.window_s, end) - w.t_s;
    const first = wins.find((w) => w.violated);
    result.slo = {
      p99_ms: slo.p99_ms,
      window_s: slo.window_s,
      max_error_rate: slo.max_error_rate,
      windows: wins.length,
      violated_windows: wins.filter((w) => w.violated).length,
      violated_s: round(violatedS),
      first_violation_s: first ? first.t_s : null,
      timeline: wins,
    };
  }
  if (stopped !== null)
    result.partial = { simulated_s: stopped / 1000, of_s: scenario.warmup_s + scenario.duration_s };
  if (series) {
    result.series = sim.windows.map((w): SeriesPoint => ({
      t_s: round(w.t_s),
      rps: w.seconds > 0 ? w.arrivals / w.seconds : 0,
      ok_rps: w.seconds > 0 ? w.ok / w.seconds : 0,
      error_rps: w.seconds > 0 ? w.errors / w.seconds : 0,
      p50_ms: w.p50,
      p99_ms: w.p99,
      in_flight: w.in_flight,
      backlog: w.backlog,
      async_backlog: w.async_backlog,
      blocked: w.blocked,
    }));
    result.cdf = sim.latHist.cdf(200);
  }
  if (parts) {
    result.parts = {
      latency: sim.latHist.toData(),
      task_delay: scenario.async ? sim.taskHist.toData() : null,
      batches: sim.batches.map((b, i) => {
        const utilization: Record<string, number> = {};
        for (const [name, st] of Object.entries(batchStations[i]))
          utilization[name] = st.utilization;
        return { seconds: b.seconds, ok: b.ok, lat_sum: b.latSum, p99: b.p99, utilization };
      }),
      wait_n: waitCounts ?? {},
    };
  }
  result.wall_ms = clock() - t0;
  return result;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
