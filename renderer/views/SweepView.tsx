// Sweep: vary one or two scenario values over a range (through the API's `sweep:run`, which runs
// the CLI's sweep engine across cores), show P99 or throughput as a line chart (one parameter) or
// a heatmap (two) coloured against the shared SLO set — pass or fail and by how much, with a
// legend and each cell's P99 interval on hover — and the cheapest configuration that meets it.
import { p99Threshold } from '../store/sloSlice';
import { memo, useEffect, useId, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { LineChart, ReferenceDot, ReferenceLine, XAxis } from 'recharts';
import { useApp, appStore } from '../store';
import type { SweepMetric, SweepParam, SweepPoint, Theme } from '../store/types';
import { CONTROLS } from '../scenario/controls';
import { useApi, useT } from '../ui/hooks';
import { palettes, type Palette } from '../ui/palette';
import { ChartCard } from '../charts/ChartCard';
import { axisTick, grid, seriesLine, tooltipLegend, valueYAxis } from '../charts/parts';
import { fmtNum, fmtPct } from '../format';
import { defaultRange } from '../scenario/ranges';
import { formatSloClauses } from '../../sim-core/plan/slo';
import { SloEditor } from './SloEditor';
import type { MessageKey, T } from '../i18n';

const SWEEPABLE = CONTROLS.filter((c) => c.id !== 'hit');

function ParamEditor({
  label,
  value,
  optional,
  onChange,
}: {
  label: string;
  value: SweepParam | null;
  optional: boolean;
  onChange: (p: SweepParam | null) => void;
}) {
  const t = useT();
  const id = useId();
  const num = (k: 'from' | 'to' | 'step', aria: string) => (
    <input
      type="number"
      aria-label={`${label} ${aria}`}
      value={value ? value[k] : ''}
      disabled={!value}
      onChange={(e) => value && onChange({ ...value, [k]: Number(e.currentTarget.value) })}
    />
  );
  return (
    <div className="row sweep-param">
      <label htmlFor={`${id}-p`}>{label}</label>
      <select
        id={`${id}-p`}
        value={value?.path ?? ''}
        onChange={(e) => {
          const path = e.currentTarget.value;
          if (!path) return onChange(null);
          const def = SWEEPABLE.find((c) => c.path === path)!;
          onChange({ path, ...defaultRange(def) });
        }}
      >
        {optional ? <option value="">{t('none')}</option> : null}
        {SWEEPABLE.map((c) => (
          <option key={c.path} value={c.path}>
            {t(c.label)} ({c.path})
          </option>
        ))}
      </select>
      {num('from', t('from'))}
      {num('to', t('to'))}
      {num('step', t('step'))}
    </div>
  );
}

const metricOf = (p: SweepPoint, m: SweepMetric) => (m === 'p99_ms' ? p.p99_ms : p.throughput_rps);

const SweepLine = memo(function SweepLine({
  points,
  path,
  metric,
  slo,
  best,
  width,
  palette: p,
  yLabel,
}: {
  points: SweepPoint[];
  path: string;
  metric: SweepMetric;
  /** The SLO set's P99 threshold, or null without a P99 objective. */
  slo: number | null;
  best: SweepPoint | null;
  width: number;
  palette: Palette;
  /** The Y axis's quantity and unit. */
  yLabel: string;
}) {
  const data = useMemo(
    () =>
      points
        .filter((pt) => !pt.error)
        .map((pt) => ({ x: pt.values[path], y: metricOf(pt, metric) }))
        .sort((a, b) => a.x - b.x),
    [points, path, metric],
  );
  return (
    <LineChart
      width={width}
      height={260}
      data={data}
      margin={{ top: 8, right: 16, bottom: 4, left: 0 }}
    >
      {grid(p)}
      <XAxis
        dataKey="x"
        type="number"
        domain={['dataMin', 'dataMax']}
        ticks={data.length <= 24 ? data.map((d) => d.x) : undefined}
        stroke={p.muted}
        tick={axisTick(p)}
        height={38}
        label={{ value: path, position: 'insideBottom', fill: p.muted, fontSize: 11 }}
      />
      {valueYAxis(p, yLabel)}
      {tooltipLegend()}
      {seriesLine(
        'y',
        metric === 'p99_ms' ? 'P99 (ms)' : 'throughput (req/s)',
        metric === 'p99_ms' ? p.p99 : p.ok,
        { strokeWidth: 2 },
      )}
      {metric === 'p99_ms' && slo !== null ? (
        <ReferenceLine
          y={slo}
          stroke={p.slo}
          strokeDasharray="6 4"
          label={{ value: `SLO ${slo} ms`, fill: p.slo, fontSize: 11, position: 'insideTopRight' }}
        />
      ) : null}
      {best ? (
        <ReferenceDot
          x={best.values[path]}
          y={metricOf(best, metric)}
          r={6}
          fill={p.ok}
          stroke={p.fg}
        />
      ) : null}
    </LineChart>
  );
});

/** Where a point stands against the SLO: its worst clause's margin, binned for the legend. */
type SloBand = 'wide' | 'narrow' | 'near' | 'far' | 'error' | 'unjudged';
const BANDS: readonly [SloBand, MessageKey][] = [
  ['wide', 'legendWide'],
  ['narrow', 'legendNarrow'],
  ['near', 'legendNear'],
  ['far', 'legendFar'],
  ['error', 'legendError'],
];
const BAND_COLOUR: Record<Theme, Record<SloBand, string>> = {
  light: {
    wide: '#1a9850',
    narrow: '#a6d96a',
    near: '#fdae61',
    far: '#d73027',
    error: '#bdbdbd',
    unjudged: '#d6dbe4',
  },
  dark: {
    wide: '#1a9850',
    narrow: '#66a84a',
    near: '#c9792d',
    far: '#b2261f',
    error: '#555555',
    unjudged: '#3a4150',
  },
};
const BAND_TEXT: Record<Theme, Record<SloBand, string>> = {
  light: {
    wide: '#ffffff',
    narrow: '#1b1b1b',
    near: '#1b1b1b',
    far: '#ffffff',
    error: '#1b1b1b',
    unjudged: '#1b1b1b',
  },
  dark: {
    wide: '#ffffff',
    narrow: '#ffffff',
    near: '#ffffff',
    far: '#ffffff',
    error: '#eeeeee',
    unjudged: '#eeeeee',
  },
};

/** The worst clause's margin (share of its threshold; < 0 misses), or null. */
function worstMargin(q: SweepPoint): number | null {
  const ms = (q.slo_clauses ?? []).map((c) => c.margin).filter((m): m is number => m !== null);
  return ms.length === 0 ? null : Math.min(...ms);
}

function bandOf(q: SweepPoint): SloBand {
  if (q.error) return 'error';
  if (q.meets_slo === null) return 'unjudged'; // no SLO: nothing to colour against
  const m = worstMargin(q);
  if (q.meets_slo) return m !== null && m < 0.25 ? 'narrow' : 'wide';
  return m !== null && m > -0.25 ? 'near' : 'far';
}

/** The hover text: the point, its value with the P99 interval, and what it misses. */
function cellTitle(
  q: SweepPoint,
  px: string,
  py: string,
  v: number,
  metric: SweepMetric,
  t: T,
): string {
  const at = `${px}=${q.values[px]}, ${py}=${q.values[py]}`;
  if (q.error) return `${at}: ${q.error}`;
  const value =
    metric === 'p99_ms'
      ? `P99 ${fmtNum(v)}${q.p99_ci95 !== undefined ? ` ± ${fmtNum(q.p99_ci95)}` : ''} ms (${t('ci')})`
      : `${fmtNum(v)} req/s · P99 ${fmtNum(q.p99_ms)}${q.p99_ci95 !== undefined ? ` ± ${fmtNum(q.p99_ci95)}` : ''} ms (${t('ci')})`;
  const missed = (q.slo_clauses ?? [])
    .filter((c) => !c.met)
    .map(
      (c) =>
        `${c.clause} (${c.value === null ? '—' : fmtNum(c.value)}${c.margin !== null && Math.abs(c.margin) < 1e6 ? `, ${fmtPct(-c.margin)}` : ''})`,
    );
  const verdict =
    q.meets_slo === null
      ? ''
      : q.meets_slo
        ? `; ${t('cellMeets')}`
        : `; ${t('cellMisses', { clauses: missed.join(', ') })}`;
  return `${at}: ${value}${verdict}`;
}

/** The heatmap's legend: what each colour means against the SLO. */
function SloLegend({ theme, slo, t }: { theme: Theme; slo: string; t: T }) {
  return (
    <div className="sweep-legend" role="list" aria-label={t('sweepLegend')}>
      <span className="muted">{t('sweepAgainst', { slo })}</span>
      {BANDS.map(([b, key]) => (
        <span key={b} role="listitem" className="legend-item">
          <span
            className="legend-swatch"
            style={{ background: BAND_COLOUR[theme][b] }}
            aria-hidden
          />
          {t(key)}
        </span>
      ))}
    </div>
  );
}

const Heatmap = memo(function Heatmap({
  points,
  px,
  py,
  metric,
  best,
  width,
  theme,
  t,
}: {
  points: SweepPoint[];
  px: string;
  py: string;
  metric: SweepMetric;
  best: SweepPoint | null;
  width: number;
  theme: Theme;
  t: T;
}) {
  const p = palettes[theme];
  const xs = [...new Set(points.map((q) => q.values[px]))].sort((a, b) => a - b);
  const ys = [...new Set(points.map((q) => q.values[py]))].sort((a, b) => a - b);
  const left = 70;
  const bottom = 40;
  const H = 300;
  const cw = (width - left - 10) / Math.max(1, xs.length);
  const ch = (H - bottom - 10) / Math.max(1, ys.length);
  const colour = (b: SloBand) => BAND_COLOUR[theme][b];
  return (
    <svg width={width} height={H} role="img" aria-label={t('sweepHeatmap')}>
      <rect width={width} height={H} fill={p.bg} />
      {points.map((q, i) => {
        const xi = xs.indexOf(q.values[px]);
        const yi = ys.indexOf(q.values[py]);
        const v = metricOf(q, metric);
        const isBest =
          best !== null && best.values[px] === q.values[px] && best.values[py] === q.values[py];
        const band = bandOf(q);
        return (
          <g key={i}>
            <rect
              className={`heat-cell band-${band}`}
              data-meets={q.meets_slo === null ? 'n/a' : String(q.meets_slo)}
              data-band={band}
              x={left + xi * cw}
              y={10 + (ys.length - 1 - yi) * ch}
              width={cw - 1}
              height={ch - 1}
              fill={colour(band)}
              stroke={isBest ? p.fg : 'none'}
              strokeWidth={isBest ? 3 : 1}
            >
              <title>{cellTitle(q, px, py, v, metric, t)}</title>
            </rect>
            {cw > 34 && ch > 14 ? (
              <text
                x={left + xi * cw + cw / 2}
                y={10 + (ys.length - 1 - yi) * ch + ch / 2 + 4}
                textAnchor="middle"
                fontSize={10}
                fill={BAND_TEXT[theme][band]}
              >
                {fmtNum(v)}
              </text>
            ) : null}
          </g>
        );
      })}
      {xs.map((x, i) => (
        <text
          key={`x${i}`}
          x={left + i * cw + cw / 2}
          y={H - bottom + 16}
          textAnchor="middle"
          fontSize={10}
          fill={p.muted}
        >
          {fmtNum(x)}
        </text>
      ))}
      {ys.map((y, i) => (
        <text
          key={`y${i}`}
          x={left - 6}
          y={10 + (ys.length - 1 - i) * ch + ch / 2 + 4}
          textAnchor="end"
          fontSize={10}
          fill={p.muted}
        >
          {fmtNum(y)}
        </text>
      ))}
      <text x={left + (width - left) / 2} y={H - 6} textAnchor="middle" fontSize={11} fill={p.fg}>
        {px}
      </text>
      <text
        x={12}
        y={H / 2}
        fontSize={11}
        fill={p.fg}
        transform={`rotate(-90 12 ${H / 2})`}
        textAnchor="middle"
      >
        {py}
      </text>
    </svg>
  );
});

/** The sweep view. */
export function SweepView() {
  const t = useT();
  const api = useApi();
  const s = useApp(
    useShallow((st) => ({
      params: st.sweepParams,
      metric: st.sweepMetric,
      status: st.sweepStatus,
      progress: st.sweepProgress,
      points: st.sweepPoints,
      best: st.sweepCheapest,
      error: st.sweepError,
      slo: p99Threshold(st.slo),
      ranSlo: st.sweepSlo,
      theme: st.theme,
    })),
  );
  const runId = useRef<string | null>(null);
  useEffect(() => {
    if (!api) return;
    return api.onSweepProgress((ev) => {
      if (ev.id === runId.current && ev.total > 0)
        appStore.getState().sweepProgressed(ev.done / ev.total);
    });
  }, [api]);
  const setParam = (i: number, p: SweepParam | null) => {
    const next = [...s.params];
    if (p) next[i] = p;
    else next.splice(i, 1);
    appStore.getState().setSweepParams(next);
  };
  const run = async () => {
    if (!api) return;
    const st = appStore.getState();
    const id = `sweep-${Date.now().toString(36)}`;
    runId.current = id;
    st.sweepStarted();
    try {
      const res = await api.runSweep({
        id,
        scenario: st.scenario,
        vary: st.sweepParams,
        ...(st.slo.length > 0 ? { slo: formatSloClauses(st.slo) } : {}),
      });
      if (runId.current !== id) return;
      if (res.cancelled) appStore.getState().sweepCancelled();
      else appStore.getState().sweepFinished(res.points, res.best, res.slo);
    } catch (e) {
      if (runId.current === id)
        appStore.getState().sweepFailed(e instanceof Error ? e.message : String(e));
    }
  };
  const cancel = () => {
    const id = runId.current;
    runId.current = null;
    appStore.getState().sweepCancelled();
    if (api && id) void api.cancelSweep({ id }).catch(() => undefined);
  };
  const palette = palettes[s.theme];
  const bestText = s.best
    ? Object.entries(s.best.values)
        .map(([k, v]) => `${k} = ${fmtNum(v)}`)
        .join(', ')
    : null;
  return (
    <section className="sweep" aria-label={t('sweep')}>
      {!api ? <p className="muted">{t('sweepUnavailable')}</p> : null}
      <SloEditor />
      <ParamEditor
        label={t('parameter')}
        value={s.params[0] ?? null}
        optional={false}
        onChange={(p) => setParam(0, p)}
      />
      <ParamEditor
        label={t('secondParameter')}
        value={s.params[1] ?? null}
        optional
        onChange={(p) =>
          p ? setParam(s.params.length >= 1 ? 1 : 0, p) : s.params.length > 1 && setParam(1, null)
        }
      />
      <div className="row">
        <label htmlFor="sweep-metric">{t('sweepMetric')}</label>
        <select
          id="sweep-metric"
          value={s.metric}
          onChange={(e) => appStore.getState().setSweepMetric(e.currentTarget.value as SweepMetric)}
        >
          <option value="p99_ms">{t('p99')}</option>
          <option value="throughput_rps">{t('throughput')}</option>
        </select>
        <button
          type="button"
          onClick={() => void run()}
          disabled={!api || s.status === 'running' || s.params.length === 0}
        >
          {t('runSweep')}
        </button>
        {s.status === 'running' ? (
          <>
            <span>{t('sweepRunning')}</span>
            <progress aria-label={t('progress')} max={1} value={s.progress} />
            <button type="button" onClick={cancel}>
              {t('cancel')}
            </button>
          </>
        ) : null}
      </div>
      {s.error ? (
        <p role="alert" className="error">
          {s.error}
        </p>
      ) : null}
      {s.status === 'cancelled' ? <p className="muted">{t('cancelled')}</p> : null}
      {s.status === 'done' ? (
        <p role="status" className={`sweep-verdict ${s.best ? 'meets' : 'misses'}`}>
          {bestText ? t('cheapest', { config: bestText }) : t('noneMeets')}
        </p>
      ) : null}
      {s.points.length > 0 ? (
        <ChartCard
          title={s.params.length === 2 ? t('sweepHeatmap') : t('sweepChart')}
          units={
            s.params.length === 2
              ? `${s.params[0].path} × ${s.params[1].path}`
              : `${s.params[0].path} · ${t(s.metric === 'p99_ms' ? 'axP99' : 'axThroughput')}`
          }
        >
          {(w) =>
            s.params.length === 2 ? (
              <>
                {s.ranSlo ? <SloLegend theme={s.theme} slo={s.ranSlo} t={t} /> : null}
                <Heatmap
                  points={s.points}
                  px={s.params[0].path}
                  py={s.params[1].path}
                  metric={s.metric}
                  best={s.best}
                  width={w}
                  theme={s.theme}
                  t={t}
                />
              </>
            ) : (
              <SweepLine
                points={s.points}
                path={s.params[0].path}
                metric={s.metric}
                slo={s.slo}
                best={s.best}
                width={w}
                palette={palette}
                yLabel={t(s.metric === 'p99_ms' ? 'axP99' : 'axThroughput')}
              />
            )
          }
        </ChartCard>
      ) : null}
    </section>
  );
}
