// Independent replications of one scenario, and their results merged into one. Pure: the console
// runs the replications on a pool of Web Workers and merges what they send back.
//
// How a scenario is replicated (`planReplications`):
// - `split` — a stationary scenario (a closed loop or a constant rate, no instance faults) with a
//   warm-up: its measured window of D seconds is cut into k runs of D/k seconds, each after a
//   warm-up of its own and with a seed of its own. Each run is a sample of the same steady state,
//   so together they measure D seconds of it with k times less simulated time per run (plus a
//   warm-up each). The batches of the batch-means intervals keep their length (each run gets
//   ⌈B/k⌉ of them). The 95 % intervals: from the batches of every run (batch means over
//   independent runs) with 2 runs; with 3 or more, the wider of that and the interval from the
//   runs themselves (Student's t, k − 1 degrees of freedom): batch means are optimistic where
//   batches are correlated (a P99 at high load), runs are independent but few.
// - `repeat` — anything else: a rate curve, faults at chosen times, or no warm-up (the measured
//   window includes the start from empty) cannot be cut in time, since each stretch of it is
//   different. Each of the k runs simulates the whole scenario with a seed of its own; the
//   merged figures pool them, and the intervals come from the runs themselves (Student's t with
//   k − 1 degrees of freedom): batch means assume a steady state these scenarios do not have.
// The first run keeps the scenario's seed, so one replication is exactly `simulate(scenario)`.
//
// How results are merged (`mergeResults`): latency and task-delay percentiles from the merged
// histograms (each run sends its histogram in `parts`), rates as pooled counts over pooled
// measured time, station figures weighted by measured time (waits by how many waited), counts
// scaled to one measured window of the scenario (in `split`, the plain sums; in `repeat`, the
// mean over runs; `events` is the work done, the plain sum), a lock's busiest key as the
// time-weighted mean of each run's busiest key, the first station to saturate judged over the
// batches of every run. The time
// series: `split` stitches the runs' measured windows one after the other on the scenario's time
// axis (after the first run's warm-up); `repeat` averages the runs window by window (the same
// time axis; a window's P50 and P99 are the mean of the runs' window percentiles).
import { Histogram } from './histogram';
import { chooseWindow } from './model/probes';
import type {
  AsyncStats,
  Ci95,
  ErrorCounts,
  Replications,
  SeriesPoint,
  SimResult,
  StationStats,
} from './result';
import type { Scenario } from './schema';
import { ci, firstSaturated, summary } from './simulate';

/** Replications of one scenario: the scenario each run simulates, and how they fit together. */
export interface ReplicationPlan {
  mode: 'split' | 'repeat';
  /** Validated scenarios; run i has seed `replicationSeed(seed, i)`. */
  runs: Scenario[];
}

/** Seed of replication i: the scenario's own for the first, well-spread others after it. */
export function replicationSeed(seed: number, i: number): number {
  if (i === 0) return seed;
  // a Weyl step (the golden ratio of 2^32) keeps seeds of nearby scenarios' runs apart
  return (seed + i * 2654435769) % 2 ** 52;
}

/** Whether the load on a scenario stays the same over time (no rate curve, no faults). */
export function isStationary(s: Scenario): boolean {
  return (
    (s.workload.type === 'closed' ||
      (s.workload.type === 'open' && typeof s.workload.rate_rps === 'number')) &&
    s.gateway.faults.length === 0 &&
    (s.server.autoscale === undefined || s.server.autoscale.mode === 'static')
  );
}

/** Up to `n` replications of `s` (see the module comment); one when n ≤ 1. */
export function planReplications(s: Scenario, n: number): ReplicationPlan {
  const split = isStationary(s) && s.warmup_s > 0;
  const k = Math.max(1, Math.min(Math.floor(n), split ? s.stats.batches : n));
  if (k === 1) return { mode: split ? 'split' : 'repeat', runs: [s] };
  if (!split)
    return {
      mode: 'repeat',
      runs: Array.from({ length: k }, (_, i) => ({ ...s, seed: replicationSeed(s.seed, i) })),
    };
  const stats = {
    ...s.stats,
    batches: Math.ceil(s.stats.batches / k),
    // the whole run's series windows, so that the stitched series has one width
    window_s: chooseWindow(s.warmup_s + s.duration_s, s.stats.window_s),
  };
  return {
    mode: 'split',
    runs: Array.from({ length: k }, (_, i) => ({
      ...s,
      seed: replicationSeed(s.seed, i),
      duration_s: s.duration_s / k,
      stats,
    })),
  };
}

