// Live slice: what the Live view shows — the sources the Node side watches and their samples of
// the last hour (fed by renderer/live/session.ts), the window, pause, the P99 threshold, recording
// and replay, the twins and slowlogs asked for, and one message. Nothing here is autosaved: the
// sources belong to the Node side, which hands them back after a reload.
import type { StateCreator } from 'zustand';
import type { LiveSample } from '../api/types';
import type { AppState, LiveSlice } from './types';

/** How much of each source's history the view keeps (the longest window and a minute). */
export const LIVE_KEEP_MS = 61 * 60_000;

/** `list` with `more` merged in: sorted by time, no sample twice, nothing older than `cut`. */
function merged(list: LiveSample[] | undefined, more: LiveSample[], cut: number): LiveSample[] {
  const out = (list ?? []).filter((s) => s.t >= cut);
  const seen = new Set(out.map((s) => s.t));
  let sorted = true;
  for (const s of more) {
    if (s.t < cut || seen.has(s.t)) continue;
    if (out.length && out[out.length - 1].t > s.t) sorted = false;
    seen.add(s.t);
    out.push(s);
  }
  if (!sorted) out.sort((a, b) => a.t - b.t);
  return out;
}

/** Drops `id` from a per-source record. */
function without<T>(record: Record<string, T>, id: string): Record<string, T> {
  if (!(id in record)) return record;
  const { [id]: _gone, ...rest } = record;
  return rest;
}

/** The live slice (see LiveSlice). */
export const createLiveSlice: StateCreator<AppState, [], [], LiveSlice> = (set) => ({
  liveSources: [],
  liveSamples: {},
  liveNow: Date.now(),
  liveWindowMin: 5,
  liveFrozenAt: null,
  liveFrozenSamples: null,
  liveSloMs: 200,
  liveHoldS: 30,
  liveRecording: null,
  liveRecordings: [],
  liveReplayPath: '',
  liveMessage: null,
  liveTwins: {},
  liveSlowlogs: {},
  liveTwinWorkers: {},
  liveCanRemember: false,
  liveListed: (sources, replace) =>
    set((s) => {
      if (replace) return { liveSources: sources };
      const known = new Set(s.liveSources.map((x) => x.id));
      return { liveSources: [...s.liveSources, ...sources.filter((x) => !known.has(x.id))] };
    }),
  liveStatus: (info) =>
    set((s) => {
      const i = s.liveSources.findIndex((x) => x.id === info.id);
      if (i < 0) return { liveSources: [...s.liveSources, info] };
      const next = [...s.liveSources];
      next[i] = info;
      return { liveSources: next };
    }),
  liveRemoved: (id) =>
    set((s) => ({
      liveSources: s.liveSources.filter((x) => x.id !== id),
      liveSamples: without(s.liveSamples, id),
      liveTwins: without(s.liveTwins, id),
      liveSlowlogs: without(s.liveSlowlogs, id),
      liveTwinWorkers: without(s.liveTwinWorkers, id),
    })),
  liveTick: (now, samples) =>
    set((s) => {
      if (samples.length === 0) return { liveNow: now };
      const cut = Math.max(...samples.map((x) => x.t)) - LIVE_KEEP_MS;
      const byId = new Map<string, LiveSample[]>();
      for (const x of samples) byId.set(x.id, [...(byId.get(x.id) ?? []), x]);
      const liveSamples = { ...s.liveSamples };
      for (const [id, more] of byId) liveSamples[id] = merged(liveSamples[id], more, cut);
      return { liveNow: now, liveSamples };
    }),
  setLiveWindow: (liveWindowMin) => set({ liveWindowMin }),
  toggleLivePause: (now) =>
    set((s) =>
      s.liveFrozenAt === null
        ? { liveFrozenAt: now, liveFrozenSamples: s.liveSamples }
        : { liveFrozenAt: null, liveFrozenSamples: null },
    ),
  setLiveSlo: (ms) => set({ liveSloMs: Math.max(1, ms || 1) }),
  setLiveHold: (sec) => set({ liveHoldS: Math.max(1, sec || 1) }),
  setLiveRecording: (liveRecording) => set({ liveRecording }),
  setLiveRecordings: (liveRecordings) => set({ liveRecordings }),
  setLiveReplayPath: (liveReplayPath) => set({ liveReplayPath }),
  setLiveMessage: (liveMessage) => set({ liveMessage }),
  setLiveTwin: (id, twin) => set((s) => ({ liveTwins: { ...s.liveTwins, [id]: twin } })),
  setLiveSlowlog: (id, entries) =>
    set((s) => ({ liveSlowlogs: { ...s.liveSlowlogs, [id]: entries } })),
  setLiveTwinWorkers: (id, text) =>
    set((s) => ({ liveTwinWorkers: { ...s.liveTwinWorkers, [id]: text } })),
  setLiveCanRemember: (liveCanRemember) => set({ liveCanRemember }),
});
