// The pipeline diagram (SVG): gateway → instances → queue → workers → DB pool → shards, with the
// cache beside the pool; each box coloured by its utilisation, the saturating one outlined.
import { memo, useMemo } from 'react';
import type { SimResult } from '../../sim-core/result';
import type { ScenarioInput } from '../../sim-core/schema';
import { pipelineUtilisation, saturatedKind, type PipelineBox } from '../store/selectors';
import type { Theme } from '../store/types';
import { palettes, utilColour } from '../ui/palette';
import { readControl } from '../scenario/controls';
import type { T } from '../i18n';

/** The cache hit ratio of the scenario, or null (also for a scenario too broken to read). */
function hitRatioOf(s: ScenarioInput): number | null {
  try {
    return readControl(s, 'hit');
  } catch {
    return null;
  }
}

interface BoxSpec {
  key: PipelineBox;
  label: string;
  count: string;
  x: number;
  y: number;
}

/** The diagram for `result` (utilisation) and `scenario` (counts). */
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
  const util = useMemo(() => pipelineUtilisation(result), [result]);
  const sat = saturatedKind(result);
  const hit = hitRatioOf(scenario);
  const p = palettes[theme];
  const W = 760;
  const bw = 100;
  const bh = 54;
  const gap = (W - 6 * bw) / 5;
  const col = (i: number) => i * (bw + gap);
  const boxes: BoxSpec[] = [
    {
      key: 'gateway',
      label: t('gateway'),
      count: scenario.gateway?.balancer ?? 'round_robin',
      x: col(0),
      y: 20,
    },
    {
      key: 'instance',
      label: t('instances'),
      count: `×${scenario.server?.instances ?? 1} · c=${scenario.server?.concurrency ?? '?'}`,
      x: col(1),
      y: 20,
    },
    {
      key: 'queue',
      label: t('queue'),
      count: scenario.async ? t('capShort', { n: scenario.async.queue_capacity }) : '—',
      x: col(2),
      y: 20,
    },
    {
      key: 'workers',
      label: t('workers'),
      count: scenario.async ? `×${scenario.async.workers}` : '—',
      x: col(3),
      y: 20,
    },
    {
      key: 'pool',
      label: t('pool'),
      count: scenario.db ? `×${scenario.db.pool_size}` : '—',
      x: col(4),
      y: 20,
    },
    {
      key: 'shard',
      label: t('shards'),
      count: scenario.db ? `×${scenario.db.shards ?? 1}` : '—',
      x: col(5),
      y: 20,
    },
    {
      key: 'cache',
      label: t('cache'),
      count: hit === null ? '—' : t('hitShort', { p: Math.round(hit * 100) }),
      x: col(4),
      y: 110,
    },
  ];
  const H = 180;
  const arrow = (x1: number, x2: number, y: number, k: string) => (
    <line
      key={k}
      x1={x1}
      y1={y}
      x2={x2}
      y2={y}
      stroke={p.muted}
      strokeWidth={1.5}
      markerEnd="url(#pl-arrow)"
    />
  );
  return (
    <svg
      role="img"
      aria-label={t('pipeline')}
      viewBox={`-10 0 ${W + 20} ${H}`}
      width={width}
      height={(width * H) / (W + 20)}
      className="pipeline"
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
      <rect x={-10} y={0} width={W + 20} height={H} fill={p.bg} />
      {boxes.slice(0, 5).map((b, i) => arrow(b.x + bw, boxes[i + 1].x - 2, b.y + bh / 2, `a${i}`))}
      <line
        x1={col(4) + bw / 2}
        y1={20 + bh}
        x2={col(4) + bw / 2}
        y2={108}
        stroke={p.muted}
        strokeDasharray="3 3"
      />
      {boxes.map((b) => {
        const u = util[b.key];
        const isSat =
          sat !== null && (sat === b.key || (sat === 'instance' && b.key === 'instance'));
        return (
          <g
            key={b.key}
            data-box={b.key}
            data-utilization={u ?? ''}
            data-saturated={isSat ? 'true' : 'false'}
          >
            <rect
              x={b.x}
              y={b.y}
              width={bw}
              height={bh}
              rx={8}
              fill={utilColour(u, theme)}
              stroke={isSat ? p.saturated : p.muted}
              strokeWidth={isSat ? 4 : 1}
            />
            <text
              x={b.x + bw / 2}
              y={b.y + 18}
              textAnchor="middle"
              fontSize={12}
              fontWeight={600}
              fill={p.fg}
            >
              {b.label}
            </text>
            <text x={b.x + bw / 2} y={b.y + 33} textAnchor="middle" fontSize={10} fill={p.fg}>
              {b.count}
            </text>
            <text x={b.x + bw / 2} y={b.y + 47} textAnchor="middle" fontSize={11} fill={p.fg}>
              {u === null ? '' : `${Math.round(u * 100)} %`}
            </text>
          </g>
        );
      })}
    </svg>
  );
});
