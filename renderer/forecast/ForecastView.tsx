// The Forecast view: pick a rate history (a CSV t,rate or a Peakline recording from disk, or a
// connected Prometheus source and a PromQL query), a horizon; see the history with the forecast
// mean and its band, the backtest figures (accuracy, interval coverage, peak-time error, against
// seasonal naive), and the current scenario simulated at the forecast rate over the horizon — P99
// and utilisation per station — with when the SLO would first fail and, by simulation, the
// smallest capacity that holds it at the top of the band. The maths is sim-core/forecast's; the
// simulations run on the console's Web Workers (renderer/sim/worker.ts) through SimBatch, the
// forecast and its backtest on a worker of their own (forecastRun.ts).
import { useEffect, useId, useMemo, useRef, type ChangeEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Area, ComposedChart, LineChart, ReferenceLine } from 'recharts';
import { ForecastError, parseHistory, type ForecastResult } from '../../sim-core/forecast/index';
import { getPath } from '../../sim-core/validate/paths';
import { appStore, useApp } from '../store';
import type { ForecastHistory } from '../store/types';
import { useApi, useT } from '../ui/hooks';
import { palettes, type Palette } from '../ui/palette';
import { ChartCard } from '../charts/ChartCard';
import { grid, numberXAxis, seriesLine, tooltipLegend, valueYAxis } from '../charts/parts';
import { fmtClockUtc, fmtDateTimeUtc, fmtMs, fmtNum, fmtPct, fmtRps } from '../format';
import { createSimWorker } from '../sim/connect';
import { defaultWorkers, type WorkerLike } from '../sim/runner';
import { SimBatch } from './batch';
import { forecastOffThread } from './forecastRun';
import { KNOBS, simulateForecast, type ForecastSim } from './plan';

const HORIZONS = [15 * 60, 30 * 60, 3600, 2 * 3600, 6 * 3600];
const RANGES = [86400, 2 * 86400, 8 * 86400, 15 * 86400];

const minutes = (s: number) => fmtNum(s / 60, 2);

/** The history and forecast rows of the first chart: the last stretch of history, then the band. */
function bandRows(h: ForecastHistory, r: ForecastResult) {
  const span = Math.max(3 * 3600, 8 * r.horizon_s);
  const tEnd = r.history.to + r.step_s;
  const past = h.points.filter((p) => p.t >= tEnd - span);
  const stride = Math.max(1, Math.ceil(past.length / 600));
  const rows: { t_s: number; history?: number; mean?: number; band?: [number, number] }[] = [];
  for (let i = 0; i < past.length; i += stride)
    rows.push({ t_s: past[i].t, history: past[i].rate });
  const last = past[past.length - 1];
  if (last)
    rows.push({ t_s: last.t, history: last.rate, mean: last.rate, band: [last.rate, last.rate] });
  for (const p of r.points) rows.push({ t_s: p.t, mean: p.mean, band: [p.lo, p.hi] });
  return rows;
}

function ForecastChart({
  rows,
  width,
  p,
  labels,
  now,
}: {
  rows: ReturnType<typeof bandRows>;
  width: number;
  p: Palette;
  labels: { history: string; mean: string; band: string; y: string; x: string };
  now: number;
}) {
  return (
    <ComposedChart
      width={width}
      height={300}
      data={rows}
      margin={{ top: 8, right: 16, bottom: 4, left: 0 }}
    >
      {grid(p)}
      {numberXAxis(p, 't_s', { tickFormatter: fmtClockUtc }, labels.x)}
      {valueYAxis(p, labels.y)}
      {tooltipLegend()}
      <Area
        key="band"
        type="linear"
        dataKey="band"
        name={labels.band}
        stroke="none"
        fill={p.p50}
        fillOpacity={0.22}
        isAnimationActive={false}
      />
      {seriesLine('history', labels.history, p.fg, { strokeWidth: 1.2 })}
      {seriesLine('mean', labels.mean, p.p50, { strokeWidth: 2 })}
      <ReferenceLine key="now" x={now} stroke={p.muted} strokeDasharray="4 3" />
    </ComposedChart>
  );
}

