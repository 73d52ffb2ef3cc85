// The capacity plan: the cheapest configuration of a grid of scenario fields that meets every SLO
// clause with confidence. Each configuration is run as replications with common random numbers
// (replication r uses seed + r in every configuration, so configurations differ by what they
// change, not by luck); a clause is met when the confidence bound of its metric's mean lies on the
// right side of the threshold, surely missed when the other bound lies on the wrong side, and
// otherwise the configuration gets more replications, up to a maximum (still undecided then: not
// shown to meet). The search (search.ts) picks which configurations to run. Platform-free: the
// caller supplies the function that runs one replication (worker threads, this thread, …).
import type { Ci95, SimResult } from '../result';
import type { CostItem, CostModel } from './cost';
import { paretoFront } from './pareto';
import {
  searchCheapest,
  SearchAborted,
  type ClauseOutcome,
  type GridIndex,
  type Judgement,
  type MonotonicityBreak,
} from './search';
import {
  checkSloAgainst,
  clauseMetric,
  formatClause,
  formatSloClauses,
  higherIsBetter,
  holds,
  metricValue,
  stationUtil,
  type SloClause,
} from './slo';
import { meanCi, pairedDiffCi } from './stats';

/** The SLO asks for something the scenario does not have (a station, an async section). */
export class PlanInputError extends Error {
  override name = 'PlanInputError';
}

/** A varied field and its values. */
export interface PlanDim {
  path: string;
  values: number[];
}

/** What to plan. */
export interface PlanInput {
  /** The scenario's name, for the report. */
  name: string;
  dims: PlanDim[];
  slo: SloClause[];
  cost: CostModel;
  /** Seed of replication 0 (replication r uses seed + r). */
  seed: number;
  /** Confidence of the intervals (default 0.95). */
  confidence?: number;
  /** Replications of every configuration (default 5, at least 2). */
  replications?: number;
  /** Most replications of a configuration near the boundary (default 4 × replications). */
  maxReplications?: number;
  /** Replications of the winner's confirmation (default 2 × replications, at most the maximum). */
  confirmReplications?: number;
  /** Configurations run together in a batch of the search (default 2). */
  width?: number;
}

/** Runs one replication: the scenario with `values` at the varied paths (in order) and `seed`. */
export type RunReplication = (values: readonly number[], seed: number) => Promise<SimResult>;

export interface PlanProgress {
  evaluated: number;
  grid_size: number;
  simulations: number;
  best: { params: Record<string, number>; cost: number } | null;
}

export interface PlanOptions {
  /** Polled between batches; when set, the plan stops and reports the best so far (partial). */
  signal?: { readonly aborted: boolean };
  onProgress?: (p: PlanProgress) => void;
  /** Called with a line of news (a clause found not monotone in a field). */
  onNote?: (line: string) => void;
}

/** A clause at one configuration. */
export interface ClauseReport {
  clause: string;
  metric: string;
  outcome: ClauseOutcome;
  threshold: number;
  ci95: Ci95;
}

/** One configuration that was run. */
export interface ConfigReport {
  params: Record<string, number>;
  cost: number;
  cost_items: CostItem[];
  meets_slo: boolean;
  replications: number;
  /** Mean of each metric over the replications. */
  metrics: Record<string, number>;
  /** Its confidence interval (at the plan's confidence, 0.95 by default). */
  ci95: Record<string, Ci95>;
  clauses: ClauseReport[];
  /** Clauses not shown to be met, e.g. `backlog_max<=900 (1,000 ± 0)`. */
  failed: string[];
  /** The station that saturated first in most replications, or null. */
  saturated: string | null;
}

/** A clause found not to be monotone in a field. */
export interface MonotonicityNote {
  clause: string;
  path: string;
  /** The clause is met here … */
  from: Record<string, number>;
  /** … and surely missed here, with only `path` raised. */
  to: Record<string, number>;
  message: string;
}

