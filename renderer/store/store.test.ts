// The store as a user drives it: edits with undo/redo (a slider drag is one step), snapshots
// and the A pin, presentation stepping, and the autosave that survives a reload.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim-core/schema';
import { simulate } from '../../sim-core/index';
import { scenario } from '../../sim-core/testkit';
import { createAppStore } from './index';
import { AUTOSAVE_KEY, restoreAutosave, saveNow } from './autosave';
import { p99Threshold } from './sloSlice';
import { writeControl, readControl } from '../scenario/controls';

let clock = 0;
const now = () => clock;

const runOf = (s: ScenarioInput) =>
  simulate(scenario({ ...s, duration_s: 2, warmup_s: 0 }), { series: true });

describe('scenario history', () => {
  beforeEach(() => {
    clock = 0;
  });

  it('undoes and redoes edits in order', () => {
    const store = createAppStore(now);
    const s0 = store.getState().scenario;
    const s1 = writeControl(s0, 'workers', 20);
    store.getState().setScenario(s1, 'workers');
    clock += 5000;
    const s2 = writeControl(s1, 'queue', 50);
    store.getState().setScenario(s2, 'queue');
    store.getState().undo();
    expect(store.getState().scenario).toBe(s1);
    store.getState().undo();
    expect(store.getState().scenario).toBe(s0);
    store.getState().redo();
    store.getState().redo();
    expect(store.getState().scenario).toBe(s2);
  });

  it('treats a drag of one slider (changes within a second) as one undo step', () => {
    const store = createAppStore(now);
    const s0 = store.getState().scenario;
    for (let w = 11; w <= 20; w++) {
      clock += 50;
      store
        .getState()
        .setScenario(writeControl(store.getState().scenario, 'workers', w), 'workers');
    }
    expect(readControl(store.getState().scenario, 'workers')).toBe(20);
    store.getState().undo();
    expect(store.getState().scenario).toBe(s0);
  });

  it('forgets the redo branch after a new edit', () => {
    const store = createAppStore(now);
    const s0 = store.getState().scenario;
    store.getState().setScenario(writeControl(s0, 'workers', 3), 'workers');
    store.getState().undo();
    store.getState().setScenario(writeControl(s0, 'workers', 4), 'x');
    expect(store.getState().future).toHaveLength(0);
    store.getState().redo();
    expect(readControl(store.getState().scenario, 'workers')).toBe(4);
  });
});

describe('snapshots and presentation', () => {
  it('shows a preview at once, marked provisional, until the full result replaces it', () => {
    const store = createAppStore(now);
    const s = store.getState().scenario;
    store.getState().runStarted();
    const seq = store.getState().resultSeq;
    const preview = runOf(s);
    store.getState().runPreview(preview, null, 20, s);
    expect(store.getState()).toMatchObject({
      result: preview,
      provisional: true,
      runStatus: 'running',
      resultSeq: seq + 1,
    });
    const full = runOf(s);
    store.getState().runFinished(full, null, 90, s);
    expect(store.getState()).toMatchObject({
      result: full,
      provisional: false,
      runStatus: 'done',
      resultSeq: seq + 2,
    });
  });

  it('saves named snapshots, pins one as A and unpins it when removed', () => {
    const store = createAppStore(now);
    expect(store.getState().takeSnapshot('nothing yet')).toBeNull();
    const r = runOf(store.getState().scenario);
    store.getState().runFinished(r, null, 10);
    const a = store.getState().takeSnapshot('10 workers')!;
    const b = store.getState().takeSnapshot('')!;
    expect(store.getState().snapshots.map((s) => s.name)).toEqual([
      '10 workers',
      `${store.getState().scenario.name} #2`,
    ]);
    store.getState().pinA(a);
    expect(store.getState().pinnedA).toBe(a);
    store.getState().removeSnapshot(a);
    expect(store.getState().pinnedA).toBeNull();
    expect(store.getState().snapshots.map((s) => s.id)).toEqual([b]);
  });

  it('steps through the current scenario and each snapshot with wrap-around', () => {
    const store = createAppStore(now);
    store.getState().runFinished(runOf(store.getState().scenario), null, 1);
    store.getState().takeSnapshot('a');
    store.getState().takeSnapshot('b');
    store.getState().setPresenting(true);
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      store.getState().stepPresentation(1);
      seen.push(store.getState().presentIndex);
    }
    expect(seen).toEqual([0, 1, -1, 0]);
    store.getState().stepPresentation(-1);
    expect(store.getState().presentIndex).toBe(-1);
    store.getState().setPresenting(false);
    expect(store.getState().presentIndex).toBe(-1);
  });

  it('keeps the SLO positive', () => {
    const store = createAppStore(now);
    store.getState().setSlo(150);
    store.getState().setSlo(-1);
    store.getState().setSlo(Number.NaN);
    expect(store.getState().sloP99Ms).toBe(150);
  });
});