function SimCharts({ sim, slo, p }: { sim: ForecastSim; slo: number; p: Palette }) {
  const t = useT();
  const p99Rows = sim.slots.map((s) => ({ t_s: s.t, p99: s.p99_ms, rate: s.rate }));
  const stations = useMemo(() => {
    const peak = new Map<string, number>();
    for (const s of sim.slots)
      for (const [k, u] of Object.entries(s.util)) peak.set(k, Math.max(peak.get(k) ?? 0, u));
    return [...peak]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([k]) => k);
  }, [sim]);
  // distinct colours for up to six stations
  const colours = [...p.series, p.muted, p.p99, p.fg];
  const utilRows = sim.slots.map((s) => {
    const row: Record<string, number> = { t_s: s.t };
    for (const k of stations) row[k] = (s.util[k] ?? 0) * 100;
    return row;
  });
  return (
    <div className="fc-sim-charts">
      <ChartCard title={t('fcP99Title')} units={t('fcP99Units')}>
        {(width) => (
          <LineChart
            width={width}
            height={240}
            data={p99Rows}
            margin={{ top: 8, right: 16, bottom: 4, left: 0 }}
          >
            {grid(p)}
            {numberXAxis(p, 't_s', { tickFormatter: fmtClockUtc }, t('fcTimeUtc'))}
            {valueYAxis(p, t('fcP99Axis'))}
            {tooltipLegend()}
            {seriesLine('p99', 'P99 (ms)', p.p99, { strokeWidth: 2, dot: true })}
            <ReferenceLine
              key="slo"
              y={slo}
              stroke={p.slo}
              strokeDasharray="6 3"
              label={{
                value: `SLO ${fmtMs(slo)}`,
                fill: p.slo,
                fontSize: 11,
                position: 'insideTopLeft',
              }}
            />
            {sim.firstFail !== null ? (
              <ReferenceLine key="fail" x={sim.firstFail} stroke={p.saturated} strokeWidth={2} />
            ) : null}
          </LineChart>
        )}
      </ChartCard>
      <ChartCard title={t('fcUtilTitle')} units={t('fcUtilUnits')}>
        {(width) => (
          <LineChart
            width={width}
            height={240}
            data={utilRows}
            margin={{ top: 8, right: 16, bottom: 4, left: 0 }}
          >
            {grid(p)}
            {numberXAxis(p, 't_s', { tickFormatter: fmtClockUtc }, t('fcTimeUtc'))}
            {valueYAxis(p, t('fcUtilAxis'), { domain: [0, 100] })}
            {tooltipLegend()}
            {stations.map((k, i) =>
              seriesLine(k, k, colours[i % colours.length], { strokeWidth: 1.8 }),
            )}
          </LineChart>
        )}
      </ChartCard>
    </div>
  );
}

let sharedBatch: SimBatch | null = null;

