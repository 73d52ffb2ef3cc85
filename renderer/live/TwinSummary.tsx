// The twin of a metrics source, as "Model this" fitted it: the arrival rate, service time and
// workers it took from the window, the P99 band its simulation gives beside the P99 observed, the
// Universal Scalability Law over the load levels when there were 3 or more (else why not), and
// the way to the scenario editor.
import type { ScenarioInput } from '../../sim-core/schema';
import { fmtNum as grouped, fmtSignedPct } from '../format';

/** The twin's figures read as one line of model output: no digit grouping (`3899 ms`). */
const fmtNum = (v: number | null | undefined) => grouped(v, 3, false);
import { useApp } from '../store';
import { useT } from '../ui/hooks';

export interface TwinSummaryProps {
  id: string;
  /** Opens the twin's scenario in the scenario editor. */
  onOpen?: (scenario: ScenarioInput) => void;
}

/** The twin of source `id`, or why it could not be fitted; nothing before "Model this". */
export function TwinSummary({ id, onOpen }: TwinSummaryProps) {
  const t = useT();
  const twin = useApp((s) => s.liveTwins[id]);
  if (!twin) return null;
  if (!('fit' in twin))
    return (
      <p className="error" role="alert">
        {t('liveModelThisError', { error: twin.error })}
      </p>
    );
  const { fit, band } = twin;
  const usl = fit.usl;
  return (
    <div className="live-twin" role="status" aria-label={t('liveTwin')}>
      <strong>{t('liveTwin')}</strong>:{' '}
      {t('liveTwinFit', {
        rps: fmtNum(fit.arrival_rps),
        mean: fmtNum(fit.service_mean_ms),
        p99: fmtNum(fit.service_p99_ms),
        workers: fit.workers,
      })}
      {band
        ? ` ${t('liveTwinBand', {
            low: fmtNum(band.p99Low),
            high: fmtNum(band.p99High),
            observed: fmtNum(fit.observed.latency_p99_ms),
          })}`
        : null}
      {twin.simulating ? <span className="muted"> ({t('running')})</span> : null}
      {fit.excluded
        ? ` (${
            fit.excluded.samples === 1
              ? t('liveTwinExcludedOne')
              : t('liveTwinExcluded', { n: fit.excluded.samples })
          })`
        : null}
      {twin.simError ? (
        <span className="error"> ({t('liveSimulationError', { error: twin.simError })})</span>
      ) : null}
      {usl ? (
        <details className="live-twin-usl">
          <summary>
            {t('liveTwinUsl', {
              levels: usl.levels.length,
              sigma: fmtNum(usl.sigma),
              kappa: fmtNum(usl.kappa),
              peak: usl.peak_concurrency === null ? '∞' : fmtNum(usl.peak_concurrency),
              r2: fmtNum(usl.r2),
            })}
          </summary>
          <ul aria-label={t('liveTwinResiduals')}>
            {usl.levels.map((l) => (
              <li key={l.concurrency}>
                {t('liveTwinLevel', {
                  n: fmtNum(l.concurrency),
                  x: fmtNum(l.throughput_rps),
                  fitted: fmtNum(l.fitted_rps),
                  resid: fmtSignedPct(l.residual),
                })}
              </li>
            ))}
          </ul>
        </details>
      ) : fit.usl_note ? (
        <span className="muted small"> {t('liveTwinNoUsl', { why: fit.usl_note })}</span>
      ) : null}
      {onOpen ? (
        <button type="button" onClick={() => onOpen(twin.scenario)}>
          {t('liveOpenTwin')}
        </button>
      ) : null}
    </div>
  );
}
