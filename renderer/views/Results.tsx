// The results side of the scenario view: readouts, run status, pipeline diagram, the five
// charts, the station table and the exports (results CSV/JSON, scenario file).
import { p99Threshold } from '../store/sloSlice';
import { useDeferredValue, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SimResult } from '../../sim-core/result';
import { useApp, appStore } from '../store';
import { resultCsv, selectShown } from '../store/selectors';
import { palettes } from '../ui/palette';
import { useApi, useT } from '../ui/hooks';
import { ChartCard } from '../charts/ChartCard';
import {
  CdfChart,
  InstancesChart,
  LatencyChart,
  QueueChart,
  ThroughputChart,
  UtilisationChart,
} from '../charts/Charts';
import { Pipeline } from '../charts/Pipeline';
import { fileSafe, saveExport } from '../export';
import { fmtMs, fmtNum, fmtPct, fmtRps } from '../format';
import { Readouts } from './Readouts';
import { RunBar } from './RunBar';
import { RunConfirm } from './RunConfirm';
import { StationTable } from './StationTable';

/** Export buttons for the result on screen and the edited scenario. */
export function ExportBar() {
  const t = useT();
  const api = useApi();
  const { result } = useApp(useShallow(selectShown));
  const base = fileSafe(result?.scenario ?? 'peakline');
  return (
    <div className="row exports" role="group" aria-label={t('exports')}>
      <span className="muted">{t('exports')}:</span>
      <button
        type="button"
        disabled={!result}
        onClick={() =>
          result && void saveExport(api, 'csv', `${base}.csv`, resultCsv(result), 'text/csv')
        }
      >
        {t('exportCsv')}
      </button>
      <button
        type="button"
        disabled={!result}
        onClick={() =>
          result &&
          void saveExport(
            api,
            'json',
            `${base}.result.json`,
            JSON.stringify(result, null, 2),
            'application/json',
          )
        }
      >
        {t('exportJson')}
      </button>
      <button
        type="button"
        onClick={() => {
          const s = appStore.getState().scenario;
          void saveExport(
            api,
            'scenario',
            `${fileSafe(s.name)}.json`,
            JSON.stringify(s, null, 2) + '\n',
            'application/json',
          );
        }}
      >
        {t('exportScenario')}
      </button>
    </div>
  );
}

/** The autoscaler's cost and the SLO windows it missed, beside its chart's title. */
function ScaleSummary({ result }: { result: SimResult }) {
  const t = useT();
  const a = result.autoscale;
  const slo = result.slo;
  if (!a) return null;
  return (
    <p className="muted scale-summary" data-testid="scale-summary">
      {t('scaleMode', { mode: a.mode })} · {t('scaleCost', { n: fmtNum(a.instance_seconds, 3) })} ·{' '}
      {t('scaleMean', { n: fmtNum(a.mean_instances), peak: String(a.peak_instances) })}
      {slo ? (
        <>
          {' '}
          ·{' '}
          {slo.violated_windows === 0
            ? t('sloSummaryMet', { n: String(slo.windows) })
            : t('sloSummaryViolated', {
                bad: String(slo.violated_windows),
                n: String(slo.windows),
                s: fmtNum(slo.violated_s),
                from: fmtNum(slo.first_violation_s),
              })}
        </>
      ) : null}
    </p>
  );
}

/** How long a result stays on screen, no newer run going, before the charts draw it (ms). */
export const SETTLE_MS = 150;

