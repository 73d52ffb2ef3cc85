// Compare: keep named snapshots of (scenario, result), pin one as A, and see the current result
// (B) beside it with deltas — green when B is better, red when worse; the async backlog against
// the queue's capacity, error causes and the saturating station; the scenario fields that differ;
// and a verdict per objective of the shared SLO set (plus: the async queue never fills — a change
// that fills it is never green).
import { p99Threshold } from '../store/sloSlice';
import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp, appStore } from '../store';
import {
  asyncCapacity,
  compareRows,
  errorCauses,
  scenarioDiff,
  selectPinnedA,
  sloVerdicts,
  type CompareRow,
  type SloVerdict,
} from '../store/selectors';
import { SloEditor } from './SloEditor';
import { fmtFig, fmtMs, fmtPct, fmtRps } from '../format';
import type { T } from '../i18n';
import type { SimResult } from '../../sim-core/result';
import { formatValue } from './Readouts';
import { useT } from '../ui/hooks';
import type { MessageKey } from '../i18n';
import { ChartCard } from '../charts/ChartCard';
import { CompareChart } from '../charts/CompareChart';
import { palettes } from '../ui/palette';

const METRIC: Record<
  CompareRow['metric'],
  { key: MessageKey; unit: 'rps' | 'ms' | 'ratio' | 'count' }
> = {
  throughput: { key: 'throughput', unit: 'rps' },
  p99: { key: 'p99', unit: 'ms' },
  p50: { key: 'p50', unit: 'ms' },
  errorRate: { key: 'errorRate', unit: 'ratio' },
  taskDelay: { key: 'taskDelay', unit: 'ms' },
  asyncBacklog: { key: 'asyncBacklogMax', unit: 'count' },
};

/** A metric's value as the verdict table shows it. */
function verdictValue(metric: string, v: number | null): string {
  if (v === null) return '—';
  if (metric === 'error_rate' || metric.startsWith('util:')) return fmtPct(v);
  if (metric === 'throughput') return fmtRps(v);
  if (metric === 'backlog_max') return fmtFig(v);
  return fmtMs(v);
}

/** What B fails, in words (empty when B meets every objective). */
function bFailures(rows: SloVerdict[], t: T): string[] {
  return rows.filter((r) => r.bMeets === false).map((r) => r.clause ?? t('queueNeverFills'));
}

/** The two A/B overlay charts: card title and the metric drawn. */
const COMPARE_CHARTS: readonly (readonly [MessageKey, 'p99_ms' | 'ok_rps'])[] = [
  ['compareP99', 'p99_ms'],
  ['compareThroughput', 'ok_rps'],
];

function signed(unit: 'rps' | 'ms' | 'ratio' | 'count', d: number | null): string {
  if (d === null) return '—';
  const s = formatValue(unit, Math.abs(d));
  return d > 0 ? `+${s}` : d < 0 ? `−${s}` : s;
}

/** `pool_timeout 12, client_timeout 3`, or none. */
function causesText(r: SimResult, t: T): string {
  const list = errorCauses(r);
  return list.length === 0 ? t('noErrors') : list.map(([k, n]) => `${k} ${fmtFig(n)}`).join(', ');
}

