// What a sweep varies and what it must meet: parses `--vary path=a..b[:step]` (or a list
// `path=1,2,4`) into values, and SLOs such as `p99<=200,error_rate<=0.01` into clauses that are
// checked against a SimResult. Pure functions, shared by the CLI and the shells.
import type { SimResult } from '../../sim-core/result';
import { parsePath } from '../../sim-core/validate/paths';

/** One varied dimension: a scenario path and the values it takes, in order. */
export interface VaryDim {
  path: string;
  values: number[];
}

/** The metrics an SLO may name, and where each is read from a result. */
export const SLO_METRICS = {
  p50: (r: SimResult) => r.latency_ms.p50,
  p90: (r: SimResult) => r.latency_ms.p90,
  p99: (r: SimResult) => r.latency_ms.p99,
  p999: (r: SimResult) => r.latency_ms.p999,
  mean: (r: SimResult) => r.latency_ms.mean,
  max: (r: SimResult) => r.latency_ms.max,
  error_rate: (r: SimResult) => r.error_rate,
  throughput: (r: SimResult) => r.throughput_rps,
  task_delay_p99: (r: SimResult) => r.async?.task_delay_ms.p99 ?? 0,
} as const;
export type SloMetric = keyof typeof SLO_METRICS;
export type SloOp = '<=' | '<' | '>=' | '>';

/** One SLO clause, e.g. `p99 <= 200` (latencies in ms, error_rate 0..1, throughput req/s). */
export interface SloClause {
  metric: SloMetric;
  op: SloOp;
  value: number;
}

/** The most points one sweep may have. */
export const MAX_SWEEP_POINTS = 10_000;

const fmtNum = (x: number): number => Number(x.toPrecision(12));

/** Parses `path=a..b[:step]` or `path=v1,v2,...` into a dimension (step defaults to 1). */
export function parseVary(arg: string): VaryDim {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`--vary needs path=a..b[:step] or path=v1,v2,…, got "${arg}"`);
  const path = arg.slice(0, eq).trim();
  try {
    parsePath(path);
  } catch (e) {
    throw new Error(`--vary ${arg}: ${(e as Error).message}`, { cause: e });
  }
  const spec = arg.slice(eq + 1).trim();
  const num = (s: string, what: string): number => {
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v))
      throw new Error(`--vary ${arg}: ${what} "${s}" is not a number`);
    return v;
  };
  const range = /^([^:]+?)\.\.([^:]+?)(?::(.+))?$/.exec(spec);
  let values: number[];
  if (range) {
    const a = num(range[1], 'start');
    const b = num(range[2], 'end');
    const step = range[3] !== undefined ? num(range[3], 'step') : 1;
    if (step <= 0) throw new Error(`--vary ${arg}: step must be > 0`);
    if (b < a) throw new Error(`--vary ${arg}: end must be >= start`);
    const n = Math.floor((b - a) / step + 1e-9) + 1;
    if (n > MAX_SWEEP_POINTS)
      throw new Error(`--vary ${arg}: ${n} values is too many (at most ${MAX_SWEEP_POINTS})`);
    values = Array.from({ length: n }, (_, i) => fmtNum(a + i * step));
  } else {
    values = spec.split(',').map((s) => num(s, 'value'));
    if (new Set(values).size !== values.length) throw new Error(`--vary ${arg}: values repeat`);
  }
  if (values.length === 0) throw new Error(`--vary ${arg}: no values`);
  return { path, values };
}

/** Parses `p99<=200,error_rate<=0.01,throughput>=5000` into clauses. */
export function parseSlo(text: string): SloClause[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('--slo is empty (e.g. --slo "p99<=200")');
  return parts.map((part) => {
    const m = /^([a-z_0-9]+)\s*(<=|>=|<|>)\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\s*(ms|%)?$/i.exec(part);
    if (!m)
      throw new Error(
        `--slo: cannot read "${part}" (write metric<=value, e.g. p99<=200, error_rate<=0.01, throughput>=5000)`,
      );
    const metric = m[1].toLowerCase() === 'p99.9' ? 'p999' : m[1].toLowerCase();
    if (!(metric in SLO_METRICS))
      throw new Error(
        `--slo: unknown metric "${m[1]}" (one of ${Object.keys(SLO_METRICS).join(', ')})`,
      );
    let value = Number(m[3]);
    if (!Number.isFinite(value)) throw new Error(`--slo: "${m[3]}" is not a number`);
    if (m[4] === '%') value /= 100;
    return { metric: metric as SloMetric, op: m[2] as SloOp, value };
  });
}

/** Formats clauses back as text, e.g. `p99<=200, error_rate<=0.01`. */
export function formatSlo(slo: readonly SloClause[]): string {
  return slo.map((c) => `${c.metric}${c.op}${c.value}`).join(', ');
}

/** Whether a result meets every clause. */
export function meetsSlo(r: SimResult, slo: readonly SloClause[]): boolean {
  return slo.every((c) => {
    const v = SLO_METRICS[c.metric](r);
    switch (c.op) {
      case '<=':
        return v <= c.value;
      case '<':
        return v < c.value;
      case '>=':
        return v >= c.value;
      case '>':
        return v > c.value;
    }
  });
}

/** Every combination of the dimensions' values, first dimension outermost. */
export function gridPoints(dims: readonly VaryDim[]): number[][] {
  let points: number[][] = [[]];
  for (const d of dims) points = points.flatMap((p) => d.values.map((v) => [...p, v]));
  return points;
}
