// `npm run fidelity`: measures a real PostgreSQL + pgbouncer order pipeline with pgbench at a
// range of client counts (closed loop), writes the measured series as CSV, calibrates Peakline
// from a few of the points through `npx peakline calibrate` and predicts the others with
// `npx peakline run`, then prints measured against predicted with the errors against the targets
// of DESIGN.md ("Truth"). `--from DIR` redoes calibration and prediction from measured CSVs.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { waitForQuiet } from './cpu';
import { flushDist, flushFigures, timeFlushes } from './flush';
import { probeWake, wakeProbeAvailable, type WakeFigures } from './wake';
import { checkPrograms, Lab } from './lab';
import {
  measure,
  RESET_SQL,
  schemaSql,
  warmUp,
  writeScript,
  type Dist,
  type Mode,
} from './pgbench';
import { calibrateAndPredict, calibrateAvailable, PredictError, REPO_ROOT } from './predict';
import { formatMarkdown, formatSeries, type SeriesReport } from './report';
import {
  combineRepeats,
  disturbed,
  leastDisturbed,
  median,
  medianCpu,
  medianSched,
  STALL_MS,
  parseSeriesCsv,
  seriesCsv,
  type MeasuredPoint,
  type RepeatFigures,
} from './stats';

const HELP = `npm run fidelity -- [options]

Measures a real PostgreSQL 15 + pgbouncer order pipeline with pgbench (its own cluster in a temp
dir, free ports on 127.0.0.1), then calibrates Peakline from a few points and predicts the rest.

Measurement
  --clients 1,2,4,8,16,32,64   client counts (pgbench -c, closed loop, -j min(c,2))
  --dist uniform,zipf          item choice: uniform, or Zipf-skewed (hot items)   [both]
  --mode direct,pooled         straight to PostgreSQL, or through pgbouncer       [both]
  --repeats 3 --seconds 10     runs per point and their length; the CSV has the median;
                               each repeat is a sweep across the client counts
  --warmup 2                   untimed seconds before each repeat
  --pool-size 8                pgbouncer default_pool_size (pool_mode = transaction)
  --items 100000 --zipf-s 1.1  items in the table; Zipf exponent (PostgreSQL 15: 1.001..1000)
  --pg-set name=value          a postgresql.conf setting (repeatable; defaults
                               max_connections=300, shared_buffers=128MB)
  --quiet-below 0.5            before each repeat, wait until other processes use fewer
  --quiet-wait 60              cores than this (one-second windows), at most this many
                               seconds (0: never wait; --quick does not wait)
  --steal-below 5              a repeat during which the hypervisor stole this share of the
                               CPU time (percent) or more is disturbed too
  --retries 3                  extra repeats per point while fewer than --repeats ran with
                               other processes below --quiet-below and the steal below
                               --steal-below; the least disturbed --repeats make the
                               figures, the rest stay in raw.json
  --quick                      smoke run: clients 1,4,16, 3 s, 1 repeat, uniform/direct
                               (all three are calibration points: nothing is held out)
Prediction
  --calibrate-at 1,8,64        points given to peakline calibrate (at most 3; across the range)
  --seeds 1,2,3                simulation seeds; a prediction is their mean
  --model parts|station        [parts] how calibrate models the system: from its parts (--base
                               with --fit-demand: the order transaction, its row lock, the 2
                               cores shared with pgbench; per series the suite sets the items'
                               Zipf s and, through pgbouncer, db.pool_size to its pool), or as
                               one calibrated station (the pooled series with --pool)
  --base FILE                  [profiles/pg-order-zipf.json] the parts model (--model parts)
  --commit-flush MS[,P99]      one commit flush's mean (and P99) for db.commit_flush, for runs
                               made before each repeat timed the disk's flushes
  --stalls model|none          [model] db.commit_stalls as measured at the calibration points
                               where 3 ms spans 3 flush cycles or more and a transaction waits
                               less than 3 ms for a core (gaps of 3 ms or more in which no
                               client committed, per flush), for runs that recorded them;
                               none: leave them out
  --wake model|none            [model] host.wake: what waking an idle core costs, from the
                               wake probe (runs that recorded it) and the scheduler slices a
                               transaction at the lowest calibration point; none: leave it out
  --cold model|none            [model] host.cold_start_ms: the CPU a transaction at the
                               lowest calibration point over the least measured, spent by the
                               stints that start on the idle machine (calibrate --fit-cold),
                               where the run recorded the CPU; none: that CPU goes to the waits
  --pooler-cpu MS              pgbouncer's CPU per transaction for the pooled series' pooler
                               (db.pooler, one thread) [as measured at the lowest calibration
                               point; runs measured before this was recorded need it]
  --ignore-cpu                 calibrate from latency alone: leave out the CPU per transaction
                               measured at the calibration points (by default a cpu_ms column
                               of the calibration CSV, from which --fit-demand sets the
                               model's CPU; runs before the fourth recorded none)
  --core-speedup fit|none      [fit] with --model parts: let calibrate fit how much more work
                               the host's cores do together than one (--fit-speedup), with σ
                               and κ; none: cores that do not slow each other
  --cores N                    passed to peakline calibrate --cores (the host's cores)
  --skip-predict               measure and report only
  --from DIR                   no measuring: calibrate and predict from DIR's series CSVs
                               (--dist and --mode pick among them)
Output
  --out DIR                    [fidelity-out]: <dist>-<mode>.csv, raw.json, report.md,
                               <series>.calibration.csv, <series>.scenario.json
`;

class UsageError extends Error {}

const DISTS: Dist[] = ['uniform', 'zipf'];
const MODES: Mode[] = ['direct', 'pooled'];

interface Options {
  clients: number[];
  dists: Dist[];
  modes: Mode[];
  repeats: number;
  seconds: number;
  warmup: number;
  poolSize: number;
  items: number;
  zipfS: number;
  pgSettings: Record<string, string>;
  quietBelow: number;
  /** A repeat during which the hypervisor stole this share of the CPU (%) or more is disturbed. */
  stealBelow: number;
  quietWait: number;
  retries: number;
  calibrateAt: number[];
  seeds: number[];
  cores?: number;
  model: 'parts' | 'station';
  base: string;
  /** pgbouncer's CPU per transaction (ms) for the pooled series' pooler; else as measured. */
  poolerCpu?: number;
  commitFlush?: { mean_ms: number; p99_ms?: number };
  skipPredict: boolean;
  /** Leave the measured CPU out of the calibration CSV. */
  ignoreCpu: boolean;
  /** Fit the host's core_speedup (calibrate --fit-speedup; parts model only). */
  fitSpeedup: boolean;
  /** Model the commit flush's stalls as measured at the calibration points (--stalls). */
  stalls: boolean;
  /** Model waking an idle core (host.wake) from the run's wake probe (--wake). */
  wake: boolean;
  /** Fit the host's cold starts from the lowest load's extra CPU (--cold; calibrate --fit-cold). */
  cold: boolean;
  from?: string;
  out: string;
}