/** Readouts, status, diagram and charts of the result on screen. */
export function Results({ onCancel }: { onCancel: () => void }) {
  const t = useT();
  const { result: shownResult, analytic, title } = useApp(useShallow(selectShown));
  const { theme, slo, scenario, presenting, running, provisional } = useApp(
    useShallow((s) => ({
      theme: s.theme,
      slo: p99Threshold(s.slo),
      presenting: s.presenting,
      running: s.runStatus === 'running',
      provisional: s.provisional,
      scenario:
        s.presenting && s.presentIndex >= 0 && s.snapshots[s.presentIndex]
          ? s.snapshots[s.presentIndex].scenario
          : (s.resultScenario ?? s.scenario),
    })),
  );
  // The readouts show a new result at once; the charts follow in a deferred render, so a slider
  // press is answered in the next frame even when five charts redraw — once the result has been
  // on screen for SETTLE_MS with no newer run going. Until then they keep what they have drawn:
  // drawing a result about to be replaced took the cores from the run that replaces it (five
  // charts cost the page about as much CPU as the two replications of an async-seed step). A
  // preview is drawn at once: it is what a long run shows meanwhile.
  const [drawn, setDrawn] = useState<SimResult | null>(null);
  const [settled, setSettled] = useState<SimResult | null>(null);
  useEffect(() => {
    if (!shownResult) return;
    const timer = setTimeout(() => setSettled(shownResult), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [shownResult]);
  const hold =
    !presenting && !provisional && drawn !== null && (running || settled !== shownResult);
  const result = useDeferredValue(hold ? drawn : shownResult);
  // the render that draws the result on screen remembers it (discarded with it if interrupted)
  if (!hold && result === shownResult && result !== drawn) setDrawn(result);
  const fresh = result === shownResult;
  const palette = palettes[theme];
  return (
    <div className={`results${running && !presenting ? ' running' : ''}`} aria-busy={running}>
      {presenting ? <h2 className="present-title">{title ?? t('presentingCurrent')}</h2> : null}
      <Readouts />
      <RunBar onCancel={onCancel} />
      {!presenting ? <RunConfirm /> : null}
      {analytic ? (
        <p className="analytic-note" role="note" aria-label={t('analyticNote')}>
          <strong>
            {t('analyticNote')} ({analytic.model})
          </strong>
          {analytic.mean_ms !== undefined ? (
            <span>
              {' '}
              · {t('meanLatency')}: {t('analytic')} {fmtMs(analytic.mean_ms)} / {t('simulated')}{' '}
              {fmtMs(shownResult?.latency_ms.mean)}
            </span>
          ) : null}
          {analytic.throughput_rps !== undefined ? (
            <span>
              {' '}
              · {t('throughput')}: {t('analytic')} {fmtRps(analytic.throughput_rps)} /{' '}
              {t('simulated')} {fmtRps(shownResult?.throughput_rps)}
            </span>
          ) : null}
          {analytic.extra?.utilization !== undefined ? (
            <span>
              {' '}
              · {t('utilisation')}: {fmtPct(analytic.extra.utilization)}
            </span>
          ) : null}
        </p>
      ) : null}
      <div className={`pipeline-wrap${fresh ? '' : ' stale'}`} data-fresh={fresh}>
        <ChartCard title={t('pipeline')} units={t('unitsDiagram')} className="pipeline-card">
          {(w) => <Pipeline result={result} scenario={scenario} theme={theme} width={w} t={t} />}
        </ChartCard>
      </div>
      {result ? (
        <div className={`charts${fresh ? '' : ' stale'}`} data-fresh={fresh} aria-busy={!fresh}>
          <ChartCard title={t('chartLatency')} units={t('unitsTimeMs')}>
            {(w) => (
              <LatencyChart
                result={result}
                width={w}
                palette={palette}
                t={t}
                analytic={analytic}
                sloP99Ms={slo}
              />
            )}
          </ChartCard>
          <ChartCard title={t('chartThroughput')} units={t('unitsTimeRate')}>
            {(w) => (
              <ThroughputChart
                result={result}
                width={w}
                palette={palette}
                t={t}
                analytic={analytic}
              />
            )}
          </ChartCard>
          {result.autoscale ? (
            <ChartCard
              title={t('chartInstances')}
              units={t('unitsTimeInstances')}
              className="instances-card"
            >
              {(w) => (
                <>
                  <InstancesChart result={result} width={w} palette={palette} t={t} />
                  <ScaleSummary result={result} />
                </>
              )}
            </ChartCard>
          ) : null}
          <ChartCard title={t('chartQueues')} units={t('unitsTimeCount')}>
            {(w) => <QueueChart result={result} width={w} palette={palette} t={t} />}
          </ChartCard>
          <ChartCard title={t('chartUtilisation')} units={t('unitsUtil')}>
            {(w) => <UtilisationChart result={result} width={w} palette={palette} t={t} />}
          </ChartCard>
          <ChartCard title={t('chartCdf')} units={t('unitsCdf')}>
            {(w) => <CdfChart result={result} width={w} palette={palette} t={t} sloP99Ms={slo} />}
          </ChartCard>
          <StationTable result={result} theme={theme} t={t} />
        </div>
      ) : (
        <p className="muted">{t('noResult')}</p>
      )}
      {!presenting ? <ExportBar /> : null}
    </div>
  );
}
