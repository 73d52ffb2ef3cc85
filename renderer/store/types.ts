// The shape of the console's one zustand store: the union of its typed slices (scenario, run,
// compare, sweep, ui). Each slice file exports a `StateCreator<AppState, [], [], XSlice>`.
import type { ScenarioInput } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import type { AsyncStash } from '../scenario/controls';
import type { Language } from '../i18n';
import type { SweepPoint } from '../api/types';
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
}

export interface Snapshot {
  id: string;
  name: string;
  scenario: ScenarioInput;
  result: SimResult;
  analytic: AnalyticView | null;
  createdAt: number;
}

export interface CompareSlice {
  snapshots: Snapshot[];
  pinnedA: string | null;
  sloP99Ms: number;
  /** Saves the current scenario + result as a named snapshot; returns its id (null without a result). */
  takeSnapshot: (name?: string) => string | null;
  removeSnapshot: (id: string) => void;
  pinA: (id: string | null) => void;
  setSlo: (p99Ms: number) => void;
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
  setSweepParams: (params: SweepParam[]) => void;
  setSweepMetric: (m: SweepMetric) => void;
  sweepStarted: () => void;
  sweepProgressed: (fraction: number) => void;
  sweepFinished: (points: SweepPoint[], cheapest: SweepPoint | null) => void;
  sweepFailed: (message: string) => void;
  sweepCancelled: () => void;
}

export type Theme = 'light' | 'dark';
export type Tab = 'scenario' | 'compare' | 'sweep' | 'live';

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

export type AppState = ScenarioSlice & RunSlice & CompareSlice & SweepSlice & UiSlice;