export interface PlanReport {
  scenario: string;
  vary: PlanDim[];
  slo: string;
  confidence: number;
  currency: string;
  period: string;
  prices: { path: string; price: number; per: string | null }[];
  grid_size: number;
  evaluated: number;
  replications: {
    /** Replications of every configuration. */
    initial: number;
    /** The most any configuration could get. */
    max: number;
    /** Of the winner's confirmation. */
    confirm: number;
    /** Configurations that needed more than the initial replications. */
    adaptive: number;
    /** Replications run in all (simulations). */
    total: number;
  };
  /** Whether a configuration meeting the SLO was found. */
  feasible: boolean;
  /** Stopped early (Ctrl+C): `best` is the best found so far. */
  partial: boolean;
  best: ConfigReport | null;
  /** The winner's cheaper neighbours (one step down in one field) and why each fails. */
  neighbours: ConfigReport[];
  /** Cost against P99 of the configurations run that meet the SLO, cheapest first. */
  pareto: { params: Record<string, number>; cost: number; p99: number; ci95: Ci95 }[];
  monotonicity: MonotonicityNote[];
  /** The largest configuration, when nothing meets the SLO. */
  largest: ConfigReport | null;
  /** Every configuration run, in the order they were run. */
  configurations: ConfigReport[];
}

/** A replication's figures. */
interface Rep {
  values: Record<string, number>;
  saturated: string | null;
}

interface Config {
  ix: GridIndex;
  values: number[];
  reps: Rep[];
  order: number;
}

const fmt = (x: number) =>
  !Number.isFinite(x)
    ? String(x)
    : Math.abs(x) >= 100
      ? Math.round(x).toLocaleString('en-US')
      : Number(x.toPrecision(3)).toString();

/** `1,000 ± 12` */
export const formatCi = (ci: Ci95): string =>
  ci.half_width === 0 || !Number.isFinite(ci.mean)
    ? fmt(ci.mean)
    : `${fmt(ci.mean)} ± ${fmt(ci.half_width)}`;

/** The metrics reported for every configuration. */
function metricNames(slo: readonly SloClause[], hasAsync: boolean): string[] {
  const names = ['p50', 'p99', 'p999', 'mean', 'error_rate', 'throughput'];
  if (hasAsync) names.push('task_delay_p99', 'backlog_max');
  for (const c of slo) if (!names.includes(clauseMetric(c))) names.push(clauseMetric(c));
  return names;
}

function repOf(r: SimResult, names: readonly string[], slo: readonly SloClause[]): Rep {
  const values: Record<string, number> = {};
  for (const n of names) {
    const clause = slo.find((c) => clauseMetric(c) === n);
    if (clause) values[n] = metricValue(r, clause);
    else if (n.startsWith('util:')) values[n] = stationUtil(r, n.slice(5)) ?? NaN;
    else values[n] = metricValue(r, { metric: n as SloClause['metric'], op: '<=', value: 0 });
  }
  return { values, saturated: r.saturated };
}

