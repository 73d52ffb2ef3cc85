// What a sweep varies and what it must meet: parses `--vary path=a..b[:step]` (or a list
// `path=1,2,4`) into values; SLOs such as `p99<=200,error_rate<=0.01` are read by the plan's parser
// (sim-core/plan/slo.ts) and checked against a SimResult. Pure functions, shared by the CLI and the shells.
import type { SimResult } from '../../sim-core/result';
import { parsePath } from '../../sim-core/validate/paths';
import {
  formatSloClauses,
  meetsClauses,
  parsePlanSlo,
  type SloClause,
} from '../../sim-core/plan/slo';

/** One varied dimension: a scenario path and the values it takes, in order. */
export interface VaryDim {
  path: string;
  values: number[];
}

// The SLO is the plan's (sim-core/plan/slo.ts): one parser and one meaning of each metric for
// plan, sweep and the console.
export type { SloClause, SloOp } from '../../sim-core/plan/slo';

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

/** Parses `p99<=200,error_rate<=0.01,throughput>=5000` into clauses (the plan's parser). */
export const parseSlo = (text: string): SloClause[] => parsePlanSlo(text);

/** Formats clauses back as text, e.g. `p99<=200, error_rate<=0.01`. */
export const formatSlo = (slo: readonly SloClause[]): string => formatSloClauses(slo);

/** Whether a result meets every clause. */
export const meetsSlo = (r: SimResult, slo: readonly SloClause[]): boolean => meetsClauses(r, slo);

/** Every combination of the dimensions' values, first dimension outermost. */
export function gridPoints(dims: readonly VaryDim[]): number[][] {
  let points: number[][] = [[]];
  for (const d of dims) points = points.flatMap((p) => d.values.map((v) => [...p, v]));
  return points;
}
