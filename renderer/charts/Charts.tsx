// The result charts (recharts): latency percentiles, throughput and errors, queue depth and async
// backlog over time, utilisation per station (the saturating one highlighted), and the latency
// CDF. Memoised, no animation, no dots, string dataKeys, series thinned to ≤ 2 points per pixel.
import { memo, useMemo } from 'react';
import { Bar, BarChart, Cell, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { SimResult } from '../../sim-core/result';
import { downsample, stationBars, thinCdf } from '../store/selectors';
import type { AnalyticView } from '../store/types';
import type { Palette } from '../ui/palette';
import type { T } from '../i18n';
import { fmtNum } from '../format';
import { axes, axisTick, grid, numberXAxis, seriesLine } from './parts';

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
}: ChartProps & { analytic: AnalyticView | null; sloP99Ms: number }) {
  const data = useSeries(result, width);
  return (
    <LineChart width={width} height={H} data={data} margin={MARGIN}>
      {axes(p)}
      {seriesLine('p50_ms', `P50 (${t('ms')})`, p.p50)}
      {seriesLine('p99_ms', `P99 (${t('ms')})`, p.p99)}
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
      {axes(p)}
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
      {axes(p)}
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
  const height = Math.max(H, 26 * data.length + 40);
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
        unit="%"
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

/** Fraction of ok responses at or under each latency. */
export const CdfChart = memo(function CdfChart({
  result,
  width,
  palette: p,
  t,
  sloP99Ms,
}: ChartProps & { sloP99Ms: number }) {
  const data = useMemo(
    () =>
      thinCdf(result.cdf ?? [], Math.max(20, Math.floor(width * 2))).map(([ms, f]) => ({ ms, f })),
    [result, width],
  );
  return (
    <LineChart width={width} height={H} data={data} margin={MARGIN}>
      {grid(p)}
      {numberXAxis(p, 'ms', { unit: ' ms' })}
      <YAxis domain={[0, 1]} tick={axisTick(p)} stroke={p.muted} width={40} />
      <Tooltip isAnimationActive={false} />
      <ReferenceLine y={0.99} stroke={p.muted} strokeDasharray="2 3" />
      <ReferenceLine x={sloP99Ms} stroke={p.slo} strokeDasharray="6 4" />
      {seriesLine('f', t('fraction'), p.p50, { type: 'stepAfter' })}
    </LineChart>
  );
});