function intList(flag: string, text: string, min: number): number[] {
  const xs = text.split(',').map((t) => t.trim());
  const ns = xs.map(Number);
  const bad = xs.find((t, i) => !/^\d+$/.test(t) || ns[i] < min);
  if (bad !== undefined)
    throw new UsageError(`--${flag}: "${bad}" is not a whole number >= ${min} (give e.g. 1,4,16)`);
  return [...new Set(ns)].sort((a, b) => a - b);
}

function speedupOption(text: string | undefined, model: 'parts' | 'station'): boolean {
  if (text !== undefined && text !== 'fit' && text !== 'none')
    throw new UsageError(`--core-speedup: fit or none (got "${text}")`);
  if (text === 'fit' && model !== 'parts')
    throw new UsageError('--core-speedup: only with --model parts (the station model has no host)');
  return model === 'parts' && text !== 'none';
}

function oneInt(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const [n] = intList(flag, text, min);
  if (text.includes(',')) throw new UsageError(`--${flag}: one number, not a list`);
  return n;
}

function choice<T extends string>(flag: string, text: string | undefined, all: T[]): T[] {
  if (text === undefined || text === 'all') return all;
  const xs = text.split(',').map((t) => t.trim());
  const bad = xs.find((t) => !all.includes(t as T));
  if (bad !== undefined)
    throw new UsageError(`--${flag}: "${bad}" is not one of ${all.join(', ')} (or all)`);
  return all.filter((a) => xs.includes(a));
}

function modelOf(text: string | undefined): 'parts' | 'station' {
  if (text === undefined || text === 'parts' || text === 'station') return text ?? 'parts';
  throw new UsageError(`--model: "${text}" is not one of parts, station`);
}

