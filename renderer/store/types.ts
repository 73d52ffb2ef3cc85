// The shape of the console's one zustand store: the union of its typed slices (scenario, run,
// compare, sweep, live, ui). Each slice file exports a `StateCreator<AppState, [], [], XSlice>`.
import type { ScenarioInput } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import type { AsyncStash } from '../scenario/controls';
import type { Language, MessageKey } from '../i18n';
import type { EventOf, LiveSample, LiveSourceInfo, ReplyOf, SweepPoint } from '../api/types';
import type { SloClause } from '../../sim-core/plan/slo';
import type { ForecastResult, RatePoint } from '../../sim-core/forecast/index';
import type { ForecastSim } from '../forecast/plan';
import type { TwinBand } from '../live/model';
import type { RunCost } from '../../sim-core/cost';
import type { Draft, DraftNote } from '../editor/draft';
import type { AnalyticView } from '../sim/analytic';

export type { SweepPoint };

export interface ScenarioSlice {
  /** The scenario being edited, as written (defaults not applied). */
  scenario: ScenarioInput;
  past: ScenarioInput[];
  future: ScenarioInput[];
  /** Coalesces a burst of changes to one control (a slider drag) into one undo step. */
  lastEdit: { key: string; at: number } | null;
  asyncStash: AsyncStash | null;
  /** Where the scenario came from (a profile name), for the title and saving. */
  source: string | null;
  /** Replaces the scenario, recording the previous one for undo (`key` coalesces repeats). */
  setScenario: (next: ScenarioInput, key?: string) => void;
  /** Loads a scenario from a profile or file (one undo step). */
  loadScenario: (next: ScenarioInput, source: string | null) => void;
  setAsyncStash: (stash: AsyncStash | null) => void;
  undo: () => void;
  redo: () => void;
}

export type RunStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

export interface RunSlice {
  runStatus: RunStatus;
  progress: number;
  result: SimResult | null;
  analytic: AnalyticView | null;
  runError: string | null;
  /** Wall-clock ms from the change to the result (what the user waited). */
  lastLatencyMs: number | null;
  /** Counts results received (a new result is visible even when its numbers did not change). */
  resultSeq: number;
  /** The scenario the result is of (the edited one may have moved on while a run is going). */
  resultScenario: ScenarioInput | null;
  /** The result on screen is a preview (a shorter run); the full run is still going. */
  provisional: boolean;
  runStarted: () => void;
  runProgress: (fraction: number) => void;
  /** `scenario`: what the result is of (defaults to the edited scenario). */
  runFinished: (
    result: SimResult,
    analytic: AnalyticView | null,
    latencyMs: number,
    scenario?: ScenarioInput,
  ) => void;
  /** A preview result: shown at once, marked provisional, replaced by runFinished. */
  runPreview: (
    result: SimResult,
    analytic: AnalyticView | null,
    latencyMs: number,
    scenario?: ScenarioInput,
  ) => void;
  runFailed: (message: string) => void;
  runCancelled: () => void;
  /** A run that waits for a yes (its estimate is over CONFIRM_EVENTS), or null. */
  runAsk: RunCost | null;
  /** Events of the largest run said yes to: a run of up to 1.5 × that goes without asking. */
  confirmedEvents: number;
  /** The run of the edited scenario waits for a yes (null: it no longer does). */
  runAsked: (cost: RunCost | null) => void;
  /** Yes to the run that waits (the simulation connection then starts it). */
  confirmRun: () => void;
}

export interface Snapshot {
  id: string;
  name: string;
  scenario: ScenarioInput;
  result: SimResult;
  analytic: AnalyticView | null;
  createdAt: number;
}

export interface SloSlice {
  /** The SLO set Compare, Sweep and Plan judge by (sim-core's clauses, as `--slo` reads them). */
  slo: SloClause[];
  /** The P99 clause's threshold (the charts' SLO line); kept when the set has no P99 clause. */
  sloP99Ms: number;
  /** Sets the P99 clause's threshold (adds one when there is none); ignores values ≤ 0. */
  setSlo: (p99Ms: number) => void;
  setSloClauses: (slo: SloClause[]) => void;
}

export interface PlanParam {
  path: string;
  from: number;
  to: number;
  step: number;
  /** A list of values (`1,2,4,8`) instead of the range, when given. */
  values?: number[];
}

export type PlanProgressInfo = EventOf<'plan:progress'>;
export type PlanReport = ReplyOf<'plan:run'>;