/** Sum over runs of f(run). */
function total(rs: SimResult[], f: (r: SimResult) => number): number {
  let x = 0;
  for (const r of rs) x += f(r);
  return x;
}

/** Stations weighted by measured time (waits by the number of waits). */
function mergeStations(rs: SimResult[]): Record<string, StationStats> {
  const out: Record<string, StationStats> = {};
  const T = total(rs, (r) => r.duration_s);
  for (const [name, first] of Object.entries(rs[0].stations)) {
    let u = 0;
    let q = 0;
    let w = 0;
    let n = 0;
    // throughput and residence (the station table's, present with series): services started are
    // rate × time, a visit's residence is weighted like the waits
    let started = 0;
    let res = 0;
    let flow = first.throughput_rps !== undefined && first.residence_ms !== undefined;
    for (const r of rs) {
      const st = r.stations[name];
      if (!st) continue;
      u += st.utilization * r.duration_s;
      q += st.mean_queue * r.duration_s;
      const waits = r.parts?.wait_n[name] ?? 1;
      w += st.mean_wait_ms * waits;
      n += waits;
      if (st.throughput_rps === undefined || st.residence_ms === undefined) flow = false;
      else {
        started += st.throughput_rps * r.duration_s;
        res += st.residence_ms * waits;
      }
    }
    out[name] = {
      utilization: T > 0 ? u / T : 0,
      mean_queue: T > 0 ? q / T : 0,
      mean_wait_ms: n > 0 ? w / n : 0,
      servers: first.servers,
      kind: first.kind,
      ...(flow
        ? { throughput_rps: T > 0 ? started / T : 0, residence_ms: n > 0 ? res / n : 0 }
        : {}),
    };
  }
  return out;
}

/** The series of a `split` plan: each run's measured windows after the previous run's. */
function stitch(rs: SimResult[], warmupS: number): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  let shift = 0;
  rs.forEach((r, i) => {
    for (const p of r.series ?? []) {
      if (i > 0 && p.t_s <= warmupS + 1e-9) continue; // its own warm-up: discarded
      out.push({ ...p, t_s: Math.round((p.t_s + shift) * 1e6) / 1e6 });
    }
    shift += r.duration_s;
  });
  return out;
}

/** The series of a `repeat` plan: window by window, the mean over runs. */
function average(rs: SimResult[]): SeriesPoint[] {
  const n = Math.min(...rs.map((r) => r.series?.length ?? 0));
  const out: SeriesPoint[] = [];
  for (let k = 0; k < n; k++) {
    const row: SeriesPoint = { ...rs[0].series![k] };
    for (const key of Object.keys(row) as (keyof SeriesPoint)[]) {
      if (key === 't_s') continue;
      let x = 0;
      for (const r of rs) x += r.series![k][key];
      row[key] = x / rs.length;
    }
    out.push(row);
  }
  return out;
}

/**
 * One result from the results of `plan`'s runs (in the plan's order, each run with
 * `{ parts: true }`), as if of `scenario` (see the module comment). A single result comes back as
 * it is. The merged result keeps `parts` (merged) and says how it was made in `replications`.
 */