export function parseOptions(argv: string[]): Options | 'help' {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        debug: { type: 'boolean' },
        quick: { type: 'boolean' },
        clients: { type: 'string' },
        dist: { type: 'string' },
        mode: { type: 'string' },
        repeats: { type: 'string' },
        seconds: { type: 'string' },
        warmup: { type: 'string' },
        'pool-size': { type: 'string' },
        items: { type: 'string' },
        'zipf-s': { type: 'string' },
        'pg-set': { type: 'string', multiple: true },
        'quiet-below': { type: 'string' },
        'steal-below': { type: 'string' },
        'quiet-wait': { type: 'string' },
        retries: { type: 'string' },
        'calibrate-at': { type: 'string' },
        seeds: { type: 'string' },
        cores: { type: 'string' },
        model: { type: 'string' },
        base: { type: 'string' },
        'pooler-cpu': { type: 'string' },
        'commit-flush': { type: 'string' },
        'skip-predict': { type: 'boolean' },
        'ignore-cpu': { type: 'boolean' },
        'core-speedup': { type: 'string' },
        stalls: { type: 'string' },
        wake: { type: 'string' },
        cold: { type: 'string' },
        from: { type: 'string' },
        out: { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  if (values.help) return 'help';
  const s = (k: string) => values[k] as string | undefined;
  const quick = values.quick === true;
  const zipfS = Number(s('zipf-s') ?? 1.1);
  if (!(zipfS >= 1.001 && zipfS <= 1000))
    throw new UsageError(
      `--zipf-s: PostgreSQL 15's random_zipfian takes 1.001..1000 (got ${s('zipf-s')})`,
    );
  const pgSettings: Record<string, string> = { max_connections: '300', shared_buffers: '128MB' };
  for (const kv of (values['pg-set'] as string[] | undefined) ?? []) {
    const m = /^([a-z_][a-z0-9_.]*)=(.+)$/i.exec(kv);
    if (!m) throw new UsageError(`--pg-set: expected name=value (got "${kv}")`);
    pgSettings[m[1]] = m[2];
  }
  const o: Options = {
    clients: intList('clients', s('clients') ?? (quick ? '1,4,16' : '1,2,4,8,16,32,64'), 1),
    dists: choice('dist', s('dist') ?? (quick ? 'uniform' : undefined), DISTS),
    modes: choice('mode', s('mode') ?? (quick ? 'direct' : undefined), MODES),
    repeats: oneInt('repeats', s('repeats'), quick ? 1 : 3, 1),
    seconds: oneInt('seconds', s('seconds'), quick ? 3 : 10, 1),
    warmup: oneInt('warmup', s('warmup'), quick ? 1 : 2, 0),
    poolSize: oneInt('pool-size', s('pool-size'), 8, 1),
    items: oneInt('items', s('items'), 100_000, 1),
    zipfS,
    pgSettings,
    quietBelow: Number(s('quiet-below') ?? 0.5),
    stealBelow: Number(s('steal-below') ?? 5),
    quietWait: oneInt('quiet-wait', s('quiet-wait'), quick ? 0 : 60, 0),
    retries: oneInt('retries', s('retries'), quick ? 0 : 3, 0),
    calibrateAt: intList('calibrate-at', s('calibrate-at') ?? (quick ? '1,4,16' : '1,8,64'), 1),
    seeds: intList('seeds', s('seeds') ?? '1,2,3', 0),
    cores: s('cores') === undefined ? undefined : oneInt('cores', s('cores'), 1, 1),
    model: modelOf(s('model')),
    base: s('base') ?? path.join(REPO_ROOT, 'profiles/pg-order-zipf.json'),
    poolerCpu: s('pooler-cpu') === undefined ? undefined : Number(s('pooler-cpu')),
    commitFlush: commitFlushOption(s('commit-flush')),
    skipPredict: values['skip-predict'] === true,
    ignoreCpu: values['ignore-cpu'] === true,
    fitSpeedup: speedupOption(s('core-speedup'), modelOf(s('model'))),
    stalls: stallsOption(s('stalls')),
    wake: wakeOption(s('wake')),
    cold: coldOption(s('cold')),
    from: s('from'),
    out: s('out') ?? s('from') ?? 'fidelity-out',
  };
  if (s('base') !== undefined && o.model !== 'parts')
    throw new UsageError('--base: only with --model parts (the station model has no base)');
  if (o.poolerCpu !== undefined && !(o.poolerCpu > 0))
    throw new UsageError(
      `--pooler-cpu: ms of pgbouncer CPU per transaction, a number > 0 (got ${s('pooler-cpu')})`,
    );
  if (!(o.stealBelow > 0 && o.stealBelow <= 100))
    throw new UsageError(
      `--steal-below: a share of the CPU time in percent, > 0 and <= 100 (got ${s('steal-below')})`,
    );
  if (!(o.quietBelow > 0))
    throw new UsageError(`--quiet-below: a number of cores > 0 (got ${s('quiet-below')})`);
  if (o.calibrateAt.length > 3)
    throw new UsageError(`--calibrate-at: at most 3 points (got ${o.calibrateAt.join(',')})`);
  if (!o.from) {
    const missing = o.calibrateAt.filter((c) => !o.clients.includes(c));
    if (missing.length)
      throw new UsageError(
        `--calibrate-at: ${missing.join(',')} not among the measured --clients ${o.clients.join(',')}`,
      );
  }
  return o;
}

const err = (line: string) => process.stderr.write(`${line}\n`);

/** Steps of a handler, through locks and transactions, each counted by its kind's weight. */
function countSteps(
  steps: unknown,
  weight: { db: number; cache: number; transaction: number },
): number {
  let n = 0;
  for (const st of Array.isArray(steps) ? (steps as Record<string, Record<string, unknown>>[]) : [])
    if ('db' in st) n += weight.db;
    else if ('cache' in st) n += weight.cache;
    else if ('lock' in st) n += countSteps(st.lock.steps, weight);
    else if ('transaction' in st)
      n += weight.transaction + countSteps(st.transaction.steps, weight);
  return n;
}

/** Statements a request sends: each query, and BEGIN and COMMIT around a transaction. */
export function statementsOf(steps: unknown): number {
  return countSteps(steps, { db: 1, cache: 1, transaction: 2 });
}

/** --commit-flush MS[,P99]: a flush's mean and optional P99, both > 0, the P99 above the mean. */
export function commitFlushOption(v: string | undefined): Options['commitFlush'] {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((x) => Number(x.trim()));
  const [mean_ms, p99_ms] = parts;
  if (parts.length > 2 || !(mean_ms > 0) || (parts.length === 2 && !(p99_ms > mean_ms)))
    throw new UsageError(
      `--commit-flush: a flush's mean in ms (> 0), optionally ",P99" above it, e.g. 0.2,0.9 (got ${v})`,
    );
  return p99_ms === undefined ? { mean_ms } : { mean_ms, p99_ms };
}

/** --stalls model|none (default model). */
export function stallsOption(v: string | undefined): boolean {
  if (v === undefined || v === 'model') return true;
  if (v === 'none') return false;
  throw new UsageError(`--stalls: model or none (got "${v}")`);
}

/** --wake model|none (default model). */
export function wakeOption(v: string | undefined): boolean {
  if (v === undefined || v === 'model') return true;
  if (v === 'none') return false;
  throw new UsageError(`--wake: model or none (got "${v}")`);
}

/** --cold model|none (default model). */
export function coldOption(v: string | undefined): boolean {
  if (v === undefined || v === 'model') return true;
  if (v === 'none') return false;
  throw new UsageError(`--cold: model or none (got "${v}")`);
}

/** CPU stints the parts model runs for one transaction (what host.wake is charged per). */
export function stintsOf(
  base: { handler?: unknown; hosts?: unknown; db?: unknown },
  pooled: boolean,
) {
  const hosts = (base.hosts ?? {}) as Record<string, { client?: unknown }>;
  const flush = (base.db as { commit_flush?: Record<string, unknown> } | undefined)?.commit_flush;
  return (
    countSteps(base.handler, { db: 1, cache: 0, transaction: 0 }) +
    (pooled ? statementsOf(base.handler) : 0) +
    (Object.values(hosts).some((h) => h.client !== undefined) ? 1 : 0) +
    (flush && 'cpu' in flush ? 1 : 0)
  );
}

/** The wake probe's figure and the scheduler slices a transaction it is scaled by (measuredWake). */
export interface MeasuredWake {
  /** What a wake onto an idle core adds to a hop (the probe), ms. */
  hop_ms: number;
  /** Scheduler slices a transaction (every thread) at `at` clients: the hops a transaction makes. */
  slices: number;
  at: number;
}

/**
 * What the model needs to charge waking a core: the probe's cost of one hop and how many hops a
 * transaction makes, the scheduler slices at the lowest calibration point (median of its repeats,
 * summed over the parts). Undefined where the run has no probe or that point no slices.
 */
export function measuredWake(
  probe: { hop_ms: number } | undefined,
  lowest: MeasuredPoint | undefined,
): MeasuredWake | undefined {
  if (!probe || !lowest) return undefined;
  const slices = medianSched(lowest.repeats ?? [], 'slices');
  if (slices === undefined || !(probe.hop_ms > 0)) return undefined;
  return {
    hop_ms: probe.hop_ms,
    slices: Math.round(slices * 100) / 100,
    at: lowest.concurrency,
  };
}

/** How often the commit flush stalls and for how long, as measured (measuredStalls). */
export interface MeasuredStalls {
  /** The share of flushes that stall. */
  per_flush: number;
  /** Each stall's length (ms): a gap without a commit less an ordinary gap between commits. */
  lengths_ms: number[];
  /** The client counts they were measured at. */
  at: number[];
}

/** A gap of STALL_MS without a commit is a stall where it spans at least this many flush cycles. */
export const STALL_CYCLES = 3;

/**
 * How often the pipeline's commit flush stalls, from the repeats at the calibration points `at`
 * where neither group commit nor the CPU explains a gap of STALL_MS without any commit: it spans
 * at least STALL_CYCLES ordinary flush cycles (1000 × transactions a flush / throughput ms), and a
 * transaction waits less than STALL_MS for a core (the run queue, where the run recorded it;
 * medians of the point's repeats). Where flushes come seldom (many commits a flush) such gaps
 * are ordinary cycles; where every transaction waits milliseconds for a core, the clients queue
 * behind each other and the model makes those gaps itself (the sixteenth run, uniform direct at
 * 64 clients: 3.7 ms a transaction in the run queue, 3–6 % of flushes "stalled", against 0.1–0.3 %
 * at 1–16 clients). Stalls per flush are the median of the repeats' (flushes a second =
 * throughput / transactions a flush); a stall's length is its gap less the repeat's mean gap
 * between commits. Undefined when no such repeat recorded stalls and flushes.
 */
export function measuredStalls(
  points: readonly MeasuredPoint[],
  at: readonly number[],
): MeasuredStalls | undefined {
  // per calibration point, its repeats that recorded stalls and flushes
  const used = points
    .filter((p) => at.includes(p.concurrency))
    .map((p) => ({
      at: p.concurrency,
      reps: (p.repeats ?? []).filter(
        (r) => r.stalls && r.wal && r.wal.tx_per_flush > 0 && r.throughput_rps > 0,
      ),
    }))
    .filter(({ reps }) => {
      if (reps.length === 0) return false;
      const cycle = median(reps.map((r) => (1000 * r.wal!.tx_per_flush) / r.throughput_rps));
      const runq = medianSched(reps, 'runq_ms');
      return STALL_MS >= STALL_CYCLES * cycle && !(runq !== undefined && runq >= STALL_MS);
    });
  const reps = used.flatMap((u) => u.reps);
  if (reps.length === 0) return undefined;
  const perFlush = median(
    reps.map((r) => r.stalls!.per_s / (r.throughput_rps / r.wal!.tx_per_flush)),
  );
  const lengths_ms = reps.flatMap((r) =>
    r.stalls!.lengths_ms.map((l) => Math.round((l - 1000 / r.throughput_rps) * 100) / 100),
  );
  if (!(perFlush > 0 && perFlush < 1) || lengths_ms.length === 0) return undefined;
  return {
    per_flush: Math.round(perFlush * 1e6) / 1e6,
    lengths_ms,
    at: used.map((u) => u.at),
  };
}

/** The median flush figures of a series' repeats (timed on the lab's disk before each), if any. */
export function measuredFlush(points: readonly MeasuredPoint[]): Options['commitFlush'] {
  const f = points.flatMap((p) =>
    (p.repeats ?? []).flatMap((r) => (r.flush_ms ? [r.flush_ms] : [])),
  );
  if (f.length === 0) return undefined;
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    mean_ms: r3(median(f.map((x) => x.mean_ms))),
    p99_ms: r3(median(f.map((x) => x.p99_ms))),
  };
}

