// The capacity plan for the console (`plan:run`): the same search as `peakline plan` (sim-core's
// runPlan with replications on the sweep's worker threads), taking the contract's request —
// fields with ranges, SLO text, prices — and answering with the report, every number finite or
// null so it travels as JSON. Progress goes to a callback; aborting keeps the best so far
// (`partial`). Where the simulations run is an executor: worker threads here, or — once one is
// wired in — BullMQ workers on Redis (`PlanWorkersExecutor`).
import { availableParallelism } from 'node:os';
import {
  CostModel,
  invalidValue,
  negativePriced,
  parsePlanSlo,
  withUnitPrices,
  PlanInputError,
  runPlan,
  type PlanDim,
  type PlanProgress,
  type PlanReport,
  type RunReplication,
  type SloClause,
} from '../../sim-core/plan/index';
import { validateScenario } from '../../sim-core/validate';
import { formatPath, parsePath } from '../../sim-core/validate/paths';
import { PointPool } from '../sweep/pool';
import { varyFromRange } from '../sweep/sweep';

/** A plan request that cannot start; the message names the field. */
export class PlanRequestError extends Error {
  override name = 'PlanRequestError';
}

/** Simulations on BullMQ workers (the distributed executor, wired in by the shell when present). */
export interface PlanWorkersExecutor {
  /** Workers connected to the plan queue on `redis`. */
  connected(redis: string): Promise<number>;
  /** A runner of replications of `scenario` (values at `paths`, then the seed) on the workers. */
  open(
    redis: string,
    scenario: unknown,
    paths: readonly string[],
  ): Promise<{ run: RunReplication; close(): Promise<void>; workers?: () => number }>;
}

/** What the console asks for (the contract's `plan:run`, validated). */
export interface PlanRequest {
  scenario: unknown;
  vary: (
    { path: string; from: number; to: number; step?: number } | { path: string; values: number[] }
  )[];
  slo: string;
  prices: Record<string, number>;
  currency?: string;
  period?: string;
  confidence: number;
  replications: number;
  redis?: string;
}

export interface PlanRunOptions {
  signal: { readonly aborted: boolean };
  /** Called when the plan is told to stop (closes the runner so waiting simulations end). */
  onAbort?: (stop: () => void) => void;
  onProgress?: (p: PlanProgress) => void;
  /** Worker threads (default: one per core). */
  threads?: number;
  workers?: PlanWorkersExecutor | null;
}

export type PlanServiceReport = PlanReport & {
  executor: 'local' | 'workers';
  threads: number;
  wall_ms: number;
};

/** The largest grid the console plans over. */
export const MAX_CONSOLE_GRID = 10_000_000;

/** Replaces infinite and undefined numbers by null, deeply (JSON has neither). */
export function finiteOrNull<T>(v: T): T {
  if (typeof v === 'number') return (Number.isFinite(v) ? v : null) as T;
  if (Array.isArray(v)) return v.map(finiteOrNull) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = finiteOrNull(x);
    return out as T;
  }
  return v;
}