export interface PlanSlice {
  planParams: PlanParam[];
  /** Price per unit, by field path. */
  planPrices: Record<string, number>;
  planCurrency: string;
  planPeriod: string;
  planReplications: number;
  planStatus: RunStatus;
  planProgress: PlanProgressInfo | null;
  planReport: PlanReport | null;
  planError: string | null;
  setPlanParams: (params: PlanParam[]) => void;
  /** null removes the price. */
  setPlanPrice: (path: string, price: number | null) => void;
  setPlanCurrency: (c: string) => void;
  setPlanPeriod: (p: string) => void;
  setPlanReplications: (n: number) => void;
  planStarted: () => void;
  planProgressed: (p: PlanProgressInfo) => void;
  /** The report (partial after a cancel: status 'cancelled', best so far kept). */
  planFinished: (r: PlanReport) => void;
  planFailed: (message: string) => void;
}

export interface CompareSlice {
  snapshots: Snapshot[];
  pinnedA: string | null;
  /** Saves the current scenario + result as a named snapshot; returns its id (null without a result). */
  takeSnapshot: (name?: string) => string | null;
  removeSnapshot: (id: string) => void;
  pinA: (id: string | null) => void;
}

export interface SweepParam {
  path: string;
  from: number;
  to: number;
  step: number;
}

export type SweepMetric = 'p99_ms' | 'throughput_rps';

export interface SweepSlice {
  sweepParams: SweepParam[];
  sweepMetric: SweepMetric;
  sweepStatus: RunStatus;
  sweepProgress: number;
  sweepPoints: SweepPoint[];
  sweepCheapest: SweepPoint | null;
  sweepError: string | null;
  /** The SLO the points on screen were judged by (`p99<=200, error_rate<=0.01`), or null. */
  sweepSlo: string | null;
  setSweepParams: (params: SweepParam[]) => void;
  setSweepMetric: (m: SweepMetric) => void;
  sweepStarted: () => void;
  sweepProgressed: (fraction: number) => void;
  sweepFinished: (points: SweepPoint[], cheapest: SweepPoint | null, slo?: string | null) => void;
  sweepFailed: (message: string) => void;
  sweepCancelled: () => void;
}

/** A twin fitted to a live source's window, and the band its simulation draws. */
export interface LiveTwin {
  scenario: ReplyOf<'live:model'>['scenario'];
  fit: ReplyOf<'live:model'>['fit'];
  /** Null while the simulation runs, or when it failed. */
  band: TwinBand | null;
  simulating: boolean;
  /** Why the simulation failed. */
  simError: string | null;
}

/** A message of the Live view: a dictionary entry (it follows a language switch) or a raw text. */
export type LiveMessage =
  { key: MessageKey; vars?: Record<string, string | number> } | { text: string };

export type LiveWindowMin = 5 | 15 | 60;

export interface LiveSlice {
  /** The sources the Node side watches (and replays), in the order they came. */
  liveSources: LiveSourceInfo[];
  /** Each source's samples of the last hour, oldest first. */
  liveSamples: Record<string, LiveSample[]>;
  /** The Live view's clock (epoch ms), moved on with each batch of samples. */
  liveNow: number;
  liveWindowMin: LiveWindowMin;
  /** Paused at (epoch ms), or null while the charts follow the samples. */
  liveFrozenAt: number | null;
  /** While paused: the samples each source had when Pause was pressed (a sample taken just
   *  before but delivered after the press stays out of the charts). */
  liveFrozenSamples: Record<string, LiveSample[]> | null;
  /** The P99 threshold: above `liveSloMs` for `liveHoldS` seconds turns a panel red. */
  liveSloMs: number;
  liveHoldS: number;
  /** Where a recording goes while one runs. */
  liveRecording: string | null;
  liveRecordings: ReplyOf<'live:recordings'>['recordings'];
  /** The recording chosen for replay. */
  liveReplayPath: string;
  liveMessage: LiveMessage | null;
  /** Per source: its twin, or why it could not be fitted. */
  liveTwins: Record<string, LiveTwin | { error: string }>;
  /** Per source: its slowlog entries, or why they could not be read. */
  liveSlowlogs: Record<string, ReplyOf<'live:slowlog'>['entries'] | string>;
  /** Per source: the worker count typed for its twin ('' = the workers gauge). */
  liveTwinWorkers: Record<string, string>;
  /** The shell can remember passwords (the desktop app with an OS key store). */
  liveCanRemember: boolean;
  /** Sources as listed by the Node side: `replace` drops the ones not listed. */
  liveListed: (sources: LiveSourceInfo[], replace: boolean) => void;
  /** A source's state changed (or a new one appeared). */
  liveStatus: (info: LiveSourceInfo) => void;
  /** A source is gone: it leaves the view with its samples, twin and slowlog. */
  liveRemoved: (id: string) => void;
  /** Samples arrived (in any order, possibly known ones); the clock moves to `now`. */
  liveTick: (now: number, samples: LiveSample[]) => void;
  setLiveWindow: (minutes: LiveWindowMin) => void;
  /** Pauses at `now`, or resumes. */
  toggleLivePause: (now: number) => void;
  setLiveSlo: (ms: number) => void;
  setLiveHold: (s: number) => void;
  setLiveRecording: (path: string | null) => void;
  setLiveRecordings: (list: ReplyOf<'live:recordings'>['recordings']) => void;
  setLiveReplayPath: (path: string) => void;
  setLiveMessage: (message: LiveMessage | null) => void;
  setLiveTwin: (id: string, twin: LiveTwin | { error: string }) => void;
  setLiveSlowlog: (id: string, entries: ReplyOf<'live:slowlog'>['entries'] | string) => void;
  setLiveTwinWorkers: (id: string, text: string) => void;
  setLiveCanRemember: (can: boolean) => void;
}