export function mergeResults(
  scenario: Scenario,
  plan: ReplicationPlan,
  rs: SimResult[],
): SimResult {
  if (rs.length === 1) return rs[0];
  if (rs.length !== plan.runs.length) throw new Error('one result per run of the plan');
  const parts = rs.map((r) => {
    if (!r.parts) throw new Error('a result to merge needs its parts (simulate with parts: true)');
    return r.parts;
  });
  const T = total(rs, (r) => r.duration_s);
  const D = scenario.duration_s;
  // counts of the merged result are of one measured window of the scenario
  const scale = D / T;
  const sum = (f: (r: SimResult) => number) => total(rs, f) * scale;

  const lat = Histogram.fromData(...parts.map((p) => p.latency));
  const latency = summary(lat);
  const throughput = lat.count / T;

  const requests: SimResult['requests'] = {
    arrived: sum((r) => r.requests.arrived),
    completed: sum((r) => r.requests.completed),
    ok: sum((r) => r.requests.ok),
    rejected: sum((r) => r.requests.rejected),
    timed_out: sum((r) => r.requests.timed_out),
    in_flight: sum((r) => r.requests.in_flight),
  };
  const errors = {} as ErrorCounts;
  for (const c of Object.keys(rs[0].errors) as (keyof ErrorCounts)[])
    errors[c] = sum((r) => r.errors[c]);
  const errCount = requests.rejected + (requests.completed - requests.ok) + requests.timed_out;

  const stations = mergeStations(rs);
  const batches = parts.flatMap((p) => p.batches);
  const kinds = (b: (typeof batches)[number]): Record<string, StationStats> => {
    const out: Record<string, StationStats> = {};
    for (const [name, u] of Object.entries(b.utilization)) {
      const st = stations[name];
      if (st) out[name] = { ...st, utilization: u };
    }
    return out;
  };
  const saturated = firstSaturated(stations, batches.map(kinds));

  let asyncStats: AsyncStats | null = null;
  const task = rs[0].async ? Histogram.fromData(...parts.map((p) => p.task_delay!)) : null;
  if (task) {
    const as = rs.map((r) => r.async!);
    asyncStats = {
      enqueued: sum((r) => r.async!.enqueued),
      completed: sum((r) => r.async!.completed),
      rejected: sum((r) => r.async!.rejected),
      failed: sum((r) => r.async!.failed ?? 0),
      // a snapshot at the end of a run: the mean over runs
      pending: total(rs, (r) => r.async!.pending) / rs.length,
      mean_backlog: stations.async_queue?.mean_queue ?? 0,
      max_backlog: Math.max(...as.map((a) => a.max_backlog)),
      task_delay_ms: summary(task),
      throughput_rps: total(rs, (r) => r.async!.completed) / T,
    };
  }

  // the 95 % intervals (see the module comment)
  const byBatches = plan.mode === 'split';
  const ok = rs.filter((r) => r.requests.ok > 0);
  const runs = {
    tp: ci(
      throughput,
      rs.map((r) => r.throughput_rps),
    ),
    mean: ci(
      latency.mean,
      ok.map((r) => r.latency_ms.mean),
    ),
    p99: ci(
      latency.p99,
      ok.map((r) => r.latency_ms.p99),
    ),
  };
  let intervals = runs;
  let how: Replications['ci'] = 'runs';
  if (byBatches) {
    const full = batches.filter((b) => b.ok > 0);
    const pooled = {
      tp: ci(
        throughput,
        batches.map((b) => b.ok / b.seconds),
      ),
      mean: ci(
        latency.mean,
        full.map((b) => b.lat_sum / b.ok),
      ),
      p99: ci(
        latency.p99,
        full.map((b) => b.p99),
      ),
    };
    if (rs.length < 3) {
      intervals = pooled;
      how = 'batches';
    } else {
      const wider = (a: Ci95, b: Ci95) => (a.half_width >= b.half_width ? a : b);
      intervals = {
        tp: wider(pooled.tp, runs.tp),
        mean: wider(pooled.mean, runs.mean),
        p99: wider(pooled.p99, runs.p99),
      };
      how = 'wider';
    }
  }

  const merged: SimResult = {
    scenario: scenario.name,
    seed: scenario.seed,
    duration_s: D,
    warmup_s: scenario.warmup_s,
    throughput_rps: throughput,
    goodput_rps: throughput,
    offered_rps: total(rs, (r) => r.offered_rps * r.duration_s) / T,
    error_rate: requests.ok + errCount > 0 ? errCount / (requests.ok + errCount) : 0,
    latency_ms: latency,
    requests,
    errors,
    events: total(rs, (r) => r.events),
    // the runs go side by side: the slowest one's
    wall_ms: Math.max(...rs.map((r) => r.wall_ms)),
    stations,
    saturated,
    async: asyncStats,
    ci95: {
      throughput_rps: intervals.tp,
      latency_mean_ms: intervals.mean,
      latency_p99_ms: intervals.p99,
    },
    window_s: rs[0].window_s,
    parts: {
      latency: lat.toData(),
      task_delay: task ? task.toData() : null,
      batches,
      wait_n: Object.fromEntries(
        Object.keys(stations).map((name) => [name, total(rs, (r) => r.parts!.wait_n[name] ?? 0)]),
      ),
    },
    replications: {
      mode: plan.mode,
      count: rs.length,
      measured_s: rs[0].duration_s,
      ci: how,
      batches: batches.length,
    },
  };
  // the autoscaler's timeline and SLO windows are one run's story, not averages: the first run's
  // (its timeline, cost and windows belong together)
  if (rs[0].instance_seconds !== undefined) merged.instance_seconds = rs[0].instance_seconds;
  if (rs[0].autoscale) merged.autoscale = rs[0].autoscale;
  if (rs[0].slo) merged.slo = rs[0].slo;
  if (rs.every((r) => r.series)) {
    merged.series = byBatches ? stitch(rs, scenario.warmup_s) : average(rs);
    merged.cdf = lat.cdf(200);
  }
  return merged;
}