/** The median pgbouncer CPU per transaction of a point's repeats (ms), if they recorded it. */
export function measuredPoolerCpu(p: MeasuredPoint | undefined): number | undefined {
  return medianCpu(p, (c) => c.pgbouncer);
}

/**
 * The parts model of one series, written to OUT/<series>.base.json: the --base scenario with the
 * series' items and Zipf exponent (0: uniform) and, through pgbouncer, its pool as db.pool_size
 * and pgbouncer itself as db.pooler: one thread on the DB's cores that every statement crosses,
 * spending `poolerCpu` (ms a transaction) shared among the statements.
 */
export function seriesBase(
  o: Options,
  name: string,
  c: {
    items: number;
    zipfS: number;
    pool?: number;
    poolerCpu?: number;
    flush?: Options['commitFlush'];
    /** The flush came from --commit-flush, not from the disk's timed flushes. */
    flushGiven?: boolean;
    /** Stalls of the flush (measuredStalls), db.commit_stalls. */
    stalls?: MeasuredStalls;
    /** Waking an idle core (measuredWake), host.wake on the DB's host. */
    wake?: MeasuredWake;
  },
): string {
  let base: Record<string, unknown> & {
    keyspace?: Record<string, unknown>;
    db?: Record<string, unknown>;
    hosts?: Record<string, { usl?: Record<string, unknown> }>;
  };
  try {
    base = JSON.parse(readFileSync(o.base, 'utf8')) as typeof base;
  } catch (e) {
    throw new PredictError(`--base ${o.base}: ${(e as Error).message}`, { cause: e });
  }
  base.keyspace = { ...base.keyspace, items: c.items, item_zipf_s: c.zipfS };
  if (c.pool !== undefined) base.db = { ...base.db, pool_size: c.pool };
  const statements = statementsOf(base.handler);
  let pooler = '';
  if (c.pool !== undefined && c.poolerCpu !== undefined && statements > 0) {
    const perStatement = Math.round((c.poolerCpu / statements) * 1e5) / 1e5;
    base.db = { ...base.db, pooler: { cpu: { dist: 'exp', mean_ms: perStatement }, threads: 1 } };
    pooler =
      `, and pgbouncer as db.pooler: one thread on the DB's cores that each of the ` +
      `${statements} statements of a transaction crosses, ${perStatement} ms of CPU each ` +
      `(${c.poolerCpu} ms a transaction)`;
  } else if (base.db) delete base.db.pooler;
  // through pgbouncer PostgreSQL sees at most its pool, but what a transaction costs grows with
  // the clients (pgbench polls all their sockets, pgbouncer holds all their connections; run 7:
  // 0.45 ms of CPU at 8 clients, 0.55 at 64): the contention counts the clients
  const dbHost = typeof base.db?.host === 'string' ? base.db.host : undefined;
  const usl = dbHost ? base.hosts?.[dbHost]?.usl : undefined;
  if (c.pool !== undefined && usl) {
    usl.n = 'clients';
    pooler +=
      ', contention counting the clients (usl.n = "clients": pgbouncer lets at most the pool reach PostgreSQL, but pgbench and pgbouncer work for every client)';
  }
  let flush = '';
  if (c.flush) {
    // the disk's part as timed; a CPU part the base gives is kept
    const had = base.db?.commit_flush as Record<string, unknown> | undefined;
    const disk = flushDist(c.flush);
    base.db = {
      ...base.db,
      commit_flush: had && 'cpu' in had ? { ...had, wait: disk } : disk,
    };
    if (c.stalls)
      base.db.commit_stalls = {
        per_flush: c.stalls.per_flush,
        length: { dist: 'empirical', samples_ms: c.stalls.lengths_ms },
      };
    else delete base.db.commit_stalls;
    flush =
      `; each commit waits for the commit flush, one flush at a time covering every commit ` +
      `waiting (db.commit_flush: ${c.flush.mean_ms} ms mean` +
      `${c.flush.p99_ms === undefined ? '' : `, P99 ${c.flush.p99_ms} ms`}` +
      `${c.flushGiven ? ', --commit-flush' : ', as timed on the disk'}` +
      (c.stalls
        ? `; ${(c.stalls.per_flush * 100).toFixed(2)} % of flushes stall (db.commit_stalls), ` +
          `as long as the ${c.stalls.lengths_ms.length} gaps of ${STALL_MS} ms or more without ` +
          `a commit measured at ${c.stalls.at.slice(0, -1).join(', ')}${c.stalls.at.length > 1 ? ' and ' : ''}${c.stalls.at[c.stalls.at.length - 1]} clients (mean ` +
          `${(c.stalls.lengths_ms.reduce((a, b) => a + b, 0) / c.stalls.lengths_ms.length).toFixed(1)} ms, ` +
          `less an ordinary gap)`
        : '') +
      ')';
  }
  let wake = '';
  if (dbHost && base.hosts?.[dbHost]) {
    const h = base.hosts[dbHost] as Record<string, unknown>;
    const stints = stintsOf(base, c.pool !== undefined);
    if (c.wake && stints > 0) {
      // a stint of the model stands for as many of the real processes' hops as there are scheduler
      // slices a transaction to each of its stints
      const ms = Math.round(((c.wake.hop_ms * c.wake.slices) / stints) * 1e5) / 1e5;
      h.wake = { ms, after_idle_ms: 0 };
      wake =
        `; a CPU stint that starts while others run and a core is free first waits ${ms} ms for ` +
        `that core to wake (host.wake: the wake probe's ${c.wake.hop_ms} ms a hop × ` +
        `${c.wake.slices} scheduler slices a transaction at ${c.wake.at} clients ÷ ${stints} ` +
        `stints a transaction in the model)`;
    } else delete h.wake;
  }
  base.name = `${String(base.name ?? 'base')} — ${name}`;
  base.notes =
    `The fidelity suite's ${name} series modelled from its parts: the structure of ` +
    `${path.basename(o.base)} with ${c.items.toLocaleString('en-US')} items chosen ` +
    (c.zipfS > 0 ? `Zipf-skewed (s = ${c.zipfS})` : 'uniformly') +
    (c.pool !== undefined
      ? ` and pgbouncer's pool of ${c.pool} server connections as db.pool_size${pooler}`
      : ', straight to PostgreSQL') +
    flush +
    wake +
    '.';
  const file = path.resolve(o.out, `${name}.base.json`);
  writeFileSync(file, JSON.stringify(base, null, 2) + '\n');
  return file;
}
const seriesName = (d: Dist, m: Mode) => `${d}-${m}`;

