// The README's forecast figures: the backtest of profile × level and of seasonal naive on
// generated food-delivery series (six weeks of minutes each), overall and by kind of day —
// weekdays, weekends, sale days. Deterministic: the same code prints the same table.
//
//   npx tsx electron/tools/forecast-figures.ts [--seeds 1,2,3]
import { parseArgs } from 'node:util';
import {
  forecast,
  generateSeries,
  GENERATE_DEFAULTS,
  saleDaysOf,
  type BacktestSummary,
  type DayScore,
  type GenerateOptions,
} from '../../sim-core/forecast/index';

const { values: args } = parseArgs({ options: { seeds: { type: 'string', default: '1,2,3' } } });
const seeds = args.seeds.split(',').map(Number);

const series: { name: string; options: GenerateOptions }[] = [
  { name: 'city (5,000/s peak, 4 % noise)', options: {} },
  { name: 'small town (300/s peak, 6 % noise)', options: { peak_rps: 300, noise: 0.06 } },
  { name: 'a sale day most weeks (5 sale days)', options: { sales: 5 } },
];

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const min = (s: number) => `${(s / 60).toFixed(1)} min`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean accuracy of the days of one kind. */
function byKind(days: DayScore[], kind: (d: DayScore) => boolean): number {
  const picked = days.filter(kind);
  return picked.length ? mean(picked.map((d) => d.accuracy)) : NaN;
}

console.log(
  '| series | seed | method | accuracy | weekdays | weekends | sale days | 80 % interval covers | width | peak-time error |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const s of series)
  for (const seed of seeds) {
    const options = { ...s.options, seed };
    const points = generateSeries(options);
    const r = forecast(points, { horizon_s: 900, backtest: true });
    const b = r.backtest!;
    const offset = GENERATE_DEFAULTS.utc_offset_h * 3600;
    const first = Math.floor((points[0].t + offset) / 86400);
    // days are cut at the quietest time of day (the small hours, local time)
    const local = (d: DayScore) => Math.floor((d.t + offset) / 86400) - first;
    const dow = (d: DayScore) => (((Math.floor((d.t + offset) / 86400) + 3) % 7) + 7) % 7;
    const sale = new Set(saleDaysOf(options));
    const kinds = {
      weekday: (d: DayScore) => dow(d) < 5 && !sale.has(local(d)),
      weekend: (d: DayScore) => dow(d) >= 5 && !sale.has(local(d)),
      sale: (d: DayScore) => sale.has(local(d)),
    };
    const row = (name: string, m: BacktestSummary, days: DayScore[]) =>
      `| ${s.name} | ${seed} | ${name} | ${pct(m.accuracy)} | ${pct(byKind(days, kinds.weekday))} | ${pct(byKind(days, kinds.weekend))} | ${pct(byKind(days, kinds.sale))} | ${pct(m.coverage)} | ${pct(m.width)} | ${min(m.peak_error_s)} |`;
    console.log(row('profile × level', b, b.days));
    console.log(row('seasonal naive', b.baseline, b.baseline.days));
  }
