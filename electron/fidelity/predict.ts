// Calibration and prediction through the command line, as a user would do it: for a series, a CSV
// of its calibration points goes to `npx peakline calibrate`, and the scenario it writes is run
// with `npx peakline run --json --set workload.connections=N --seed S` at every client count
// measured, averaged over the seeds. Subprocesses only; nothing of the simulator is imported.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram } from './lab';
import type { PredictedPoint, UslFit } from './report';
import { measuredCpu, seriesCsv, type MeasuredPoint } from './stats';

/** The repository root (where `npx peakline` resolves to this checkout's bin). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface PredictOptions {
  /** Client counts whose measured points are given to calibrate (at most 3). */
  calibrateAt: number[];
  /** Seeds of the simulation runs; a prediction is the mean over them. */
  seeds: number[];
  /** Passed to `peakline calibrate --cores` (the cores of the machine the database ran on). */
  cores?: number;
  /**
   * Passed to `peakline calibrate --pool` (the pooler's server connections, for a series measured
   * through pgbouncer: the DB sees at most that many transactions at once).
   */
  pool?: number;
  /**
   * A scenario modelling the system from its parts, passed as `--base FILE --fit-demand`: calibrate
   * scales its step times to the lowest calibration point and fits its host's σ and κ (with a base
   * there is no --pool: the base has its own pool).
   */
  base?: string;
  /**
   * Give calibrate the CPU per transaction measured at the calibration points (a cpu_ms column,
   * where every one recorded it): with a base, the model's CPU is set from it.
   */
  cpu?: boolean;
  /** Let calibrate fit the base host's core_speedup with σ and κ (`--fit-speedup`). */
  fitSpeedup?: boolean;
  /**
   * Let calibrate put the lowest load's CPU over the least into the host's cold starts
   * (`--fit-cold`; with a base and `cpu`).
   */
  fitCold?: boolean;
  /** Simulation runs at once. */
  parallel: number;
  log: (line: string) => void;
}

/** Thrown when `peakline calibrate` is not there (yet) or fails; the message says what to do. */
export class PredictError extends Error {}

/** The commands a user would type, shown in the report. */
export function calibrateCommand(
  csv: string,
  scenario: string,
  cores?: number,
  pool?: number,
  base?: string,
  fitSpeedup?: boolean,
  fitCold?: boolean,
): string[] {
  return [
    'peakline',
    'calibrate',
    '--points',
    csv,
    ...(base
      ? [
          '--base',
          base,
          '--fit-demand',
          ...(fitSpeedup ? ['--fit-speedup'] : []),
          ...(fitCold ? ['--fit-cold'] : []),
        ]
      : []),
    '--out',
    scenario,
    '--json',
    ...(cores ? ['--cores', String(cores)] : []),
    ...(pool && !base ? ['--pool', String(pool)] : []),
  ];
}

export function runCommand(scenario: string, clients: number, seed: number): string[] {
  return [
    'peakline',
    'run',
    scenario,
    '--json',
    '--set',
    `workload.connections=${clients}`,
    '--seed',
    String(seed),
  ];
}

const npx = (args: string[], timeoutMs: number) =>
  runProgram('npx', ['--no-install', ...args], {
    timeoutMs,
    cwd: REPO_ROOT,
    env: { ...process.env, FORCE_COLOR: '0' },
  });

/** Whether this checkout's `peakline` has a `calibrate` command (its help lists it). */
export async function calibrateAvailable(): Promise<boolean> {
  try {
    const { stdout } = await npx(['peakline', 'help'], 60_000);
    return /^\s+calibrate\b/m.test(stdout);
  } catch {
    return false;
  }
}

async function inParallel<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}

interface RunJson {
  throughput_rps: number;
  latency_ms: { mean: number; p99: number };
  stations?: Record<
    string,
    { utilization: number; kind?: string; servers?: number; mean_queue?: number } | undefined
  >;
}

/**
 * The model's CPU per transaction on its hosts and its run queue: busy cores over the throughput,
 * and runnable jobs without a core over it (by Little's law, the time a transaction's CPU work
 * waited for a core — under processor sharing, the time its stints were stretched), ms; undefined
 * without a host.
 */
export function modelSched(r: RunJson): { cpu_ms: number; runq_ms: number } | undefined {
  const hosts = Object.values(r.stations ?? {}).filter((st) => st?.kind === 'host');
  if (hosts.length === 0 || !(r.throughput_rps > 0)) return undefined;
  let busy = 0;
  let queue = 0;
  for (const st of hosts) {
    busy += st!.utilization * (st!.servers ?? 0);
    queue += st!.mean_queue ?? 0;
  }
  return { cpu_ms: (busy / r.throughput_rps) * 1000, runq_ms: (queue / r.throughput_rps) * 1000 };
}

/**
 * Calibrates a series from its calibration points (written to DIR/<name>.calibration.csv; the
 * scenario goes to DIR/<name>.scenario.json) and predicts every measured client count.
 */
