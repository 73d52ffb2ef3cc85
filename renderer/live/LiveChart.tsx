// One live time-series chart (recharts): lines over the chosen window, no animation, optional
// SLO line and the twin's simulated band drawn as a shaded range.
import { memo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ChartPoint } from './model';

export interface LiveLine {
  key: string;
  name: string;
  color: string;
}

export interface LiveChartProps {
  title: string;
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

const time = (t: number) => new Date(t).toTimeString().slice(0, 8);

/** A titled live chart. */
export const LiveChart = memo(function LiveChart({
  title,
  data,
  lines,
  from,
  to,
  unit = '',
  limit = null,
  band = null,
  scale = 1,
}: LiveChartProps) {
  const shown =
    scale === 1
      ? data
      : data.map((p) => {
          const q: ChartPoint = { t: p.t };
          for (const l of lines)
            q[l.key] = typeof p[l.key] === 'number' ? (p[l.key] as number) * scale : null;
          return q;
        });
  const last = shown.length ? shown[shown.length - 1] : null;
  const summary = lines
    .map(
      (l) =>
        `${l.name} ${last && typeof last[l.key] === 'number' ? (last[l.key] as number).toFixed(1) : '–'}${unit}`,
    )
    .join(', ');
  return (
    <figure className="live-chart" aria-label={title}>
      <figcaption>
        <span>{title}</span>
        <span className="muted small" data-testid="chart-latest">
          {summary}
        </span>
      </figcaption>
      <div className="live-chart-body">
        <ResponsiveContainer width="100%" height={170}>
          <LineChart data={shown} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" opacity={0.35} />
            <XAxis
              dataKey="t"
              type="number"
              domain={[from, to]}
              tickFormatter={time}
              allowDataOverflow
              minTickGap={40}
            />
            <YAxis width={56} unit={unit} allowDecimals />
            <Tooltip labelFormatter={(t) => time(Number(t))} isAnimationActive={false} />
            <Legend />
            {band ? (
              <ReferenceArea
                y1={band.y1}
                y2={band.y2}
                fill="#8a3ffc"
                fillOpacity={0.18}
                ifOverflow="extendDomain"
                label={{ value: band.label, position: 'insideTopLeft', fontSize: 11 }}
              />
            ) : null}
            {limit ? (
              <ReferenceLine
                y={limit.y}
                stroke="#b3261e"
                strokeDasharray="6 3"
                ifOverflow="extendDomain"
                label={{ value: limit.label, position: 'insideTopRight', fontSize: 11 }}
              />
            ) : null}
            {lines.map((l) => (
              <Line
                key={l.key}
                dataKey={l.key}
                name={l.name}
                stroke={l.color}
                dot={false}
                isAnimationActive={false}
                connectNulls={false}
                strokeWidth={1.6}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
});
