// The pipeline diagram (SVG), drawn from the scenario's step program by layoutPipeline: the
// request lane, the async lane, frames for locks and transactions, machines under what runs on
// them; each station's box coloured by its utilisation, the one that saturates first outlined
// in red and saying so. Plain SVG with concrete colours, so it exports as PNG like the charts.
import { memo, useMemo } from 'react';
import type { SimResult } from '../../sim-core/result';
import type { ScenarioInput } from '../../sim-core/schema';
import type { Theme } from '../store/types';
import { palettes, utilColour } from '../ui/palette';
import type { T } from '../i18n';
import { layoutPipeline, type DiagramNode } from './pipelineLayout';

/** Cuts `text` with an ellipsis to about `max` user units at `size` (CJK glyphs are square). */
export function fitText(text: string, max: number, size: number, bold = false): string {
  const wOf = (c: string) => (c.codePointAt(0)! >= 0x2e80 ? size : size * (bold ? 0.6 : 0.55));
  let w = 0;
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    w += wOf(chars[i]);
    if (w > max) return chars.slice(0, Math.max(1, i - 1)).join('') + '…';
  }
  return text;
}

function nodeLabel(n: DiagramNode, t: T): string {
  const label = t('vwNodeLabel', {
    title: n.title,
    stations:
      n.stations.length > 3
        ? `${n.stations[0]} … ${n.stations.at(-1)}`
        : n.stations.join(', ') || n.detail,
    value: [n.detail, n.value].filter(Boolean).join(', '),
  });
  return n.saturated ? t('vwNodeSaturated', { label }) : label;
}

/** The diagram for `scenario` with the figures of `result` (null before the first run). */
export const Pipeline = memo(function Pipeline({
  result,
  scenario,
  theme,
  width,
  t,
}: {
  result: SimResult | null;
  scenario: ScenarioInput;
  theme: Theme;
  width: number;
  t: T;
}) {
  const d = useMemo(() => layoutPipeline(scenario, result, t), [scenario, result, t]);
  const p = palettes[theme];
  // fill the width, but a short pipeline is not blown up past a readable size
  const scale = Math.min(1.2, width / d.width);
  const summary = d.nodes
    .filter((n) => n.stations.length > 0)
    .map((n) => `${n.title} ${n.value}`.trim())
    .join(', ');
  return (
    <svg
      role="group"
      aria-label={t('vwDiagramOf', { name: String(scenario.name ?? ''), summary })}
      viewBox={`0 0 ${d.width} ${d.height}`}
      width={Math.round(d.width * scale)}
      height={Math.round(d.height * scale)}
      className="pipeline"
      data-scale={Math.round(scale * 1000) / 1000}
    >
      <defs>
        <marker
          id="pl-arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" fill={p.muted} />
        </marker>
      </defs>
      <rect x={0} y={0} width={d.width} height={d.height} fill={p.bg} />
      {d.frames.map((f) => (
        <g key={f.id} data-frame={f.kind}>
          <rect
            x={f.x}
            y={f.y}
            width={f.w}
            height={f.h}
            rx={10}
            fill={f.kind === 'transaction' ? p.grid : 'none'}
            fillOpacity={f.kind === 'transaction' ? 0.45 : undefined}
            stroke={p.muted}
            strokeWidth={1.2}
            strokeDasharray={f.kind === 'lock' ? '6 4' : undefined}
          />
          <text x={f.x + 8} y={f.y + 15} fontSize={11} fontWeight={600} fill={p.muted}>
            {fitText(f.label, f.w - 14, 11, true)}
          </text>
        </g>
      ))}
      {d.edges.map((e) => (
        <polyline
          key={e.id}
          points={e.points.map(([x, y]) => `${x},${y}`).join(' ')}
          fill="none"
          stroke={p.muted}
          strokeWidth={e.host ? 1.2 : 1.5}
          strokeDasharray={e.host ? '3 3' : undefined}
          markerEnd={e.host ? undefined : 'url(#pl-arrow)'}
        />
      ))}
      {d.labels.map((l) => (
        <text
          key={l.text}
          x={l.x}
          y={l.y}
          fontSize={12}
          fontStyle="italic"
          fill={p.muted}
          data-lane-label
        >
          {l.text}
        </text>
      ))}
      {d.nodes.map((n) => {
        const cx = n.x + n.w / 2;
        const inner = n.w - 12;
        const label = nodeLabel(n, t);
        return (
          <g
            key={n.id}
            role="img"
            aria-label={label}
            data-kind={n.kind}
            data-stations={n.stations.join(' ')}
            data-utilization={n.util ?? ''}
            data-saturated={n.saturated ? 'true' : 'false'}
          >
            <title>{label}</title>
            <rect
              x={n.x}
              y={n.y}
              width={n.w}
              height={n.h}
              rx={8}
              fill={utilColour(n.util, theme)}
              stroke={n.saturated ? p.saturated : p.muted}
              strokeWidth={n.saturated ? 4 : 1}
            />
            <text
              x={cx}
              y={n.y + 18}
              textAnchor="middle"
              fontSize={12.5}
              fontWeight={700}
              fill={p.fg}
            >
              {fitText(n.title, inner, 12.5, true)}
            </text>
            {n.detail ? (
              <text x={cx} y={n.y + 33} textAnchor="middle" fontSize={10.5} fill={p.fg}>
                {fitText(n.detail, inner, 10.5)}
              </text>
            ) : null}
            {n.value ? (
              <text
                x={cx}
                y={n.y + 48}
                textAnchor="middle"
                fontSize={12}
                fontWeight={600}
                fill={p.fg}
              >
                {fitText(n.value, inner, 12, true)}
              </text>
            ) : null}
            {n.cells.length > 1 ? (
              <g data-cells={n.cells.length}>
                <rect
                  x={n.x + 8}
                  y={n.y + 53}
                  width={n.w - 16}
                  height={8}
                  fill="none"
                  stroke={p.muted}
                  strokeWidth={0.8}
                />
                {n.cells.map((c, i) => {
                  const cw = (n.w - 16) / n.cells.length;
                  return (
                    <rect
                      key={c.station}
                      x={n.x + 8 + i * cw}
                      y={n.y + 53}
                      width={cw}
                      height={8}
                      fill={utilColour(c.util, theme)}
                      stroke={c.saturated ? p.saturated : p.muted}
                      strokeWidth={c.saturated ? 1.5 : 0.3}
                    >
                      <title>{`${c.station}: ${Math.round(c.util * 100)} %`}</title>
                    </rect>
                  );
                })}
              </g>
            ) : null}
            {n.saturated ? (
              <text
                x={cx}
                y={n.y + 71}
                textAnchor="middle"
                fontSize={10.5}
                fontWeight={700}
                fill={p.fg}
                data-saturated-label
              >
                {fitText(t('vwSatFirst'), inner, 10.5, true)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
});
