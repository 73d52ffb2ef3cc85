// `peakline forecast`: reads a rate history (CSV t,rate; a Peakline recording; a saved Prometheus
// query_range response), forecasts the next horizon with a prediction interval and, with
// --backtest, scores the method over the history against seasonal naive. `--generate` writes a
// realistic food-delivery series instead (deterministic by --seed). The maths is sim-core's
// (sim-core/forecast); this is the files, the options and the table.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import {
  forecast,
  ForecastError,
  generateSeries,
  MAX_HORIZON_S,
  parseDuration,
  parseHistory,
  saleDaysOf,
  type BacktestSummary,
  type ForecastResult,
  type RatePoint,
} from '../../sim-core/forecast/index';
import { PromClient } from '../live/prometheus-source';
import { redactUrl } from '../live/source';
import { CliError, num, parseCommand, pct, readText, table } from './util';

const out = (text: string) => process.stdout.write(text);

/** `15m`, `900s`, `1h` within (0, max] (12 h by default). */
const durationText = (max = MAX_HORIZON_S, maxText = '12h') =>
  z.string().transform((s, ctx) => {
    try {
      const v = parseDuration(s);
      if (v <= 0 || v > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be more than 0 and at most ${maxText}, got "${s}"`,
        });
        return z.NEVER;
      }
      return v;
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

/** A number given as text within [lo, hi]. */
const numberText = (lo: number, hi: number, what: string) =>
  z
    .string()
    .regex(/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i, { error: `must be ${what}` })
    .transform(Number)
    .refine((x) => x >= lo && x <= hi, { error: `must be ${what}` });

/** The interval's level: 0.8 or 80 (per cent). */
const levelText = () =>
  numberText(0.5, 99.9, 'a probability such as 0.8 or 80 (%)')
    .transform((x) => (x > 1 ? x / 100 : x))
    .refine((x) => x >= 0.5 && x < 1, { error: 'must be at least 0.5 (50 %) and below 1' });

/** Reads and parses a history file; errors become `FILE: line N: what`. */
function readHistory(file: string): { points: RatePoint[]; format: string; note?: string } {
  const text = readText(file);
  try {
    return parseHistory(text);
  } catch (e) {
    if (e instanceof ForecastError)
      throw new CliError(`${file}: ${e.line ? `line ${e.line}: ` : ''}${e.message}`);
    throw e;
  }
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
/** `2026-02-16 08:15` (UTC). */
const when = (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
const minutes = (s: number) => (Number.isFinite(s) ? `${num(s / 60, 1)} min` : '—');
const rate = (x: number) => num(x, x < 100 ? 1 : 0);
const duration = (s: number) =>
  s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`;

/** The readable report. */
function formatForecast(file: string, format: string, r: ForecastResult, note?: string): string {
  const lines: string[] = [];
  const h = r.history;
  lines.push(
    `${basename(file)} (${format}${note ? `: ${note}` : ''}): ${num(h.slots)} slots of ${duration(r.step_s)}, ${when(h.from)} → ${when(h.to)} UTC${h.gaps ? `, ${num(h.gaps)} without data` : ''}`,
  );
  lines.push(
    `Forecast for the next ${duration(r.horizon_s)} — ${r.method}, ${r.season} seasonality (α ${r.params.alpha}, φ ${r.params.phi}, slope ${r.params.beta}); ${pct(r.level, 0)} interval`,
  );
  lines.push('');
  const rows = r.points.map((p) => [when(p.t), rate(p.mean), `${rate(p.lo)} – ${rate(p.hi)}`]);
  lines.push(
    ...table(['time (UTC)', 'rate/s', `${pct(r.level, 0)} interval`], rows, [false, true, true]),
  );
  const top = r.points.reduce((a, b) => (b.mean > a.mean ? b : a));
  lines.push('');
  lines.push(
    `Highest in the horizon: ${rate(top.mean)}/s at ${when(top.t)} UTC (up to ${rate(top.hi)}/s)`,
  );
  if (r.backtest) {
    const b = r.backtest;
    lines.push('');
    lines.push(
      `Backtest: ${num(b.origins)} forecasts, one from each past ${duration(r.step_s)}, scored on the rate ${duration(r.horizon_s)} later (${when(b.from)} to ${when(b.to)} UTC)`,
    );
    const row = (name: string, s: BacktestSummary) => [
      name,
      pct(s.accuracy),
      pct(s.coverage),
      pct(s.width, 0),
      minutes(s.peak_error_s),
    ];
    lines.push(
      ...table(
        [
          'method',
          'accuracy (1 − MAPE)',
          `${pct(r.level, 0)} interval covers`,
          'width',
          `peak-time error (${b.peaks} peaks)`,
        ],
        [row(`${r.method} (this forecast)`, b), row('seasonal naive', b.baseline)],
        [false, true, true, true, true],
      ),
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * The history from a Prometheus server: `query` over the last `rangeS` every `stepS` seconds
 * (query_range, in pieces). Credentials come from the URL, PEAKLINE_PROMETHEUS_TOKEN (bearer) or
 * the user with PEAKLINE_PROMETHEUS_PASSWORD, and never appear in a message.
 */
async function fetchHistory(
  url: string,
  query: string,
  rangeS: number,
  stepS: number,
  user: string | undefined,
): Promise<{ points: RatePoint[]; format: string; note?: string }> {
  const token = process.env.PEAKLINE_PROMETHEUS_TOKEN || undefined;
  const password = process.env.PEAKLINE_PROMETHEUS_PASSWORD || undefined;
  const client = new PromClient(url, {
    timeout_ms: 60_000,
    ...(token ? { bearer_token: token } : {}),
    ...(user ? { username: user } : {}),
    ...(password ? { password } : {}),
  });
  const end = Math.floor(Date.now() / 1000 / stepS) * stepS;
  try {
    const points = await client.rateHistory(query, end - rangeS, end, stepS);
    if (points.length === 0)
      throw new CliError(`${client.name}: the query has no values in the last ${duration(rangeS)}`);
    return { points, format: 'prometheus', note: query };
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(
      `${client.name}: ${client.scrub(e instanceof Error ? e.message : String(e))}`,
    );
  }
}

/** `--generate`: a food-delivery series as CSV t,rate. */
function generate(o: {
  seed?: number;
  days?: number;
  peak?: number;
  sales?: number;
  noise?: number;
  out?: string;
}): number {
  const options = {
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.days !== undefined ? { days: o.days } : {}),
    ...(o.peak !== undefined ? { peak_rps: o.peak } : {}),
    ...(o.sales !== undefined ? { sales: o.sales } : {}),
    ...(o.noise !== undefined ? { noise: o.noise } : {}),
  };
  const points = generateSeries(options);
  const text = `t,rate\n${points.map((p) => `${p.t},${p.rate}`).join('\n')}\n`;
  if (o.out) {
    try {
      writeFileSync(o.out, text);
    } catch (e) {
      throw new CliError(`${o.out}: cannot write: ${(e as Error).message}`);
    }
    const sales = saleDaysOf(options);
    process.stderr.write(
      `wrote ${num(points.length)} points to ${o.out} (${iso(points[0].t)} to ${iso(points[points.length - 1].t)}${sales.length ? `; sale days ${sales.map((d) => d + 1).join(', ')}` : ''})\n`,
    );
  } else out(text);
  return 0;
}

export async function forecastCommand(argv: string[]): Promise<number> {
  const o = parseCommand(
    'forecast',
    argv,
    {
      history: { type: 'string' },
      prometheus: { type: 'string' },
      query: { type: 'string' },
      range: { type: 'string' },
      step: { type: 'string' },
      'prometheus-user': { type: 'string' },
      horizon: { type: 'string' },
      level: { type: 'string' },
      season: { type: 'string' },
      json: { type: 'boolean' },
      backtest: { type: 'boolean' },
      generate: { type: 'boolean' },
      seed: { type: 'string' },
      days: { type: 'string' },
      peak: { type: 'string' },
      sales: { type: 'string' },
      noise: { type: 'string' },
      out: { type: 'string' },
    },
    z
      .object({
        _: z
          .array(z.string())
          .max(0, { error: 'forecast takes no positional arguments (use --history FILE)' }),
        history: z.string().min(1, { error: 'must name a file' }).optional(),
        prometheus: z
          .string()
          .regex(/^https?:\/\/[^/]/, { error: 'must be an http:// or https:// URL' })
          .optional(),
        query: z.string().trim().min(1, { error: 'must not be empty' }).optional(),
        range: durationText(35 * 86400, '35d').optional(),
        step: durationText(3600, '1h').optional(),
        'prometheus-user': z.string().min(1).optional(),
        horizon: durationText().default(15 * 60),
        level: levelText().default(0.8),
        season: z.enum(['auto', 'weekly', 'daily']).default('auto'),
        json: z.boolean().optional(),
        backtest: z.boolean().optional(),
        generate: z.boolean().optional(),
        seed: z
          .string()
          .regex(/^\d+$/, { error: 'must be a whole number >= 0' })
          .transform(Number)
          .optional(),
        days: numberText(1, 366, 'a number of days from 1 to 366').optional(),
        peak: numberText(0.001, 1e9, 'a rate in requests per second, above 0').optional(),
        sales: z
          .string()
          .regex(/^\d+$/, { error: 'must be a whole number >= 0' })
          .transform(Number)
          .optional(),
        noise: numberText(0, 1, 'between 0 and 1 (0.04 = 4 % a minute)').optional(),
        out: z.string().min(1).optional(),
      })
      .superRefine((v, ctx) => {
        const genOnly = (['seed', 'days', 'peak', 'sales', 'noise', 'out'] as const).filter(
          (k) => v[k] !== undefined,
        );
        const promOnly = (['query', 'range', 'step', 'prometheus-user'] as const).filter(
          (k) => v[k] !== undefined,
        );
        if (v.prometheus && (v.history || v.generate))
          ctx.addIssue({
            code: 'custom',
            path: ['prometheus'],
            message: `give --prometheus or --${v.history ? 'history' : 'generate'}, not both`,
          });
        else if (v.prometheus && !v.query)
          ctx.addIssue({
            code: 'custom',
            path: ['query'],
            message:
              "--prometheus needs --query PROMQL giving one rate series (e.g. 'sum(rate(peakline_orders_total[5m]))')",
          });
        else if (v.prometheus) return;
        else if (promOnly.length)
          ctx.addIssue({ code: 'custom', path: [promOnly[0]], message: 'goes with --prometheus' });
        else if (v.generate && v.history)
          ctx.addIssue({
            code: 'custom',
            path: ['generate'],
            message: 'give --history or --generate, not both',
          });
        else if (!v.generate && !v.history)
          ctx.addIssue({
            code: 'custom',
            path: ['history'],
            message:
              'give a history FILE (CSV t,rate; a recording; a Prometheus range), --prometheus URL --query PROMQL, or --generate',
          });
        else if (!v.generate && genOnly.length)
          ctx.addIssue({ code: 'custom', path: [genOnly[0]], message: 'goes with --generate' });
        else if (v.generate && (v.backtest || v.json))
          ctx.addIssue({
            code: 'custom',
            path: [v.backtest ? 'backtest' : 'json'],
            message: '--generate writes a CSV; forecast from it with --history',
          });
      }),
  );
  if (o.generate) return generate(o);
  const file = o.prometheus ? redactUrl(o.prometheus) : o.history!;
  const h = o.prometheus
    ? await fetchHistory(
        o.prometheus,
        o.query!,
        o.range ?? 8 * 86400,
        o.step ?? 60,
        o['prometheus-user'],
      )
    : readHistory(file);
  let r: ForecastResult;
  try {
    r = forecast(h.points, {
      horizon_s: o.horizon,
      level: o.level,
      season: o.season,
      backtest: o.backtest ?? false,
    });
  } catch (e) {
    if (e instanceof ForecastError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
  if (o.json) {
    const { backtest, ...rest } = r;
    out(
      JSON.stringify(
        {
          ...(o.prometheus ? { prometheus: file, query: o.query } : { history_file: file }),
          format: h.format,
          ...(h.note ? { note: h.note } : {}),
          ...rest,
          backtest,
        },
        (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
        2,
      ) + '\n',
    );
  } else out(formatForecast(file, h.format, r, h.note));
  return 0;
}
