// The result charts (recharts): latency percentiles, throughput and errors, queue depth and async
// backlog over time, utilisation per station (the saturating one highlighted), and the latency
// CDF. Memoised, no animation, no dots, string dataKeys, series thinned to ≤ 2 points per pixel.
import { memo, useMemo } from 'react';
import { Bar, BarChart, Cell, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { SimResult } from '../../sim-core/result';
import type { AnalyticView } from '../sim/analytic';
import { downsample, thinCdf } from '../sim/thin';
import { stationBars } from '../store/selectors';
import type { Palette } from '../ui/palette';
import type { T } from '../i18n';
import { fmtNum, roundSig } from '../format';
import { axes, axisTick, grid, numberXAxis, seriesLine, yAxisLabel } from './parts';

const H = 220;
const MARGIN = { top: 8, right: 16, bottom: 4, left: 0 };

interface ChartProps {
  result: SimResult;
  width: number;
  palette: Palette;
  t: T;
}

function useSeries(result: SimResult, width: number) {
  return useMemo(
    () => downsample(result.series ?? [], Math.max(20, Math.floor(width * 2))),
    [result, width],
  );
}

/** P50 and P99 over time, with the analytic P99 and the SLO as reference lines. */
export const LatencyChart = memo(function LatencyChart({
  result,
  width,
  palette: p,
  t,
  analytic,
  sloP99Ms,
}: ChartProps & { analytic: AnalyticView | null; sloP99Ms: number | null }) {
  const data = useSeries(result, width);
  return (
    <LineChart width={width} height={H} data={data} margin={MARGIN}>
      {axes(p, {}, { x: t('axTime'), y: t('axLatency') })}
      {seriesLine('p50_ms', `P50 (${t('ms')})`, p.p50)}
      {seriesLine('p99_ms', `P99 (${t('ms')})`, p.p99)}
      {sloP99Ms !== null ? (
        <ReferenceLine
          y={sloP99Ms}
          ifOverflow="extendDomain"
          stroke={p.slo}
          strokeDasharray="6 4"
          label={{
            value: `SLO ${sloP99Ms} ms`,
            fill: p.slo,
            fontSize: 11,
            position: 'insideTopRight',
          }}
        />
      ) : null}
      {analytic?.p99_ms !== undefined ? (
        <ReferenceLine
          y={analytic.p99_ms}
          stroke={p.theory}
          strokeDasharray="2 3"
          label={{
            value: `${t('analytic')} P99`,
            fill: p.theory,
            fontSize: 11,
            position: 'insideBottomRight',
          }}
        />
      ) : null}
    </LineChart>
  );
});

/** Ok responses and errors per second over time. */
export const ThroughputChart = memo(function ThroughputChart({
  result,
  width,
  palette: p,
  t,
  analytic,
}: ChartProps & { analytic: AnalyticView | null }) {
  const data = useSeries(result, width);
  return (
    <LineChart width={width} height={H} data={data} margin={MARGIN}>
      {axes(p, {}, { x: t('axTime'), y: t('axRate') })}
      {seriesLine('ok_rps', t('okRps'), p.ok)}
      {seriesLine('error_rps', t('errorRps'), p.error)}
      {analytic?.throughput_rps !== undefined ? (
        <ReferenceLine
          y={analytic.throughput_rps}
          stroke={p.theory}
          strokeDasharray="2 3"
          label={{ value: t('analytic'), fill: p.theory, fontSize: 11, position: 'insideTopRight' }}
        />
      ) : null}
    </LineChart>
  );
});

/** Requests waiting for a handler, tasks in the async queue, handlers blocked on a full queue. */
export const QueueChart = memo(function QueueChart({ result, width, palette: p, t }: ChartProps) {
  const data = useSeries(result, width);
  return (
    <LineChart width={width} height={H} data={data} margin={MARGIN}>
      {axes(p, {}, { x: t('axTime'), y: t('axCount') })}
      {seriesLine('backlog', t('backlog'), p.backlog)}
      {seriesLine('async_backlog', t('asyncBacklog'), p.async)}
      {seriesLine('blocked', t('blocked'), p.blocked, { strokeWidth: 1 })}
    </LineChart>
  );
});

/** Utilisation per station as bars, highest first; the saturating station in red. */
export const UtilisationChart = memo(function UtilisationChart({
  result,
  width,
  palette: p,
  t,
}: ChartProps) {
  const data = useMemo(
    () => stationBars(result).map((b) => ({ ...b, pct: Math.min(100, b.utilization * 100) })),
    [result],
  );
  const height = Math.max(H, 26 * data.length + 50);
  return (
    <BarChart
      width={width}
      height={height}
      data={data}
      layout="vertical"
      margin={{ ...MARGIN, left: 8 }}
    >
      {grid(p)}
      <XAxis
        type="number"
        domain={[0, 100]}
        ticks={[0, 25, 50, 75, 100]}
        tick={axisTick(p)}
        stroke={p.muted}
        height={38}
        label={{ value: t('axUtil'), position: 'insideBottom', fill: p.muted, fontSize: 11 }}
      />
      <YAxis type="category" dataKey="name" tick={axisTick(p)} stroke={p.muted} width={110} />
      <Tooltip isAnimationActive={false} formatter={(v) => `${fmtNum(Number(v))} %`} />
      <Bar dataKey="pct" name={t('utilisation')} isAnimationActive={false}>
        {data.map((d) => (
          <Cell
            key={d.name}
            fill={d.saturated ? p.saturated : p.bar}
            stroke={d.saturated ? p.fg : undefined}
            strokeWidth={d.saturated ? 2 : 0}
          />
        ))}
      </Bar>
    </BarChart>
  );
});

/** 1-2-5 ticks (only powers of ten over a wide range) from `lo` to `hi`, for a log axis. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const wide = hi / lo > 2000;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of wide ? [1] : [1, 2, 5]) {
      const v = roundSig(m * 10 ** e, 6);
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  return out;
}

/** The latency CDF's log-axis extent: from a 1-2-5 step at or under the fastest response to one
 * at or over the slowest. */
export function cdfDomain(cdf: readonly [number, number][]): [number, number] | null {
  const ms = cdf.map(([x]) => x).filter((x) => x > 0);
  if (ms.length === 0) return null;
  const nice = (v: number, up: boolean) => {
    const e = 10 ** Math.floor(Math.log10(v));
    const steps = [1, 2, 5, 10].map((m) => m * e);
    return up ? steps.find((s) => s >= v)! : [...steps].reverse().find((s) => s <= v)!;
  };
  const lo = nice(Math.min(...ms), false);
  const hi = nice(Math.max(...ms), true);
  return [lo, hi > lo ? hi : lo * 10];
}

const pctTick = (v: number) => `${Math.round(v * 100)} %`;

/** Fraction of ok responses at or under each latency, on a log latency axis. */
export const CdfChart = memo(function CdfChart({
  result,
  width,
  palette: p,
  t,
  sloP99Ms,
}: ChartProps & { sloP99Ms: number | null }) {
  const data = useMemo(
    () =>
      thinCdf(
        (result.cdf ?? []).filter(([ms]) => ms > 0),
        Math.max(20, Math.floor(width * 2)),
      ).map(([ms, f]) => ({ ms, f })),
    [result, width],
  );
  const domain = useMemo(() => cdfDomain(result.cdf ?? []), [result]);
  if (!domain) return <p className="muted">{t('noResult')}</p>;
  return (
    <LineChart width={width} height={H + 16} data={data} margin={MARGIN}>
      {grid(p)}
      {numberXAxis(
        p,
        'ms',
        { scale: 'log', domain, allowDataOverflow: true, ticks: logTicks(domain[0], domain[1]) },
        t('axLatencyLog'),
      )}
      <YAxis
        domain={[0, 1]}
        ticks={[0, 0.25, 0.5, 0.75, 1]}
        tickFormatter={pctTick}
        tick={axisTick(p)}
        stroke={p.muted}
        width={66}
        label={yAxisLabel(p, t('axFraction'))}
      />
      <Tooltip
        isAnimationActive={false}
        labelFormatter={(v) => `${fmtNum(Number(v))} ms`}
        formatter={(v) => pctTick(Number(v))}
      />
      <ReferenceLine
        y={0.99}
        stroke={p.muted}
        strokeDasharray="2 3"
        label={{ value: 'P99', fill: p.muted, fontSize: 11, position: 'insideTopLeft' }}
      />
      {sloP99Ms !== null ? (
        <ReferenceLine
          x={sloP99Ms}
          stroke={p.slo}
          strokeDasharray="6 4"
          label={{
            value: `SLO ${sloP99Ms} ms`,
            fill: p.slo,
            fontSize: 11,
            position: 'insideTopLeft',
          }}
        />
      ) : null}
      {seriesLine('f', t('fraction'), p.p50, { type: 'stepAfter' })}
    </LineChart>
  );
});
