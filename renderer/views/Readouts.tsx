// The result readouts: Throughput, P99 latency, Error rate, P50 latency, Async backlog, Task
// delay — each a labelled status with its 95 % interval, and the analytic answer beside the
// simulated one where theory applies. Screen readers and tests find each by its name.
import { memo, useId, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../store';
import { readoutsOf, selectShown, type Readout } from '../store/selectors';
import type { AnalyticView } from '../sim/analytic';
import { fmtFig, fmtMs, fmtPct, fmtRps } from '../format';
import { useT } from '../ui/hooks';
import type { MessageKey } from '../i18n';

const LABEL: Record<Readout['key'], MessageKey> = {
  throughput: 'throughput',
  p99: 'p99',
  errorRate: 'errorRate',
  p50: 'p50',
  asyncBacklog: 'asyncBacklog',
  taskDelay: 'taskDelay',
};

/** Formats a readout value in its unit. */
export function formatValue(unit: Readout['unit'], v: number | null): string {
  if (v === null) return '—';
  return unit === 'rps'
    ? fmtRps(v)
    : unit === 'ms'
      ? fmtMs(v)
      : unit === 'ratio'
        ? fmtPct(v)
        : fmtFig(v);
}

function theoryFor(key: Readout['key'], a: AnalyticView | null): string | null {
  if (!a) return null;
  if (key === 'throughput' && a.throughput_rps !== undefined) return fmtRps(a.throughput_rps);
  if (key === 'p99' && a.p99_ms !== undefined) return fmtMs(a.p99_ms);
  if (key === 'p50' && a.p50_ms !== undefined) return fmtMs(a.p50_ms);
  if (key === 'errorRate' && a.error_rate !== undefined) return fmtPct(a.error_rate);
  return null;
}

const ReadoutTile = memo(function ReadoutTile({
  r,
  theory,
  theoryModel,
  seq,
  provisional,
}: {
  r: Readout;
  theory: string | null;
  theoryModel: string | null;
  seq: number;
  provisional: boolean;
}) {
  const t = useT();
  const id = useId();
  const na = r.value === null;
  return (
    <div className={`readout readout-${r.key}${provisional ? ' provisional' : ''}`}>
      <span id={`${id}-l`} className="readout-label">
        {t(LABEL[r.key])}
      </span>
      <output
        role="status"
        aria-labelledby={`${id}-l`}
        aria-live="polite"
        className="readout-value"
        data-seq={seq}
        data-provisional={provisional ? 'true' : 'false'}
      >
        {na ? t('notApplicable') : formatValue(r.unit, r.value)}
      </output>
      {!na && r.halfWidth !== undefined ? (
        <span className="readout-pm" title={t('ci')}>
          ± {formatValue(r.unit, r.halfWidth)}
        </span>
      ) : null}
      {!na && r.ci ? (
        <span className="readout-ci">
          {t('ci')}: {formatValue(r.unit, r.ci[0])} – {formatValue(r.unit, r.ci[1])}
        </span>
      ) : null}
      {theory ? (
        <span className="readout-theory" title={theoryModel ?? undefined}>
          {t('analytic')}: {theory}
        </span>
      ) : null}
    </div>
  );
});

/** The six readouts for the result on screen. */
export function Readouts() {
  const t = useT();
  const { result, analytic } = useApp(useShallow(selectShown));
  const readouts = useMemo(() => readoutsOf(result), [result]);
  const seq = useApp((s) => s.resultSeq);
  const provisional = useApp((s) => s.provisional);
  return (
    <section className="readouts" aria-label={t('readouts')}>
      {readouts.map((r) => (
        <ReadoutTile
          key={r.key}
          r={r}
          theory={theoryFor(r.key, analytic)}
          theoryModel={analytic?.model ?? null}
          seq={seq}
          provisional={provisional}
        />
      ))}
    </section>
  );
}