interface RawSeries {
  dist: Dist;
  mode: Mode;
  points: MeasuredPoint[];
}

/** Everything measured, as raw.json holds it. */
interface Raw {
  suite: 'peakline fidelity';
  started_at: string;
  finished_at?: string;
  machine: {
    cpus: number;
    cpu_model: string;
    load_before: number[];
    load1_during: { min: number; max: number };
    load_after?: number[];
    /** The kernel (os.release()) and its scheduler's settings (/proc/sys/kernel/sched_*). */
    kernel?: string;
    sched?: Record<string, string>;
    /** Seconds spent waiting for other processes to calm down before repeats. */
    quiet_wait_s?: { total: number; max: number };
    /** What waking a process on an idle core costs (wake.ts), timed before the series. */
    wake?: WakeFigures;
  };
  servers?: Lab['info'];
  options: Omit<
    Options,
    | 'from'
    | 'out'
    | 'skipPredict'
    | 'ignoreCpu'
    | 'fitSpeedup'
    | 'model'
    | 'base'
    | 'stalls'
    | 'wake'
    | 'cold'
  >;
  method: string;
  series: Record<string, RawSeries>;
}

const roots = (lab: Lab) => [process.pid, ...(lab.postmasterPid ? [lab.postmasterPid] : [])];

