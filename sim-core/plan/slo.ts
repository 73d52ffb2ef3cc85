// Service-level objectives of a capacity plan: `p99<=150,error_rate<=0.001,util:db_pool<=0.8`.
// Each clause names a metric of a simulation result, a comparison and a threshold; latencies in
// ms, error_rate 0..1 (or a percentage), throughput in req/s, utilisation 0..1 (or %).
import type { SimResult } from '../result';

/** The metrics a plan's SLO may name, what each means, and where it is read from a result. */
export const PLAN_METRICS = {
  p50: { unit: 'ms', about: 'median latency of ok responses' },
  p90: { unit: 'ms', about: '90th percentile latency' },
  p99: { unit: 'ms', about: '99th percentile latency' },
  p999: { unit: 'ms', about: '99.9th percentile latency' },
  mean: { unit: 'ms', about: 'mean latency' },
  max: { unit: 'ms', about: 'largest latency' },
  error_rate: { unit: '', about: 'errors / (ok + errors)' },
  throughput: { unit: 'req/s', about: 'ok responses per second' },
  task_delay_p99: { unit: 'ms', about: 'async task delay P99, enqueue → done' },
  backlog_max: { unit: 'tasks', about: 'largest async channel backlog' },
  util: { unit: '', about: 'utilisation of a station, util:NAME' },
} as const;
export type PlanMetric = keyof typeof PLAN_METRICS;
export type SloOp = '<=' | '<' | '>=' | '>';

/** One clause, e.g. `p99 <= 150` or `util:db_pool <= 0.8`. */
export interface SloClause {
  metric: PlanMetric;
  /** The station of a `util` clause (`db_pool`, `workers`, `shard` for the busiest shard, …). */
  station?: string;
  op: SloOp;
  value: number;
}

/** The clause's metric as written: `p99`, `util:db_pool`. */
export const clauseMetric = (c: SloClause): string =>
  c.metric === 'util' ? `util:${c.station}` : c.metric;

/** `p99<=150`. */
export const formatClause = (c: SloClause): string => `${clauseMetric(c)}${c.op}${c.value}`;

/** `p99<=150, error_rate<=0.001`. */
export const formatSloClauses = (slo: readonly SloClause[]): string =>
  slo.map(formatClause).join(', ');

const ALIASES: Record<string, PlanMetric> = {
  'p99.9': 'p999',
  latency_mean: 'mean',
  errors: 'error_rate',
  throughput_rps: 'throughput',
  task_delay: 'task_delay_p99',
  backlog: 'backlog_max',
  utilization: 'util',
};

/**
 * Parses `p99<=150,error_rate<=0.1%,util:db_pool<0.8` into clauses; throws an error naming the
 * clause that cannot be read and the metrics there are.
 */
export function parsePlanSlo(text: string): SloClause[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('--slo is empty (e.g. --slo "p99<=150")');
  return parts.map((part) => {
    const m =
      /^([a-z_][a-z_0-9.]*)(?::([A-Za-z_][\w:[\].-]*))?\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*(ms|%)?$/i.exec(
        part,
      );
    if (!m)
      throw new Error(
        `--slo: cannot read "${part}" (write metric<=value, e.g. p99<=150, error_rate<=0.001, util:db_pool<=0.8)`,
      );
    const name = m[1].toLowerCase();
    const metric = (name in PLAN_METRICS ? name : ALIASES[name]) as PlanMetric | undefined;
    if (!metric)
      throw new Error(
        `--slo: unknown metric "${m[1]}" in "${part}" (one of ${Object.keys(PLAN_METRICS)
          .map((k) => (k === 'util' ? 'util:STATION' : k))
          .join(', ')})`,
      );
    if (metric === 'util' && !m[2])
      throw new Error(`--slo: "${part}": util needs a station, e.g. util:db_pool<=0.8`);
    if (metric !== 'util' && m[2])
      throw new Error(`--slo: "${part}": only util takes a station (util:NAME)`);
    let value = Number(m[4]);
    if (m[5] === '%') value /= 100;
    if (m[5] === 'ms' && PLAN_METRICS[metric].unit !== 'ms')
      throw new Error(`--slo: "${part}": ${metric} is not a time, drop "ms"`);
    return { metric, ...(m[2] ? { station: m[2] } : {}), op: m[3] as SloOp, value };
  });
}

