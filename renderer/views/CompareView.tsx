// Compare: keep named snapshots of (scenario, result), pin one as A, and see the current result
// (B) beside it with deltas — green when B is better, red when worse; P99 judged against the
// editable SLO.
import { useId, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../store';
import { compareRows, selectPinnedA, type CompareRow } from '../store/selectors';
import { formatValue } from './Readouts';
import { useT } from '../ui/hooks';
import type { MessageKey } from '../i18n';
import { ChartCard } from '../charts/ChartCard';
import { CompareChart } from '../charts/CompareChart';
import { palettes } from '../ui/palette';

const METRIC: Record<CompareRow['metric'], { key: MessageKey; unit: 'rps' | 'ms' | 'ratio' }> = {
  throughput: { key: 'throughput', unit: 'rps' },
  p99: { key: 'p99', unit: 'ms' },
  p50: { key: 'p50', unit: 'ms' },
  errorRate: { key: 'errorRate', unit: 'ratio' },
  taskDelay: { key: 'taskDelay', unit: 'ms' },
};

/** The two A/B overlay charts: card title and the metric drawn. */
const COMPARE_CHARTS: readonly (readonly [MessageKey, 'p99_ms' | 'ok_rps'])[] = [
  ['compareP99', 'p99_ms'],
  ['compareThroughput', 'ok_rps'],
];

function signed(unit: 'rps' | 'ms' | 'ratio', d: number | null): string {
  if (d === null) return '—';
  const s = formatValue(unit, Math.abs(d));
  return d > 0 ? `+${s}` : d < 0 ? `−${s}` : s;
}

/** The compare view. */
export function CompareView() {
  const t = useT();
  const id = useId();
  const [name, setName] = useState('');
  const { snapshots, result, slo, pinnedA, takeSnapshot, removeSnapshot, pinA, setSlo, theme } =
    useApp(
      useShallow((s) => ({
        snapshots: s.snapshots,
        result: s.result,
        slo: s.sloP99Ms,
        pinnedA: s.pinnedA,
        takeSnapshot: s.takeSnapshot,
        removeSnapshot: s.removeSnapshot,
        pinA: s.pinA,
        setSlo: s.setSlo,
        theme: s.theme,
      })),
    );
  const a = useApp(selectPinnedA);
  const [sloText, setSloText] = useState<string | null>(null);
  const [sloWhy, setSloWhy] = useState<string | null>(null);
  const rows = useMemo(
    () => (a && result ? compareRows(a.result, result, slo) : []),
    [a, result, slo],
  );
  return (
    <section className="compare" aria-label={t('compare')}>
      <div className="row">
        <label htmlFor={`${id}-slo`}>{t('sloP99')}</label>
        <input
          id={`${id}-slo`}
          type="number"
          min={1}
          value={sloText ?? slo}
          aria-invalid={sloWhy !== null}
          aria-describedby={sloWhy !== null ? `${id}-slo-why` : undefined}
          onChange={(e) => {
            // a value the SLO cannot be is said, not quietly put back
            const text = e.currentTarget.value;
            const v = Number(text);
            setSloText(text);
            if (text.trim() !== '' && Number.isFinite(v) && v > 0) {
              setSloWhy(null);
              setSlo(v);
            } else setSloWhy(text.trim() === '' ? t('fieldEmpty') : t('sloPositive'));
          }}
          onBlur={() => setSloText(null)}
        />
        {sloWhy !== null ? (
          <span id={`${id}-slo-why`} role="alert" className="control-msg control-bad">
            {sloText === null ? t('sloNotApplied', { why: sloWhy, value: slo }) : sloWhy}
          </span>
        ) : null}
      </div>
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
                    </td>
                    <td
                      className={sloClass(r.bMeets)}
                      title={r.bMeets === null ? undefined : t(r.bMeets ? 'meetsSlo' : 'missesSlo')}
                    >
                      {formatValue(m.unit, r.b)}
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
            </tbody>
          </table>
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
                      sloP99Ms={slo}
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
