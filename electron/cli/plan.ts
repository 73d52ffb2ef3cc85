// `peakline plan`: the cheapest configuration of any number of varied fields that meets every SLO
// clause with confidence. The search and the statistics are sim-core's (sim-core/plan); this file
// reads the command line, runs replications on the sweep's worker threads (PointPool), shows
// progress on stderr, stops on Ctrl+C with the best so far, and prints the report (a table,
// --json or --csv).
import { z } from 'zod';
import {
  CostModel,
  invalidValue,
  negativePriced,
  parseCostArg,
  parsePlanSlo,
  withUnitPrices,
  PlanInputError,
  type ConfigReport,
  type PlanDim,
  type PlanReport,
} from '../../sim-core/plan/index';
import { formatPath, parsePath } from '../../sim-core/validate/paths';
import { redactUrl } from '../live/source';
import { RedisUrlError } from '../queue/protocol';
import { runPlanOn } from '../sweep/plan-runner';
import { parseVary } from '../sweep/spec';
import {
  CliError,
  loadScenario,
  loadScenarioInput,
  num,
  parseCommand,
  wholeNumberText,
} from './util';

/** The most configurations a plan's grid may have. */
export const MAX_PLAN_GRID = 100_000_000;

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

const confidenceText = () =>
  z
    .string()
    .regex(/^\d*\.?\d+%?$/, { error: 'must be a number such as 0.95 or 95%' })
    .transform((t) => (t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t)))
    .refine((c) => c >= 0.5 && c < 1, { error: 'must be at least 0.5 and below 1 (e.g. 0.95)' });

const countText = (min: number) =>
  wholeNumberText().refine((n) => n >= min, { error: `must be at least ${min}` });

/** The cost of a configuration with its currency and period: `4.10 USD/month`. */
function money(x: number, r: Pick<PlanReport, 'currency' | 'period'>): string {
  const amount =
    Math.abs(x) >= 1000
      ? num(x, 0)
      : Math.abs(x) >= 1 || x === 0
        ? num(x, 2)
        : String(Number(x.toPrecision(3)));
  return `${amount}${r.currency ? ` ${r.currency}` : ''}${r.period ? `/${r.period}` : ''}`;
}

const paramsText = (p: Record<string, number>, sep = ', ') =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(sep);

const METRIC_LABEL: Record<string, string> = {
  p50: 'p50 ms',
  p99: 'p99 ms',
  p999: 'p99.9 ms',
  mean: 'mean ms',
  error_rate: 'error rate',
  throughput: 'throughput req/s',
  task_delay_p99: 'task delay p99 ms',
  backlog_max: 'async backlog max',
};

function value(metric: string, x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (metric === 'error_rate') return `${num(x * 100, x < 0.001 ? 4 : 2)} %`;
  if (metric.startsWith('util:')) return `${num(x * 100, 1)} %`;
  if (Math.abs(x) >= 100) return num(x, 0);
  if (Math.abs(x) >= 10) return num(x, 1);
  return num(x, 2);
}

function metricLines(c: ConfigReport): string[] {
  const lines: string[] = [];
  const clauseOf = new Map(c.clauses.map((x) => [x.metric, x]));
  for (const [metric, ci] of Object.entries(c.ci95)) {
    const clause = clauseOf.get(metric);
    const hw = Number.isFinite(ci.half_width) && ci.half_width > 0;
    const label =
      METRIC_LABEL[metric] ?? (metric.startsWith('util:') ? `${metric} utilisation` : metric);
    let line = `    ${label.padEnd(22)} ${value(metric, ci.mean)}${hw ? ` ± ${value(metric, ci.half_width)}` : ''}`;
    if (clause)
      line = `${line.padEnd(48)} SLO ${clause.clause}: ${clause.outcome === 'pass' ? 'met' : clause.outcome === 'fail' ? 'missed' : 'not shown'}`;
    lines.push(line);
  }
  return lines;
}

