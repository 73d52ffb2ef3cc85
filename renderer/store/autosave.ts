// Autosave: the edited scenario, the JSON editor's draft, snapshots and preferences go to
// localStorage on every change (debounced), and come back at start, so nothing the user made is
// lost on a reload or crash.
// What is read back is checked with zod; a damaged entry is ignored, never crashes the console.
import { z } from 'zod';
import type { StoreApi } from 'zustand/vanilla';
import type { ScenarioInput } from '../../sim-core/schema';
import type { AppState, Snapshot } from './types';
import type { Draft } from '../editor/draft';
import { p99Threshold } from './sloSlice';
import { PLAN_METRICS, type PlanMetric, type SloClause } from '../../sim-core/plan/slo';

export const AUTOSAVE_KEY = 'peakline.autosave.v1';

const SavedSchema = z.object({
  scenario: z.looseObject({ schema: z.string(), name: z.string() }),
  source: z.string().nullable().optional(),
  theme: z.enum(['light', 'dark']).optional(),
  language: z.enum(['en', 'zh']).optional(),
  sloP99Ms: z.number().positive().optional(),
  slo: z
    .array(
      z.object({
        metric: z.enum(Object.keys(PLAN_METRICS) as [PlanMetric, ...PlanMetric[]]),
        station: z.string().optional(),
        op: z.enum(['<=', '<', '>=', '>']),
        value: z.number(),
      }),
    )
    .optional(),
  planParams: z
    .array(
      z.object({
        path: z.string(),
        from: z.number(),
        to: z.number(),
        step: z.number(),
        values: z.array(z.number()).min(1).optional(),
      }),
    )
    .optional(),
  planPrices: z.record(z.string(), z.number()).optional(),
  planCurrency: z.string().optional(),
  planPeriod: z.string().optional(),
  planReplications: z.number().int().min(2).max(50).optional(),
  snapshots: z.array(z.looseObject({ id: z.string(), name: z.string() })).optional(),
  pinnedA: z.string().nullable().optional(),
  draft: z
    .object({ text: z.string(), base: z.looseObject({ schema: z.string(), name: z.string() }) })
    .nullable()
    .optional(),
  editorOpen: z.boolean().optional(),
});

type Persisted = Pick<
  AppState,
  | 'scenario'
  | 'source'
  | 'theme'
  | 'language'
  | 'sloP99Ms'
  | 'slo'
  | 'planParams'
  | 'planPrices'
  | 'planCurrency'
  | 'planPeriod'
  | 'planReplications'
  | 'snapshots'
  | 'pinnedA'
  | 'draft'
  | 'editorOpen'
>;

/** The part of the state that is saved. */
export function persistedPart(s: AppState): Persisted {
  return {
    scenario: s.scenario,
    source: s.source,
    theme: s.theme,
    language: s.language,
    sloP99Ms: s.sloP99Ms,
    slo: s.slo,
    planParams: s.planParams,
    planPrices: s.planPrices,
    planCurrency: s.planCurrency,
    planPeriod: s.planPeriod,
    planReplications: s.planReplications,
    snapshots: s.snapshots,
    pinnedA: s.pinnedA,
    draft: s.draft,
    editorOpen: s.editorOpen,
  };
}

/** Writes the persisted part now; if snapshots do not fit, saves them without their series. */
export function saveNow(store: StoreApi<AppState>, storage: Storage): void {
  const part = persistedPart(store.getState());
  try {
    storage.setItem(AUTOSAVE_KEY, JSON.stringify(part));
  } catch {
    const slim = part.snapshots.map((s): Snapshot => ({
      ...s,
      result: { ...s.result, series: undefined, cdf: undefined },
    }));
    try {
      storage.setItem(AUTOSAVE_KEY, JSON.stringify({ ...part, snapshots: slim }));
    } catch {
      storage.setItem(AUTOSAVE_KEY, JSON.stringify({ ...part, snapshots: [] }));
    }
  }
}

/** Restores a previous autosave into the store (ignored when absent or damaged). */
export function restoreAutosave(store: StoreApi<AppState>, storage: Storage): boolean {
  let raw: string | null;
  try {
    raw = storage.getItem(AUTOSAVE_KEY);
  } catch {
    return false;
  }
  if (!raw) return false;
  let parsed: z.infer<typeof SavedSchema>;
  try {
    const r = SavedSchema.safeParse(JSON.parse(raw));
    if (!r.success) return false;
    parsed = r.data;
  } catch {
    return false;
  }
  const patch: Partial<AppState> = { scenario: parsed.scenario as unknown as ScenarioInput };
  if (parsed.source !== undefined) patch.source = parsed.source;
  if (parsed.theme) patch.theme = parsed.theme;
  if (parsed.language) patch.language = parsed.language;
  if (parsed.sloP99Ms) patch.sloP99Ms = parsed.sloP99Ms;
  if (parsed.slo) {
    patch.slo = parsed.slo as SloClause[];
    patch.sloP99Ms = p99Threshold(patch.slo) ?? parsed.sloP99Ms ?? store.getState().sloP99Ms;
  } else if (parsed.sloP99Ms) {
    // saved before the SLO set: its P99 threshold becomes the set's P99 clause
    store.getState().setSlo(parsed.sloP99Ms);
  }
  if (parsed.planParams) patch.planParams = parsed.planParams;
  if (parsed.planPrices) patch.planPrices = parsed.planPrices;
  if (parsed.planCurrency !== undefined) patch.planCurrency = parsed.planCurrency;
  if (parsed.planPeriod !== undefined) patch.planPeriod = parsed.planPeriod;
  if (parsed.planReplications) patch.planReplications = parsed.planReplications;
  if (parsed.snapshots) patch.snapshots = parsed.snapshots as unknown as Snapshot[];
  if (parsed.pinnedA !== undefined) patch.pinnedA = parsed.pinnedA;
  if (parsed.draft) patch.draft = parsed.draft as unknown as Draft;
  if (parsed.editorOpen !== undefined) patch.editorOpen = parsed.editorOpen;
  store.setState(patch);
  return true;
}

/** Saves after every change to the persisted part (debounced by `delayMs`); returns a stop function. */
export function startAutosave(
  store: StoreApi<AppState>,
  storage: Storage,
  delayMs = 250,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    saveNow(store, storage);
  };
  const unsub = store.subscribe((s, prev) => {
    const a = persistedPart(s);
    const b = persistedPart(prev);
    const changed = (Object.keys(a) as (keyof Persisted)[]).some((k) => a[k] !== b[k]);
    if (!changed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, delayMs);
  });
  const onHide = () => {
    if (timer) {
      clearTimeout(timer);
      flush();
    }
  };
  if (typeof window !== 'undefined') window.addEventListener('pagehide', onHide);
  return () => {
    unsub();
    if (typeof window !== 'undefined') window.removeEventListener('pagehide', onHide);
    if (timer) clearTimeout(timer);
  };
}
