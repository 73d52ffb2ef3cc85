// `peakline calibrate`: reads measured load points (CSV, JSON, pgbench or wrk output), fits the
// Universal Scalability Law, prints the fit and writes a scenario that reproduces it (atomically,
// never over a file that is not a scenario). The parsing, fitting and the scenario itself are
// sim-core's (points.ts, calibrate.ts); this is the files and the table.
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import {
  applyCalibration,
  pooledScenario,
  calibratedScenario,
  fitDemand,
  FitError,
  fitHostAndSpeedup,
  fitHostBySimulation,
  fitDemandScale,
  applyDemand,
  type DemandScale,
  type SimFit,
  fitUsl,
  loadOf,
  loadSetting,
  runsOnHost,
  sig,
  type CalibrationInput,
  type UslFit,
} from '../../sim-core/calibrate';
import { parsePoints, PointsError, type LoadPoint, type PointsFormat } from '../../sim-core/points';
import type { ScenarioInput } from '../../sim-core/schema';
import { formatProblems, validateScenario } from '../../sim-core/validate';
import { CliError, loadScenarioInput, num, parseCommand, readText, table } from './util';

/** A point with the file it came from. */
type FilePoint = LoadPoint & { file: string };

/** Reads and parses every points file; errors are `FILE: row N: what is wrong`. */
function readPoints(files: readonly string[]): { formats: PointsFormat[]; points: FilePoint[] } {
  const formats: PointsFormat[] = [];
  const points: FilePoint[] = [];
  for (const file of files) {
    const text = readText(file);
    try {
      const r = parsePoints(text);
      formats.push(r.format);
      for (const p of r.points) points.push({ ...p, file });
    } catch (e) {
      if (e instanceof PointsError) throw new CliError(`${file}: ${e.message}`);
      throw e;
    }
  }
  return { formats, points };
}

/** Refuses to replace a file that is not a peakline scenario (or is not a file). */
function checkOut(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isFile()) throw new CliError(`${out}: is not a file; choose another --out`);
  let schema: unknown;
  try {
    schema = (JSON.parse(readFileSync(out, 'utf8').replace(/^\ufeff/, '')) as { schema?: unknown })
      ?.schema;
  } catch {
    schema = undefined;
  }
  if (schema !== 'peakline.scenario/v1')
    throw new CliError(
      `${out}: exists and is not a peakline scenario; not overwriting it (choose another --out)`,
    );
}

/** Writes through a temporary file in the same folder and a rename, so a reader never sees half. */
function writeAtomically(out: string, text: string): void {
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, out);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such folder'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (e as Error).message;
    throw new CliError(`${out}: cannot write: ${why}`);
  }
}

const signed = (x: number, digits = 1) => `${x >= 0 ? '+' : '−'}${num(Math.abs(x) * 100, digits)}`;
const g = (x: number, digits = 4) => (x === Infinity ? '∞' : String(sig(x, digits)));
/** A time in ms to 3 significant digits (0.977, 20.5), whole from 1000 up. */
const ms3 = (x: number) => (x >= 1000 ? num(x, 0) : x.toPrecision(3));

