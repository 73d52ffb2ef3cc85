// Pure selectors and derivations over the store and results: what the readouts, charts, compare
// table and pipeline diagram show. Defined outside components and unit-tested; components pick
// primitives directly and objects with useShallow.
import type { SimResult, SeriesPoint, StationStats } from '../../sim-core/result';
import type { ScenarioInput } from '../../sim-core/schema';
import { validateScenario, type Problem } from '../../sim-core/validate';
import type { AnalyticView } from '../sim/analytic';
import type { AppState, Snapshot } from './types';
import {
  clauseMetric,
  formatClause,
  holds,
  metricValue,
  type SloClause,
} from '../../sim-core/plan/slo';

export const selectScenario = (s: AppState) => s.scenario;
export const selectCanUndo = (s: AppState) => s.past.length > 0;
export const selectCanRedo = (s: AppState) => s.future.length > 0;
export const selectResult = (s: AppState) => s.result;
export const selectRunStatus = (s: AppState) => s.runStatus;
export const selectProgress = (s: AppState) => s.progress;
export const selectLanguage = (s: AppState) => s.language;
export const selectTheme = (s: AppState) => s.theme;
export const selectSlo = (s: AppState) => s.sloP99Ms;
export const selectSnapshots = (s: AppState) => s.snapshots;

/** The snapshot pinned as A, or null. */
export const selectPinnedA = (s: AppState): Snapshot | null =>
  s.snapshots.find((x) => x.id === s.pinnedA) ?? null;

let lastValidated: { scenario: ScenarioInput; problems: Problem[] } | null = null;
/** The validator's problems with the edited scenario ([] when valid); cached per scenario object. */
export const selectProblems = (s: AppState): Problem[] => {
  if (lastValidated?.scenario === s.scenario) return lastValidated.problems;
  const r = validateScenario(s.scenario, 'scenario');
  const problems = r.ok ? [] : r.problems;
  lastValidated = { scenario: s.scenario, problems };
  return problems;
};

/** What the result panels show: in presentation a chosen snapshot, otherwise the live result. */
export interface Shown {
  result: SimResult | null;
  analytic: AnalyticView | null;
  title: string | null;
}
/** The result on screen (see Shown); pick its fields with useShallow. */
export const selectShown = (s: AppState): Shown => {
  if (s.presenting && s.presentIndex >= 0 && s.snapshots[s.presentIndex]) {
    const snap = s.snapshots[s.presentIndex];
    return { result: snap.result, analytic: snap.analytic, title: snap.name };
  }
  return { result: s.result, analytic: s.analytic, title: null };
};

export interface Readout {
  key: 'throughput' | 'p99' | 'errorRate' | 'p50' | 'asyncBacklog' | 'taskDelay';
  value: number | null;
  /** 95 % interval [low, high], when known. */
  ci: [number, number] | null;
  /** Half-width of the 95 % interval where the engine estimates one (estimate ± this). */
  halfWidth?: number;
  unit: 'rps' | 'ms' | 'ratio' | 'count';
}

/** Half-width of a proportion's 95 % interval (normal approximation). */
function proportionHalfWidth(p: number, n: number): number {
  return n > 0 ? 1.96 * Math.sqrt((p * (1 - p)) / n) : 0;
}

/** The six readouts of a result, each with its 95 % interval where one can be given. */
export function readoutsOf(r: SimResult | null): Readout[] {
  if (!r)
    return (['throughput', 'p99', 'errorRate', 'p50', 'asyncBacklog', 'taskDelay'] as const).map(
      (key) => ({ key, value: null, ci: null, unit: 'count' as const }),
    );
  const n = r.requests.ok + r.requests.rejected + r.requests.timed_out;
  const eh = proportionHalfWidth(r.error_rate, n);
  const tp = r.ci95.throughput_rps;
  const p99 = r.ci95.latency_p99_ms;
  // P50's interval is not computed by the engine; scale the mean's relative half-width.
  const lm = r.ci95.latency_mean_ms;
  const rel = lm.mean > 0 ? lm.half_width / lm.mean : 0;
  return [
    {
      key: 'throughput',
      value: r.throughput_rps,
      ci: [tp.low, tp.high],
      halfWidth: tp.half_width,
      unit: 'rps',
    },
    {
      key: 'p99',
      value: r.latency_ms.p99,
      ci: [p99.low, p99.high],
      halfWidth: p99.half_width,
      unit: 'ms',
    },
    {
      key: 'errorRate',
      value: r.error_rate,
      ci: [Math.max(0, r.error_rate - eh), Math.min(1, r.error_rate + eh)],
      unit: 'ratio',
    },
    {
      key: 'p50',
      value: r.latency_ms.p50,
      ci: [r.latency_ms.p50 * (1 - rel), r.latency_ms.p50 * (1 + rel)],
      unit: 'ms',
    },
    {
      key: 'asyncBacklog',
      value: r.async ? r.async.mean_backlog : null,
      ci: r.async ? [0, r.async.max_backlog] : null,
      unit: 'count',
    },
    {
      key: 'taskDelay',
      value: r.async ? r.async.task_delay_ms.p99 : null,
      ci: r.async ? [r.async.task_delay_ms.p50, r.async.task_delay_ms.p999] : null,
      unit: 'ms',
    },
  ];
}

