// Editor slice: the JSON editor's draft, kept in the store (so it survives a tab switch, and the
// autosave keeps it across a reload) with the scenario it was started from; what the editor says
// when the scenario changes under it (renderer/editor/draft.ts; the scenario slice calls
// `followScenario` on every change); applying, discarding, or keeping a draft after a conflict.
import type { StateCreator } from 'zustand';
import { parseScenarioText } from '../../sim-core/validate';
import type { ScenarioInput } from '../../sim-core/schema';
import { scenarioText } from '../editor/draft';
import type { AppState, EditorSlice } from './types';

/** The editor slice (see EditorSlice). */
export const createEditorSlice: StateCreator<AppState, [], [], EditorSlice> = (set, get) => ({
  editorOpen: false,
  draft: null,
  draftNote: null,
  setEditorOpen: (editorOpen) => set({ editorOpen }),
  editDraft: (text) => {
    const { draft, scenario } = get();
    if (text === scenarioText(scenario)) {
      if (draft !== null) set({ draft: null, draftNote: null });
      return;
    }
    if (draft?.text === text) return;
    set({ draft: { text, base: draft?.base ?? scenario } });
  },
  applyDraft: () => {
    const { draft, draftNote } = get();
    if (!draft || draftNote?.kind === 'conflict') return false;
    if (!parseScenarioText(draft.text, 'scenario').ok) return false;
    const next = JSON.parse(draft.text.replace(/^\ufeff/, '')) as ScenarioInput;
    set({ draft: null, draftNote: null });
    get().setScenario(next);
    return true;
  },
  discardDraft: () => set({ draft: null, draftNote: null }),
  keepDraft: () => {
    const { draft, scenario } = get();
    set({ draft: draft ? { ...draft, base: scenario } : null, draftNote: null });
  },
  dismissDraftNote: () => set({ draftNote: null }),
});
