// A/B overlay: P99 and throughput over time of the pinned snapshot (A) and the current result
// (B) on one chart each, with the SLO line.
import { memo, useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { SimResult } from '../../sim-core/result';
import { downsample } from '../store/selectors';
import type { Palette } from '../ui/palette';
import { fmtNum } from '../format';

/** P99 (or throughput) of A and B over time. */
export const CompareChart = memo(function CompareChart({
  a,
  b,
  metric,
  width,
  palette: p,
  sloP99Ms,
  labelA,
  labelB,
}: {
  a: SimResult;
  b: SimResult;
  metric: 'p99_ms' | 'ok_rps';
  width: number;
  palette: Palette;
  sloP99Ms: number;
  labelA: string;
  labelB: string;
}) {
  const n = Math.max(20, Math.floor(width * 2));
  const da = useMemo(() => downsample(a.series ?? [], n), [a, n]);
  const db = useMemo(() => downsample(b.series ?? [], n), [b, n]);
  return (
    <LineChart width={width} height={220} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
      <CartesianGrid stroke={p.grid} strokeDasharray="3 3" />
      <XAxis
        dataKey="t_s"
        type="number"
        domain={['dataMin', 'dataMax']}
        allowDuplicatedCategory={false}
        tick={{ fill: p.muted, fontSize: 11 }}
        stroke={p.muted}
        tickFormatter={(v: number) => fmtNum(v)}
      />
      <YAxis
        tick={{ fill: p.muted, fontSize: 11 }}
        stroke={p.muted}
        width={56}
        tickFormatter={(v: number) => fmtNum(v)}
      />
      <Tooltip isAnimationActive={false} />
      <Legend />
      <Line
        data={da}
        type="linear"
        dataKey={metric}
        name={labelA}
        stroke={p.muted}
        strokeDasharray="5 3"
        dot={false}
        isAnimationActive={false}
        strokeWidth={1.5}
      />
      <Line
        data={db}
        type="linear"
        dataKey={metric}
        name={labelB}
        stroke={metric === 'p99_ms' ? p.p99 : p.ok}
        dot={false}
        isAnimationActive={false}
        strokeWidth={1.5}
      />
      {metric === 'p99_ms' ? (
        <ReferenceLine
          y={sloP99Ms}
          ifOverflow="extendDomain"
          stroke={p.slo}
          strokeDasharray="6 4"
        />
      ) : null}
    </LineChart>
  );
});
