// The JSON editor's draft in the store, as a planner works with it: typed text is a draft kept
// across a reload (autosave); a slider moved meanwhile shows up in it; Apply makes it the scenario
// (one undo step); a slider on a field the draft changed too blocks Apply until one version is
// chosen — never a quiet undo of the slider.
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim-core/schema';
import { createAppStore } from './index';
import { restoreAutosave, saveNow } from './autosave';
import { readControl, writeControl } from '../scenario/controls';
import { scenarioText } from '../editor/draft';
import asyncFile from '../../profiles/seed-async-queue.json';

const seed = asyncFile as unknown as ScenarioInput;

const withText = (s: ScenarioInput, edit: (o: Record<string, unknown>) => void) => {
  const o = JSON.parse(scenarioText(s)) as Record<string, unknown>;
  edit(o);
  return JSON.stringify(o, null, 2);
};

describe('the editor’s draft', () => {
  it('is kept in the store and across a reload, takes a slider’s change and applies as one undo step', () => {
    const store = createAppStore();
    store.getState().loadScenario(seed, 'seed-async-queue');
    const typed = withText(seed, (o) => (o.name = 'Tuned'));
    store.getState().editDraft(typed);
    expect(store.getState().draft?.text).toBe(typed);

    // a reload: the autosave brings the draft back
    saveNow(store, localStorage);
    const again = createAppStore();
    expect(restoreAutosave(again, localStorage)).toBe(true);
    expect(again.getState().draft?.text).toBe(typed);

    // the Workers slider moves: the draft shows it, and says so
    const s = again.getState();
    s.setScenario(writeControl(s.scenario, 'workers', 16), 'workers');
    const draft = JSON.parse(again.getState().draft!.text) as ScenarioInput;
    expect(draft.name).toBe('Tuned');
    expect(draft.async!.workers).toBe(16);
    expect(again.getState().draftNote).toMatchObject({ kind: 'merged' });

    // Apply keeps the slider's 16 and the edit, in one undo step
    expect(again.getState().applyDraft()).toBe(true);
    expect(again.getState().scenario.name).toBe('Tuned');
    expect(readControl(again.getState().scenario, 'workers')).toBe(16);
    expect(again.getState().draft).toBeNull();
    again.getState().undo();
    expect(again.getState().scenario.name).toBe(seed.name);
    expect(readControl(again.getState().scenario, 'workers')).toBe(16);
  });

  it('asks which version stands when the slider moves a field the draft changed, and Apply waits', () => {
    const store = createAppStore();
    store.getState().loadScenario(seed, null);
    store
      .getState()
      .editDraft(withText(seed, (o) => ((o.async as { workers: number }).workers = 12)));
    const s = store.getState();
    s.setScenario(writeControl(s.scenario, 'workers', 30), 'workers');
    expect(store.getState().draftNote).toMatchObject({ kind: 'conflict', why: 'edited' });
    expect(store.getState().applyDraft()).toBe(false);
    expect(readControl(store.getState().scenario, 'workers')).toBe(30);

    // keep my draft: now Apply may take it (a visible choice)
    store.getState().keepDraft();
    expect(store.getState().draftNote).toBeNull();
    expect(store.getState().applyDraft()).toBe(true);
    expect(readControl(store.getState().scenario, 'workers')).toBe(12);

    // or take the console's version: the draft goes
    store.getState().editDraft(withText(store.getState().scenario, (o) => (o.seed = 9)));
    store.getState().loadScenario({ ...seed, name: 'Other' }, null);
    expect(store.getState().draftNote).toMatchObject({ kind: 'conflict', why: 'loaded' });
    store.getState().discardDraft();
    expect(store.getState().draft).toBeNull();
    expect(store.getState().draftNote).toBeNull();
  });

  it('is no draft when the text is the scenario’s own', () => {
    const store = createAppStore();
    store.getState().editDraft(scenarioText(store.getState().scenario));
    expect(store.getState().draft).toBeNull();
    store.getState().editDraft('{');
    expect(store.getState().draft?.text).toBe('{');
    expect(store.getState().applyDraft()).toBe(false);
  });
});
