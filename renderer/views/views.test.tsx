// The console's panels in jsdom, found the way a person or screen reader finds them: sliders by
// name, readouts by name, the editor's messages, the A/B table, the language switch.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { ScenarioInput } from '../../sim-core/schema';
import { simulate } from '../../sim-core/index';
import { scenario } from '../../sim-core/testkit';
import { validateScenario } from '../../sim-core/validate';
import { appStore } from '../store';
import { readControl } from '../scenario/controls';
import { ScenarioPanel } from './ScenarioPanel';
import { Readouts } from './Readouts';
import { RunBar } from './RunBar';
import { mergeResults, planReplications } from '../../sim-core/merge';
import { CompareView } from './CompareView';
import { RunConfirm } from './RunConfirm';
import { ScenarioEditor as Editor } from './ScenarioEditor';
import { EditorView } from '@codemirror/view';

import { estimateCost } from '../../sim-core/cost';
import { App } from '../App';
import asyncFile from '../../profiles/seed-async-queue.json';
import syncFile from '../../profiles/seed-sync-baseline.json';

/** The whole text in the editor (CodeMirror draws only the lines in view). */
const editorText = () =>
  EditorView.findFromDOM(
    screen.getByRole('textbox', { name: 'Scenario JSON' }),
  )!.state.doc.toString();

const asyncSeed = asyncFile as unknown as ScenarioInput;
const syncSeed = syncFile as unknown as ScenarioInput;

const quickRun = (s: ScenarioInput) =>
  simulate(scenario({ ...s, duration_s: 2, warmup_s: 0.2 }), { series: true });

beforeEach(() => {
  appStore.setState(appStore.getInitialState(), true);
  appStore.getState().loadScenario(asyncSeed, 'seed-async-queue');
});
afterEach(cleanup);