/**
 * The station names a `util:NAME` clause may use in a result, for messages: exact names, and
 * families of indexed stations as `shard (busiest of shard[0..3])`.
 */
export function utilNames(r: SimResult): string[] {
  const out: string[] = [];
  const families = new Map<string, number>();
  for (const k of Object.keys(r.stations)) {
    const fam = /^(.*)\[\d+\]$/.exec(k);
    if (fam) families.set(fam[1], (families.get(fam[1]) ?? 0) + 1);
    else out.push(k);
  }
  for (const [f, n] of families) out.push(`${f} (busiest of ${f}[0..${n - 1}])`);
  return out;
}

/**
 * Utilisation of the named station: an exact station name, or a family without its index
 * (`shard`, `instance`, `lock`, `host:db`) for the busiest of them.
 */
export function stationUtil(r: SimResult, station: string): number | undefined {
  const st = r.stations[station];
  if (st) return st.utilization;
  let best: number | undefined;
  for (const [k, v] of Object.entries(r.stations)) {
    const fam = /^(.*)\[\d+\]$/.exec(k);
    if (fam && fam[1] === station) best = Math.max(best ?? 0, v.utilization);
  }
  return best;
}

/**
 * The clause's metric in one run. Latencies are Infinity when no response was ok (a
 * configuration that serves nothing does not meet a latency objective); async figures need an
 * async section (checked by `checkSloAgainst`).
 */
export function metricValue(r: SimResult, c: SloClause): number {
  const okCount = r.requests.ok;
  const lat = (v: number) => (okCount > 0 ? v : Infinity);
  switch (c.metric) {
    case 'p50':
      return lat(r.latency_ms.p50);
    case 'p90':
      return lat(r.latency_ms.p90);
    case 'p99':
      return lat(r.latency_ms.p99);
    case 'p999':
      return lat(r.latency_ms.p999);
    case 'mean':
      return lat(r.latency_ms.mean);
    case 'max':
      return lat(r.latency_ms.max);
    case 'error_rate':
      return r.error_rate;
    case 'throughput':
      return r.throughput_rps;
    case 'task_delay_p99':
      return r.async ? (r.async.completed > 0 ? r.async.task_delay_ms.p99 : Infinity) : NaN;
    case 'backlog_max':
      return r.async ? r.async.max_backlog : NaN;
    case 'util':
      return stationUtil(r, c.station ?? '') ?? NaN;
  }
}

/**
 * Problems of `slo` for a scenario whose run gave `r` (its stations and async section): a
 * `util` clause naming no station, an async metric without an async section. Empty when fine.
 */
export function checkSloAgainst(r: SimResult, slo: readonly SloClause[]): string[] {
  const out: string[] = [];
  for (const c of slo) {
    if ((c.metric === 'task_delay_p99' || c.metric === 'backlog_max') && !r.async)
      out.push(`--slo ${formatClause(c)}: the scenario has no async section`);
    if (c.metric === 'util' && stationUtil(r, c.station ?? '') === undefined)
      out.push(
        `--slo ${formatClause(c)}: no station "${c.station}" (stations: ${utilNames(r).join(', ')})`,
      );
  }
  return out;
}

/** Whether `value` lies on the right side of the clause. */
export function holds(c: SloClause, value: number): boolean {
  switch (c.op) {
    case '<=':
      return value <= c.value;
    case '<':
      return value < c.value;
    case '>=':
      return value >= c.value;
    case '>':
      return value > c.value;
  }
}

/** Whether a run meets every clause (a metric the run does not have, NaN, does not meet). */
export function meetsClauses(r: SimResult, slo: readonly SloClause[]): boolean {
  return slo.every((c) => holds(c, metricValue(r, c)));
}

/**
 * How far a value is inside (> 0) or outside (< 0) the clause, as a share of the threshold:
 * p99 120 under p99<=150 is 0.2 (20 % headroom), 180 is −0.2. A threshold of 0 compares with 1.
 */
export function clauseMargin(c: SloClause, value: number): number {
  if (Number.isNaN(value)) return NaN;
  const scale = Math.abs(c.value) > 0 ? Math.abs(c.value) : 1;
  const m = (higherIsBetter(c) ? value - c.value : c.value - value) / scale;
  return Number.isFinite(m) ? m : m > 0 ? Infinity : -Infinity;
}

/** Whether larger values of the clause's metric are better (throughput >= …). */
export const higherIsBetter = (c: SloClause): boolean => c.op === '>=' || c.op === '>';
