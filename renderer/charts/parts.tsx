// Shared recharts scaffolding for the line charts: grid, numeric X axis, value Y axis, tooltip,
// legend and series lines. These are plain functions returning real recharts elements (with
// keys), because recharts looks at its direct children's types; call them, never wrap them.
import type { ReactElement } from 'react';
import { CartesianGrid, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { LineProps, XAxisProps } from 'recharts';
import type { Palette } from '../ui/palette';
import { fmtNum } from '../format';

/** Tick label style for every axis. */
export const axisTick = (p: Palette) => ({ fill: p.muted, fontSize: 11 });

const fmtTick = (v: number) => fmtNum(v);

/** The dashed background grid. */
export function grid(p: Palette): ReactElement {
  return <CartesianGrid key="grid" stroke={p.grid} strokeDasharray="3 3" />;
}

/** An axis title (its quantity and unit) in the tick colour. */
function axisLabel(p: Palette, value: string, y: boolean) {
  return y
    ? {
        value,
        angle: -90,
        position: 'insideLeft' as const,
        fill: p.muted,
        fontSize: 11,
        style: { textAnchor: 'middle' as const },
      }
    : { value, position: 'insideBottom' as const, fill: p.muted, fontSize: 11 };
}

/** A numeric X axis over the data's extent with formatted ticks (time by default), titled with
 * its quantity and unit when `label` is given. */
export function numberXAxis(
  p: Palette,
  dataKey = 't_s',
  extra: Omit<XAxisProps, 'ref'> = {},
  label?: string,
): ReactElement {
  return (
    <XAxis
      key="x"
      dataKey={dataKey}
      type="number"
      domain={['dataMin', 'dataMax']}
      tick={axisTick(p)}
      stroke={p.muted}
      tickFormatter={fmtTick}
      {...(label ? { label: axisLabel(p, label, false), height: 38 } : {})}
      {...extra}
    />
  );
}

/** The value Y axis of the charts, formatted ticks, titled with its quantity and unit when
 * `label` is given. */
export function valueYAxis(p: Palette, label?: string): ReactElement {
  return (
    <YAxis
      key="y"
      tick={axisTick(p)}
      stroke={p.muted}
      width={label ? 66 : 56}
      tickFormatter={fmtTick}
      {...(label ? { label: axisLabel(p, label, true) } : {})}
    />
  );
}

/** The Y axis title of a chart whose Y axis is built by hand. */
export function yAxisLabel(p: Palette, label: string) {
  return axisLabel(p, label, true);
}

/** An unanimated tooltip followed by the legend. */
export function tooltipLegend(): ReactElement[] {
  return [<Tooltip key="tooltip" isAnimationActive={false} />, <Legend key="legend" />];
}

/** Grid, time X axis, value Y axis, tooltip and legend, as every time-series chart has them; the
 * axes titled with their units when `labels` are given. */
export function axes(
  p: Palette,
  x: Omit<XAxisProps, 'ref'> = {},
  labels: { x?: string; y?: string } = {},
): ReactElement[] {
  return [grid(p), numberXAxis(p, 't_s', x, labels.x), valueYAxis(p, labels.y), ...tooltipLegend()];
}

/** One series: a linear line, no dots, no animation, 1.5 px unless `extra` says otherwise. */
export function seriesLine(
  dataKey: string,
  name: string,
  colour: string,
  extra: Omit<LineProps, 'ref' | 'dataKey' | 'name' | 'stroke'> = {},
): ReactElement {
  return (
    <Line
      key={`${dataKey}:${name}`}
      type="linear"
      dataKey={dataKey}
      name={name}
      stroke={colour}
      dot={false}
      isAnimationActive={false}
      strokeWidth={1.5}
      {...extra}
    />
  );
}