export interface StationBar {
  name: string;
  utilization: number;
  kind: StationStats['kind'];
  saturated: boolean;
}

/** Stations as bars (highest utilisation first), the saturating one flagged. */
export function stationBars(r: SimResult | null): StationBar[] {
  if (!r) return [];
  return Object.entries(r.stations)
    .map(([name, st]) => ({
      name,
      utilization: st.utilization,
      kind: st.kind,
      saturated: name === r.saturated,
    }))
    .sort((a, b) => b.utilization - a.utilization);
}

export interface StationRow {
  name: string;
  kind: StationStats['kind'];
  servers: number;
  /** Services started per second (null in a result saved before it was reported). */
  throughput_rps: number | null;
  utilization: number;
  mean_queue: number;
  mean_wait_ms: number;
  /** One visit's wait plus the time it holds the server, ms (null as throughput_rps). */
  residence_ms: number | null;
  saturated: boolean;
}

/** The station table's rows, in the result's order (down the pipeline), the saturating one flagged. */
export function stationRows(r: SimResult | null): StationRow[] {
  if (!r) return [];
  return Object.entries(r.stations).map(([name, st]) => ({
    name,
    kind: st.kind,
    servers: st.servers,
    throughput_rps: st.throughput_rps ?? null,
    utilization: st.utilization,
    mean_queue: st.mean_queue,
    mean_wait_ms: st.mean_wait_ms,
    residence_ms: st.residence_ms ?? null,
    saturated: name === r.saturated,
  }));
}

export type Verdict = 'better' | 'worse' | 'same';
export interface CompareRow {
  metric: 'throughput' | 'p99' | 'p50' | 'errorRate' | 'taskDelay' | 'asyncBacklog';
  a: number | null;
  b: number | null;
  delta: number | null;
  /** Is B better or worse than A on this metric. */
  verdict: Verdict;
  /** Against the SLO (P99 rows only): does A / B meet it. */
  aMeets: boolean | null;
  bMeets: boolean | null;
}

/**
 * The A/B table: each metric, its delta and whether it got better; P99 judged against the SLO; the
 * async backlog's peak judged against the queue's capacity (`caps`: A's and B's) — a full queue
 * never meets.
 */
export function compareRows(
  a: SimResult,
  b: SimResult,
  sloP99Ms: number | null,
  caps: { a: number | null; b: number | null } = { a: null, b: null },
): CompareRow[] {
  const row = (
    metric: CompareRow['metric'],
    va: number | null,
    vb: number | null,
    higherIsBetter: boolean,
    slo?: number,
  ): CompareRow => {
    const delta = va !== null && vb !== null ? vb - va : null;
    const eps = Math.max(Math.abs(va ?? 0), Math.abs(vb ?? 0)) * 1e-6;
    const verdict: Verdict =
      delta === null || Math.abs(delta) <= eps
        ? 'same'
        : delta > 0 === higherIsBetter
          ? 'better'
          : 'worse';
    return {
      metric,
      a: va,
      b: vb,
      delta,
      verdict,
      aMeets: slo !== undefined && va !== null ? va <= slo : null,
      bMeets: slo !== undefined && vb !== null ? vb <= slo : null,
    };
  };
  return [
    row('throughput', a.throughput_rps, b.throughput_rps, true),
    row('p99', a.latency_ms.p99, b.latency_ms.p99, false, sloP99Ms ?? undefined),
    row('p50', a.latency_ms.p50, b.latency_ms.p50, false),
    row('errorRate', a.error_rate, b.error_rate, false),
    row('taskDelay', a.async?.task_delay_ms.p99 ?? null, b.async?.task_delay_ms.p99 ?? null, false),
    {
      ...row('asyncBacklog', a.async?.max_backlog ?? null, b.async?.max_backlog ?? null, false),
      aMeets: a.async ? !queueFilled(a, caps.a) : null,
      bMeets: b.async ? !queueFilled(b, caps.b) : null,
    },
  ];
}

/** The async queue's capacity of a scenario (defaults applied), or null without async. */
export function asyncCapacity(s: ScenarioInput): number | null {
  const v = validateScenario(s);
  return v.ok && v.scenario.async ? v.scenario.async.queue_capacity : null;
}

/**
 * Whether a run filled its async queue: the backlog reached the capacity, or tasks were refused
 * for it. Async hides work, it does not remove it: a full queue is a failure whatever the SLO says.
 */