async function measureAll(o: Options): Promise<Raw> {
  checkPrograms();
  const series = o.dists.flatMap((d) => o.modes.map((m) => [d, m] as const));
  const perPoint = o.repeats * (o.seconds + 1 + (o.quietWait > 0 ? 1 : 0) + o.warmup + 2);
  const minutes = (series.length * o.clients.length * perPoint + 15) / 60;
  err(
    `fidelity: ${series.length} series × ${o.clients.length} client counts × ${o.repeats} × ${o.seconds} s ` +
      `(+${o.warmup} s warm-up each) ≈ ${minutes.toFixed(minutes < 3 ? 1 : 0)} min of measuring`,
  );
  const raw: Raw = {
    suite: 'peakline fidelity',
    started_at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? '?',
      load_before: os.loadavg().map((x) => Math.round(x * 100) / 100),
      load1_during: { min: Infinity, max: -Infinity },
      kernel: os.release(),
      sched: schedSettings(),
    },
    options: {
      clients: o.clients,
      dists: o.dists,
      modes: o.modes,
      repeats: o.repeats,
      seconds: o.seconds,
      warmup: o.warmup,
      poolSize: o.poolSize,
      items: o.items,
      zipfS: o.zipfS,
      pgSettings: o.pgSettings,
      quietBelow: o.quietBelow,
      stealBelow: o.stealBelow,
      quietWait: o.quietWait,
      retries: o.retries,
      calibrateAt: o.calibrateAt,
      seeds: o.seeds,
      cores: o.cores,
    },
    method:
      'pgbench -n -f order.sql -c N -j min(N,2) -T seconds, closed loop; throughput = pgbench tps ' +
      '(without initial connection time); mean/P50/P99 of the per-transaction log (--log), nearest rank; ' +
      'the repeats are sweeps across the client counts (repeat 1 of every point, then repeat 2, …); ' +
      'before each repeat: TRUNCATE orders, VACUUM ANALYZE items, CHECKPOINT, then an untimed warm-up; ' +
      (o.quietWait > 0
        ? `before each repeat a wait (at most ${o.quietWait} s) for other processes to use < ${o.quietBelow} cores; `
        : '') +
      (o.retries > 0
        ? `a repeat during which they used more, or the hypervisor stole ${o.stealBelow} % of the CPU time or more, ` +
          `is run again (at most ${o.retries} extra per point) and the ${o.repeats} least disturbed are kept; `
        : '') +
      'CSV figures are the median of the repeats kept',
    series: {},
  };
  err(`load average before: ${raw.machine.load_before.join(' ')} (${raw.machine.cpus} CPUs)`);

  const quietWaits: number[] = [];
  const lab = await Lab.start({ poolSize: o.poolSize, pgSettings: o.pgSettings, log: err });
  const onSignal = (sig: NodeJS.Signals) => {
    err(`\nfidelity: ${sig} — stopping pgbench, pgbouncer and PostgreSQL, removing ${lab.dir}`);
    lab.stop();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  const onExit = () => lab.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  try {
    raw.servers = lab.info;
    err(
      `PostgreSQL ${lab.info?.postgres_version}; settings ${JSON.stringify(lab.info?.pg_settings)}`,
    );
    if (wakeProbeAvailable()) {
      err('timing a wake onto an idle core (ping-pong on one core, then on two)…');
      const w = await probeWake();
      raw.machine.wake = w;
      err(
        `wake: a round trip ${w.same_rt_ms.toFixed(3)} ms on one core, ${w.cross_rt_ms.toFixed(3)} ms ` +
          `on two: ${w.hop_ms.toFixed(3)} ms a hop`,
      );
    } else err('wake: not timed (needs 2 CPUs, taskset and mkfifo)');
    err(`loading ${o.items.toLocaleString('en-US')} items…`);
    await lab.psql(schemaSql(o.items));
    for (const [dist, mode] of series) {
      const name = seriesName(dist, mode);
      const script = writeScript(lab, dist, o.items, o.zipfS);
      // the repeats are sweeps across the client counts, each point reset and warmed up before
      // every repeat: a slow phase of a shared machine (minutes long) then costs one repeat of
      // several points, which their medians leave out, instead of every repeat of one point
      const byClients = new Map<number, RepeatFigures[]>(o.clients.map((c) => [c, []]));
      const quiet = { cores: o.quietBelow, stealPct: o.stealBelow };
      const measureRepeat = async (clients: number) => {
        const repeats = byClients.get(clients)!;
        const r = repeats.length + 1;
        await lab.psql(RESET_SQL);
        const run = { mode, script, clients, seconds: o.seconds };
        await warmUp(lab, { ...run, seconds: o.warmup });
        if (o.quietWait > 0) {
          const q = await waitForQuiet(
            roots(lab),
            os.cpus().length,
            o.quietBelow,
            o.quietWait,
            (c) =>
              err(
                `[${name}] other processes use ${c.toFixed(2)} cores; waiting up to ${o.quietWait} s ` +
                  `for less than ${o.quietBelow} before repeat ${r} at ${clients} clients…`,
              ),
          );
          quietWaits.push(q.waited_s);
        }
        // the disk's commit flush, timed while nothing else of ours runs
        const flush = flushFigures(timeFlushes(lab.dir));
        const f: RepeatFigures = { ...(await measure(lab, run)), flush_ms: flush };
        repeats.push(f);
        raw.machine.load1_during.min = Math.min(raw.machine.load1_during.min, f.load1);
        raw.machine.load1_during.max = Math.max(raw.machine.load1_during.max, f.load1);
        err(
          `[${name}] ${String(clients).padStart(3)} clients, repeat ${r}/${o.repeats}` +
            `${r > o.repeats ? ' (extra)' : ''}: ` +
            `${f.throughput_rps.toFixed(0)} tps, mean ${f.mean_ms.toFixed(2)} ms, ` +
            `p50 ${f.p50_ms.toFixed(2)}, p99 ${f.p99_ms.toFixed(2)} ms` +
            `; flush ${flush.mean_ms.toFixed(3)} ms (p99 ${flush.p99_ms.toFixed(3)})` +
            `${f.stalls ? `; stalls ${f.stalls.per_s.toFixed(1)}/s, ${f.stalls.mean_ms.toFixed(1)} ms each` : ''}` +
            `${f.failed ? `, ${f.failed} FAILED` : ''} (load ${f.load1.toFixed(2)}` +
            `${f.others_cores === undefined ? '' : `, others ${f.others_cores.toFixed(2)} cores`})` +
            `${f.steal_pct ? `, steal ${f.steal_pct.toFixed(1)} %` : ''}` +
            `${disturbed(f, quiet) ? ' — disturbed' : ''}`,
        );
      };
      for (let r = 0; r < o.repeats; r++)
        for (const clients of o.clients) await measureRepeat(clients);
      // extra repeats where others disturbed too many, point by point
      for (const clients of o.clients) {
        const repeats = byClients.get(clients)!;
        while (
          repeats.length < o.repeats + o.retries &&
          repeats.filter((f) => !disturbed(f, quiet)).length < o.repeats
        )
          await measureRepeat(clients);
      }
      const points: MeasuredPoint[] = o.clients.map((clients) => {
        const repeats = byClients.get(clients)!;
        const { used, discarded } = leastDisturbed(repeats, o.repeats, quiet);
        if (discarded.length)
          err(
            `[${name}] ${clients} clients: the ${o.repeats} least disturbed of ${repeats.length} repeats are kept`,
          );
        return { ...combineRepeats(clients, used), ...(discarded.length ? { discarded } : {}) };
      });
      raw.series[name] = { dist, mode, points };
      writeFileSync(path.join(o.out, `${name}.csv`), seriesCsv(points));
      writeFileSync(path.join(o.out, 'raw.json'), JSON.stringify(raw, null, 2) + '\n');
      err(`[${name}] written ${path.join(o.out, `${name}.csv`)}`);
    }
  } finally {
    lab.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
  raw.finished_at = new Date().toISOString();
  raw.machine.quiet_wait_s = {
    total: Math.round(quietWaits.reduce((a, b) => a + b, 0)),
    max: Math.max(0, ...quietWaits),
  };
  raw.machine.load_after = os.loadavg().map((x) => Math.round(x * 100) / 100);
  writeFileSync(path.join(o.out, 'raw.json'), JSON.stringify(raw, null, 2) + '\n');
  return raw;
}

/** The measured series of a folder: its <dist>-<mode>.csv files, with raw.json's spreads if present. */
function loadMeasured(dir: string): { raw?: Raw; series: Record<string, MeasuredPoint[]> } {
  if (!existsSync(dir)) throw new UsageError(`--from: no such folder ${dir}`);
  const rawPath = path.join(dir, 'raw.json');
  const raw = existsSync(rawPath) ? (JSON.parse(readFileSync(rawPath, 'utf8')) as Raw) : undefined;
  const series: Record<string, MeasuredPoint[]> = {};
  for (const f of readdirSync(dir).sort()) {
    const m = /^((uniform|zipf)-(direct|pooled))\.csv$/.exec(f);
    if (!m) continue;
    const points = parseSeriesCsv(readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f));
    const rawPoints = raw?.series[m[1]]?.points ?? [];
    series[m[1]] = points.map((p) => {
      const rp = rawPoints.find((x) => x.concurrency === p.concurrency);
      return rp ? { ...p, spread: rp.spread, repeats: rp.repeats } : p;
    });
  }
  if (Object.keys(series).length === 0)
    throw new UsageError(
      `--from: ${dir} holds no series CSV (uniform-direct.csv, zipf-pooled.csv, …)`,
    );
  return { raw, series };
}

