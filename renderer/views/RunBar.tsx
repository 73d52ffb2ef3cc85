// Run status under the readouts: a progress bar and Cancel while a run is going, the error of a
// failed run, or how long the last run took; and the saturating station by name, once the run
// that decides it is done (while a new run is going the old name would be a claim about a
// scenario no longer on screen).
import { roundSig } from '../format';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../store';
import { selectShown } from '../store/selectors';
import { useT } from '../ui/hooks';

/** Progress / cancel / status line; `onCancel` stops the running simulation. */
export function RunBar({ onCancel }: { onCancel: () => void }) {
  const t = useT();
  const { status, progress, error, latency, provisional, ofScenario, presenting } = useApp(
    useShallow((s) => ({
      presenting: s.presenting,
      status: s.runStatus,
      progress: s.progress,
      error: s.runError,
      latency: s.lastLatencyMs,
      provisional: s.provisional,
      ofScenario: s.resultScenario,
    })),
  );
  const { result } = useApp(useShallow(selectShown));
  return (
    <div className="runbar">
      {status === 'running' ? (
        <>
          <span>{t('running')}</span>
          <progress aria-label={t('progress')} max={1} value={progress} />
          <button type="button" onClick={onCancel}>
            {t('cancel')}
          </button>
        </>
      ) : null}
      {provisional && result && ofScenario ? (
        <span className="muted run-preview">
          {t('previewOf', { s: result.duration_s, total: ofScenario.duration_s })}
        </span>
      ) : null}
      {status === 'error' ? (
        <p role="alert" className="error">
          {t('runFailed')}: {error}
        </p>
      ) : null}
      {status === 'cancelled' ? <span className="muted">{t('cancelled')}</span> : null}
      {status === 'done' && latency !== null ? (
        <span className="muted run-timing">
          {t('wallTime', {
            ms: Math.round(result?.wall_ms ?? latency),
            total: Math.round(latency),
          })}
        </span>
      ) : null}
      {status === 'done' && result?.replications ? (
        <span className="muted run-replications">
          {result.replications.mode === 'repeat'
            ? t('runsRepeat', { n: result.replications.count })
            : t(result.replications.ci === 'wider' ? 'runsSplitWider' : 'runsSplit', {
                n: result.replications.count,
                s: roundSig(result.replications.measured_s, 3),
                b: result.replications.batches,
              })}
        </span>
      ) : null}
      {result && !(status === 'running' && !presenting) ? (
        <strong className={result.saturated ? 'saturated-name' : 'muted'}>
          {result.saturated ? t('saturated', { name: result.saturated }) : t('noSaturation')}
        </strong>
      ) : null}
    </div>
  );
}
