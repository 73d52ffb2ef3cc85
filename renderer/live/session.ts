// The Live view's side of the API: follows what the Node side pushes (samples, source states,
// sources going away) into the store's live slice — samples in batches, at most twice a second —
// picks up what it already holds (after a reload), and carries out what the panels ask for:
// connect, disconnect, record, replay, the slowlog, and "Model this" (the twin), whose simulation
// runs on a Web Worker of its own (sim/queue.ts), never on the UI thread.
import { createContext, useContext } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { LiveSample, PeaklineApi, ReplyOf } from '../api/types';
import type { AppState, LiveTwin } from '../store/types';
import type { SimQueue } from '../sim/queue';
import { bandFromResult, type ConnectRequest } from './model';

/** How often samples reach the store (and the view's clock moves on). */
export const LIVE_TICK_MS = 500;

/** What the panels of the Live view can ask for. */
export interface LiveSession {
  /** Follows the Node side until the returned stop is called. */
  start(): () => void;
  /** Connects every request; resolves to the errors (joined) or null. */
  connect(requests: ConnectRequest[]): Promise<string | null>;
  /** Remembers a saved connection's password on the Node side; resolves to an error or null. */
  remember(id: string, password: string): Promise<string | null>;
  forget(id: string): void;
  disconnect(id: string): Promise<void>;
  toggleRecord(): Promise<void>;
  /** Replays the recording chosen in the store. */
  replay(): Promise<void>;
  /** Fits the twin of a metrics source over the window shown, and simulates its band. */
  model(id: string): Promise<void>;
  slowlog(id: string): Promise<void>;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A twin's band comes from a short run: at most ~200k arrivals, 5–30 s simulated. */
function bandScenario(twin: ReplyOf<'live:model'>) {
  const duration = Math.max(5, Math.min(30, 200_000 / Math.max(1, twin.fit.arrival_rps)));
  return { ...twin.scenario, duration_s: duration, warmup_s: Math.min(2, duration / 5) };
}

/** The Live view's session with the Node side through `api`, kept in `store`. */
export function createLiveSession(
  api: PeaklineApi,
  store: StoreApi<AppState>,
  sims: SimQueue,
): LiveSession {
  const st = () => store.getState();
  const message = (text: string) => st().setLiveMessage({ text });
  const pending: LiveSample[] = [];
  const flush = () => st().liveTick(Date.now(), pending.splice(0));
  const known = (id: string) => st().liveSources.some((s) => s.id === id);
  const relist = async () => st().liveListed((await api.liveList()).sources, true);

  return {
    start() {
      // Events first, then what the Node side already holds.
      const offs = [
        api.onLiveSample((s) => pending.push(s)),
        api.onLiveStatus((info) => st().liveStatus(info)),
        api.onLiveRemoved((r) => st().liveRemoved(r.id)),
      ];
      const timer = setInterval(flush, LIVE_TICK_MS);
      let stopped = false;
      void (async () => {
        try {
          const [{ sources }, { samples }] = await Promise.all([
            api.liveList(),
            api.liveHistory({ window_s: 3600 }),
          ]);
          if (stopped) return;
          st().liveListed(sources, false);
          pending.push(...samples);
          flush();
          const { recordings } = await api.liveRecordings();
          if (!stopped) st().setLiveRecordings(recordings);
        } catch (e) {
          if (!stopped) st().setLiveMessage({ key: 'liveError', vars: { error: errorText(e) } });
        }
      })();
      // Only a shell that can encrypt (the desktop app) offers to remember passwords.
      void api.liveSecrets().then(
        (r) => !stopped && st().setLiveCanRemember(r.can_remember),
        () => undefined, // an older shell, or none: passwords stay in memory only
      );
      return () => {
        stopped = true;
        clearInterval(timer);
        for (const off of offs) off();
      };
    },

    async connect(requests) {
      const errors: string[] = [];
      for (const r of requests) {
        try {
          await api.liveConnect(r);
        } catch (e) {
          errors.push(errorText(e));
        }
      }
      await relist().catch(() => undefined); // the status events will tell
      return errors.length ? errors.join('; ') : null;
    },

    async remember(id, password) {
      try {
        await api.liveSecretSave({ id, password });
        return null;
      } catch (e) {
        return errorText(e);
      }
    },

    forget(id) {
      void api.liveSecretForget({ id }).catch((e: unknown) => message(errorText(e)));
    },

    async disconnect(id) {
      try {
        await api.liveDisconnect({ id });
      } catch (e) {
        message(errorText(e));
      }
      st().liveRemoved(id);
    },

    async toggleRecord() {
      try {
        if (st().liveRecording) {
          const r = await api.liveRecordStop();
          st().setLiveRecording(null);
          st().setLiveMessage(
            r.path ? { key: 'liveRecorded', vars: { n: r.samples, path: r.path } } : null,
          );
          st().setLiveRecordings((await api.liveRecordings()).recordings);
        } else {
          st().setLiveRecording((await api.liveRecordStart()).path);
          st().setLiveMessage(null);
        }
      } catch (e) {
        message(errorText(e));
      }
    },

    async replay() {
      const path = st().liveReplayPath;
      if (!path) return;
      try {
        const r = await api.liveReplay({ path, speed: 0 });
        st().setLiveMessage({ key: 'liveReplaying', vars: { n: r.samples } });
        await relist();
        const { samples } = await api.liveHistory({ window_s: 3600 });
        pending.push(...samples.filter((s) => r.ids.includes(s.id)));
        flush();
      } catch (e) {
        message(errorText(e));
      }
    },

    async model(id) {
      const s = st();
      const to = s.liveFrozenAt ?? Date.now();
      const workers = Number(s.liveTwinWorkers[id] ?? '');
      let fitted: ReplyOf<'live:model'>;
      try {
        fitted = await api.liveModel({
          id,
          from: to - s.liveWindowMin * 60_000,
          to,
          duration_s: 30,
          ...(workers >= 1 ? { workers: Math.round(workers) } : {}),
        });
      } catch (e) {
        if (known(id)) st().setLiveTwin(id, { error: errorText(e) });
        return;
      }
      const twin: LiveTwin = { ...fitted, band: null, simulating: true, simError: null };
      if (!known(id)) return;
      st().setLiveTwin(id, twin);
      let done: LiveTwin;
      try {
        done = { ...twin, band: bandFromResult(await sims.run(bandScenario(fitted))) };
      } catch (e) {
        done = { ...twin, simError: errorText(e) };
      }
      if (known(id) && st().liveTwins[id] === twin)
        st().setLiveTwin(id, { ...done, simulating: false });
    },

    async slowlog(id) {
      try {
        const { entries } = await api.liveSlowlog({ id, count: 10 });
        st().setLiveSlowlog(id, entries);
      } catch (e) {
        st().setLiveSlowlog(id, errorText(e));
      }
    },
  };
}

/** The session of the Live view being shown (provided by LiveView). */
export const LiveSessionContext = createContext<LiveSession | null>(null);

/** The Live view's session; only inside LiveView. */
export function useLiveSession(): LiveSession {
  const session = useContext(LiveSessionContext);
  if (!session) throw new Error('useLiveSession: outside the Live view');
  return session;
}