/**
 * The kernel scheduler's settings (/proc/sys/kernel/sched_*): they change how a machine of the
 * same kind runs the same work (a kernel that packs tasks onto fewer vCPUs, say), so a run says
 * what it ran under. Empty where there is no /proc.
 */
export function schedSettings(dir = '/proc/sys/kernel'): Record<string, string> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('sched_'));
  } catch {
    return out;
  }
  for (const n of names.sort())
    try {
      out[n] = readFileSync(path.join(dir, n), 'utf8').trim();
    } catch {
      // not readable: left out
    }
  return out;
}

/**
 * The CPU that other processes used during the measured runs (mean and max over repeats), and
 * the hypervisor's steal in the repeats kept and in those run again.
 */
export function othersText(raw: Raw): string {
  const kept = Object.values(raw.series).flatMap((s) => s.points.flatMap((p) => p.repeats ?? []));
  const extra = Object.values(raw.series).flatMap((s) =>
    s.points.flatMap((p) => p.discarded ?? []),
  );
  const cores = (rs: RepeatFigures[]) =>
    rs.map((r) => r.others_cores).filter((x): x is number => x !== undefined);
  const stats = (xs: number[]) =>
    `mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)}, max ${Math.max(...xs).toFixed(2)}`;
  const stealOf = (rs: RepeatFigures[]) =>
    rs.map((r) => r.steal_pct).filter((x): x is number => x !== undefined);
  const steal = stealOf(kept);
  const stealExtra = stealOf(extra);
  if (cores(kept).length === 0) return '';
  return (
    `; cores used by other processes during the ${kept.length} repeats kept: ${stats(cores(kept))}` +
    (extra.length
      ? ` (${extra.length} more repeats were run again because others used ≥ ${raw.options.quietBelow}` +
        (raw.options.stealBelow === undefined
          ? ''
          : ` cores or the hypervisor stole ≥ ${raw.options.stealBelow} %`) +
        `: ${stats(cores(extra))})`
      : '') +
    (steal.length
      ? `; hypervisor steal max ${Math.max(...steal).toFixed(1)} %` +
        (stealExtra.length
          ? ` in the repeats kept (${Math.max(...stealExtra).toFixed(1)} % in those run again)`
          : '')
      : '') +
    (raw.machine.quiet_wait_s?.total
      ? `; waited ${raw.machine.quiet_wait_s.total} s in all for others to drop below ${raw.options.quietBelow} cores`
      : '')
  );
}

function context(raw: Raw | undefined, o: Options, predicted: boolean): string[] {
  const lines: string[] = [];
  if (raw) {
    const opt = raw.options;
    lines.push(
      `Measured ${raw.started_at.replace('T', ' ').slice(0, 16)}` +
        `${raw.finished_at ? `–${raw.finished_at.slice(11, 16)}` : ''} UTC on ${raw.machine.cpus} CPUs ` +
        `(${raw.machine.cpu_model}${raw.machine.kernel ? `, Linux ${raw.machine.kernel}` : ''}` +
        `${raw.machine.sched?.sched_vcpu_pack ? `, sched_vcpu_pack ${raw.machine.sched.sched_vcpu_pack}` : ''}); ` +
        `load average before ${raw.machine.load_before.join(' ')}, ` +
        `1-min load during ${raw.machine.load1_during.min.toFixed(2)}–${raw.machine.load1_during.max.toFixed(2)}` +
        (raw.machine.load_after ? `, after ${raw.machine.load_after.join(' ')}` : '') +
        othersText(raw),
      `PostgreSQL ${raw.servers?.postgres_version ?? '?'} (${Object.entries(
        raw.servers?.pg_settings ?? {},
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}); ${raw.servers?.pgbouncer_version ?? 'pgbouncer'} pool_mode=transaction ` +
        `default_pool_size=${opt.poolSize}; pgbench and the servers on the same machine`,
      `${opt.items.toLocaleString('en-US')} items, Zipf s=${opt.zipfS}; ${opt.repeats} × ${opt.seconds} s per point ` +
        `after a ${opt.warmup} s warm-up; ${raw.method}`,
    );
  }
  if (predicted)
    lines.push(
      `Calibrated with npx peakline calibrate${o.cores ? ` --cores ${o.cores}` : ''} at ${o.calibrateAt.join(', ')} clients, ` +
        (o.model === 'parts'
          ? `modelled from its parts (--base ${path.relative(REPO_ROOT, path.resolve(o.base)) || o.base} --fit-demand; per series the items' Zipf s and, through pgbouncer, db.pool_size ${'='} the pool and pgbouncer as db.pooler, one thread whose CPU is ` +
            (o.poolerCpu === undefined
              ? `as measured at ${o.calibrateAt[0]} clients`
              : `${o.poolerCpu} ms a transaction, --pooler-cpu`) +
            ', and contention counting the clients, usl.n = "clients"' +
            (o.fitSpeedup ? ", the host's core_speedup fitted with σ and κ, --fit-speedup)" : ')') +
            (o.ignoreCpu
              ? ', CPU scaled with the rest (--ignore-cpu)'
              : ", the CPU per transaction measured at the calibration points as cpu_ms where the run recorded it (the model's CPU set from it)") +
            (o.commitFlush
              ? `, db.commit_flush ${o.commitFlush.mean_ms} ms mean (--commit-flush)`
              : ', db.commit_flush as timed on the disk before each repeat, where it was') +
            (o.stalls
              ? `, its stalls (db.commit_stalls) as measured at the calibration points where ${STALL_MS} ms spans ${STALL_CYCLES} flush cycles or more and a transaction waits less than that for a core, where the run recorded them`
              : ', no stalls (--stalls none)') +
            (o.wake
              ? ", waking an idle core (host.wake) from the run's wake probe and the scheduler slices a transaction at the lowest calibration point, where the run recorded them"
              : ', no wake cost (--wake none)') +
            (o.ignoreCpu
              ? '; '
              : o.cold
                ? ', and the CPU a transaction at the lowest calibration point over the least spent by the stints that start on the idle machine (host.cold_start_ms, --fit-cold); '
                : ", and the lowest load's extra CPU in its waits (--cold none); ")
          : 'as one calibrated station (the pooled series with --pool); ') +
        `predictions are the mean of npx peakline run --seed ${o.seeds.join(', ')}`,
    );
  return lines;
}