/** The readable report of a calibration. */
function formatCalibration(
  files: readonly string[],
  format: string,
  fit: UslFit,
  c: CalibrationInput,
  out: string,
  workload: { type: string },
  note: string | undefined,
): string {
  const lines: string[] = [];
  lines.push(
    `Calibrated from ${files.map((f) => basename(f)).join(', ')} — ${format}, ${fit.points.length} points (Universal Scalability Law)`,
  );
  lines.push('');
  lines.push(
    `Fit          X(1) ${num(fit.x1_rps, 1)} req/s   demand ${ms3(fit.demand_ms)} ms   ${fit.cores === null ? 'no core limit' : `at most ${fit.cores} cores`}`,
  );
  lines.push(`             σ ${g(fit.sigma)} (contention)   κ ${g(fit.kappa)} (coherency)`);
  lines.push(
    fit.peak_concurrency === Infinity
      ? `Peak         none: κ = 0, throughput rises towards ${fit.peak_throughput_rps === Infinity ? '∞' : `${num(fit.peak_throughput_rps, 1)} req/s`}`
      : `Peak         N* ${num(fit.peak_concurrency, 1)} → ${num(fit.peak_throughput_rps, 1)} req/s`,
  );
  lines.push(`R²           ${fit.r2.toFixed(4)} (throughput)`);
  const d = c.demand.dist;
  lines.push(
    `Demand       ${d.dist === 'lognormal' ? `lognormal mean ${ms3(d.mean_ms)} ms, p99 ${ms3(d.p99_ms!)} ms` : d.dist === 'const' ? `constant ${ms3(d.ms)} ms` : d.dist} of CPU — shape from ${c.demand.from}`,
    ...(c.demand.stall
      ? [
          `Stalls       ${Math.round(c.demand.stall.share * 100)} % of requests wait ${ms3(c.demand.stall.ms)} ms more (not slowed by load)`,
        ]
      : []),
  );
  lines.push('');
  const rows = fit.points.map((p) => {
    return [
      p.rate_rps !== undefined
        ? `${num(p.rate_rps, 1)}/s → N=${num(p.concurrency, 2)}`
        : `N=${num(p.concurrency, Number.isInteger(p.concurrency) ? 0 : 2)}`,
      num(p.measured_rps, 1),
      num(p.fitted_rps, 1),
      signed(p.residual),
      ms3(p.measured_mean_ms),
      ms3(p.fitted_mean_ms),
      signed(p.mean_error),
      p.source,
    ];
  });
  lines.push(
    ...table(
      [
        'load',
        'measured X/s',
        'fitted X/s',
        'resid %',
        'measured mean ms',
        'fitted mean ms',
        'error %',
        'point',
      ],
      rows,
      [false, true, true, true, true, true, true, false],
    ),
  );
  lines.push('');
  if (note) lines.push(note);
  lines.push(
    `Wrote ${out} — predict another load: npx peakline run ${out} --set ${loadSetting(workload)}`,
  );
  return lines.join('\n') + '\n';
}

