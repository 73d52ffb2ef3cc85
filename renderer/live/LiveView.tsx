// The Live view: connect Redis servers and clusters, metrics endpoints and this host; see each
// source's state at a glance and its figures as charts over the last 5 / 15 / 60 minutes; pause
// and resume; a node table for clusters; the slowlog; thresholds that turn a panel red (P99 above
// the SLO for 30 s); recording and replay; and "Model this" — the twin: a scenario fitted to
// the recorded window, simulated, its band drawn over the live series, and handed to the app.
// Samples arrive as pushed events; the view redraws at most twice a second.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ScenarioInput } from '../../sim-core/schema';
import { simulate } from '../../sim-core/index';
import { getApi } from '../api/client';
import type { LiveSample, LiveSourceInfo, PeaklineApi, ReplyOf } from '../api/types';
import { ConnectionDialog } from './ConnectionDialog';
import { LiveChart, type LiveLine } from './LiveChart';
import {
  bandFromResult,
  breach,
  chartPoints,
  fmtBytes,
  fmtNum,
  type ConnectRequest,
  type TwinBand,
} from './model';
import { useLiveT, type LiveDictionary } from './i18n';
import './live.css';

export interface LiveViewProps {
  /** The API (defaults to `getApi()`); null shows that live monitoring is unavailable. */
  api?: PeaklineApi | null;
  /** Receives the twin scenario when the user opens it in the scenario editor. */
  onModel?: (scenario: ScenarioInput) => void;
}

type Fit = ReplyOf<'live:model'>['fit'];
type Twin = { scenario: ScenarioInput; fit: Fit; band: TwinBand | null; error: string | null };
type SlowEntry = ReplyOf<'live:slowlog'>['entries'][number];

const WINDOWS = [5, 15, 60] as const;
const KEEP_MS = 61 * 60_000;
const COLORS = ['#1f6fd1', '#d1651f', '#167a43', '#8a3ffc', '#c2185b'];

const line = (key: string, name: string, i: number): LiveLine => ({
  key,
  name,
  color: COLORS[i % COLORS.length],
});