/** Checks the request and builds the plan's input; throws PlanRequestError naming the field. */
export function preparePlan(req: PlanRequest): {
  dims: PlanDim[];
  slo: SloClause[];
  cost: CostModel;
  name: string;
  seed: number;
} {
  const bad = (msg: string): never => {
    throw new PlanRequestError(msg);
  };
  const base = validateScenario(req.scenario, 'scenario');
  if (!base.ok) bad(`scenario: ${base.problems[0].path}: ${base.problems[0].message}`);
  const scenario = base.ok ? base.scenario : null!;
  const dims: PlanDim[] = [];
  req.vary.forEach((v, i) => {
    let path: string;
    try {
      path = formatPath(parsePath(v.path));
    } catch (e) {
      return bad(`vary[${i}].path: ${(e as Error).message}`);
    }
    if (path === 'seed') bad(`vary[${i}].path: the seed is not a capacity field`);
    if (dims.some((d) => d.path === path)) bad(`vary[${i}].path: ${path} is varied twice`);
    let values: number[];
    try {
      values = 'values' in v ? [...new Set(v.values)] : varyFromRange(v).values;
    } catch (e) {
      return bad(`vary[${i}]: ${(e as Error).message}`);
    }
    const invalid = invalidValue(req.scenario, path, values);
    if (invalid)
      bad(`vary[${i}]: ${path}=${invalid.value} is not a valid scenario: ${invalid.problem}`);
    dims.push({ path, values });
  });
  const grid = dims.reduce((n, d) => n * d.values.length, 1);
  if (grid > MAX_CONSOLE_GRID)
    bad(`vary: the grid has ${grid} configurations; at most ${MAX_CONSOLE_GRID}`);
  let slo: SloClause[] = [];
  try {
    slo = parsePlanSlo(req.slo);
  } catch (e) {
    bad(`slo: ${(e as Error).message.replace(/^--slo:? ?/, '')}`);
  }
  const prices: Record<string, number> = {};
  for (const [p, price] of Object.entries(scenario.costs?.prices ?? {}))
    prices[formatPath(parsePath(p))] = price;
  for (const [p, price] of Object.entries(req.prices)) {
    try {
      prices[formatPath(parsePath(p))] = price;
    } catch (e) {
      bad(`prices.${p}: ${(e as Error).message}`);
    }
  }
  const priced = withUnitPrices(prices, dims);
  let cost: CostModel = null!;
  try {
    cost = new CostModel(
      scenario,
      {
        prices: priced,
        currency: req.currency ?? scenario.costs?.currency,
        period: req.period ?? scenario.costs?.period,
      },
      dims.map((d) => d.path),
    );
  } catch (e) {
    bad(`prices: ${(e as Error).message}`);
  }
  const negative = negativePriced(dims, priced);
  if (negative) bad(`vary: ${negative.path} is priced and cannot take negative values`);
  return { dims, slo, cost, name: scenario.name, seed: scenario.seed };
}

/** Runs a plan for the console; see the module comment. */
export async function runConsolePlan(
  req: PlanRequest,
  opts: PlanRunOptions,
): Promise<PlanServiceReport> {
  const started = performance.now();
  const input = preparePlan(req);
  const paths = input.dims.map((d) => d.path);
  let runner: { run: RunReplication; close(): Promise<void>; workers?: () => number };
  let threads = 0;
  let executor: 'local' | 'workers' = 'local';
  if (req.redis) {
    if (!opts.workers)
      throw new PlanRequestError(
        'redis: running plans on workers is not available in this console yet (plans run on worker threads here)',
      );
    runner = await opts.workers.open(req.redis, req.scenario, paths);
    executor = 'workers';
  } else {
    threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), 64));
    const pool = await PointPool.open(
      {
        scenario: req.scenario,
        vary: [...paths.map((path) => ({ path, values: [] })), { path: 'seed', values: [] }],
      },
      threads,
    );
    runner = { run: (values, seed) => pool.run([...values, seed]), close: () => pool.close() };
  }
  opts.onAbort?.(() => void runner.close());
  try {
    const report = await runPlan(
      {
        name: input.name,
        dims: input.dims,
        slo: input.slo,
        cost: input.cost,
        seed: input.seed,
        confidence: req.confidence,
        replications: req.replications,
      },
      runner.run,
      { signal: opts.signal, onProgress: opts.onProgress },
    );
    return finiteOrNull({
      ...report,
      executor,
      // on workers: how many were connected at the end (the view says "N workers connected")
      threads: executor === 'workers' ? (runner.workers?.() ?? 0) : threads,
      wall_ms: Math.round(performance.now() - started),
    });
  } catch (e) {
    if (e instanceof PlanInputError)
      throw new PlanRequestError(`slo: ${e.message.replace(/--slo /g, '')}`);
    throw e;
  } finally {
    await runner.close();
  }
}
