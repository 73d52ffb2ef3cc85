// `peakline bench`: the performance figures of DESIGN.md — the engine's own benchmarks
// (sim-core/bench.ts), the two seed profiles and the sale-day profile run as the CLI
// runs them, a 20×20 sweep of the async seed profile on every core, and the peak RSS. Figures
// are printed, never asserted.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { runBenchmarks, type BenchFigure } from '../../sim-core/bench';
import { simulate } from '../../sim-core/index';
import { runSweep } from '../sweep/sweep';
import { loadScenario, loadScenarioInput, num, parseCommand, table } from './util';

export type { BenchFigure };

const profile = (name: string) => fileURLToPath(new URL(`../../profiles/${name}`, import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The sweep the targets name: 20 × 20 points of the async seed profile. */
export const SWEEP_BENCH_DIMS = [
  { path: 'async.workers', values: Array.from({ length: 20 }, (_, i) => i + 1) },
  { path: 'async.queue_capacity', values: Array.from({ length: 20 }, (_, i) => 50 * (i + 1)) },
];

/** Runs every benchmark and returns the figures (also used by tests of the command's shape). */
export async function runAllBenchmarks(
  log: (line: string) => void = () => {},
  quick = false,
): Promise<{ figures: BenchFigure[]; peak_rss_mb: number; cores: number }> {
  const figures: BenchFigure[] = [];

  log('engine benchmarks (sim-core/bench) …');
  // quick: the real sale-day profile runs below, so the engine's own sale-day run is skipped.
  figures.push(...runBenchmarks({ now: () => performance.now(), quick: true }));

  for (const [file, runs] of [
    ['seed-sync-baseline.json', 7],
    ['seed-async-queue.json', 7],
  ] as const) {
    log(`${file} …`);
    const s = loadScenario(profile(file));
    simulate(s); // warm the JIT
    const times: number[] = [];
    let events = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = simulate(s);
      times.push(performance.now() - t0);
      events = r.events;
    }
    const wall = median(times);
    figures.push({
      name: `profile ${file} (${s.duration_s} s after a ${s.warmup_s} s warm-up)`,
      detail: `median of ${runs} runs`,
      wall_ms: wall,
      events,
      events_per_s: events / (wall / 1000),
      target: '< 50 ms',
      meets_target: wall < 50,
    });
  }

  if (!quick) {
    log('sale-day-peak.json …');
    const s = loadScenario(profile('sale-day-peak.json'));
    const t0 = performance.now();
    const r = simulate(s);
    const wall = performance.now() - t0;
    figures.push({
      name: `profile sale-day-peak.json (${s.duration_s} s after a ${s.warmup_s} s warm-up)`,
      detail: '1 run',
      wall_ms: wall,
      events: r.events,
      events_per_s: r.events / (wall / 1000),
      target: '< 5000 ms',
      meets_target: wall < 5000,
    });
  }

  const cores = availableParallelism();
  const dims = quick
    ? SWEEP_BENCH_DIMS.map((d) => ({ ...d, values: d.values.slice(0, 3) }))
    : SWEEP_BENCH_DIMS;
  const side = dims.map((d) => d.values.length).join('×');
  log(`${side} sweep of seed-async-queue.json on ${cores} threads …`);
  {
    const input = loadScenarioInput(profile('seed-async-queue.json'));
    const t0 = performance.now();
    const r = await runSweep(input, dims, { threads: cores, keepResults: false });
    const wall = performance.now() - t0;
    figures.push({
      name: `sweep ${side} of seed-async-queue.json (${dims.map((d) => d.path).join(' × ')})`,
      detail: `${r.points.length} points on ${r.threads} threads`,
      wall_ms: wall,
      ...(quick ? {} : { target: '< 20000 ms on 2 cores', meets_target: wall < 20000 }),
    });
  }
  const peak_rss_mb = process.resourceUsage().maxRSS / 1024;
  return { figures, peak_rss_mb, cores };
}

/** `peakline bench [--json]`. */
export async function benchCommand(argv: string[]): Promise<number> {
  const o = parseCommand(
    'bench',
    argv,
    { json: { type: 'boolean' }, quick: { type: 'boolean' } },
    z.object({
      _: z.array(z.string()).max(0, { error: 'bench takes no FILE' }),
      json: z.boolean().optional(),
      quick: z.boolean().optional(),
    }),
  );
  const res = await runAllBenchmarks((line) => process.stderr.write(`${line}\n`), o.quick);
  if (o.json) {
    process.stdout.write(JSON.stringify(res, null, 2) + '\n');
    return 0;
  }
  const rows = res.figures.map((f) => [
    f.name,
    num(f.wall_ms, f.wall_ms < 100 ? 1 : 0),
    f.events_per_s ? num(f.events_per_s / 1e6, 2) : '',
    f.target ?? '',
    f.meets_target === undefined ? '' : f.meets_target ? 'yes' : 'NO',
    f.detail,
  ]);
  const lines = table(['benchmark', 'wall ms', 'M events/s', 'target', 'met', 'how'], rows, [
    false,
    true,
    true,
    false,
    false,
    false,
  ]);
  process.stdout.write(
    `${lines.join('\n')}\n\npeak RSS ${num(res.peak_rss_mb, 0)} MB (this process; sweep workers included), ${res.cores} cores\n`,
  );
  return 0;
}