export async function main(argv: string[]): Promise<number> {
  let o: Options;
  try {
    const parsed = parseOptions(argv);
    if (parsed === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    o = parsed;
  } catch (e) {
    err(`fidelity: ${(e as Error).message} (see npm run fidelity -- --help)`);
    return 2;
  }
  try {
    mkdirSync(o.out, { recursive: true });
    let raw: Raw | undefined;
    let measured: Record<string, MeasuredPoint[]>;
    if (o.from) {
      ({ raw, series: measured } = loadMeasured(o.from));
      // --dist and --mode pick which stored series to predict again
      const picked = new Set(o.dists.flatMap((d) => o.modes.map((m) => seriesName(d, m))));
      measured = Object.fromEntries(Object.entries(measured).filter(([name]) => picked.has(name)));
    } else {
      if (!o.skipPredict && !(await calibrateAvailable()))
        err(
          'fidelity: note — this checkout\'s peakline has no "calibrate" command yet; the ' +
            'measurement runs, the prediction step will fail (use --skip-predict, or --from later)',
        );
      raw = await measureAll(o);
      measured = Object.fromEntries(Object.entries(raw.series).map(([k, v]) => [k, v.points]));
    }

    const reports: SeriesReport[] = [];
    let predictFailed = false;
    for (const [name, points] of Object.entries(measured)) {
      const rep: SeriesReport = {
        name,
        measured: points,
        calibrateAt: o.calibrateAt,
        ...(raw?.machine.cpus ? { cpus: raw.machine.cpus } : {}),
      };
      if (o.skipPredict) rep.predictNote = '--skip-predict';
      else {
        const missing = o.calibrateAt.filter((c) => !points.some((p) => p.concurrency === c));
        try {
          if (missing.length)
            throw new PredictError(
              `no measured point at ${missing.join(',')} clients to calibrate from`,
            );
          const pooled = name.endsWith('-pooled');
          const pool = raw?.options.poolSize ?? o.poolSize;
          // pgbouncer's CPU: as given, else as measured at the lowest calibration point
          const lowest = points.find((p) => p.concurrency === o.calibrateAt[0]);
          const poolerCpu = pooled ? (o.poolerCpu ?? measuredPoolerCpu(lowest)) : undefined;
          // the commit flush: as given, else as timed on the disk before the series' repeats
          const flush = o.commitFlush ?? measuredFlush(points);
          // the flush's stalls: as measured at the light calibration points
          const stalls = o.stalls ? measuredStalls(points, o.calibrateAt) : undefined;
          // waking an idle core: the probe's hop, as many hops a transaction as scheduler slices
          const wake = o.wake ? measuredWake(raw?.machine.wake, lowest) : undefined;
          if (pooled && o.model === 'parts' && poolerCpu === undefined)
            err(
              `fidelity: ${name}: no pgbouncer CPU recorded at ${o.calibrateAt[0]} clients and ` +
                'no --pooler-cpu: pgbouncer is modelled by its pool alone',
            );
          ({ predicted: rep.predicted, fit: rep.fit } = await calibrateAndPredict(
            name,
            points,
            o.out,
            {
              calibrateAt: o.calibrateAt,
              seeds: o.seeds,
              cores: o.cores,
              // through pgbouncer the DB sees at most its pool: calibrate models that pool
              pool: pooled ? pool : undefined,
              base:
                o.model === 'parts'
                  ? seriesBase(o, name, {
                      items: raw?.options.items ?? o.items,
                      zipfS: name.startsWith('zipf-') ? (raw?.options.zipfS ?? o.zipfS) : 0,
                      pool: pooled ? pool : undefined,
                      poolerCpu,
                      flush,
                      flushGiven: o.commitFlush !== undefined,
                      ...(stalls && { stalls }),
                      ...(wake && { wake }),
                    })
                  : undefined,
              cpu: !o.ignoreCpu,
              fitSpeedup: o.fitSpeedup,
              fitCold: o.model === 'parts' && o.cold,
              parallel: Math.max(1, Math.min(2, os.cpus().length)),
              log: err,
            },
          ));
        } catch (e) {
          if (!(e instanceof PredictError)) throw e;
          predictFailed = true;
          rep.predictNote = 'prediction failed, see the message above';
          err(`fidelity: ${e.message}`);
        }
      }
      reports.push(rep);
    }

    const predicted = reports.some((r) => r.predicted?.length);
    const ctx = context(raw, o, predicted);
    process.stdout.write(`\n${ctx.join('\n')}\n\n${reports.map(formatSeries).join('\n\n')}\n`);
    writeFileSync(
      path.join(o.out, 'report.md'),
      formatMarkdown('Peakline fidelity against a real PostgreSQL', ctx, reports),
    );
    if (predicted)
      writeFileSync(
        path.join(o.out, 'predictions.json'),
        JSON.stringify(
          Object.fromEntries(reports.map((r) => [r.name, r.predicted ?? null])),
          null,
          2,
        ) + '\n',
      );
    err(`fidelity: report in ${path.join(o.out, 'report.md')}`);
    return predictFailed ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`fidelity: ${e.message}`);
      return 2;
    }
    err(`fidelity: ${(e as Error).message}`);
    if (argv.includes('--debug')) err((e as Error).stack ?? '');
    return 1;
  }
}