/** The compare view. */
export function CompareView() {
  const t = useT();
  const [name, setName] = useState('');
  const { snapshots, result, resultScenario, scenario, slo, sloP99, pinnedA } = useApp(
    useShallow((s) => ({
      snapshots: s.snapshots,
      result: s.result,
      resultScenario: s.resultScenario,
      scenario: s.scenario,
      slo: s.slo,
      sloP99: p99Threshold(s.slo),
      pinnedA: s.pinnedA,
    })),
  );
  const { takeSnapshot, removeSnapshot, pinA } = appStore.getState();
  const theme = useApp((s) => s.theme);
  const a = useApp(selectPinnedA);
  const bScenario = resultScenario ?? scenario;
  const caps = useMemo(
    () => ({ a: a ? asyncCapacity(a.scenario) : null, b: asyncCapacity(bScenario) }),
    [a, bScenario],
  );
  const rows = useMemo(
    () => (a && result ? compareRows(a.result, result, sloP99, caps) : []),
    [a, result, sloP99, caps],
  );
  const verdicts = useMemo(
    () => (a && result ? sloVerdicts(a.result, result, slo, caps) : []),
    [a, result, slo, caps],
  );
  const diff = useMemo(() => (a ? scenarioDiff(a.scenario, bScenario) : []), [a, bScenario]);
  const fails = bFailures(verdicts, t);
  return (
    <section className="compare" aria-label={t('compare')}>
      <SloEditor />
      <div className="row">
        <input
          aria-label={t('snapshotName')}
          value={name}
          placeholder={t('snapshotName')}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <button
          type="button"
          disabled={!result}
          onClick={() => {
            takeSnapshot(name);
            setName('');
          }}
        >
          {t('takeSnapshot')}
        </button>
        <button
          type="button"
          disabled={!result}
          onClick={() => {
            const sid = takeSnapshot(name || undefined);
            if (sid) pinA(sid);
            setName('');
          }}
        >
          {t('pinCurrentA')}
        </button>
      </div>
      <h3>{t('snapshots')}</h3>
      {snapshots.length === 0 ? <p className="muted">{t('noSnapshots')}</p> : null}
      <ul className="snapshots">
        {snapshots.map((s) => (
          <li key={s.id} className={s.id === pinnedA ? 'pinned' : ''}>
            <span className="snap-name">
              {s.id === pinnedA ? <strong className="pin-badge">{t('pinned')}</strong> : null}{' '}
              {s.name}
            </span>
            <span className="muted">
              P99 {formatValue('ms', s.result.latency_ms.p99)} ·{' '}
              {formatValue('rps', s.result.throughput_rps)}
            </span>
            <button type="button" onClick={() => pinA(s.id)} aria-label={`${t('pinA')}: ${s.name}`}>
              {t('pinA')}
            </button>
            <button
              type="button"
              onClick={() => removeSnapshot(s.id)}
              aria-label={`${t('remove')}: ${s.name}`}
            >
              {t('remove')}
            </button>
          </li>
        ))}
      </ul>
      {a && result ? (
        <>
          <table className="compare-table" aria-label={t('comparisonTable')}>
            <thead>
              <tr>
                <th scope="col">{t('metric')}</th>
                <th scope="col">
                  {t('columnA')}: {a.name}
                </th>
                <th scope="col">{t('columnB')}</th>
                <th scope="col">{t('delta')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const m = METRIC[r.metric];
                const sloClass = (meets: boolean | null) =>
                  meets === null ? '' : meets ? 'meets' : 'misses';
                return (
                  <tr key={r.metric}>
                    <th scope="row">{t(m.key)}</th>
                    <td
                      className={sloClass(r.aMeets)}
                      title={r.aMeets === null ? undefined : t(r.aMeets ? 'meetsSlo' : 'missesSlo')}
                    >
                      {formatValue(m.unit, r.a)}
                      {r.metric === 'asyncBacklog' && r.aMeets === false && caps.a !== null ? (
                        <span className="queue-full">
                          {' '}
                          ({t('queueFullOf', { n: fmtFig(r.a ?? 0), cap: fmtFig(caps.a) })})
                        </span>
                      ) : null}
                    </td>
                    <td
                      className={sloClass(r.bMeets)}
                      title={r.bMeets === null ? undefined : t(r.bMeets ? 'meetsSlo' : 'missesSlo')}
                    >
                      {formatValue(m.unit, r.b)}
                      {r.metric === 'asyncBacklog' && r.bMeets === false && caps.b !== null ? (
                        <span className="queue-full">
                          {' '}
                          ({t('queueFullOf', { n: fmtFig(r.b ?? 0), cap: fmtFig(caps.b) })})
                        </span>
                      ) : null}
                      {r.bMeets !== null ? (
                        <span className="sr-only"> ({t(r.bMeets ? 'meetsSlo' : 'missesSlo')})</span>
                      ) : null}
                    </td>
                    <td className={`delta ${r.verdict}`} data-verdict={r.verdict}>
                      {signed(m.unit, r.delta)}
                    </td>
                  </tr>
                );
              })}
              <tr>
                <th scope="row">{t('errorCauses')}</th>
                <td>{causesText(a.result, t)}</td>
                <td>{causesText(result, t)}</td>
                <td />
              </tr>
              <tr>
                <th scope="row">{t('saturatingStation')}</th>
                <td>{a.result.saturated ?? t('noErrors')}</td>
                <td>{result.saturated ?? t('noErrors')}</td>
                <td
                  className={`delta ${a.result.saturated === result.saturated ? 'same' : ''}`}
                  data-verdict={a.result.saturated === result.saturated ? 'same' : 'changed'}
                >
                  {a.result.saturated === result.saturated ? '' : '≠'}
                </td>
              </tr>
            </tbody>
          </table>
          <p
            role="status"
            className={`compare-verdict ${fails.length === 0 ? 'meets' : 'misses'}`}
            data-meets={fails.length === 0}
          >
            {fails.length === 0 ? t('verdictB') : t('verdictBFails', { what: fails.join(', ') })}
          </p>
          <table className="compare-table slo-verdicts" aria-label={t('sloVerdicts')}>
            <thead>
              <tr>
                <th scope="col">{t('planObjective')}</th>
                <th scope="col">
                  {t('columnA')}: {a.name}
                </th>
                <th scope="col">{t('columnB')}</th>
              </tr>
            </thead>
            <tbody>
              {verdicts.map((v) => (
                <tr key={v.clause ?? 'queue'}>
                  <th scope="row">{v.clause ?? t('queueNeverFills')}</th>
                  {(
                    [
                      [v.a, v.aMeets],
                      [v.b, v.bMeets],
                    ] as const
                  ).map(([x, meets], i) => (
                    <td
                      key={i}
                      className={meets === null ? '' : meets ? 'meets' : 'misses'}
                      data-meets={meets === null ? 'n/a' : String(meets)}
                    >
                      {verdictValue(v.metric, x)}{' '}
                      {meets === null ? '' : `(${t(meets ? 'meetsSlo' : 'missesSlo')})`}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('diffFields')}</h3>
          {diff.length === 0 ? (
            <p className="muted">{t('noDiff')}</p>
          ) : (
            <ul className="diff-fields" aria-label={t('diffFields')}>
              {diff.map((d) => (
                <li key={d.path}>
                  <code>{d.path}</code>: {d.a} → {d.b}
                </li>
              ))}
            </ul>
          )}
          {a.result.series && result.series ? (
            <>
              {COMPARE_CHARTS.map(([title, metric]) => (
                <ChartCard
                  key={metric}
                  title={t(title)}
                  units={t(metric === 'p99_ms' ? 'unitsTimeMs' : 'unitsTimeRate')}
                >
                  {(w) => (
                    <CompareChart
                      a={a.result}
                      b={result}
                      metric={metric}
                      width={w}
                      palette={palettes[theme]}
                      sloP99Ms={sloP99}
                      labelA={`A: ${a.name}`}
                      labelB={t('columnB')}
                      axisLabels={{
                        x: t('axTime'),
                        y: t(metric === 'p99_ms' ? 'axLatency' : 'axRate'),
                      }}
                    />
                  )}
                </ChartCard>
              ))}
            </>
          ) : null}
        </>
      ) : (
        <p className="muted">{t('noPin')}</p>
      )}
    </section>
  );
}