export async function calibrateAndPredict(
  name: string,
  measured: MeasuredPoint[],
  outDir: string,
  o: PredictOptions,
): Promise<{ predicted: PredictedPoint[]; fit?: UslFit }> {
  const calPoints = measured.filter((p) => o.calibrateAt.includes(p.concurrency));
  const csv = path.resolve(outDir, `${name}.calibration.csv`);
  const scenario = path.resolve(outDir, `${name}.scenario.json`);
  writeFileSync(csv, seriesCsv(calPoints, { cpu: o.cpu }));
  const command = calibrateCommand(
    csv,
    scenario,
    o.cores,
    o.pool,
    o.base,
    o.fitSpeedup,
    o.fitCold && o.cpu && calPoints.every((p) => measuredCpu(p) !== undefined),
  );
  o.log(`[${name}] npx ${command.join(' ')}`);
  let fit: UslFit | undefined;
  try {
    const { stdout } = await npx(command, 1_800_000);
    fit = readFit(stdout);
  } catch (e) {
    const msg = (e as Error).message;
    if (/unknown command/.test(msg))
      throw new PredictError(
        `this checkout's peakline has no "calibrate" command yet, so nothing can be predicted ` +
          `(the measured CSVs are kept; once calibrate lands, redo only this step with ` +
          `npm run fidelity -- --from ${outDir})`,
        { cause: e },
      );
    throw new PredictError(`peakline calibrate failed for ${name}: ${msg}`, { cause: e });
  }

  const jobs = measured.flatMap((p) => o.seeds.map((seed) => ({ clients: p.concurrency, seed })));
  const results = await inParallel(jobs, o.parallel, async ({ clients, seed }) => {
    let stdout: string;
    try {
      ({ stdout } = await npx(runCommand(scenario, clients, seed), 600_000));
    } catch (e) {
      throw new PredictError(
        `peakline run of the calibrated ${name} scenario at ${clients} connections failed: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const r = JSON.parse(stdout) as RunJson;
    if (!Number.isFinite(r.throughput_rps) || !Number.isFinite(r.latency_ms?.mean))
      throw new PredictError(
        `peakline run --json for ${name} at ${clients} gave no throughput/latency`,
      );
    return { clients, seed, r };
  });
  o.log(`[${name}] predicted ${measured.length} client counts × ${o.seeds.length} seeds`);

  const predicted = measured.map((p) => {
    const rs = results.filter((x) => x.clients === p.concurrency).map((x) => x.r);
    const mean = (f: (r: RunJson) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    const sched = rs.map(modelSched);
    return {
      concurrency: p.concurrency,
      throughput_rps: mean((r) => r.throughput_rps),
      mean_ms: mean((r) => r.latency_ms.mean),
      p99_ms: mean((r) => r.latency_ms.p99),
      // a model with a commit flush: the share of the time a flush was in progress
      ...(rs.every((r) => r.stations?.flush)
        ? { flush_busy: mean((r) => r.stations!.flush!.utilization) }
        : {}),
      ...(sched.every((x) => x !== undefined)
        ? {
            cpu_ms: sched.reduce((a, x) => a + x!.cpu_ms, 0) / sched.length,
            runq_ms: sched.reduce((a, x) => a + x!.runq_ms, 0) / sched.length,
          }
        : {}),
      seeds: rs.length,
    };
  });
  return { predicted, fit };
}

/** The USL fit from `peakline calibrate --json` (undefined if its output has none). */
export function readFit(stdout: string): UslFit | undefined {
  try {
    const f = (JSON.parse(stdout) as { fit?: Record<string, unknown> }).fit;
    const n = (k: string) => (typeof f?.[k] === 'number' ? (f[k] as number) : null);
    if (f?.method === 'simulation' && typeof f.sigma === 'number' && typeof f.kappa === 'number')
      return {
        x1_rps: null,
        sigma: f.sigma,
        kappa: f.kappa,
        cores: n('cores'),
        peak_concurrency: null,
        peak_throughput_rps: null,
        r2: n('r2'),
        by_simulation: true,
        ...(typeof f.demand_scale === 'number' ? { demand_scale: f.demand_scale } : {}),
        ...(typeof f.cpu_scale === 'number' ? { cpu_scale: f.cpu_scale } : {}),
        ...(typeof f.cpu_ms === 'number' ? { cpu_ms: f.cpu_ms } : {}),
        ...(typeof f.core_speedup === 'number' ? { core_speedup: f.core_speedup } : {}),
        ...(typeof f.cold_start_ms === 'number' ? { cold_start_ms: f.cold_start_ms } : {}),
      };
    if (!f || typeof f.x1_rps !== 'number') return undefined;
    return {
      x1_rps: f.x1_rps,
      sigma: n('sigma') ?? 0,
      kappa: n('kappa') ?? 0,
      cores: n('cores'),
      peak_concurrency: n('peak_concurrency'),
      peak_throughput_rps: n('peak_throughput_rps'),
      r2: n('r2'),
    };
  } catch {
    return undefined;
  }
}
