// Measures the forecast's method (profile × level) against a well-kept library on the same
// generated series and origins: augurs' MSTL (multiple seasonal-trend decomposition by LOESS with
// periods of a day and a week, AutoETS on the deseasonalised rest; Rust compiled to WebAssembly,
// npm @bsull/augurs, MIT/Apache-2.0). The README's comparison table comes from this. The library is
// not a dependency of Peakline (the comparison kept our own method), so install it first:
//
//   npm install --no-save @bsull/augurs@0.10.2
//   npx tsx electron/tools/forecast-augurs.ts [--seeds 1,2,3] [--every 247] [--weeks 3] [--raw]
//
// (`--from DIR` loads it from DIR/node_modules instead; `--raw` also fits MSTL to the rates as they
// are rather than to their logarithm.)
//
// MSTL is refitted at every origin on the last `--weeks` weeks (it has no cheap update), so origins
// are taken every `--every` minutes (247: every 4 hours, 7 minutes later each time, so every time
// of day is visited) over the last two weeks of six; ours runs the same origins (and, for
// reference, every minute).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { backtest, type BacktestScore } from '../../sim-core/forecast/backtest';
import { generateSeries } from '../../sim-core/forecast/generate';
import {
  ProfileLevel,
  SeasonalNaive,
  type Rolling,
  type SlotForecast,
} from '../../sim-core/forecast/model';
import { toGrid } from '../../sim-core/forecast/series';

interface MstlModule {
  initSync(o: { module: Buffer }): unknown;
  MSTL: {
    ets(periods: number[]): {
      fit(y: Float64Array): void;
      predict(
        h: number,
        level: number,
      ): {
        point: number[];
        intervals?: { lower: number[]; upper: number[] };
      };
      free(): void;
    };
  };
}

/** Loads augurs' MSTL from the project's node_modules, or from the one in `from` (a folder). */
async function loadMstl(from?: string): Promise<MstlModule> {
  const name = '@bsull/augurs/mstl';
  let mod: MstlModule;
  let wasm: string;
  try {
    const require = createRequire(from ? join(resolve(from), 'package.json') : import.meta.url);
    const file = require.resolve(name);
    mod = (await import(pathToFileURL(file).href)) as MstlModule;
    wasm = join(dirname(file), 'mstl_bg.wasm');
  } catch {
    process.stderr.write(
      'forecast-augurs: @bsull/augurs is not installed; run `npm install --no-save @bsull/augurs@0.10.2` first (or pass --from DIR of a folder where it is)\n',
    );
    process.exit(1);
  }
  mod.initSync({ module: readFileSync(wasm) });
  return mod;
}

/** MSTL refitted at each origin on the last `window` slots (log-transformed when `log`). */
class Mstl implements Rolling {
  readonly name: string;
  constructor(
    private readonly lib: MstlModule,
    private readonly values: Float64Array,
    private readonly window: number,
    private readonly level: number,
    private readonly log: boolean,
  ) {
    this.name = log ? 'augurs MSTL (log)' : 'augurs MSTL';
  }
  observe(): void {}
  refit(): void {}
  forecast(i: number, h: number, out: SlotForecast[]): void {
    const y = this.values.slice(i + 1 - this.window, i + 1);
    if (this.log) for (let k = 0; k < y.length; k++) y[k] = Math.log(y[k] + 1);
    const m = this.lib.MSTL.ets([1440, 10080]);
    try {
      m.fit(y);
      const f = m.predict(h, this.level);
      const back = (x: number) => (this.log ? Math.exp(x) - 1 : x);
      for (let k = 0; k < h; k++)
        out[k] = {
          mean: back(f.point[k]),
          lo: back(f.intervals?.lower[k] ?? NaN),
          hi: back(f.intervals?.upper[k] ?? NaN),
        };
    } finally {
      m.free();
    }
  }
}

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    every: { type: 'string', default: '247' },
    weeks: { type: 'string', default: '3' },
    raw: { type: 'boolean', default: false },
    from: { type: 'string' },
  },
});
const lib = await loadMstl(args.from);
const seeds = args.seeds.split(',').map(Number);
const every = Number(args.every);
const weeks = Number(args.weeks);
const H = 15;
const level = 0.8;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const line = (seed: number, s: BacktestScore, ms: number) =>
  `| ${seed} | ${s.method} | ${s.origins} | ${pct(s.accuracy)} | ${pct(s.coverage)} | ${pct(s.width)} | ${Number.isFinite(s.peak_error_s) ? (s.peak_error_s / 60).toFixed(1) + ' min' : '—'} | ${(ms / s.origins).toFixed(1)} ms |`;
console.log(
  '| seed | method | origins | accuracy | coverage (80 %) | width | peak error | time per origin |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const seed of seeds) {
  const grid = toGrid(generateSeries({ seed }));
  const setup = { values: grid.values, step: grid.step, period: 10080, horizon: H, level };
  const n = grid.values.length;
  const start = n - 14 * 1440 - H; // the last two weeks
  const models: Rolling[] = [new ProfileLevel(setup), new SeasonalNaive(setup)];
  models.push(new Mstl(lib, grid.values, weeks * 10080, level, true));
  if (args.raw) models.push(new Mstl(lib, grid.values, weeks * 10080, level, false));
  for (const m of models) {
    const t = performance.now();
    const s = backtest(grid, m, { horizon: H, level, start, every });
    console.log(line(seed, s, performance.now() - t));
  }
  const t = performance.now();
  const all = backtest(grid, new ProfileLevel(setup), { horizon: H, level, start });
  console.log(line(seed, { ...all, method: 'profile-level, every minute' }, performance.now() - t));
}