/** Plans; see the module comment. */
export async function runPlan(
  input: PlanInput,
  run: RunReplication,
  opts: PlanOptions = {},
): Promise<PlanReport> {
  const confidence = input.confidence ?? 0.95;
  const r0 = Math.max(2, input.replications ?? 5);
  const rMax = Math.max(r0, input.maxReplications ?? 4 * r0);
  const rConfirm = Math.min(rMax, Math.max(r0, input.confirmReplications ?? 2 * r0));
  const dims = input.dims.map((d) => ({
    path: d.path,
    values: [...d.values].sort((a, b) => a - b),
  }));
  const slo = input.slo;
  const sizes = dims.map((d) => d.values.length);
  const gridSize = sizes.reduce((a, b) => a * b, 1);
  const configs = new Map<string, Config>();
  let simulations = 0;
  let names: string[] | null = null;

  const valuesOf = (ix: GridIndex) => ix.map((i, d) => dims[d].values[i]);
  const paramsOf = (values: readonly number[]) => {
    const p: Record<string, number> = {};
    dims.forEach((d, i) => (p[d.path] = values[i]));
    return p;
  };
  const costCache = new Map<string, number>();
  const costOf = (ix: GridIndex) => {
    const k = ix.join(',');
    let c = costCache.get(k);
    if (c === undefined) {
      c = input.cost.costOf(paramsOf(valuesOf(ix))).total;
      costCache.set(k, c);
    }
    return c;
  };
  const stop = () => {
    if (opts.signal?.aborted) throw new SearchAborted('stopped');
  };

  const configOf = (ix: GridIndex): Config => {
    const k = ix.join(',');
    let c = configs.get(k);
    if (!c) {
      c = { ix: [...ix], values: valuesOf(ix), reps: [], order: configs.size };
      configs.set(k, c);
    }
    return c;
  };

  const describe = (values: readonly number[]) =>
    dims.map((d, i) => `${d.path}=${values[i]}`).join(', ');

  /** Runs replications until each config has its target. */
  const ensure = async (targets: [Config, number][]) => {
    stop();
    const jobs: Promise<void>[] = [];
    for (const [c, target] of targets) {
      for (let r = c.reps.length; r < target; r++) {
        const rep = r;
        jobs.push(
          run(c.values, input.seed + rep).then(
            (res) => {
              if (!names) {
                const problems = checkSloAgainst(res, slo);
                if (problems.length > 0) throw new PlanInputError(problems.join('; '));
                names = metricNames(slo, res.async !== null);
              }
              c.reps[rep] = repOf(res, names, slo);
              simulations++;
            },
            (e: unknown) => {
              throw new Error(`${(e as Error).message} at ${describe(c.values)}`, { cause: e });
            },
          ),
        );
      }
    }
    try {
      await Promise.all(jobs);
    } catch (e) {
      stop();
      throw e;
    }
    stop();
  };

  const clauseCi = (c: Config, cl: SloClause) =>
    meanCi(
      c.reps.map((r) => r.values[clauseMetric(cl)]),
      confidence,
    );
  const outcome = (cl: SloClause, ci: Ci95): ClauseOutcome => {
    const near = higherIsBetter(cl) ? ci.low : ci.high;
    const far = higherIsBetter(cl) ? ci.high : ci.low;
    if (holds(cl, near)) return 'pass';
    if (!holds(cl, far)) return 'fail';
    return 'unsure';
  };
  const judgementOf = (c: Config): Judgement => ({
    clauses: slo.map((cl) => outcome(cl, clauseCi(c, cl))),
  });
  const needsMore = (c: Config) => {
    const j = judgementOf(c).clauses;
    return j.includes('unsure') && !j.includes('fail') && c.reps.length < rMax;
  };
  const adapt = async (list: Config[]) => {
    for (let more = list.filter(needsMore); more.length > 0; more = more.filter(needsMore))
      await ensure(more.map((c) => [c, Math.min(rMax, c.reps.length + r0)]));
  };

  let best: { ix: GridIndex; cost: number } | null = null;
  const progress = () =>
    opts.onProgress?.({
      evaluated: configs.size,
      grid_size: gridSize,
      simulations,
      best: best ? { params: paramsOf(valuesOf(best.ix)), cost: best.cost } : null,
    });

  const result = await searchCheapest({
    sizes,
    clauses: slo.length,
    cost: costOf,
    width: input.width,
    oracle: {
      judge: async (points) => {
        const list = points.map(configOf);
        await ensure(list.map((c) => [c, r0]));
        await adapt(list);
        progress();
        return list.map(judgementOf);
      },
      confirm: async (point) => {
        const c = configOf(point);
        await ensure([[c, Math.max(c.reps.length, rConfirm)]]);
        await adapt([c]);
        progress();
        return judgementOf(c);
      },
    },
    onIncumbent: (ix) => {
      best = { ix, cost: costOf(ix) };
    },
    onBreak: (b) => opts.onNote?.(noteOf(b).message),
  });

  // ---- the report
  function reportOf(c: Config): ConfigReport {
    const params = paramsOf(c.values);
    const cost = input.cost.costOf(params);
    const metrics: Record<string, number> = {};
    const ci95: Record<string, Ci95> = {};
    for (const n of names ?? []) {
      const ci = meanCi(
        c.reps.map((r) => r.values[n]),
        confidence,
      );
      metrics[n] = ci.mean;
      ci95[n] = ci;
    }
    const clauses = slo.map((cl) => {
      const ci = clauseCi(c, cl);
      return {
        clause: formatClause(cl),
        metric: clauseMetric(cl),
        outcome: outcome(cl, ci),
        threshold: cl.value,
        ci95: ci,
      };
    });
    const counts = new Map<string | null, number>();
    for (const r of c.reps) counts.set(r.saturated, (counts.get(r.saturated) ?? 0) + 1);
    let saturated: string | null = null;
    let most = 0;
    for (const [k, n] of counts)
      if (n > most) {
        most = n;
        saturated = k;
      }
    return {
      params,
      cost: cost.total,
      cost_items: cost.items,
      meets_slo: clauses.every((x) => x.outcome === 'pass'),
      replications: c.reps.length,
      metrics,
      ci95,
      clauses,
      failed: clauses
        .filter((x) => x.outcome !== 'pass')
        .map(
          (x) =>
            `${x.clause} (${formatCi(x.ci95)}${x.outcome === 'unsure' ? ', not shown either way' : ''})`,
        ),
      saturated,
    };
  }

  function noteOf(b: MonotonicityBreak): MonotonicityNote {
    const cl = slo[b.clause];
    const metric = clauseMetric(cl);
    const path = dims[b.dim].path;
    const from = paramsOf(valuesOf(b.from));
    const to = paramsOf(valuesOf(b.to));
    const lo = configs.get(b.from.join(','));
    const hi = configs.get(b.to.join(','));
    const others = dims
      .filter((_, i) => i !== b.dim)
      .map((d) => `${d.path}=${from[d.path]}`)
      .join(', ');
    let change = '';
    if (lo && hi) {
      // the same seeds at both points: the difference is the field's doing, not luck
      const d = pairedDiffCi(
        lo.reps.map((r) => r.values[metric]),
        hi.reps.map((r) => r.values[metric]),
        confidence,
      );
      change = `: ${metric} ${formatCi(clauseCi(lo, cl))} → ${formatCi(clauseCi(hi, cl))} (change ${d.mean >= 0 ? '+' : ''}${formatCi(d)})`;
      const sat = reportOf(hi).saturated;
      if (sat) change += `, ${sat} saturated`;
    }
    return {
      clause: formatClause(cl),
      path,
      from,
      to,
      message:
        `${formatClause(cl)} is not monotone in ${path}: met at ${path}=${from[path]}, missed at ` +
        `${path}=${to[path]}${others ? ` (${others})` : ''}${change}` +
        ` — no longer inferred across ${path}`,
    };
  }

  // a plan stopped mid-batch leaves replications unfinished: keep each configuration's unbroken
  // run of replications from 0 (so replication r still pairs with r elsewhere)
  for (const c of configs.values()) {
    const done = c.reps.findIndex((r) => r === undefined);
    if (done >= 0) c.reps.length = done;
    if (c.reps.length === 0) configs.delete(c.ix.join(','));
  }
  const all = [...configs.values()].sort((a, b) => a.order - b.order);
  const reports = new Map(all.map((c) => [c, reportOf(c)]));
  const bestConfig = result.best ? configs.get(result.best.join(',')) : undefined;
  const feasibleReports = all.map((c) => reports.get(c)!).filter((r) => r.meets_slo);
  const front = paretoFront(
    feasibleReports,
    (r) => r.cost,
    (r) => r.metrics.p99,
  ).map((r) => ({ params: r.params, cost: r.cost, p99: r.metrics.p99, ci95: r.ci95.p99 }));
  const top = configs.get(sizes.map((n) => n - 1).join(','));
  const prices = input.cost.prices.map(({ path, price }) => ({
    path,
    price,
    per: input.cost.multiplierOf(path, () => 1)[1],
  }));

  return {
    scenario: input.name,
    vary: dims,
    slo: formatSloClauses(slo),
    confidence,
    currency: input.cost.currency,
    period: input.cost.period,
    prices,
    grid_size: gridSize,
    evaluated: configs.size,
    replications: {
      initial: r0,
      max: rMax,
      confirm: rConfirm,
      adaptive: all.filter((c) => c.reps.length > r0 && c !== bestConfig).length,
      total: simulations,
    },
    feasible: bestConfig !== undefined && reports.get(bestConfig)!.meets_slo,
    partial: result.partial,
    best: bestConfig ? reports.get(bestConfig)! : null,
    neighbours: result.neighbours
      .map((ix) => configs.get(ix.join(',')))
      .filter((c): c is Config => c !== undefined)
      .map((c) => reports.get(c)!),
    pareto: front,
    monotonicity: result.breaks.map(noteOf),
    largest: !bestConfig && top ? reports.get(top)! : null,
    configurations: all.map((c) => reports.get(c)!),
  };
}