export async function calibrateCommand(argv: string[]): Promise<number> {
  const o = parseCommand(
    'calibrate',
    argv,
    {
      points: { type: 'string', multiple: true },
      base: { type: 'string' },
      cores: { type: 'string' },
      pool: { type: 'string' },
      host: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      'fit-demand': { type: 'boolean' },
      'fit-speedup': { type: 'boolean' },
      'fit-cold': { type: 'boolean' },
    },
    z.object({
      _: z.array(z.string()),
      points: z.array(z.string().min(1)).default([]),
      base: z.string().min(1).optional(),
      cores: z
        .string()
        .regex(/^\d+$/, { error: 'must be a whole number >= 1' })
        .transform(Number)
        .refine((n) => n >= 1 && Number.isSafeInteger(n), { error: 'must be a whole number >= 1' })
        .optional(),
      pool: z
        .string()
        .regex(/^\d+$/, { error: 'must be a whole number >= 1' })
        .transform(Number)
        .refine((n) => n >= 1 && Number.isSafeInteger(n), { error: 'must be a whole number >= 1' })
        .optional(),
      host: z.string().min(1, { error: 'must name a host' }).optional(),
      out: z.string().min(1).optional(),
      json: z.boolean().optional(),
      'fit-demand': z.boolean().optional(),
      'fit-speedup': z.boolean().optional(),
      'fit-cold': z.boolean().optional(),
    }),
  );
  // Files after --points (a shell glob: --points logs/pgbench_log.*) are points files too.
  const files = [...o.points, ...o._];
  if (files.length === 0)
    throw new CliError(
      'peakline calibrate: give --points FILE (measured load points: CSV, JSON, pgbench or wrk output) (see peakline help)',
      2,
    );
  const host = o.host ?? 'db';
  const out = o.out ?? 'calibrated.json';
  const base = o.base !== undefined ? (loadScenarioInput(o.base) as ScenarioInput) : undefined;

  const read = readPoints(files);
  // In load order; with several files each point says which file it is from.
  const points = read.points
    .map((p) => (files.length > 1 ? { ...p, source: `${basename(p.file)}: ${p.source}` } : p))
    .sort((a, b) => loadOf(a) - loadOf(b));
  const formats = read.formats;
  const format = [...new Set(formats)].join(', ');
  if (base && o.pool !== undefined)
    throw new CliError(
      `peakline calibrate: --pool: ${o.base} is the model; set its db.pool_size instead of giving --pool (see peakline help)`,
      2,
    );
  // options that act on a base modelled from its parts, and what each does with it
  if (o['fit-cold'] && !o['fit-demand'])
    throw new CliError(
      `peakline calibrate: --fit-cold fits host "${host}"'s cold starts with the demand; give --fit-demand too (see peakline help)`,
      2,
    );
  const needsHostedBase: [flag: 'fit-demand' | 'fit-speedup' | 'fit-cold', does: string][] = [
    ['fit-demand', `scales the demand of a --base that runs on host "${host}"`],
    ['fit-cold', `fits the cold starts of host "${host}" in a --base that runs on it`],
    [
      'fit-speedup',
      `fits the core_speedup of host "${host}" by simulating a --base that runs on it`,
    ],
  ];
  for (const [flag, does] of needsHostedBase)
    if (o[flag] && !(base && runsOnHost(base, host)))
      throw new CliError(
        `peakline calibrate: --${flag} ${does}` +
          (base
            ? `; nothing in ${o.base} does (set db.host, server.host or a service's host)`
            : '') +
          ' (see peakline help)',
        2,
      );
  if (base && runsOnHost(base, host))
    return calibrateBase(o, {
      files,
      format,
      points,
      base,
      label: o.base!,
      fromFile: true,
      host,
      out,
    });
  let fit: UslFit;
  try {
    fit = fitUsl(points, o.cores !== undefined ? { cores: o.cores } : {});
  } catch (e) {
    if (e instanceof FitError) throw new CliError(`${files.join(', ')}: ${e.message}`);
    throw e;
  }
  if (o.pool !== undefined) {
    const pooled = pooledScenario(fit, points, {
      pool: o.pool,
      files: files.map((f) => basename(f)),
      format,
      host,
      out,
    });
    return calibrateBase(o, {
      files,
      format,
      points,
      base: pooled,
      label: `the calibrated query behind a pool of ${o.pool}`,
      fromFile: false,
      host,
      out,
    });
  }
  const shaped = fitDemand(points, fit);
  fit = shaped.fit;
  const input: CalibrationInput = {
    fit,
    demand: shaped.demand,
    points,
    files: files.map((f) => basename(f)),
    format,
    host,
    out,
  };
  const scenario = base ? applyCalibration(base, input) : calibratedScenario(input);
  const checked = validateScenario(scenario, out);
  if (!checked.ok)
    throw new CliError(formatProblems(`${out} (calibrated)`, checked.problems).join('\n'));

  checkOut(out);
  writeAtomically(out, JSON.stringify(scenario, null, 2) + '\n');

  if (o.json) {
    const { iterations: _, ...fitJson } = fit;
    process.stdout.write(
      JSON.stringify(
        {
          format,
          points,
          fit: {
            ...fitJson,
            demand: input.demand.dist,
            demand_p99_ratio: input.demand.ratio,
            stall: input.demand.stall,
          },
          out,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const note =
      base && runsOnHost(base, host)
        ? `${o.base} runs on host "${host}": its handler (the demand) is kept; the host gets the fitted cores and USL.`
        : base
          ? `${o.base}: its handler is now the calibrated query on host "${host}".`
          : undefined;
    process.stdout.write(
      formatCalibration(files, format, fit, input, out, scenario.workload, note),
    );
  }
  return 0;
}

/**
 * A base scenario that runs on the host (the system modelled from its parts): σ and κ of that
 * host are fitted by simulating the base at each measured load; everything else is the user's.
 */
function calibrateBase(
  o: {
    cores?: number;
    json?: boolean;
    'fit-demand'?: boolean;
    'fit-speedup'?: boolean;
    'fit-cold'?: boolean;
  },
  c: {
    files: string[];
    format: string;
    points: LoadPoint[];
    base: ScenarioInput;
    /** What the base is, for messages: its file, or what calibrate built. */
    label: string;
    /** Whether the base is the user's file (else calibrate built it). */
    fromFile: boolean;
    host: string;
    out: string;
  },
): number {
  const { files, format, points, base, label, host, out } = c;
  const checked = validateScenario(base, label);
  if (!checked.ok) throw new CliError(formatProblems(label, checked.problems).join('\n'));
  let scenarioIn = checked.scenario;
  if (o.cores !== undefined)
    scenarioIn.hosts![host] = { ...scenarioIn.hosts![host], cores: o.cores };
  let scaled: DemandScale | null = null;
  const tty = !o.json && process.stderr.isTTY;
  let shown = -1;
  const onProgress = (f: number) => {
    const pct = Math.floor(f * 100);
    if (tty && pct !== shown) {
      shown = pct;
      process.stderr.write(`\rsimulating the base at ${points.length} loads: ${pct} %`);
    }
  };
  let fit: SimFit;
  try {
    if (o['fit-speedup']) {
      // the demand is fitted again at each speedup tried, so the lowest load comes out at each
      const r = fitHostAndSpeedup(scenarioIn, host, points, {
        fitDemand: o['fit-demand'] === true,
        cold: o['fit-cold'] === true,
        onProgress,
      });
      fit = r.fit;
      scaled = r.scaled;
    } else {
      if (o['fit-demand']) {
        scaled = fitDemandScale(scenarioIn, host, points, { cold: o['fit-cold'] === true });
        scenarioIn = applyDemand(scenarioIn, scaled);
      }
      fit = fitHostBySimulation(scenarioIn, host, points, { onProgress });
    }
  } catch (e) {
    if (e instanceof FitError) throw new CliError(`${files.join(', ')}: ${e.message}`);
    throw e;
  } finally {
    if (tty && shown >= 0) process.stderr.write('\r\x1b[K');
  }
  const cores = scenarioIn.hosts![host].cores;
  const s = scaled
    ? applyDemand(base, scaled)
    : (JSON.parse(JSON.stringify(base)) as ScenarioInput);
  s.hosts = {
    ...s.hosts,
    [host]: {
      ...s.hosts![host],
      cores,
      usl: { ...s.hosts![host].usl, sigma: sig(fit.sigma), kappa: sig(fit.kappa) },
      ...(fit.core_speedup !== undefined ? { core_speedup: sig(fit.core_speedup, 4) } : {}),
    },
  };
  const mark = 'Calibrated by peakline calibrate (simulating this scenario)';
  const own = (base.notes ?? '').split(`\n\n${mark}`)[0];
  const notes =
    `${mark} at ${points.length} measured loads of ${files.map((f) => basename(f)).join(', ')} ` +
    `(${format}): host "${host}" (${cores} cores) gets σ = ${sig(fit.sigma, 4)}, ` +
    `κ = ${sig(fit.kappa, 4)}` +
    (fit.core_speedup !== undefined
      ? `, core_speedup ${sig(fit.core_speedup, 4)} (--fit-speedup: its ${cores} cores together do that many times the work of one)`
      : '') +
    ` (R² ${fit.r2.toFixed(4)} on throughput, ${fit.evaluations} ` +
    `candidates simulated); ` +
    (scaled ? demandNote(scaled, s) : 'the rest is as written. ') +
    `Predict another load: npx peakline run ${out} ` +
    `--set ${loadSetting(s.workload)}.`;
  s.notes = own ? `${own}\n\n${notes}` : notes;
  const valid = validateScenario(s, out);
  if (!valid.ok)
    throw new CliError(formatProblems(`${out} (calibrated)`, valid.problems).join('\n'));
  checkOut(out);
  writeAtomically(out, JSON.stringify(s, null, 2) + '\n');
  if (o.json) {
    process.stdout.write(
      JSON.stringify(
        {
          format,
          points,
          fit: {
            method: 'simulation',
            host,
            cores,
            ...(scaled ? { demand_scale: scaled.scale } : {}),
            ...(scaled?.cpu
              ? {
                  cpu_scale: scaled.cpu.scale,
                  cpu_ms: scaled.cpu.simulated_ms,
                  cpu_source: scaled.cpu.source,
                  ...(scaled.cpu.cold
                    ? {
                        cold_start_ms: scaled.cpu.cold.ms,
                        cold_source: scaled.cpu.cold.at,
                      }
                    : {}),
                }
              : {}),
            ...fit,
          },
          out,
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  const pct = (x: number) => `${x >= 0 ? '+' : '−'}${num(Math.abs(x) * 100, 1)}`;
  const ms = (x: number) => (x >= 1000 ? num(x, 0) : x.toPrecision(3));
  const lines = [
    `Calibrated from ${files.map((f) => basename(f)).join(', ')} — ${format}, ${points.length} points (simulating ${c.fromFile ? basename(label) : label} at each load)`,
    '',
    `Fit          σ ${sig(fit.sigma, 4)} (contention)   κ ${sig(fit.kappa, 4)} (coherency)   on host "${host}", ${cores} cores` +
      (fit.core_speedup !== undefined
        ? `   core_speedup ${sig(fit.core_speedup, 4)} (all ${cores} cores together do that many times one's work)`
        : ''),
    `R²           ${fit.r2.toFixed(4)} (throughput; ${fit.evaluations} candidates simulated)`,
    ...(scaled
      ? [
          scaled.cpu
            ? `Demand       CPU ${sig(scaled.cpu.scale, 4)}× the base's (${ms(scaled.cpu.simulated_ms)} ms a request simulated against ${ms(scaled.cpu.measured_ms)} measured at ${scaled.cpu.source}, the least), waits ${sig(scaled.scale, 4)}× (--fit-demand: mean ${ms(scaled.simulated_mean_ms)} ms simulated against ${ms(scaled.measured_mean_ms)} measured at ${scaled.source})`
            : `Demand       ${sig(scaled.scale, 4)}× the base's step times (--fit-demand: mean ${ms(scaled.simulated_mean_ms)} ms simulated against ${ms(scaled.measured_mean_ms)} measured at ${scaled.source})`,
          ...(scaled.cpu?.cold
            ? [
                `Cold starts  ${sig(scaled.cpu.cold.ms, 4)} ms more CPU a stint that starts on idle host "${scaled.cpu.cold.host}" (--fit-cold: ${ms(scaled.cpu.cold.simulated_ms)} ms a request simulated against ${ms(scaled.cpu.cold.measured_ms)} measured at ${scaled.cpu.cold.at})`,
              ]
            : []),
        ]
      : []),
    '',
    ...table(
      [
        'load',
        'measured X/s',
        'simulated X/s',
        'resid %',
        'measured mean ms',
        'simulated',
        'error %',
        'measured P99 ms',
        'simulated',
        'error %',
        'point',
      ],
      fit.points.map((p) => [
        p.rate_rps !== undefined ? `${num(p.rate_rps, 1)}/s` : `N=${num(p.concurrency, 0)}`,
        num(p.measured_rps, 1),
        num(p.simulated_rps, 1),
        pct(p.residual),
        ms(p.measured_mean_ms),
        ms(p.simulated_mean_ms),
        pct((p.simulated_mean_ms - p.measured_mean_ms) / p.measured_mean_ms),
        p.measured_p99_ms !== undefined ? ms(p.measured_p99_ms) : '—',
        ms(p.simulated_p99_ms),
        p.measured_p99_ms !== undefined
          ? pct((p.simulated_p99_ms - p.measured_p99_ms) / p.measured_p99_ms)
          : '—',
        p.source,
      ]),
      [false, true, true, true, true, true, true, true, true, true, false],
    ),
    '',
    c.fromFile
      ? `${label} runs on host "${host}": its model is kept; the host gets the fitted σ and κ.`
      : `The clients share ${base.db?.pool_size} connections (--pool): the host sees at most that many at once; its σ and κ are fitted by simulating this.`,
    `Wrote ${out} — predict another load: npx peakline run ${out} --set ${loadSetting(s.workload)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** What --fit-demand did, for the scenario's notes. */
function demandNote(d: DemandScale, s: ScenarioInput): string {
  const flush = s.db?.commit_flush ? ', the commit flush' : '';
  const lowest =
    `simulated without contention they give the mean latency of ` +
    `${sig(d.measured_mean_ms, 4)} ms measured at ${d.source}`;
  if (!d.cpu)
    return (
      `every step's time, the round trip${s.db?.pooler ? ", the pooler's CPU" : ''}${flush} ` +
      `and the load generator's CPU are ${sig(d.scale, 4)}× the ` +
      `base's (--fit-demand: ${lowest}); the split between them and the rest are as written. `
    );
  return (
    `the CPU (cpu steps and parts${s.db?.pooler ? ", the pooler's" : ''}, the load generator's) ` +
    `is ${sig(d.cpu.scale, 4)}× the base's: ${sig(d.cpu.measured_ms, 4)} ms a request, the least ` +
    `measured (cpu_ms at ${d.cpu.source}); everything waited for (the rest of each step, the ` +
    `round trip${flush ? ", the commit flush's disk part" : ''}) is ${sig(d.scale, 4)}× the base's ` +
    `(--fit-demand: with that CPU, ${lowest})` +
    (d.cpu.cold
      ? `; a stint that starts on host "${d.cpu.cold.host}" idle spends ${sig(d.cpu.cold.ms, 4)} ms ` +
        `more (cold_start_ms, --fit-cold: so the CPU a request comes to the ` +
        `${sig(d.cpu.cold.measured_ms, 4)} ms measured at ${d.cpu.cold.at})`
      : '') +
    '; the rest is as written. '
  );
}