describe('autosave', () => {
  beforeEach(() => localStorage.clear());

  it('brings back the edited scenario, preferences and snapshots after a reload', () => {
    const before = createAppStore(now);
    const edited = writeControl(before.getState().scenario, 'workers', 33);
    before.getState().setScenario(edited, 'workers');
    before.getState().setTheme('dark');
    before.getState().setLanguage('zh');
    before.getState().runFinished(runOf(edited), null, 1);
    before.getState().takeSnapshot('kept');
    saveNow(before, localStorage);

    const after = createAppStore(now);
    expect(restoreAutosave(after, localStorage)).toBe(true);
    expect(readControl(after.getState().scenario, 'workers')).toBe(33);
    expect(after.getState().theme).toBe('dark');
    expect(after.getState().language).toBe('zh');
    expect(after.getState().snapshots.map((s) => s.name)).toEqual(['kept']);
  });

  it('ignores a damaged autosave instead of crashing', () => {
    localStorage.setItem(AUTOSAVE_KEY, '{"scenario": 42');
    const store = createAppStore(now);
    const s0 = store.getState().scenario;
    expect(restoreAutosave(store, localStorage)).toBe(false);
    localStorage.setItem(AUTOSAVE_KEY, JSON.stringify({ scenario: 'not an object' }));
    expect(restoreAutosave(store, localStorage)).toBe(false);
    expect(store.getState().scenario).toBe(s0);
  });

  it('restores an invalid scenario as it was, so the editor can show what is wrong', () => {
    const broken = {
      schema: 'peakline.scenario/v1',
      name: 'half-typed',
      workload: { type: 'open' },
    };
    localStorage.setItem(AUTOSAVE_KEY, JSON.stringify({ scenario: broken }));
    const store = createAppStore(now);
    expect(restoreAutosave(store, localStorage)).toBe(true);
    expect(store.getState().scenario).toEqual(broken);
  });

  it('brings back the SLO set and the plan settings after a reload', () => {
    const before = createAppStore(now);
    before.getState().setSloClauses([
      { metric: 'p99', op: '<=', value: 150 },
      { metric: 'backlog_max', op: '<=', value: 900 },
      { metric: 'util', station: 'db_pool', op: '<=', value: 0.8 },
    ]);
    before.getState().setPlanPrice('db.shards', 1.2);
    before.getState().setPlanReplications(7);
    saveNow(before, localStorage);
    const after = createAppStore(now);
    expect(restoreAutosave(after, localStorage)).toBe(true);
    expect(after.getState().slo).toEqual(before.getState().slo);
    expect(after.getState().sloP99Ms).toBe(150);
    expect(after.getState().planPrices['db.shards']).toBe(1.2);
    expect(after.getState().planReplications).toBe(7);
  });

  it("turns the P99 threshold saved before the SLO set into the set's P99 clause", () => {
    localStorage.setItem(
      AUTOSAVE_KEY,
      JSON.stringify({ scenario: createAppStore(now).getState().scenario, sloP99Ms: 120 }),
    );
    const store = createAppStore(now);
    expect(restoreAutosave(store, localStorage)).toBe(true);
    expect(store.getState().slo.find((c) => c.metric === 'p99')?.value).toBe(120);
    expect(store.getState().sloP99Ms).toBe(120);
  });
});

describe('the shared SLO set', () => {
  it('is one set: the P99 field and the clause editor change the same clause', () => {
    const store = createAppStore(now);
    store.getState().setSlo(150);
    expect(store.getState().slo.filter((c) => c.metric === 'p99')).toEqual([
      { metric: 'p99', op: '<=', value: 150 },
    ]);
    store.getState().setSloClauses([{ metric: 'p99', op: '<', value: 90 }]);
    expect(store.getState().sloP99Ms).toBe(90);
    store.getState().setSlo(0);
    expect(store.getState().sloP99Ms).toBe(90);
    // without a P99 objective the charts draw no SLO line and Compare judges no P99
    store.getState().setSloClauses([{ metric: 'error_rate', op: '<=', value: 0.01 }]);
    expect(p99Threshold(store.getState().slo)).toBeNull();
  });
});
