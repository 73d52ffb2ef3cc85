// Asks before a run that would take very long (sim-core/cost: over CONFIRM_EVENTS events, e.g.
// `duration_s: 1e9`): what it would simulate and roughly how long that takes here; nothing runs
// until "Run it anyway" (then Cancel stops it as any run), or "Shorten" brings the duration down.
import { useId } from 'react';
import { useApp, appStore } from '../store';
import { useT } from '../ui/hooks';
import { compactCount, roughDuration } from '../format';

/** Engine events a second in a browser's Web Worker (the sale-day profile: 24 M in about 20 s). */
const BROWSER_EVENTS_PER_S = 1.2e6;
/** The duration "Shorten" sets (s). */
const SHORT_S = 60;

/** The question shown in place of a run that waits for a yes. */
export function RunConfirm() {
  const t = useT();
  const id = useId();
  const ask = useApp((s) => s.runAsk);
  const lang = useApp((s) => s.language);
  if (!ask) return null;
  const shorten = () => {
    const st = appStore.getState();
    st.setScenario({ ...st.scenario, duration_s: SHORT_S });
  };
  return (
    <div
      className="run-confirm"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby={`${id}-t`}
      aria-describedby={`${id}-b`}
    >
      <strong id={`${id}-t`}>{t('longRunTitle')}</strong>
      <p id={`${id}-b`}>
        {t('longRunBody', {
          requests: compactCount(ask.requests, lang),
          rate: compactCount(ask.rate_rps, lang),
          seconds: compactCount(ask.simulated_s, lang),
          events: compactCount(ask.events, lang),
          time: roughDuration(ask.events / BROWSER_EVENTS_PER_S, lang),
        })}
      </p>
      <div className="row">
        <button type="button" onClick={() => appStore.getState().confirmRun()}>
          {t('longRunGo')}
        </button>
        <button type="button" onClick={shorten}>
          {t('longRunShorten', { s: SHORT_S })}
        </button>
      </div>
    </div>
  );
}