describe('scenario panel', () => {
  it('has every slider with a number field beside it, by accessible name', () => {
    render(<ScenarioPanel />);
    for (const name of [
      'Workers',
      'Queue capacity',
      'Shards',
      'DB pool',
      'Instances',
      'Connections',
      'Cache hit ratio',
    ]) {
      expect(screen.getByRole('slider', { name })).toBeTruthy();
      expect(screen.getByRole('spinbutton', { name: `${name} value` })).toBeTruthy();
    }
    // A closed workload has connections, not an arrival rate.
    expect(screen.queryByRole('slider', { name: 'Arrival rate' })).toBeNull();
  });

  it('moves Workers with the slider and with its number field, and undoes', () => {
    render(<ScenarioPanel />);
    fireEvent.change(screen.getByRole('slider', { name: 'Workers' }), { target: { value: '14' } });
    expect(readControl(appStore.getState().scenario, 'workers')).toBe(14);
    fireEvent.change(screen.getByRole('spinbutton', { name: 'Workers value' }), {
      target: { value: '25' },
    });
    expect(readControl(appStore.getState().scenario, 'workers')).toBe(25);
    expect((screen.getByRole('slider', { name: 'Workers' }) as HTMLInputElement).value).toBe('25');
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect(readControl(appStore.getState().scenario, 'workers')).toBe(10);
  });

  it('says why a number field does not take a value, and takes one past the slider’s end with a line saying so', () => {
    render(<ScenarioPanel />);
    const field = screen.getByRole('spinbutton', { name: 'Workers value' });
    const control = within(field.closest('.control') as HTMLElement);
    fireEvent.change(field, { target: { value: '2.5' } });
    expect(control.getByRole('alert').textContent).toBe('Workers must be a whole number.');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(readControl(appStore.getState().scenario, 'workers')).toBe(10);
    fireEvent.change(field, { target: { value: '0' } });
    expect(control.getByRole('alert').textContent).toBe('Workers must be at least 1.');
    // leaving the field: it shows the value again, and says that the text was not applied
    fireEvent.blur(field);
    expect((field as HTMLInputElement).value).toBe('10');
    expect(control.getByRole('alert').textContent).toBe(
      'Workers must be at least 1. Not applied: Workers stays 10.',
    );
    // past the slider's range (1–200): taken, and said
    fireEvent.change(field, { target: { value: '500' } });
    expect(readControl(appStore.getState().scenario, 'workers')).toBe(500);
    expect(control.queryByRole('alert')).toBeNull();
    expect(document.getElementById(field.getAttribute('aria-describedby')!)!.textContent).toBe(
      '500 is past the slider’s range (1–200): taken as typed.',
    );
    fireEvent.change(field, { target: { value: '20' } });
    expect(field.getAttribute('aria-describedby')).toBeNull();
  });

  it('disables the async controls of a synchronous scenario and explains why; the switch turns async on', () => {
    appStore.getState().loadScenario(syncSeed, 'seed-sync-baseline');
    render(<ScenarioPanel />);
    const workers = screen.getByRole('slider', { name: 'Workers' }) as HTMLInputElement;
    expect(workers.disabled).toBe(true);
    expect(workers.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(workers.getAttribute('aria-describedby')!)!.textContent).toMatch(
      /async/i,
    );
    fireEvent.click(screen.getByRole('switch', { name: 'Async tasks' }));
    expect(appStore.getState().scenario.async).toBeDefined();
    expect((screen.getByRole('slider', { name: 'Workers' }) as HTMLInputElement).disabled).toBe(
      false,
    );
  });

  it('opens the JSON editor beside the controls: problems listed at their line and column, Apply when valid', () => {
    render(
      <>
        <ScenarioPanel />
        <Editor />
      </>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Edit as JSON' }));
    expect(appStore.getState().editorOpen).toBe(true);
    expect(editorText()).toMatch(/"queue_capacity": 1000/);
    const problems = () => document.querySelector('.editor-problems')!.textContent ?? '';
    act(() => appStore.getState().editDraft('{ "schema": "peakline.scenario/v1", '));
    expect(problems()).toMatch(
      /^Not valid JSONline 1, column 37 malformed JSON at line 1, column 37/,
    );
    expect((screen.getByRole('button', { name: 'Apply' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    const bad = JSON.stringify(
      { ...asyncSeed, async: { ...asyncSeed.async, workers: 0 } },
      null,
      2,
    );
    act(() => appStore.getState().editDraft(bad));
    const line = bad.split('\n').findIndex((l) => l.includes('"workers"')) + 1;
    expect(problems()).toContain(`line ${line}, column 16 async.workers: must be >= 1 (got 0)`);
    expect(editorText()).toMatch(/"workers": 0/);
    const good = JSON.stringify(
      { ...asyncSeed, async: { ...asyncSeed.async, workers: 12 } },
      null,
      2,
    );
    act(() => appStore.getState().editDraft(good));
    expect(screen.getByText('Valid scenario')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(readControl(appStore.getState().scenario, 'workers')).toBe(12);
    expect(appStore.getState().draft).toBeNull();
  }, 20_000);

  it('shows a slider’s change in the draft, and asks when it clashes with the draft', () => {
    appStore.getState().setEditorOpen(true);
    render(
      <>
        <ScenarioPanel />
        <Editor />
      </>,
    );
    const text = JSON.stringify({ ...asyncSeed, name: 'Mine' }, null, 2);
    act(() => appStore.getState().editDraft(text));
    fireEvent.change(screen.getByRole('slider', { name: 'Workers' }), { target: { value: '16' } });
    expect(screen.getByRole('status').textContent).toMatch(
      /The draft took the change made outside it: async\.workers 10 → 16/,
    );
    expect(editorText()).toMatch(/"workers": 16/);
    expect(editorText()).toMatch(/"name": "Mine"/);
    // the draft changes the pool; the slider moves it too
    act(() =>
      appStore
        .getState()
        .editDraft(appStore.getState().draft!.text.replace('"pool_size": 20', '"pool_size": 25')),
    );
    fireEvent.change(screen.getByRole('slider', { name: 'DB pool' }), { target: { value: '40' } });
    const ask = screen
      .getAllByRole('alert')
      .find((a) => /Which one stands/.test(a.textContent ?? ''))!;
    expect(ask.textContent).toMatch(/db\.pool_size 20 → 40/);
    expect((screen.getByRole('button', { name: 'Apply' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    fireEvent.click(within(ask).getByRole('button', { name: 'Take the console’s version' }));
    expect(appStore.getState().draft).toBeNull();
    expect(editorText()).toMatch(/"pool_size": 40/);
    expect(editorText()).not.toMatch(/Mine/);
  }, 20_000);
});

describe('a run that would never end', () => {
  it('says what it would cost and offers to run it anyway or to shorten it, in both languages', () => {
    const long = scenario({ ...asyncSeed, duration_s: 1e9 });
    appStore.getState().runAsked(estimateCost(long));
    render(<RunConfirm />);
    const dialog = screen.getByRole('alertdialog', { name: 'This run would be long' });
    expect(dialog.textContent).toMatch(
      /about 4\.2T requests \(4\.2K req\/s for 1B s simulated\), about [\d.]+T events: roughly \d+ days here/,
    );
    act(() => appStore.getState().setLanguage('zh'));
    expect(screen.getByRole('alertdialog', { name: '这次运行会很长' }).textContent).toMatch(/万亿/);
    act(() => appStore.getState().setLanguage('en'));
    fireEvent.click(screen.getByRole('button', { name: 'Shorten to 60 s' }));
    expect(appStore.getState().scenario.duration_s).toBe(60);
    appStore.getState().runAsked(estimateCost(long));
    fireEvent.click(screen.getByRole('button', { name: 'Run it anyway' }));
    expect(appStore.getState().runAsk).toBeNull();
    expect(appStore.getState().confirmedEvents).toBeGreaterThan(1e12);
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});

describe('readouts', () => {
  it('show Throughput, P99 latency and Error rate of the result with their 95 % intervals', () => {
    const r = quickRun(asyncSeed);
    appStore.getState().runFinished(r, null, 5);
    render(<Readouts />);
    const tp = screen.getByRole('status', { name: 'Throughput' });
    expect(tp.textContent).toMatch(/req\/s/);
    expect(screen.getByRole('status', { name: 'P99 latency' }).textContent).toMatch(/ms/);
    expect(screen.getByRole('status', { name: 'Error rate' }).textContent).toMatch(/%/);
    expect(screen.getByRole('status', { name: 'Task delay' }).textContent).toMatch(/ms/);
    expect(tp.parentElement!.textContent).toMatch(/95 % CI/);
    // the engine's own intervals also as estimate ± half-width
    const hw = r.ci95.latency_p99_ms.half_width;
    expect(hw).toBeGreaterThan(0);
    const p99Tile = screen.getByRole('status', { name: 'P99 latency' }).parentElement!;
    expect(p99Tile.textContent).toMatch(/± [\d.]+ ms/);
    expect(tp.parentElement!.textContent).toMatch(/± [\d,.]+ req\/s/);
  });

  it('say what a result merged from runs side by side is made of, beside the run time', () => {
    const v = validateScenario({ ...asyncSeed, duration_s: 4, warmup_s: 0.5 });
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const plan = planReplications(v.scenario, 2);
    const r = mergeResults(
      v.scenario,
      plan,
      plan.runs.map((s) => simulate(s, { series: true, parts: true })),
    );
    appStore.getState().runFinished(r, null, 40);
    render(<RunBar onCancel={() => {}} />);
    expect(document.querySelector('.run-replications')?.textContent).toBe(
      '2 runs of 2 s side by side, 95 % intervals from their 20 batches',
    );
    expect(document.querySelector('.run-timing')?.textContent).toMatch(/simulated in \d+ ms/);
  });
});

describe('compare', () => {
  it('says why the SLO field does not take 0, and that the SLO stays', () => {
    render(<CompareView />);
    const field = screen.getByRole('spinbutton', { name: 'SLO: P99 ≤ (ms)' });
    fireEvent.change(field, { target: { value: '0' } });
    expect(screen.getByRole('alert').textContent).toBe(
      'The SLO must be a number of milliseconds above 0.',
    );
    expect(appStore.getState().sloP99Ms).toBe(200);
    fireEvent.blur(field);
    expect((field as HTMLInputElement).value).toBe('200');
    expect(screen.getByRole('alert').textContent).toBe(
      'The SLO must be a number of milliseconds above 0. Not applied: the SLO stays 200 ms.',
    );
    fireEvent.change(field, { target: { value: '150' } });
    expect(appStore.getState().sloP99Ms).toBe(150);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('pins A and shows B beside it with deltas coloured against the SLO', () => {
    appStore.getState().runFinished(quickRun(asyncSeed), null, 5);
    render(<CompareView />);
    fireEvent.change(screen.getByRole('textbox', { name: 'Snapshot name' }), {
      target: { value: 'ten workers' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Pin current as A' }));
    const fewer = { ...asyncSeed, async: { ...asyncSeed.async!, workers: 2 } };
    appStore.getState().runFinished(quickRun(fewer), null, 5);
    fireEvent.change(screen.getByRole('spinbutton', { name: 'SLO: P99 ≤ (ms)' }), {
      target: { value: '100000' },
    });
    const table = screen.getByRole('table', { name: 'A/B comparison' });
    const delayRow = within(table).getByRole('row', { name: /Task delay/ });
    expect(delayRow.querySelector('.delta')!.getAttribute('data-verdict')).toBe('worse');
    const p99Row = within(table).getByRole('row', { name: /P99 latency/ });
    expect(p99Row.querySelectorAll('td.meets')).toHaveLength(2);
    expect(screen.getByText('ten workers')).toBeTruthy();
  });
});

describe('the console', () => {
  it('switches every visible label to Simplified Chinese', () => {
    appStore.getState().runFinished(quickRun(asyncSeed), null, 5);
    render(<App onCancelRun={() => {}} />);
    expect(screen.getByRole('slider', { name: 'Workers' })).toBeTruthy();
    fireEvent.change(screen.getByRole('combobox', { name: 'Language' }), {
      target: { value: 'zh' },
    });
    expect(screen.getByRole('slider', { name: '工作协程' })).toBeTruthy();
    expect(screen.getByRole('status', { name: 'P99 延迟' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: '对比' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('zh-CN');
  });

  it('undoes with Ctrl+Z and redoes with Ctrl+Shift+Z', () => {
    render(<App onCancelRun={() => {}} />);
    fireEvent.change(screen.getByRole('slider', { name: 'Workers' }), { target: { value: '30' } });
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    expect(readControl(appStore.getState().scenario, 'workers')).toBe(10);
    fireEvent.keyDown(window, { key: 'Z', ctrlKey: true, shiftKey: true });
    expect(readControl(appStore.getState().scenario, 'workers')).toBe(30);
  });
});
