// One live time-series chart, drawn like every chart of the console (ChartCard: title, PNG export,
// the measured width; the theme's palette; the shared axes): lines over the chosen window with
// their latest values beside the title, an optional SLO line, and the twin's simulated band.
import { memo } from 'react';
import { Legend, LineChart, ReferenceArea, ReferenceLine, Tooltip } from 'recharts';
import { ChartCard } from '../charts/ChartCard';
import { grid, numberXAxis, seriesLine, valueYAxis } from '../charts/parts';
import { fmtNum } from '../format';
import { useApp } from '../store';
import { selectTheme } from '../store/selectors';
import { useT } from '../ui/hooks';
import { palettes } from '../ui/palette';
import { clockTime as time, type ChartPoint } from './model';

export interface LiveLine {
  key: string;
  name: string;
  /** Index into the palette's series colours. */
  colour: number;
}

export interface LiveChartProps {
  title: string;
  /** The source shown (named in the exported image). */
  source: string;
  data: ChartPoint[];
  lines: LiveLine[];
  from: number;
  to: number;
  unit?: string;
  /** A horizontal limit (e.g. the SLO). */
  limit?: { y: number; label: string } | null;
  /** The simulated band of the twin. */
  band?: { y1: number; y2: number; label: string } | null;
  /** Multiply values for display (e.g. 100 for a ratio shown in %). */
  scale?: number;
}

const H = 170;
const MARGIN = { top: 6, right: 12, bottom: 0, left: 0 };

/** A titled live chart. */
export const LiveChart = memo(function LiveChart({
  title,
  source,
  data,
  lines,
  from,
  to,
  unit = '',
  limit = null,
  band = null,
  scale = 1,
}: LiveChartProps) {
  const p = palettes[useApp(selectTheme)];
  const t = useT();
  const shown =
    scale === 1
      ? data
      : data.map((pt) => {
          const q: ChartPoint = { t: pt.t };
          for (const l of lines)
            q[l.key] = typeof pt[l.key] === 'number' ? (pt[l.key] as number) * scale : null;
          return q;
        });
  const last = shown.length ? shown[shown.length - 1] : null;
  const summary = lines
    .map((l) => {
      const v = last?.[l.key] ?? null;
      return `${l.name} ${fmtNum(v)}${v === null ? '' : unit}`;
    })
    .join(', ');
  return (
    <ChartCard
      title={title}
      scenario={source}
      units={t('liveUnits', { y: title })}
      summary={
        <span className="muted small chart-summary" data-testid="chart-latest">
          {summary}
        </span>
      }
    >
      {(width) => (
        <LineChart width={width} height={H} data={shown} margin={MARGIN}>
          {grid(p)}
          {numberXAxis(
            p,
            't',
            { domain: [from, to], tickFormatter: time, allowDataOverflow: true, minTickGap: 40 },
            t('liveAxClock'),
          )}
          {valueYAxis(p, undefined, { unit })}
          <Tooltip
            key="tooltip"
            labelFormatter={(t) => time(Number(t))}
            isAnimationActive={false}
          />
          <Legend key="legend" />
          {band ? (
            <ReferenceArea
              key="band"
              y1={band.y1}
              y2={band.y2}
              fill={p.twin}
              fillOpacity={0.18}
              ifOverflow="extendDomain"
              label={{ value: band.label, position: 'insideTopLeft', fontSize: 11, fill: p.fg }}
            />
          ) : null}
          {limit ? (
            <ReferenceLine
              key="limit"
              y={limit.y}
              stroke={p.slo}
              strokeDasharray="6 3"
              ifOverflow="extendDomain"
              label={{ value: limit.label, position: 'insideTopRight', fontSize: 11, fill: p.slo }}
            />
          ) : null}
          {lines.map((l) =>
            seriesLine(l.key, l.name, p.series[l.colour % p.series.length], {
              connectNulls: false,
              strokeWidth: 1.6,
            }),
          )}
        </LineChart>
      )}
    </ChartCard>
  );
});