export type Theme = 'light' | 'dark';
export type Tab = 'scenario' | 'compare' | 'sweep' | 'plan' | 'live' | 'forecast';

export interface UiSlice {
  theme: Theme;
  language: Language;
  tab: Tab;
  presenting: boolean;
  /** In presentation: -1 = current scenario, else index into snapshots. */
  presentIndex: number;
  helpOpen: boolean;
  /** A message for the user (a file that did not validate, a failed save), until dismissed. */
  notice: { kind: 'error' | 'info'; text: string } | null;
  setNotice: (notice: { kind: 'error' | 'info'; text: string } | null) => void;
  setTheme: (t: Theme) => void;
  setLanguage: (l: Language) => void;
  setTab: (t: Tab) => void;
  setPresenting: (on: boolean) => void;
  stepPresentation: (delta: number) => void;
  setHelpOpen: (open: boolean) => void;
}

export interface EditorSlice {
  /** The JSON editor is open beside the controls. */
  editorOpen: boolean;
  /** The text being edited and the scenario it started from; null: the editor shows the scenario. */
  draft: Draft | null;
  /** What the editor says about the last change made outside it (merged, or a choice to make). */
  draftNote: DraftNote | null;
  setEditorOpen: (open: boolean) => void;
  /** The editor's text: a draft while it differs from the scenario. */
  editDraft: (text: string) => void;
  /** Applies a draft that validates (one undo step); false when it does not, or a choice waits. */
  applyDraft: () => boolean;
  /** Drops the draft: the editor shows the scenario (the console's version) again. */
  discardDraft: () => void;
  /** After a conflict: the draft stays as it is, now on top of the scenario as it is. */
  keepDraft: () => void;
  dismissDraftNote: () => void;
}

/** A rate history loaded for the Forecast view. */
export interface ForecastHistory {
  points: RatePoint[];
  /** csv | recording | prometheus. */
  format: string;
  /** The file name, or the Prometheus source and query. */
  label: string;
  note?: string;
}

export type ForecastStatus = 'idle' | 'loading' | 'forecasting' | 'simulating' | 'done' | 'error';

export interface ForecastSlice {
  /** Where the history comes from. */
  fcFrom: 'file' | 'recording' | 'prometheus';
  /** The recording chosen (a path from `live:recordings`). */
  fcRecording: string;
  fcHistory: ForecastHistory | null;
  /** A connected Prometheus source, its PromQL and how far back. */
  fcPromId: string;
  fcPromQuery: string;
  fcPromRangeS: number;
  fcHorizonS: number;
  /** The capacity knob (a scenario path), '' = the one relieving the saturated station. */
  fcKnob: string;
  fcStatus: ForecastStatus;
  fcResult: ForecastResult | null;
  fcSim: ForecastSim | null;
  fcError: string | null;
  /** Simulations finished in the current step. */
  fcSimDone: number;
  setFcFrom: (from: 'file' | 'recording' | 'prometheus') => void;
  setFcRecording: (path: string) => void;
  setFcHistory: (h: ForecastHistory | null) => void;
  setFcProm: (patch: { id?: string; query?: string; range_s?: number }) => void;
  setFcHorizon: (s: number) => void;
  setFcKnob: (path: string) => void;
  fcStarted: (status: 'loading' | 'forecasting') => void;
  fcForecasted: (r: ForecastResult) => void;
  fcSimProgress: (done: number) => void;
  fcSimulated: (sim: ForecastSim) => void;
  fcFailed: (message: string) => void;
}

export type AppState = ScenarioSlice &
  RunSlice &
  CompareSlice &
  SloSlice &
  PlanSlice &
  SweepSlice &
  LiveSlice &
  UiSlice &
  EditorSlice &
  ForecastSlice;
