// `peakline run`: one simulation, printed as a table or as JSON. Before it starts, the run's size
// is estimated (sim-core/cost): one that would not end in any reasonable time (`duration_s: 1e9`)
// is refused with the estimate unless `--yes`. The run goes a slice of events at a time, so that
// Ctrl+C is answered: the part done is printed, marked partial, and the exit code is 130 (a second
// Ctrl+C quits at once). Progress goes to stderr: redrawn on a terminal, or as lines with
// `--progress` (for logs and CI).
import { z } from 'zod';
import { CONFIRM_EVENTS, estimateCost, needsConfirmation, type RunCost } from '../../sim-core/cost';
import { Simulation } from '../../sim-core/simulate';
import type { SimResult } from '../../sim-core/result';
import { formatRun } from './report';
import { badLinesText } from '../../sim-core/trace';
import {
  CliError,
  loadScenario,
  num,
  parseCommand,
  traceReports,
  wholeNumberText,
  type TraceReport,
} from './util';

/** Exit code of a run refused for its size (without --yes). */
export const EXIT_TOO_LONG = 3;
/** Exit code of a run stopped by Ctrl+C (128 + SIGINT), as a shell reports it. */
export const EXIT_INTERRUPTED = 130;

/** Events between looks at Ctrl+C and the clock (a few hundredths of a second of engine time). */
const SLICE_EVENTS = 500_000;
/** Engine speed assumed for the time estimate (events a second, one core of a small machine). */
const EVENTS_PER_S = 7e6;
/** Shortest gap between two `--progress` lines (ms). */
const PROGRESS_EVERY_MS = 1000;

/** A count in words: 4.3 thousand, 1.2 million, 3.0 billion, 4.0e12. */
export function roughCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n < 1e3) return String(Math.round(n));
  const short = (x: number) => x.toFixed(1).replace(/\.0$/, '');
  if (n < 1e6) return `${short(n / 1e3)} thousand`;
  if (n < 1e9) return `${short(n / 1e6)} million`;
  if (n < 1e12) return `${short(n / 1e9)} billion`;
  return n.toExponential(1).replace('e+', 'e');
}

/** A duration in words: 40 s, 12 min, 3.5 h, 19 days, 1.3e5 years. */
export function roughDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  const days = seconds / 86400;
  if (days < 730) return `${Math.round(days)} days`;
  const years = days / 365.25;
  return years < 1e4
    ? `${Math.round(years)} years`
    : `${years.toExponential(1).replace('e+', 'e')} years`;
}

/** Why a run is refused: its estimate, and what to do instead. */
export function tooLongMessage(file: string, cost: RunCost): string {
  return (
    `peakline run: ${file} would simulate ${roughCount(cost.requests)} requests ` +
    `(${num(cost.rate_rps, 0)} req/s × ${num(cost.simulated_s, cost.simulated_s % 1 ? 1 : 0)} s) ` +
    `in about ${roughCount(cost.events)} events, roughly ${roughDuration(cost.events / EVENTS_PER_S)} ` +
    `on one core — over the ${roughCount(CONFIRM_EVENTS)} events a run may take without asking.\n` +
    `Shorten duration_s (e.g. --set duration_s=60), or pass --yes to run it anyway ` +
    `(Ctrl+C then stops it and prints the part done).`
  );
}

/** The `run` command (see the module comment). */
export async function runCommand(argv: string[]): Promise<number> {
  const o = parseCommand(
    'run',
    argv,
    {
      json: { type: 'boolean' },
      series: { type: 'boolean' },
      set: { type: 'string', multiple: true },
      seed: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      progress: { type: 'boolean' },
    },
    z.object({
      _: z.array(z.string()).length(1, { error: 'run needs exactly one scenario FILE' }),
      json: z.boolean().optional(),
      series: z.boolean().optional(),
      set: z.array(z.string()).default([]),
      seed: wholeNumberText().optional(),
      yes: z.boolean().optional(),
      progress: z.boolean().optional(),
    }),
  );
  const file = o._[0];
  const scenario = loadScenario(file, o.set);
  const cost = estimateCost(scenario);
  if (needsConfirmation(cost) && !o.yes)
    throw new CliError(tooLongMessage(file, cost), EXIT_TOO_LONG);

  const err = process.stderr;
  // on a terminal, one line redrawn in place (not with --json, whose readers want a clean stream)
  const redraw = !o.progress && !o.json && err.isTTY === true;
  let lastShown = -1;
  let lastLineAt = -Infinity;
  const run = new Simulation(scenario, {
    series: o.series ?? false,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    now: () => performance.now(),
    ...(redraw
      ? {
          onProgress: (f: number) => {
            const p = Math.floor(f * 20);
            if (p !== lastShown) {
              lastShown = p;
              err.write(`\rsimulating ${Math.round(f * 100)} %`);
            }
          },
        }
      : {}),
  });
  const progressLine = (final = false) => {
    const t = performance.now();
    if (!final && t - lastLineAt < PROGRESS_EVERY_MS) return;
    lastLineAt = t;
    const f = run.totalS > 0 ? run.simulatedS / run.totalS : 1;
    err.write(
      `peakline run: ${Math.floor(f * 100)} % (${num(run.simulatedS, 1)} of ${num(run.totalS, 1)} s simulated, ${roughCount(run.events)} events)\n`,
    );
  };

  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  // the first run() takes a short scenario to its end without ever giving way (no cost to it)
  let complete = run.advance(SLICE_EVENTS);
  if (!complete) {
    process.once('SIGINT', onSigint);
    try {
      while (!complete && !interrupted) {
        if (o.progress) progressLine();
        // let Ctrl+C (and the terminal) through between slices
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!interrupted) complete = run.advance(SLICE_EVENTS);
      }
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  }
  if (redraw && lastShown >= 0) err.write('\r\x1b[K');
  if (o.progress) progressLine(true);
  const result: SimResult = run.result();
  if (result.partial) {
    const p = result.partial;
    err.write(
      `peakline run: stopped by Ctrl+C after ${num(p.simulated_s, 1)} of ${num(p.of_s, 1)} s simulated; ` +
        `the figures below are of that part (partial)\n`,
    );
  }
  const trace = traceReports.get(scenario);
  if (trace) {
    // what was read from the trace, and the lines that were not (never skipped in silence)
    (result as SimResult & { trace?: TraceReport }).trace = trace;
    if (trace.bad > 0) err.write(`peakline run: ${trace.file}: ${badLinesText(trace)}\n`);
  }
  if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else {
    if (result.partial)
      process.stdout.write(
        `PARTIAL RESULT — stopped by Ctrl+C at ${num(result.partial.simulated_s, 1)} of ${num(result.partial.of_s, 1)} s simulated\n`,
      );
    if (trace)
      process.stdout.write(
        `Trace        ${trace.file}: ${trace.format}, ${num(trace.arrivals)} ${trace.format === 'recording' ? 'rate points' : 'arrivals'} over ${num(trace.span_s, 1)} s recorded` +
          `${scenario.workload.type === 'trace' && (scenario.workload.speed !== 1 || scenario.workload.rate_multiplier !== 1) ? ` (speed ${scenario.workload.speed}, rate ×${scenario.workload.rate_multiplier})` : ''}` +
          `; ${trace.bad > 0 ? badLinesText(trace) : 'no bad lines'}\n`,
      );
    process.stdout.write(formatRun(result, file));
  }
  return result.partial ? EXIT_INTERRUPTED : 0;
}