/** The Forecast tab. `createWorker`: the simulation worker (tests pass an in-process one). */
export function ForecastView({
  createWorker = createSimWorker,
}: {
  createWorker?: () => WorkerLike;
}) {
  const t = useT();
  const api = useApi();
  const id = useId();
  const s = useApp(
    useShallow((x) => ({
      from: x.fcFrom,
      recording: x.fcRecording,
      recordings: x.liveRecordings,
      history: x.fcHistory,
      promId: x.fcPromId,
      promQuery: x.fcPromQuery,
      promRange: x.fcPromRangeS,
      horizon: x.fcHorizonS,
      knob: x.fcKnob,
      status: x.fcStatus,
      result: x.fcResult,
      sim: x.fcSim,
      error: x.fcError,
      simDone: x.fcSimDone,
      slo: x.sloP99Ms,
      theme: x.theme,
      scenario: x.scenario,
    })),
  );
  const promSources = useApp(
    useShallow((x) => x.liveSources.filter((i) => i.kind === 'prometheus')),
  );
  const p = palettes[s.theme];
  const batch = useRef<SimBatch | null>(null);
  useEffect(() => {
    if (createWorker === createSimWorker) {
      sharedBatch ??= new SimBatch(createSimWorker, defaultWorkers());
      batch.current = sharedBatch;
      return undefined;
    }
    const b = new SimBatch(createWorker, 2);
    batch.current = b;
    return () => b.dispose();
  }, [createWorker]);
  const st = appStore.getState;
  const busy = s.status === 'loading' || s.status === 'forecasting' || s.status === 'simulating';
  const knobs = KNOBS.filter((k) => typeof getPath(s.scenario, k) === 'number');
  const promId = s.promId || promSources[0]?.id || '';
  const recording = s.recording || s.recordings[0]?.path || '';
  // the recordings folder's list, when the recording source is chosen
  useEffect(() => {
    if (s.from !== 'recording' || !api) return;
    void api
      .liveRecordings()
      .then((r) => st().setLiveRecordings(r.recordings))
      .catch(() => undefined);
  }, [s.from, api, st]);

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.currentTarget.files?.[0];
    if (!file) return;
    try {
      const h = parseHistory(await file.text());
      st().setFcHistory({
        points: h.points,
        format: h.format,
        label: file.name,
        ...(h.note ? { note: h.note } : {}),
      });
    } catch (err) {
      st().setFcHistory(null);
      const line = err instanceof ForecastError && err.line ? `line ${err.line}: ` : '';
      st().fcFailed(`${file.name}: ${line}${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const run = async () => {
    let h = st().fcHistory;
    try {
      if (s.from === 'recording') {
        if (!api) throw new Error(t('fcNoApi'));
        if (!recording) throw new Error(t('fcNoRecordings'));
        st().fcStarted('loading');
        const r = await api.liveRecordingHistory({ path: recording });
        h = {
          points: r.points,
          format: 'recording',
          label: r.name,
          ...(r.note ? { note: r.note } : {}),
        };
        st().setFcHistory(h);
      }
      if (s.from === 'prometheus') {
        if (!api) throw new Error(t('fcNoApi'));
        if (!promId) throw new Error(t('fcNoPromSource'));
        st().fcStarted('loading');
        const r = await api.livePromRange({
          id: promId,
          query: s.promQuery,
          range_s: s.promRange,
          step_s: 60,
        });
        h = { points: r.points, format: 'prometheus', label: `${r.source}: ${r.query}` };
        st().setFcHistory(h);
      }
      if (!h) throw new Error(t('fcNoHistory'));
      st().fcStarted('forecasting');
      const res = await forecastOffThread(h.points, s.horizon);
      st().fcForecasted(res);
      const b = batch.current;
      if (!b) throw new Error('no simulation workers');
      let done = 0;
      const sim = await simulateForecast(
        st().scenario,
        res.points,
        st().sloP99Ms,
        (list) => b.run(list, () => st().fcSimProgress(++done)),
        s.knob || null,
      );
      st().fcSimulated(sim);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      st().fcFailed(message === 'cancelled' ? t('fcCancelled') : message);
    }
  };

  const r = s.result;
  const rows = useMemo(() => (r && s.history ? bandRows(s.history, r) : []), [r, s.history]);
  const top = r ? r.points.reduce((a, b) => (b.hi > a.hi ? b : a)) : null;
  const bt = r?.backtest ?? null;
  const cap = s.sim?.capacity ?? null;

  return (
    <div className="forecast-layout">
      <section className="panel fc-controls" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>{t('fcTitle')}</h2>
        <fieldset className="fc-from">
          <legend>{t('fcHistory')}</legend>
          <label>
            <input
              type="radio"
              name={`${id}-from`}
              checked={s.from === 'file'}
              onChange={() => st().setFcFrom('file')}
            />
            {t('fcFromFile')}
          </label>
          <label>
            <input
              type="radio"
              name={`${id}-from`}
              checked={s.from === 'recording'}
              onChange={() => st().setFcFrom('recording')}
            />
            {t('fcFromRecording')}
          </label>
          <label>
            <input
              type="radio"
              name={`${id}-from`}
              checked={s.from === 'prometheus'}
              onChange={() => st().setFcFrom('prometheus')}
            />
            {t('fcFromPrometheus')}
          </label>
        </fieldset>
        {s.from === 'file' ? (
          <div className="fc-fields">
            <label htmlFor={`${id}-file`}>{t('fcFile')}</label>
            <input
              id={`${id}-file`}
              type="file"
              accept=".csv,.ndjson,.json,.txt"
              onChange={(e) => void onFile(e)}
            />
            <span className="muted small">{t('fcFileNote')}</span>
          </div>
        ) : s.from === 'recording' ? (
          <div className="fc-fields fc-stack">
            <label htmlFor={`${id}-rec`}>{t('fcRecording')}</label>
            <select
              id={`${id}-rec`}
              value={recording}
              onChange={(e) => st().setFcRecording(e.currentTarget.value)}
            >
              {s.recordings.length === 0 ? <option value="">{t('fcNoRecordings')}</option> : null}
              {s.recordings.map((x) => (
                <option key={x.path} value={x.path}>
                  {x.name}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <div className="fc-fields fc-stack">
            <label htmlFor={`${id}-src`}>{t('fcPromSource')}</label>
            <select
              id={`${id}-src`}
              value={promId}
              onChange={(e) => st().setFcProm({ id: e.currentTarget.value })}
            >
              {promSources.length === 0 ? <option value="">{t('fcNoPromSource')}</option> : null}
              {promSources.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
            <label htmlFor={`${id}-q`}>{t('fcPromQuery')}</label>
            <input
              id={`${id}-q`}
              value={s.promQuery}
              spellCheck={false}
              onChange={(e) => st().setFcProm({ query: e.currentTarget.value })}
            />
            <label htmlFor={`${id}-range`}>{t('fcPromRange')}</label>
            <select
              id={`${id}-range`}
              value={s.promRange}
              onChange={(e) => st().setFcProm({ range_s: Number(e.currentTarget.value) })}
            >
              {RANGES.map((v) => (
                <option key={v} value={v}>
                  {t('fcDays', { n: v / 86400 })}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="fc-fields">
          <label htmlFor={`${id}-h`}>{t('fcHorizon')}</label>
          <select
            id={`${id}-h`}
            value={s.horizon}
            onChange={(e) => st().setFcHorizon(Number(e.currentTarget.value))}
          >
            {HORIZONS.map((v) => (
              <option key={v} value={v}>
                {t('fcMinutes', { n: v / 60 })}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-knob`}>{t('fcKnob')}</label>
          <select
            id={`${id}-knob`}
            value={s.knob}
            onChange={(e) => st().setFcKnob(e.currentTarget.value)}
          >
            <option value="">{t('fcKnobAuto')}</option>
            {knobs.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-slo`}>{t('fcSlo')}</label>
          <input
            id={`${id}-slo`}
            type="number"
            min={1}
            value={s.slo}
            onChange={(e) => st().setSlo(Number(e.currentTarget.value))}
          />
        </div>
        {s.history ? (
          <p className="muted small" data-testid="fc-history">
            {t('fcHistoryLoaded', {
              n: fmtNum(s.history.points.length),
              label: s.history.label,
              from: fmtDateTimeUtc(s.history.points[0].t),
              to: fmtDateTimeUtc(s.history.points[s.history.points.length - 1].t),
            })}
          </p>
        ) : null}
        <div className="row">
          <button
            type="button"
            onClick={() => void run()}
            disabled={
              busy || (s.from === 'file' && !s.history) || (s.from === 'recording' && !recording)
            }
          >
            {t('fcRun')}
          </button>
          {s.status === 'simulating' ? (
            <button type="button" onClick={() => batch.current?.cancel()}>
              {t('fcCancel')}
            </button>
          ) : null}
          <span role="status" className="muted">
            {s.status === 'loading'
              ? t(s.from === 'recording' ? 'fcLoadingRecording' : 'fcLoading')
              : s.status === 'forecasting'
                ? t('fcForecasting')
                : s.status === 'simulating'
                  ? t('fcSimulating', { n: s.simDone })
                  : ''}
          </span>
        </div>
        {s.error ? (
          <p className="error" role="alert">
            {s.error}
          </p>
        ) : null}
      </section>
      {r && s.history ? (
        <section className="panel fc-results" aria-label={t('fcResults')}>
          <ChartCard title={t('fcChartTitle')} units={t('fcChartUnits')} scenario={s.history.label}>
            {(width) => (
              <ForecastChart
                rows={rows}
                width={width}
                p={p}
                now={r.history.to + r.step_s}
                labels={{
                  history: t('fcSeriesHistory'),
                  mean: t('fcSeriesMean'),
                  band: t('fcSeriesBand', { level: fmtPct(r.level) }),
                  y: t('fcRateAxis'),
                  x: t('fcTimeUtc'),
                }}
              />
            )}
          </ChartCard>
          <dl className="fc-figures" data-testid="fc-figures">
            <dt>{t('fcMethod')}</dt>
            <dd>
              {t('fcMethodIs', {
                method: r.method,
                season: t(r.season === 'weekly' ? 'fcSeasonWeekly' : 'fcSeasonDaily'),
                step: minutes(r.step_s),
              })}
            </dd>
            {top ? (
              <>
                <dt>{t('fcPeak')}</dt>
                <dd>
                  {t('fcPeakIs', {
                    mean: fmtRps(top.mean),
                    hi: fmtRps(top.hi),
                    at: fmtClockUtc(top.t),
                  })}
                </dd>
              </>
            ) : null}
            {bt ? (
              <>
                <dt>{t('fcAccuracy')}</dt>
                <dd data-testid="fc-accuracy">
                  {t('fcVersus', {
                    ours: fmtPct(bt.accuracy),
                    naive: fmtPct(bt.baseline.accuracy),
                  })}
                </dd>
                <dt>{t('fcCoverage', { level: fmtPct(r.level) })}</dt>
                <dd>
                  {t('fcVersus', {
                    ours: fmtPct(bt.coverage),
                    naive: fmtPct(bt.baseline.coverage),
                  })}
                </dd>
                <dt>{t('fcPeakError')}</dt>
                <dd>
                  {t('fcVersusMin', {
                    ours: minutes(bt.peak_error_s),
                    naive: minutes(bt.baseline.peak_error_s),
                  })}
                </dd>
                <dt>{t('fcBacktestOver')}</dt>
                <dd>
                  {t('fcBacktestIs', {
                    n: fmtNum(bt.origins),
                    from: fmtDateTimeUtc(bt.from),
                    to: fmtDateTimeUtc(bt.to),
                  })}
                </dd>
              </>
            ) : (
              <>
                <dt>{t('fcAccuracy')}</dt>
                <dd>{t('fcNoBacktest')}</dd>
              </>
            )}
          </dl>
          {s.sim ? (
            <>
              <div className="fc-verdict" data-testid="fc-verdict">
                <p className={s.sim.firstFail !== null ? 'error' : 'ok'}>
                  {s.sim.firstFail !== null
                    ? t('fcSloFails', {
                        at: fmtClockUtc(s.sim.firstFail),
                        in: minutes(s.sim.firstFail - r.history.to),
                        slo: fmtMs(s.slo),
                      })
                    : t('fcSloHolds', { slo: fmtMs(s.slo) })}
                </p>
                {cap ? (
                  <p data-testid="fc-capacity">
                    {!cap.holds
                      ? t('fcCapacityNone', {
                          path: cap.limit?.path ?? '—',
                          max: fmtNum(cap.limit?.max ?? 0),
                          rate: fmtRps(cap.rate),
                          p99: fmtMs(cap.p99_ms),
                        })
                      : cap.changes.length === 0
                        ? t('fcCapacityEnough', { rate: fmtRps(cap.rate), p99: fmtMs(cap.p99_ms) })
                        : t('fcCapacity', {
                            changes: cap.changes
                              .map((c) => `${c.path}: ${fmtNum(c.current)} → ${fmtNum(c.needed)}`)
                              .join(', '),
                            rate: fmtRps(cap.rate),
                            p99: fmtMs(cap.p99_ms),
                            slo: fmtMs(s.slo),
                            n: cap.evaluated,
                          })}
                  </p>
                ) : null}
              </div>
              <SimCharts sim={s.sim} slo={s.slo} p={p} />
            </>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
