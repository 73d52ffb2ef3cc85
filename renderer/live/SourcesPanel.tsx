// The sources at a glance (each with its state, why it is down and when it retries) and the Live
// view's controls: the window, pause and resume, the P99 threshold (SLO and hold time), recording,
// and replaying a recording; with the view's one message.
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { appStore, useApp } from '../store';
import type { LiveMessage, LiveWindowMin } from '../store/types';
import { useT } from '../ui/hooks';
import { STATE_KEY } from './model';
import { useLiveSession } from './session';

const WINDOWS: LiveWindowMin[] = [5, 15, 60];

/** The sources list and the toolbar. */
export function SourcesPanel() {
  const t = useT();
  const uid = useId();
  const session = useLiveSession();
  const s = useApp(
    useShallow((st) => ({
      sources: st.liveSources,
      now: st.liveNow,
      windowMin: st.liveWindowMin,
      paused: st.liveFrozenAt !== null,
      sloMs: st.liveSloMs,
      holdS: st.liveHoldS,
      recording: st.liveRecording,
      recordings: st.liveRecordings,
      replayPath: st.liveReplayPath,
      message: st.liveMessage,
    })),
  );
  const act = appStore.getState();
  const messageText = (m: LiveMessage) => ('text' in m ? m.text : t(m.key, m.vars));
  return (
    <section className="panel live-status" aria-labelledby={`${uid}-st`}>
      <h2 id={`${uid}-st`}>{t('liveSources')}</h2>
      {s.sources.length === 0 ? (
        <p className="muted">
          {t('liveNoSourcesBefore')} <code>npx peakline demo --redis redis://127.0.0.1:6379</code>
          {t('liveNoSourcesAfter')}
        </p>
      ) : (
        <ul className="live-sources" aria-label={t('liveSourceStates')}>
          {s.sources.map((src) => (
            <li key={src.id}>
              <span
                className={`live-badge state-${src.state}`}
                role="status"
                aria-label={t('liveIsState', { name: src.name, state: t(STATE_KEY[src.state]) })}
              >
                {t(STATE_KEY[src.state])}
              </span>
              <span>{src.name}</span>
              {src.reason ? <span className="muted small">{src.reason}</span> : null}
              {src.state === 'down' && src.next_retry ? (
                <span className="muted small">
                  {t('liveRetry', {
                    s: Math.max(0, Math.round((src.next_retry - s.now) / 1000)),
                    n: src.attempts,
                  })}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <label htmlFor={`${uid}-win`}>{t('liveWindow')}</label>
        <select
          id={`${uid}-win`}
          value={s.windowMin}
          onChange={(e) => act.setLiveWindow(Number(e.target.value) as LiveWindowMin)}
        >
          {WINDOWS.map((w) => (
            <option key={w} value={w}>
              {t('liveLastMin', { m: w })}
            </option>
          ))}
        </select>
        <button
          type="button"
          aria-pressed={s.paused}
          onClick={() => act.toggleLivePause(Date.now())}
        >
          {s.paused ? t('liveResume') : t('livePause')}
        </button>
        <label htmlFor={`${uid}-slo`}>{t('liveSloMs')}</label>
        <input
          id={`${uid}-slo`}
          className="live-number"
          type="number"
          min={1}
          value={s.sloMs}
          onChange={(e) => act.setLiveSlo(Number(e.target.value))}
        />
        <label htmlFor={`${uid}-hold`}>{t('liveForS')}</label>
        <input
          id={`${uid}-hold`}
          className="live-number"
          type="number"
          min={1}
          value={s.holdS}
          onChange={(e) => act.setLiveHold(Number(e.target.value))}
        />
        <button
          type="button"
          aria-pressed={s.recording !== null}
          onClick={() => void session.toggleRecord()}
        >
          {s.recording ? t('liveStopRecording') : t('liveRecord')}
        </button>
        <label htmlFor={`${uid}-rec`}>{t('liveRecording')}</label>
        <select
          id={`${uid}-rec`}
          value={s.replayPath}
          onChange={(e) => act.setLiveReplayPath(e.target.value)}
        >
          <option value="">{t('liveChoose')}</option>
          {s.recordings.map((r) => (
            <option key={r.path} value={r.path}>
              {r.name}
            </option>
          ))}
        </select>
        <button type="button" disabled={!s.replayPath} onClick={() => void session.replay()}>
          {t('liveReplay')}
        </button>
      </div>
      {s.recording ? <p className="small">{t('liveRecordingTo', { path: s.recording })}</p> : null}
      {s.message ? (
        <p className="small" role="status">
          {messageText(s.message)}
        </p>
      ) : null}
    </section>
  );
}