/** The report as a table. */
export function formatPlan(r: PlanReport): string {
  const o: string[] = [];
  const share = (n: number) => `${num((100 * n) / r.grid_size, n / r.grid_size < 0.1 ? 1 : 0)} %`;
  o.push(`Plan for ${r.scenario}`);
  o.push(
    `SLO ${r.slo}, each at ${num(r.confidence * 100, r.confidence * 100 >= 99.5 ? 1 : 0)} % confidence`,
  );
  o.push(
    `Grid ${num(r.grid_size)} configurations: ${r.vary.map((d) => `${d.path} ${d.values.length > 4 ? `${d.values[0]}..${d.values[d.values.length - 1]} (${d.values.length})` : d.values.join(',')}`).join(' × ')}`,
  );
  const rep = r.replications;
  o.push(
    `Evaluated ${num(r.evaluated)} configurations (${share(r.evaluated)} of the grid), ${num(rep.total)} simulations: ${rep.initial} replications each with common random numbers, up to ${rep.max} near the boundary (${rep.adaptive} needed more), ${r.best ? r.best.replications : rep.confirm} for the winner`,
  );
  o.push('');
  if (r.partial) o.push('PARTIAL — stopped before the search finished; the best found so far:');
  if (r.best) {
    const b = r.best;
    o.push(
      `${r.partial ? 'Best so far' : 'Cheapest configuration meeting the SLO'}: ${money(b.cost, r)}`,
    );
    o.push(`    ${paramsText(b.params, '   ')}`);
    o.push('  Cost');
    for (const it of b.cost_items) {
      const times = it.per ? ` × ${num(it.multiplier)} (${it.per})` : '';
      const price = Number(it.price.toPrecision(6));
      o.push(
        `    ${it.path} ${Number(it.value.toPrecision(6))}${times} × ${price} = ${money(it.cost, r)}`,
      );
    }
    o.push(
      `  Metrics: mean ± ${num(r.confidence * 100, 0)} % interval over ${b.replications} replications`,
    );
    o.push(...metricLines(b));
    o.push(`    saturated              ${b.saturated ?? 'none'}`);
  } else if (!r.partial) {
    o.push('No configuration in the grid meets the SLO.');
    if (r.largest)
      o.push(
        `  The largest (${paramsText(r.largest.params)}) misses ${r.largest.failed.join('; ')}${r.largest.saturated ? `; ${r.largest.saturated} saturated` : ''}.`,
      );
  } else o.push('  none yet');
  if (r.neighbours.length > 0) {
    o.push('');
    o.push('Cheaper neighbours (one step down in one field) and why they are not enough');
    for (const n of r.neighbours) {
      const changed = Object.entries(n.params)
        .filter(([k, v]) => r.best && r.best.params[k] !== v)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      o.push(
        `    ${changed} (${money(n.cost, r)}): ${n.meets_slo ? 'meets the SLO' : `misses ${n.failed.join('; ')}`}${n.saturated ? `; ${n.saturated} saturated` : ''}`,
      );
    }
  }
  const bestText = r.best ? paramsText(r.best.params) : null;
  const near = r.configurations.filter(
    (c) => c.replications > r.replications.initial && paramsText(c.params) !== bestText,
  );
  if (near.length > 0) {
    o.push('');
    o.push('Near the boundary: more replications to tell');
    for (const c of near.slice(0, 8))
      o.push(
        `    ${String(c.replications).padStart(3)}  ${paramsText(c.params)}: ${c.meets_slo ? 'meets the SLO' : `misses ${c.failed.join('; ')}`}`,
      );
    if (near.length > 8) o.push(`    … ${near.length - 8} more (--json or --csv lists all)`);
  }
  if (r.monotonicity.length > 0) {
    o.push('');
    o.push('Not monotone (searched value by value there)');
    for (const m of r.monotonicity) o.push(`    ${m.message}`);
  }
  if (r.pareto.length > 0) {
    o.push('');
    o.push('Pareto front of the configurations run: cost → P99');
    for (const p of r.pareto)
      o.push(
        `    ${money(p.cost, r).padStart(14)}  p99 ${value('p99', p.p99).padStart(7)} ms  ${paramsText(p.params)}`,
      );
  }
  return o.join('\n') + '\n';
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Every configuration run, one CSV row each. */
export function formatPlanCsv(r: PlanReport): string {
  const metrics = r.configurations.length > 0 ? Object.keys(r.configurations[0].metrics) : [];
  const header = [
    ...r.vary.map((d) => d.path),
    'cost',
    'meets_slo',
    'best',
    'replications',
    ...metrics.flatMap((m) => [m, `${m}_ci95`]),
    'failed',
    'saturated',
  ];
  const best = r.best ? paramsText(r.best.params) : null;
  const rows = r.configurations.map((c) =>
    [
      ...r.vary.map((d) => String(c.params[d.path])),
      String(c.cost),
      String(c.meets_slo),
      String(paramsText(c.params) === best),
      String(c.replications),
      ...metrics.flatMap((m) => [String(c.ci95[m].mean), String(c.ci95[m].half_width)]),
      c.failed.join('; '),
      c.saturated ?? '',
    ]
      .map(csvCell)
      .join(','),
  );
  return [header.map(csvCell).join(','), ...rows].join('\n') + '\n';
}

/** `peakline plan FILE --vary … --slo … [--cost …]`. */
export async function planCommand(argv: string[]): Promise<number> {
  const o = parseCommand(
    'plan',
    argv,
    {
      vary: { type: 'string', multiple: true },
      slo: { type: 'string' },
      cost: { type: 'string', multiple: true },
      confidence: { type: 'string' },
      replications: { type: 'string' },
      'max-replications': { type: 'string' },
      set: { type: 'string', multiple: true },
      seed: { type: 'string' },
      threads: { type: 'string' },
      redis: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
    },
    z
      .object({
        _: z.array(z.string()).length(1, { error: 'plan needs exactly one scenario FILE' }),
        vary: z
          .array(z.string())
          .min(1, { error: 'give at least one --vary path=a..b[:step]' })
          .default([]),
        slo: z.string({ error: "give --slo, e.g. --slo 'p99<=150,error_rate<=0.001'" }),
        cost: z.array(z.string()).default([]),
        confidence: confidenceText().default(0.95),
        replications: countText(2).default(5),
        'max-replications': countText(2).optional(),
        set: z.array(z.string()).default([]),
        seed: wholeNumberText().optional(),
        threads: wholeNumberText().optional(),
        redis: z.string().optional(),
        json: z.boolean().optional(),
        csv: z.boolean().optional(),
      })
      .refine((v) => !(v.json && v.csv), {
        error: 'choose --json or --csv, not both',
        path: ['csv'],
      })
      .refine((v) => !(v.redis !== undefined && v.threads !== undefined), {
        error: 'choose --redis (workers run the points) or --threads, not both',
        path: ['threads'],
      })
      .refine(
        (v) => v['max-replications'] === undefined || v['max-replications'] >= v.replications,
        {
          error: 'must be at least --replications',
          path: ['max-replications'],
        },
      ),
  );
  if (o.vary.length === 0)
    throw new CliError('peakline plan: give at least one --vary path=a..b[:step]', 2);
  const bad = (msg: string): never => {
    throw new CliError(`peakline plan: ${msg}`, 2);
  };
  const file = o._[0];
  const input = loadScenarioInput(file, o.set);
  const base = loadScenario(file, o.set);

  // the varied fields: each value of each field must make a valid scenario
  const dims: PlanDim[] = [];
  for (const arg of o.vary) {
    let d: PlanDim;
    try {
      d = parseVary(arg);
    } catch (e) {
      return bad((e as Error).message);
    }
    const path = formatPath(parsePath(d.path));
    if (path === 'seed')
      bad(`--vary ${arg}: the seed is not a capacity field (replications set it)`);
    if (dims.some((x) => x.path === path)) bad(`--vary ${arg}: ${path} is varied twice`);
    const invalid = invalidValue(input, path, d.values);
    if (invalid)
      bad(`--vary ${arg}: ${path}=${invalid.value} is not a valid scenario: ${invalid.problem}`);
    dims.push({ path, values: d.values });
  }
  const gridSize = dims.reduce((n, d) => n * d.values.length, 1);
  if (gridSize > MAX_PLAN_GRID)
    bad(`the grid has ${num(gridSize)} configurations; at most ${num(MAX_PLAN_GRID)}`);

  let slo;
  try {
    slo = parsePlanSlo(o.slo);
  } catch (e) {
    return bad((e as Error).message);
  }

  // prices: the scenario's costs section, then --cost (which wins for the same field)
  const prices: Record<string, number> = {};
  for (const [p, price] of Object.entries(base.costs?.prices ?? {})) {
    try {
      prices[formatPath(parsePath(p))] = price;
    } catch (e) {
      throw new CliError(`${file}: costs.prices: ${(e as Error).message}`);
    }
  }
  for (const c of o.cost) {
    try {
      const { path, price } = parseCostArg(c);
      prices[path] = price;
    } catch (e) {
      return bad((e as Error).message);
    }
  }
  const unpriced = Object.keys(prices).length === 0;
  const priced = withUnitPrices(prices, dims);
  let cost: CostModel;
  try {
    cost = new CostModel(
      base,
      { prices: priced, currency: base.costs?.currency, period: base.costs?.period },
      dims.map((d) => d.path),
    );
  } catch (e) {
    return bad((e as Error).message);
  }
  // a cheaper corner must cost no more: counts and priced fields vary over values >= 0
  const negative = negativePriced(dims, priced);
  if (negative) bad(`--vary ${negative.path}: a priced field cannot take negative values`);

  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY;
  if (unpriced)
    err(
      'peakline plan: no prices (--cost path=price or a costs section): each varied field costs 1 per unit',
    );
  let lastLine = -Infinity;
  let lastBest = '';
  let workersText = '';
  try {
    const run = await runPlanOn(
      input,
      {
        name: base.name,
        dims,
        slo,
        cost,
        seed: o.seed ?? base.seed,
        confidence: o.confidence,
        replications: o.replications,
        maxReplications: o['max-replications'],
      },
      {
        threads: o.threads,
        redis: o.redis,
        signal: ac.signal,
        onNote: (line) => err(`${tty ? '\r\x1b[K' : ''}plan: ${line}`),
        onStatus: (s) => {
          const text = `${s.workers} worker${s.workers === 1 ? '' : 's'} connected`;
          if (text !== workersText && !tty) err(`plan: ${text} to ${redactUrl(o.redis!)}`);
          workersText = text;
        },
        onProgress: (p) => {
          const bestText = p.best
            ? `${money(p.best.cost, cost)}: ${paramsText(p.best.params)}`
            : '';
          const now = performance.now();
          const line = `plan: ${num(p.evaluated)} of ${num(p.grid_size)} configurations run, ${num(p.simulations)} simulations${workersText ? ` (${workersText})` : ''}${bestText ? `; best so far ${bestText}` : ''}`;
          if (tty)
            process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
          else if (bestText !== lastBest || now - lastLine > 2000) {
            err(line);
            lastLine = now;
          }
          lastBest = bestText;
        },
      },
    );
    const report = run.report;
    if (tty) process.stderr.write('\r\x1b[K');
    const wall_ms = run.wall_ms;
    const on =
      run.redis !== null ? { redis: run.redis, workers: run.workers } : { threads: run.threads };
    const onText =
      run.redis !== null
        ? `${run.workers} worker${run.workers === 1 ? '' : 's'} on ${run.redis}`
        : `${run.threads} threads`;
    if (o.json) out(JSON.stringify({ ...report, ...on, wall_ms }, null, 2) + '\n');
    else if (o.csv) out(formatPlanCsv(report));
    else out(formatPlan(report) + `\n${num(wall_ms / 1000, 1)} s on ${onText}\n`);
    if (report.partial) {
      err('peakline plan: stopped (Ctrl+C); the answer above is the best found so far');
      return 130;
    }
    return 0;
  } catch (e) {
    if (e instanceof PlanInputError) throw new CliError(`peakline plan: ${e.message}`, 2);
    if (e instanceof RedisUrlError) throw new CliError(`peakline plan: ${e.message}`, 2);
    if (e instanceof Error && e.name === 'RedisLost')
      throw new CliError(`peakline plan: ${e.message}`);
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
