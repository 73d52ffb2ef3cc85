// One source of the Live view: its name and state, its actions (slowlog for Redis, "Model this"
// for a metrics endpoint, disconnect), why it is down, the P99 breach (above the SLO for the hold
// time turns the panel red), the twin, its charts and its tables.
import { useMemo } from 'react';
import type { ScenarioInput } from '../../sim-core/schema';
import type { LiveSample, LiveSourceInfo } from '../api/types';
import { useApp } from '../store';
import { useT } from '../ui/hooks';
import { breach, flavour, STATE_KEY } from './model';
import { useLiveSession } from './session';
import { SourceCharts } from './SourceCharts';
import { SourceTables } from './SourceTables';
import { TwinSummary } from './TwinSummary';

const NONE: LiveSample[] = [];

export interface SourcePanelProps {
  info: LiveSourceInfo;
  /** Opens a twin's scenario in the scenario editor. */
  onOpenTwin?: (scenario: ScenarioInput) => void;
}

/** One source's panel. */
export function SourcePanel({ info, onOpenTwin }: SourcePanelProps) {
  const t = useT();
  const session = useLiveSession();
  const all = useApp((s) => s.liveSamples[info.id] ?? NONE);
  const frozenAt = useApp((s) => s.liveFrozenAt);
  const frozen = useApp((s) => s.liveFrozenSamples?.[info.id]);
  const now = useApp((s) => s.liveFrozenAt ?? s.liveNow);
  const windowMs = useApp((s) => s.liveWindowMin) * 60_000;
  const sloMs = useApp((s) => s.liveSloMs);
  const holdS = useApp((s) => s.liveHoldS);
  const workers = useApp((s) => s.liveTwinWorkers[info.id] ?? '');
  const setWorkers = useApp((s) => s.setLiveTwinWorkers);
  // Paused: what the source had when Pause was pressed (a source added since shows what it has
  // up to that moment).
  const samples = useMemo(
    () => (frozenAt === null ? all : (frozen ?? all.filter((s) => s.t <= frozenAt))),
    [all, frozen, frozenAt],
  );
  const latest = samples[samples.length - 1];
  const kind = flavour(info, latest);
  // The charts move on when a sample arrives, or by whole sampling intervals while none comes.
  const step = Math.max(250, info.interval_s * 1000);
  const chartNow =
    frozenAt ?? (latest && now - latest.t < 2 * step ? latest.t : Math.floor(now / step) * step);
  // The axis spans the window, or only the time there is data for while the window fills up.
  const first = samples.length ? samples[0].t : chartNow;
  const from = Math.max(chartNow - windowMs, Math.min(first, chartNow - 60_000));
  const p99 =
    kind === 'metrics'
      ? breach(
          samples.filter((s) => s.t >= from),
          'latency_p99_ms',
          sloMs,
          holdS,
        )
      : { breached: false, since: null };
  const down = info.state === 'down';
  const titleId = `panel-${info.id}`;
  return (
    <section
      className={`panel live-panel${p99.breached ? ' breach' : ''}${down ? ' down' : ''}`}
      aria-labelledby={titleId}
      data-state={info.state}
      data-breach={p99.breached ? 'yes' : 'no'}
    >
      <header className="live-panel-head">
        <h3 id={titleId}>
          {info.name}{' '}
          <span className={`live-badge state-${info.state}`}>{t(STATE_KEY[info.state])}</span>
        </h3>
        <div className="row">
          {kind === 'redis' && info.kind === 'redis' ? (
            <button
              type="button"
              aria-label={t('liveSlowlogOf', { name: info.name })}
              onClick={() => void session.slowlog(info.id)}
            >
              {t('liveSlowlog')}
            </button>
          ) : null}
          {kind === 'metrics' ? (
            <>
              <label htmlFor={`${titleId}-workers`}>{t('liveTwinWorkers')}</label>
              <input
                id={`${titleId}-workers`}
                type="number"
                min={1}
                placeholder={t('liveAuto')}
                className="live-workers"
                value={workers}
                onChange={(e) => setWorkers(info.id, e.target.value)}
              />
              <button
                type="button"
                aria-label={t('liveModelThisOf', { name: info.name })}
                onClick={() => void session.model(info.id)}
              >
                {t('liveModelThis')}
              </button>
            </>
          ) : null}
          <button
            type="button"
            aria-label={t('liveDisconnectOf', { name: info.name })}
            onClick={() => void session.disconnect(info.id)}
          >
            {t('liveDisconnect')}
          </button>
        </div>
      </header>
      {down ? (
        <p className="error" role="alert">
          {t('liveDown', { reason: info.reason ?? '' })}
        </p>
      ) : info.reason ? (
        <p className="muted small">{info.reason}</p>
      ) : null}
      {p99.breached ? (
        <p className="error" role="alert">
          {t('liveBreach', { slo: sloMs, s: Math.round((now - (p99.since ?? now)) / 1000) })}
        </p>
      ) : null}
      {latest?.warnings?.length ? (
        <p className="muted small">{latest.warnings.join('; ')}</p>
      ) : null}
      <TwinSummary id={info.id} onOpen={onOpenTwin} />
      <SourceCharts
        info={info}
        kind={kind}
        samples={samples}
        from={from}
        now={chartNow}
        windowMs={windowMs}
      />
      <SourceTables info={info} latest={latest} samples={samples.filter((s) => s.t >= from)} />
    </section>
  );
}