/** What kind of figures a sample carries (a replay keeps the kind of what was recorded). */
function flavour(
  info: LiveSourceInfo,
  sample: LiveSample | undefined,
): 'redis' | 'metrics' | 'host' {
  if (info.kind !== 'replay') return info.kind;
  const m = sample?.metrics ?? {};
  if ('ops_per_sec' in m) return 'redis';
  if ('request_rate' in m) return 'metrics';
  return 'host';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function safeApi(): PeaklineApi | null {
  try {
    return getApi();
  } catch {
    return null;
  }
}

/** The Live tab's content. */
export function LiveView({ api: apiProp, onModel }: LiveViewProps) {
  const api = useMemo(() => (apiProp !== undefined ? apiProp : safeApi()), [apiProp]);
  const t = useLiveT();
  const tRef = useRef(t);
  tRef.current = t;
  const uid = useId();
  const [sources, setSources] = useState<Map<string, LiveSourceInfo>>(new Map());
  const samples = useRef(new Map<string, LiveSample[]>());
  const dirty = useRef(false);
  const [version, setVersion] = useState(0);
  const [windowMin, setWindowMin] = useState<(typeof WINDOWS)[number]>(5);
  const [frozenAt, setFrozenAt] = useState<number | null>(null);
  const [sloMs, setSloMs] = useState(200);
  const [holdS, setHoldS] = useState(30);
  const [recording, setRecording] = useState<string | null>(null);
  const [recordings, setRecordings] = useState<ReplyOf<'live:recordings'>['recordings']>([]);
  const [replayPath, setReplayPath] = useState('');
  // A message is kept as a function of the dictionary, so it follows a language switch.
  const [message, setMessage] = useState<((t: LiveDictionary) => string) | null>(null);
  const [twins, setTwins] = useState<Record<string, Twin | { error: string }>>({});
  const [slowlogs, setSlowlogs] = useState<Record<string, SlowEntry[] | string>>({});
  const [now, setNow] = useState(() => Date.now());
  const [canRemember, setCanRemember] = useState(false);

  const upsertSource = useCallback((info: LiveSourceInfo) => {
    setSources((m) => new Map(m).set(info.id, info));
  }, []);

  const addSample = useCallback((s: LiveSample) => {
    let list = samples.current.get(s.id);
    if (!list) {
      list = [];
      samples.current.set(s.id, list);
    }
    if (list.length && list[list.length - 1].t > s.t) {
      list.push(s);
      list.sort((a, b) => a.t - b.t);
    } else list.push(s);
    const cut = s.t - KEEP_MS;
    if (list[0].t < cut) {
      const i = list.findIndex((x) => x.t >= cut);
      list.splice(0, i < 0 ? list.length : i);
    }
    dirty.current = true;
  }, []);

  // Events first, then what the Node side already holds.
  useEffect(() => {
    if (!api) return;
    const offSample = api.onLiveSample((s) => addSample(s));
    const offStatus = api.onLiveStatus((info) => upsertSource(info));
    let cancelled = false;
    void (async () => {
      try {
        const [{ sources: list }, { samples: held }] = await Promise.all([
          api.liveList(),
          api.liveHistory({ window_s: 3600 }),
        ]);
        if (cancelled) return;
        setSources((m) => {
          const next = new Map(m);
          for (const s of list) if (!next.has(s.id)) next.set(s.id, s);
          return next;
        });
        for (const s of held) {
          const have = samples.current.get(s.id);
          if (!have?.some((x) => x.t === s.t)) addSample(s);
        }
        const recs = await api.liveRecordings();
        if (!cancelled) setRecordings(recs.recordings);
      } catch (e) {
        if (!cancelled) setMessage(() => (d: LiveDictionary) => d.liveError(errorText(e)));
      }
    })();
    return () => {
      cancelled = true;
      offSample();
      offStatus();
    };
  }, [api, addSample, upsertSource]);

  // Only a shell that can encrypt (the desktop app) offers to remember passwords.
  useEffect(() => {
    if (!api) return;
    let cancelled = false;
    void (async () => {
      let can = false;
      try {
        can = (await api.liveSecrets()).can_remember;
      } catch {
        // an older shell, or none: passwords stay in memory only
      }
      if (!cancelled) setCanRemember(can);
    })();
    return () => {
      cancelled = true;
    };
  }, [api]);

  // Redraw at most twice a second, only when something arrived.
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
      if (dirty.current) {
        dirty.current = false;
        setVersion((v) => v + 1);
      }
    }, 500);
    return () => clearInterval(timer);
  }, []);

  const connect = useCallback(
    async (reqs: ConnectRequest[]): Promise<string | null> => {
      if (!api) return tRef.current.notAvailable;
      const errors: string[] = [];
      for (const r of reqs) {
        try {
          await api.liveConnect(r);
        } catch (e) {
          errors.push(errorText(e));
        }
      }
      try {
        const { sources: list } = await api.liveList();
        setSources(new Map(list.map((s) => [s.id, s])));
      } catch {
        // the status events will tell
      }
      return errors.length ? errors.join('; ') : null;
    },
    [api],
  );

  const remember = useCallback(
    async (id: string, password: string): Promise<string | null> => {
      if (!api) return tRef.current.notAvailable;
      try {
        await api.liveSecretSave({ id, password });
        return null;
      } catch (e) {
        return errorText(e);
      }
    },
    [api],
  );

  const forget = useCallback(
    (id: string) => {
      void api
        ?.liveSecretForget({ id })
        .catch((e: unknown) => setMessage(() => () => errorText(e)));
    },
    [api],
  );

  const disconnect = async (id: string) => {
    if (!api) return;
    try {
      await api.liveDisconnect({ id });
    } catch (e) {
      setMessage(() => () => errorText(e));
    }
    samples.current.delete(id);
    setSources((m) => {
      const next = new Map(m);
      next.delete(id);
      return next;
    });
  };

  const toggleRecord = async () => {
    if (!api) return;
    try {
      if (recording) {
        const r = await api.liveRecordStop();
        setRecording(null);
        const file = r.path;
        setMessage(file ? () => (d: LiveDictionary) => d.recorded(r.samples, file) : null);
        setRecordings((await api.liveRecordings()).recordings);
      } else {
        setRecording((await api.liveRecordStart()).path);
        setMessage(null);
      }
    } catch (e) {
      setMessage(() => () => errorText(e));
    }
  };

  const replay = async () => {
    if (!api || !replayPath) return;
    try {
      const r = await api.liveReplay({ path: replayPath, speed: 0 });
      setMessage(() => (d: LiveDictionary) => d.replaying(r.samples));
      const { sources: list } = await api.liveList();
      setSources(new Map(list.map((s) => [s.id, s])));
      const { samples: held } = await api.liveHistory({ window_s: 3600 });
      for (const s of held)
        if (r.ids.includes(s.id) && !samples.current.get(s.id)?.some((x) => x.t === s.t))
          addSample(s);
      setVersion((v) => v + 1);
    } catch (e) {
      setMessage(() => () => errorText(e));
    }
  };

  const modelThis = async (id: string, workers: number | undefined) => {
    if (!api) return;
    const to = frozenAt ?? Date.now();
    try {
      const { scenario, fit } = await api.liveModel({
        id,
        from: to - windowMin * 60_000,
        to,
        duration_s: 30,
        ...(workers ? { workers } : {}),
      });
      let band: TwinBand | null = null;
      let error: string | null = null;
      try {
        // Keep the band run small: at most ~200k arrivals.
        const duration = Math.max(5, Math.min(30, 200_000 / Math.max(1, fit.arrival_rps)));
        const result = simulate(
          { ...scenario, duration_s: duration, warmup_s: Math.min(2, duration / 5) },
          { series: true },
        );
        band = bandFromResult(result);
      } catch (e) {
        error = t.simulationError(errorText(e));
      }
      setTwins((t) => ({ ...t, [id]: { scenario, fit, band, error } }));
    } catch (e) {
      setTwins((t) => ({ ...t, [id]: { error: errorText(e) } }));
    }
  };

  const loadSlowlog = async (id: string) => {
    if (!api) return;
    try {
      const { entries } = await api.liveSlowlog({ id, count: 10 });
      setSlowlogs((s) => ({ ...s, [id]: entries }));
    } catch (e) {
      setSlowlogs((s) => ({ ...s, [id]: errorText(e) }));
    }
  };

  if (!api) {
    return <p className="muted">{t.needsServer}</p>;
  }

  const viewNow = frozenAt ?? now;
  const windowMs = windowMin * 60_000;
  const list = [...sources.values()];
  void version; // redraw marker

  return (
    <div className="live-view">
      <div className="live-top">
        <ConnectionDialog
          onConnect={connect}
          canRemember={canRemember}
          onRemember={remember}
          onForget={forget}
        />
        <section className="live-status" aria-labelledby={`${uid}-st`}>
          <h2 id={`${uid}-st`}>{t.sources}</h2>
          {list.length === 0 ? (
            <p className="muted">
              {t.noSourcesBefore} <code>npx peakline demo --redis redis://127.0.0.1:6379</code>
              {t.noSourcesAfter}
            </p>
          ) : (
            <ul className="live-sources" aria-label={t.sourceStates}>
              {list.map((s) => (
                <li key={s.id} className={`live-source state-${s.state}`}>
                  <span
                    className={`live-badge state-${s.state}`}
                    role="status"
                    aria-label={t.isState(s.name, s.state)}
                  >
                    {t.state(s.state)}
                  </span>
                  <span className="live-source-name">{s.name}</span>
                  {s.reason ? <span className="live-reason small">{s.reason}</span> : null}
                  {s.state === 'down' && s.next_retry ? (
                    <span className="muted small">
                      {t.retry(Math.max(0, Math.round((s.next_retry - now) / 1000)), s.attempts)}
                    </span>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
          <div className="live-toolbar">
            <label htmlFor={`${uid}-win`}>{t.window}</label>
            <select
              id={`${uid}-win`}
              value={windowMin}
              onChange={(e) => setWindowMin(Number(e.target.value) as (typeof WINDOWS)[number])}
            >
              {WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {t.lastMin(w)}
                </option>
              ))}
            </select>
            <button
              type="button"
              aria-pressed={frozenAt !== null}
              onClick={() => setFrozenAt(frozenAt === null ? Date.now() : null)}
            >
              {frozenAt === null ? t.pause : t.resume}
            </button>
            <label htmlFor={`${uid}-slo`}>{t.sloMs}</label>
            <input
              id={`${uid}-slo`}
              type="number"
              min={1}
              value={sloMs}
              onChange={(e) => setSloMs(Math.max(1, Number(e.target.value) || 1))}
            />
            <label htmlFor={`${uid}-hold`}>{t.forS}</label>
            <input
              id={`${uid}-hold`}
              type="number"
              min={1}
              value={holdS}
              onChange={(e) => setHoldS(Math.max(1, Number(e.target.value) || 1))}
            />
            <button
              type="button"
              aria-pressed={recording !== null}
              onClick={() => void toggleRecord()}
            >
              {recording ? t.stopRecording : t.record}
            </button>
            <label htmlFor={`${uid}-rec`}>{t.recording}</label>
            <select
              id={`${uid}-rec`}
              value={replayPath}
              onChange={(e) => setReplayPath(e.target.value)}
            >
              <option value="">{t.choose}</option>
              {recordings.map((r) => (
                <option key={r.path} value={r.path}>
                  {r.name}
                </option>
              ))}
            </select>
            <button type="button" disabled={!replayPath} onClick={() => void replay()}>
              {t.replay}
            </button>
          </div>
          {recording ? <p className="small">{t.recordingTo(recording)}</p> : null}
          {message ? (
            <p className="small" role="status">
              {message(t)}
            </p>
          ) : null}
        </section>
      </div>
      {list.map((info) => {
        const all = samples.current.get(info.id) ?? [];
        const shown = frozenAt === null ? all : all.filter((s) => s.t <= frozenAt);
        return (
          <SourcePanel
            key={info.id}
            info={info}
            samples={shown}
            now={viewNow}
            windowMs={windowMs}
            sloMs={sloMs}
            holdS={holdS}
            twin={twins[info.id]}
            slowlog={slowlogs[info.id]}
            t={t}
            onDisconnect={() => void disconnect(info.id)}
            onModel={(workers) => void modelThis(info.id, workers)}
            onOpenTwin={onModel ? (s) => onModel(s) : undefined}
            onSlowlog={() => void loadSlowlog(info.id)}
          />
        );
      })}
    </div>
  );
}

interface SourcePanelProps {
  info: LiveSourceInfo;
  samples: LiveSample[];
  now: number;
  windowMs: number;
  sloMs: number;
  holdS: number;
  twin: Twin | { error: string } | undefined;
  slowlog: SlowEntry[] | string | undefined;
  onDisconnect: () => void;
  /** Fit the twin; `workers` as configured, or undefined to take the workers gauge. */
  onModel: (workers: number | undefined) => void;
  onOpenTwin?: (scenario: ScenarioInput) => void;
  onSlowlog: () => void;
  t: LiveDictionary;
}

/** One source: state, charts, node and queue tables, and its actions. */
function SourcePanel(p: SourcePanelProps) {
  const { info, samples, now, windowMs, t } = p;
  const latest = samples[samples.length - 1];
  const kind = flavour(info, latest);
  // The axis spans the window, or only the time there is data for while the window fills up.
  const first = samples.length ? samples[0].t : now;
  const from = Math.max(now - windowMs, Math.min(first, now - 60_000));
  const inWindow = samples.filter((s) => s.t >= from);
  const pts = (keys: string[]) => chartPoints(samples, keys, now, windowMs);
  const p99 =
    kind === 'metrics'
      ? breach(inWindow, 'latency_p99_ms', p.sloMs, p.holdS)
      : { breached: false, since: null };
  const twin = p.twin && 'fit' in p.twin ? p.twin : null;
  const twinError = p.twin ? ('fit' in p.twin ? p.twin.error : p.twin.error) : null;
  const down = info.state === 'down';
  const cls = `live-panel${p99.breached ? ' breach' : ''}${down ? ' down' : ''}`;
  const titleId = `panel-${info.id}`;
  const [workers, setWorkers] = useState('');
  return (
    <section
      className={cls}
      aria-labelledby={titleId}
      data-state={info.state}
      data-breach={p99.breached ? 'yes' : 'no'}
    >
      <header className="live-panel-head">
        <h3 id={titleId}>
          {info.name}{' '}
          <span className={`live-badge state-${info.state}`}>{t.state(info.state)}</span>
        </h3>
        <div className="row">
          {kind === 'redis' && info.kind === 'redis' ? (
            <button type="button" aria-label={t.slowlogOf(info.name)} onClick={p.onSlowlog}>
              {t.slowlog}
            </button>
          ) : null}
          {kind === 'metrics' ? (
            <>
              <label htmlFor={`${titleId}-workers`}>{t.twinWorkers}</label>
              <input
                id={`${titleId}-workers`}
                type="number"
                min={1}
                placeholder={t.auto}
                className="live-workers"
                value={workers}
                onChange={(e) => setWorkers(e.target.value)}
              />
              <button
                type="button"
                aria-label={t.modelThisOf(info.name)}
                onClick={() =>
                  p.onModel(Number(workers) >= 1 ? Math.round(Number(workers)) : undefined)
                }
              >
                {t.modelThis}
              </button>
            </>
          ) : null}
          <button type="button" aria-label={t.disconnectOf(info.name)} onClick={p.onDisconnect}>
            {t.disconnect}
          </button>
        </div>
      </header>
      {down ? (
        <p className="error" role="alert">
          {t.down(info.reason ?? '')}
        </p>
      ) : info.reason ? (
        <p className="live-reason small">{info.reason}</p>
      ) : null}
      {p99.breached ? (
        <p className="error" role="alert">
          {t.breach(p.sloMs, Math.round((now - (p99.since ?? now)) / 1000))}
        </p>
      ) : null}
      {latest?.warnings?.length ? (
        <p className="muted small">{latest.warnings.join('; ')}</p>
      ) : null}
      {twin ? (
        <div className="live-twin" role="status" aria-label={t.twin}>
          <strong>{t.twin}</strong>:{' '}
          {t.twinFit(
            fmtNum(twin.fit.arrival_rps, 1),
            fmtNum(twin.fit.service_mean_ms, 1),
            fmtNum(twin.fit.service_p99_ms, 1),
            twin.fit.workers,
          )}
          {twin.band
            ? ` ${t.twinBand(
                fmtNum(twin.band.p99Low, 1),
                fmtNum(twin.band.p99High, 1),
                fmtNum(twin.fit.observed.latency_p99_ms, 1),
              )}`
            : null}
          {twin.fit.excluded ? ` (${t.twinExcluded(twin.fit.excluded.samples)})` : null}
          {twin.error ? <span className="error"> ({twin.error})</span> : null}
          {twin.fit.usl ? (
            <details className="live-twin-usl">
              <summary>
                {t.twinUsl(
                  twin.fit.usl.levels.length,
                  fmtNum(twin.fit.usl.sigma, 4),
                  fmtNum(twin.fit.usl.kappa, 6),
                  twin.fit.usl.peak_concurrency === null
                    ? '∞'
                    : fmtNum(twin.fit.usl.peak_concurrency, 1),
                  fmtNum(twin.fit.usl.r2, 3),
                )}
              </summary>
              <ul aria-label={t.twinResiduals}>
                {twin.fit.usl.levels.map((l) => (
                  <li key={l.concurrency}>
                    {t.twinLevel(
                      fmtNum(l.concurrency, 1),
                      fmtNum(l.throughput_rps, 1),
                      fmtNum(l.fitted_rps, 1),
                      `${l.residual >= 0 ? '+' : '−'}${fmtNum(Math.abs(l.residual) * 100, 1)} %`,
                    )}
                  </li>
                ))}
              </ul>
            </details>
          ) : twin.fit.usl_note ? (
            <span className="muted small"> {t.twinNoUsl(twin.fit.usl_note)}</span>
          ) : null}
          {p.onOpenTwin ? (
            <button type="button" onClick={() => p.onOpenTwin?.(twin.scenario)}>
              {t.openTwin}
            </button>
          ) : null}
        </div>
      ) : twinError ? (
        <p className="error" role="alert">
          {t.modelThisError(twinError)}
        </p>
      ) : null}
      <div className="live-charts">
        {kind === 'redis' ? (
          <>
            <LiveChart
              title={t.chartOps}
              data={pts(['ops_per_sec'])}
              lines={[line('ops_per_sec', t.lineOps, 0)]}
              from={from}
              to={now}
            />
            <LiveChart
              title={t.chartHit}
              data={pts(['hit_ratio'])}
              lines={[line('hit_ratio', t.lineHit, 2)]}
              from={from}
              to={now}
              unit="%"
              scale={100}
            />
            <LiveChart
              title={t.chartClients}
              data={pts(['connected_clients', 'blocked_clients'])}
              lines={[
                line('connected_clients', t.lineConnected, 0),
                line('blocked_clients', t.lineBlocked, 1),
              ]}
              from={from}
              to={now}
            />
            <LiveChart
              title={t.chartMemory}
              data={pts(['used_memory_bytes'])}
              lines={[line('used_memory_bytes', t.lineUsed, 3)]}
              from={from}
              to={now}
              scale={1 / (1024 * 1024)}
            />
            {info.queue_keys.length ? (
              <LiveChart
                title={t.chartQueue}
                data={pts(['queue_depth_total'])}
                lines={[line('queue_depth_total', t.lineQueued, 1)]}
                from={from}
                to={now}
              />
            ) : null}
            <LiveChart
              title={t.chartEvictions}
              data={pts(['evicted_keys_per_sec', 'expired_keys_per_sec'])}
              lines={[
                line('evicted_keys_per_sec', t.lineEvicted, 4),
                line('expired_keys_per_sec', t.lineExpired, 2),
              ]}
              from={from}
              to={now}
            />
          </>
        ) : null}
        {kind === 'metrics' ? (
          <>
            <LiveChart
              title={t.chartRate}
              data={pts(['request_rate'])}
              lines={[line('request_rate', t.lineRps, 0)]}
              from={from}
              to={now}
              band={
                twin?.band
                  ? { y1: twin.band.rpsLow, y2: twin.band.rpsHigh, label: t.bandTwin }
                  : null
              }
            />
            <LiveChart
              title={t.chartLatency}
              data={pts(['latency_p50_ms', 'latency_p99_ms'])}
              lines={[line('latency_p50_ms', 'P50', 0), line('latency_p99_ms', 'P99', 1)]}
              from={from}
              to={now}
              limit={{ y: p.sloMs, label: t.sloLine(p.sloMs) }}
              band={
                twin?.band
                  ? { y1: twin.band.p99Low, y2: twin.band.p99High, label: t.bandTwinP99 }
                  : null
              }
            />
            <LiveChart
              title={t.chartInFlight}
              data={pts(['in_flight', 'queue_depth'])}
              lines={[line('in_flight', t.lineInFlight, 2), line('queue_depth', t.lineQueued, 3)]}
              from={from}
              to={now}
            />
          </>
        ) : null}
        {kind === 'host' ? (
          <>
            <LiveChart
              title={t.chartCpu}
              data={pts(['cpu_load_pct'])}
              lines={[line('cpu_load_pct', t.lineCpu, 0)]}
              from={from}
              to={now}
              unit="%"
            />
            <LiveChart
              title={t.chartNet}
              data={pts(['net_rx_bytes_per_sec', 'net_tx_bytes_per_sec'])}
              lines={[
                line('net_rx_bytes_per_sec', t.lineRx, 2),
                line('net_tx_bytes_per_sec', t.lineTx, 1),
              ]}
              from={from}
              to={now}
              scale={1 / 1024}
            />
          </>
        ) : null}
      </div>
      {latest?.queues?.length ? (
        <table className="live-table" aria-label={t.queuesOf(info.name)}>
          <thead>
            <tr>
              <th scope="col">{t.colKey}</th>
              <th scope="col">{t.colType}</th>
              <th scope="col">{t.colDepth}</th>
            </tr>
          </thead>
          <tbody>
            {latest.queues.map((q) => (
              <tr key={q.key}>
                <td>{q.key}</td>
                <td>{q.type}</td>
                <td>{q.error ?? fmtNum(q.depth)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {latest?.nodes && (info.cluster || latest.nodes.length > 1) ? (
        <table className="live-table" aria-label={t.nodesOf(info.name)}>
          <thead>
            <tr>
              <th scope="col">{t.colNode}</th>
              <th scope="col">{t.colRole}</th>
              <th scope="col">{t.colState}</th>
              <th scope="col">{t.colSlots}</th>
              <th scope="col">{t.colOps}</th>
              <th scope="col">{t.colMemory}</th>
              <th scope="col">{t.colHit}</th>
              <th scope="col">{t.colLag}</th>
            </tr>
          </thead>
          <tbody>
            {latest.nodes.map((n) => (
              <tr key={n.address} className={`state-${n.status}`}>
                <td>{n.address}</td>
                <td>{t.role(n.role, n.master ?? null)}</td>
                <td>{n.status === 'down' ? t.nodeDown(n.error ?? '') : t.state(n.status)}</td>
                <td>{n.slots.join(' ') || '–'}</td>
                <td>{fmtNum(n.ops_per_sec)}</td>
                <td>{fmtBytes(n.used_memory_bytes)}</td>
                <td>{n.hit_ratio === null ? '–' : `${(n.hit_ratio * 100).toFixed(1)}%`}</td>
                <td>
                  {n.role === 'replica'
                    ? `${n.replication_lag_s ?? '–'} s / ${n.replication_lag_bytes === null ? '–' : fmtBytes(n.replication_lag_bytes)}`
                    : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {p.slowlog !== undefined ? (
        typeof p.slowlog === 'string' ? (
          <p className="error">{t.slowlogError(p.slowlog)}</p>
        ) : p.slowlog.length === 0 ? (
          <p className="muted small" role="status">
            {t.slowlogEmpty}
          </p>
        ) : (
          <table className="live-table" aria-label={t.slowlogOf(info.name)}>
            <thead>
              <tr>
                <th scope="col">{t.colWhen}</th>
                <th scope="col">{t.colNode}</th>
                <th scope="col">{t.colUs}</th>
                <th scope="col">{t.colCommand}</th>
              </tr>
            </thead>
            <tbody>
              {p.slowlog.map((e) => (
                <tr key={`${e.node}-${e.id}`}>
                  <td>{new Date(e.t).toLocaleTimeString()}</td>
                  <td>{e.node}</td>
                  <td>{e.duration_us}</td>
                  <td>
                    <code>{e.command.join(' ')}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}
