// The SLO editor: the one set of objectives (store: sloSlice) that Compare, Sweep and Plan judge
// by, one row per clause (metric, comparison, threshold; a station for `util`). Each view shows the
// same editor over the same set, so a change made in one is what the others use.
import { useState } from 'react';
import { useApp, appStore } from '../store';
import {
  PLAN_METRICS,
  formatClause,
  type PlanMetric,
  type SloClause,
  type SloOp,
} from '../../sim-core/plan/slo';
import { useT } from '../ui/hooks';
import type { MessageKey } from '../i18n';

/** The dictionary entry naming each metric (with its unit). */
export const METRIC_LABEL: Record<PlanMetric, MessageKey> = {
  p50: 'mP50',
  p90: 'mP90',
  p99: 'mP99',
  p999: 'mP999',
  mean: 'mMean',
  max: 'mMax',
  error_rate: 'mErrorRate',
  throughput: 'mThroughput',
  task_delay_p99: 'mTaskDelay',
  backlog_max: 'mBacklogMax',
  util: 'mUtil',
};

const OPS: SloOp[] = ['<=', '<', '>=', '>'];
const OP_TEXT: Record<SloOp, string> = { '<=': '≤', '<': '<', '>=': '≥', '>': '>' };

/** A sensible threshold for a metric just chosen. */
const DEFAULT_VALUE: Record<PlanMetric, number> = {
  p50: 50,
  p90: 100,
  p99: 200,
  p999: 500,
  mean: 50,
  max: 1000,
  error_rate: 0.01,
  throughput: 1000,
  task_delay_p99: 1000,
  backlog_max: 900,
  util: 0.8,
};

function ClauseRow({ clause, index }: { clause: SloClause; index: number }) {
  const t = useT();
  const [text, setText] = useState<string | null>(null);
  const [why, setWhy] = useState<string | null>(null);
  const replace = (c: SloClause) => {
    const slo = [...appStore.getState().slo];
    slo[index] = c;
    appStore.getState().setSloClauses(slo);
  };
  const n = index + 1;
  const isMs = PLAN_METRICS[clause.metric].unit === 'ms';
  const label =
    clause.metric === 'p99' && clause.op === '<='
      ? t('sloP99')
      : t('sloValueOf', {
          metric: t(METRIC_LABEL[clause.metric]) + (clause.station ? ` ${clause.station}` : ''),
          op: OP_TEXT[clause.op],
        });
  return (
    <li className="slo-clause row">
      <select
        aria-label={t('sloMetricOf', { n })}
        value={clause.metric}
        onChange={(e) => {
          const metric = e.currentTarget.value as PlanMetric;
          const higher = metric === 'throughput';
          replace({
            metric,
            op: higher ? '>=' : '<=',
            value: DEFAULT_VALUE[metric],
            ...(metric === 'util' ? { station: clause.station ?? 'db_pool' } : {}),
          });
          setText(null);
          setWhy(null);
        }}
      >
        {(Object.keys(PLAN_METRICS) as PlanMetric[]).map((m) => (
          <option key={m} value={m}>
            {t(METRIC_LABEL[m])}
          </option>
        ))}
      </select>
      {clause.metric === 'util' ? (
        <input
          className="slo-station"
          aria-label={t('sloStationOf', { n })}
          value={clause.station ?? ''}
          onChange={(e) => {
            const station = e.currentTarget.value.trim();
            if (station) replace({ ...clause, station });
          }}
        />
      ) : null}
      <select
        aria-label={t('sloOpOf', { n })}
        value={clause.op}
        onChange={(e) => replace({ ...clause, op: e.currentTarget.value as SloOp })}
      >
        {OPS.map((o) => (
          <option key={o} value={o}>
            {OP_TEXT[o]}
          </option>
        ))}
      </select>
      <input
        type="number"
        className="slo-value"
        aria-label={label}
        min={0}
        step="any"
        value={text ?? clause.value}
        aria-invalid={why !== null}
        onChange={(e) => {
          // a value the SLO cannot be is said, not quietly put back
          const raw = e.currentTarget.value;
          const v = Number(raw);
          setText(raw);
          if (raw.trim() === '') return setWhy(t('fieldEmpty'));
          if (!Number.isFinite(v)) return setWhy(t('sloNumber'));
          if (isMs && v <= 0) return setWhy(t('sloPositive'));
          if (v < 0) return setWhy(t('sloNumber'));
          setWhy(null);
          replace({ ...clause, value: v });
        }}
        onBlur={() => setText(null)}
      />
      {why !== null ? (
        <span role="alert" className="control-msg control-bad">
          {text === null && clause.metric === 'p99'
            ? t('sloNotApplied', { why, value: clause.value })
            : why}
        </span>
      ) : null}
      <button
        type="button"
        className="small"
        aria-label={t('sloRemove', { clause: formatClause(clause) })}
        onClick={() => {
          const slo = appStore.getState().slo.filter((_, i) => i !== index);
          appStore.getState().setSloClauses(slo);
        }}
      >
        ×
      </button>
    </li>
  );
}

/** The shared SLO set, editable. */
export function SloEditor() {
  const t = useT();
  const slo = useApp((s) => s.slo);
  return (
    <fieldset className="slo-editor">
      <legend>{t('sloSet')}</legend>
      <p className="muted small-text">{t('sloShared')}</p>
      {slo.length === 0 ? <p className="muted">{t('sloEmpty')}</p> : null}
      <ul className="slo-clauses">
        {slo.map((c, i) => (
          <ClauseRow key={`${i}-${c.metric}`} clause={c} index={i} />
        ))}
      </ul>
      <button
        type="button"
        onClick={() => {
          const used = new Set(appStore.getState().slo.map((c) => c.metric));
          const metric =
            (['p99', 'error_rate', 'backlog_max', 'task_delay_p99', 'p999'] as PlanMetric[]).find(
              (m) => !used.has(m),
            ) ?? 'p50';
          appStore
            .getState()
            .setSloClauses([
              ...appStore.getState().slo,
              { metric, op: '<=', value: DEFAULT_VALUE[metric] },
            ]);
        }}
      >
        {t('sloAdd')}
      </button>
    </fieldset>
  );
}
