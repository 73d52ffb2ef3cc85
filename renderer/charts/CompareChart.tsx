// A/B overlay: P99 and throughput over time of the pinned snapshot (A) and the current result
// (B) on one chart each, with the SLO line.
import { memo, useMemo } from 'react';
import { LineChart, ReferenceLine } from 'recharts';
import type { SimResult } from '../../sim-core/result';
import { downsample } from '../sim/thin';
import type { Palette } from '../ui/palette';
import { axes, seriesLine } from './parts';

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
  axisLabels = {},
}: {
  a: SimResult;
  b: SimResult;
  metric: 'p99_ms' | 'ok_rps';
  width: number;
  palette: Palette;
  /** The SLO set's P99 threshold, or null without a P99 objective. */
  sloP99Ms: number | null;
  labelA: string;
  labelB: string;
  /** The axes' quantities and units. */
  axisLabels?: { x?: string; y?: string };
}) {
  const n = Math.max(20, Math.floor(width * 2));
  const da = useMemo(() => downsample(a.series ?? [], n), [a, n]);
  const db = useMemo(() => downsample(b.series ?? [], n), [b, n]);
  return (
    <LineChart width={width} height={220} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
      {axes(p, { allowDuplicatedCategory: false }, axisLabels)}
      {seriesLine(metric, labelA, p.muted, { data: da, strokeDasharray: '5 3' })}
      {seriesLine(metric, labelB, metric === 'p99_ms' ? p.p99 : p.ok, { data: db })}
      {metric === 'p99_ms' && sloP99Ms !== null ? (
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