export function queueFilled(r: SimResult, capacity: number | null): boolean {
  if (!r.async) return false;
  if (r.async.rejected > 0 || r.errors.async_queue_full > 0) return true;
  return capacity !== null && capacity > 0 && r.async.max_backlog >= capacity;
}

/** Error causes with a count, largest first: `[['pool_timeout', 12], …]`. */
export function errorCauses(r: SimResult): [string, number][] {
  return Object.entries(r.errors)
    .filter(([, n]) => n > 0)
    .sort((x, y) => y[1] - x[1]);
}

/** One scenario field that differs between A and B. */
export interface FieldDiff {
  path: string;
  a: string;
  b: string;
}

/** The fields (leaf values, dotted paths) that differ between two scenarios, `notes` aside. */
export function scenarioDiff(a: unknown, b: unknown): FieldDiff[] {
  const flat = (v: unknown, at: string, out: Map<string, string>) => {
    if (v !== null && typeof v === 'object') {
      const entries = Array.isArray(v)
        ? v.map((x, i) => [`[${i}]`, x] as const)
        : Object.entries(v).map(([k, x]) => [at ? `.${k}` : k, x] as const);
      if (entries.length === 0) out.set(at, Array.isArray(v) ? '[]' : '{}');
      for (const [k, x] of entries) flat(x, `${at}${k}`, out);
    } else out.set(at, v === undefined ? '—' : JSON.stringify(v));
  };
  const fa = new Map<string, string>();
  const fb = new Map<string, string>();
  flat(a, '', fa);
  flat(b, '', fb);
  const out: FieldDiff[] = [];
  for (const path of new Set([...fa.keys(), ...fb.keys()])) {
    if (path === 'notes') continue;
    const va = fa.get(path) ?? '—';
    const vb = fb.get(path) ?? '—';
    if (va !== vb) out.push({ path, a: va, b: vb });
  }
  return out;
}

/** One objective judged on A and on B. */
export interface SloVerdict {
  /** `p99<=200`, or null for the rule that the async queue never fills. */
  clause: string | null;
  metric: string;
  a: number | null;
  b: number | null;
  aMeets: boolean | null;
  bMeets: boolean | null;
}

/**
 * A and B against every objective of the SLO set, and against the rule every async scenario has:
 * the queue never fills (so a change that fills it is never shown as meeting the SLO).
 */
export function sloVerdicts(
  a: SimResult,
  b: SimResult,
  slo: readonly SloClause[],
  caps: { a: number | null; b: number | null },
): SloVerdict[] {
  const val = (r: SimResult, c: SloClause) => {
    const v = metricValue(r, c);
    return Number.isNaN(v) ? null : v;
  };
  const rows: SloVerdict[] = slo.map((c) => {
    const va = val(a, c);
    const vb = val(b, c);
    return {
      clause: formatClause(c),
      metric: clauseMetric(c),
      a: va,
      b: vb,
      aMeets: va === null ? null : holds(c, va),
      bMeets: vb === null ? null : holds(c, vb),
    };
  });
  if (a.async || b.async)
    rows.push({
      clause: null,
      metric: 'backlog_max',
      a: a.async?.max_backlog ?? null,
      b: b.async?.max_backlog ?? null,
      aMeets: a.async ? !queueFilled(a, caps.a) : null,
      bMeets: b.async ? !queueFilled(b, caps.b) : null,
    });
  return rows;
}

/** The result as CSV: a summary block, then the time series (one row per window). */
export function resultCsv(r: SimResult): string {
  const lines: string[] = [];
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  lines.push('metric,value');
  lines.push(`scenario,${q(r.scenario)}`);
  lines.push(`seed,${r.seed}`);
  lines.push(`throughput_rps,${r.throughput_rps}`);
  lines.push(`error_rate,${r.error_rate}`);
  for (const [k, v] of Object.entries(r.latency_ms)) lines.push(`latency_${k}_ms,${v}`);
  for (const [name, st] of Object.entries(r.stations))
    lines.push(`utilization_${q(name)},${st.utilization}`);
  lines.push('');
  lines.push('station,servers,throughput_rps,utilization,mean_queue,mean_wait_ms,residence_ms');
  for (const row of stationRows(r))
    lines.push(
      [
        q(row.name),
        row.servers,
        row.throughput_rps ?? '',
        row.utilization,
        row.mean_queue,
        row.mean_wait_ms,
        row.residence_ms ?? '',
      ].join(','),
    );
  if (r.series && r.series.length > 0) {
    lines.push('');
    const cols = Object.keys(r.series[0]) as (keyof SeriesPoint)[];
    lines.push(cols.join(','));
    for (const p of r.series) lines.push(cols.map((c) => String(p[c])).join(','));
  }
  return lines.join('\n') + '\n';
}
