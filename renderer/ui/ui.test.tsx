// Smaller pieces of the console: the Help dialog, the error boundary, the Chinese dictionary,
// presentation shortcuts, and the sweep heatmap.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { appStore } from '../store';
import { en, zh } from '../i18n';
import { App } from '../App';
import { ErrorBoundary } from './ErrorBoundary';
import { SweepView } from '../views/SweepView';
import type { SweepPoint } from '../store/types';

beforeEach(() => appStore.setState(appStore.getInitialState(), true));
afterEach(cleanup);

describe('the Chinese dictionary', () => {
  it('translates every English string (none left empty or in English by mistake)', () => {
    const keys = Object.keys(en) as (keyof typeof en)[];
    for (const k of keys) expect(zh[k], k).toBeTruthy();
    const untranslated = keys.filter(
      (k) =>
        zh[k] === en[k] &&
        /[a-z]{4,}/.test(en[k]) &&
        !['appTitle', 'exportPng', 'slo', 'liveKindRedis'].includes(k),
    );
    expect(untranslated).toEqual([]);
  });
});

describe('help and shortcuts', () => {
  it('lists the shortcuts when ? is pressed, and closes', () => {
    render(<App onCancelRun={() => {}} />);
    fireEvent.keyDown(document.body, { key: '?' });
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(dialog.textContent).toContain('Ctrl+Z');
    expect(dialog.textContent).toContain('Ctrl+Shift+Z');
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('enters presentation with P, hides the controls, and leaves with Escape', () => {
    render(<App onCancelRun={() => {}} />);
    fireEvent.keyDown(document.body, { key: 'p' });
    expect(appStore.getState().presenting).toBe(true);
    expect(screen.queryByRole('slider', { name: 'Workers' })).toBeNull();
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(appStore.getState().presenting).toBe(false);
    expect(screen.getByRole('slider', { name: 'Workers' })).toBeTruthy();
  });

  it('moves between views with the arrow keys on the tab list', () => {
    render(<App onCancelRun={() => {}} />);
    const scenarioTab = screen.getByRole('tab', { name: 'Scenario' });
    fireEvent.keyDown(scenarioTab, { key: 'ArrowRight' });
    expect(appStore.getState().tab).toBe('compare');
    expect(screen.getByRole('tab', { name: 'Compare' }).getAttribute('aria-selected')).toBe('true');
  });
});

describe('error boundary', () => {
  it('shows what went wrong with a way out instead of a blank screen', () => {
    let fail = true;
    let resets = 0;
    function Flaky() {
      if (fail) throw new Error('chart exploded');
      return <p>fine again</p>;
    }
    const quiet = console.error;
    console.error = () => {};
    try {
      render(
        <ErrorBoundary
          title="Something went wrong"
          retryLabel="Try again"
          resetLabel="Reset"
          onReset={() => resets++}
        >
          <Flaky />
        </ErrorBoundary>,
      );
    } finally {
      console.error = quiet;
    }
    expect(screen.getByRole('alert').textContent).toContain('chart exploded');
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(resets).toBe(1);
    expect(screen.getByText('fine again')).toBeTruthy();
  });
});

describe('sweep heatmap', () => {
  it('draws one cell per configuration of a two-parameter sweep and names the cheapest', () => {
    const points: SweepPoint[] = [];
    for (const w of [2, 4, 6])
      for (const p of [10, 20])
        points.push({
          index: points.length,
          values: { 'async.workers': w, 'db.pool_size': p },
          throughput_rps: 100 * w,
          p50_ms: 10,
          p90_ms: 15,
          p99_ms: 400 / w + p,
          p999_ms: 500,
          mean_ms: 20,
          error_rate: 0,
          task_delay_p99_ms: null,
          saturated: 'workers',
          meets_slo: 400 / w + p <= 120,
          cost: w + p,
        });
    const best = points.find(
      (q) => q.values['async.workers'] === 4 && q.values['db.pool_size'] === 10,
    )!;
    appStore.getState().setSweepParams([
      { path: 'async.workers', from: 2, to: 6, step: 2 },
      { path: 'db.pool_size', from: 10, to: 20, step: 10 },
    ]);
    appStore.getState().sweepFinished(points, best);
    const { container } = render(<SweepView />);
    expect(screen.getByRole('img', { name: 'Sweep heatmap' })).toBeTruthy();
    expect(container.querySelectorAll('rect.heat-cell')).toHaveLength(6);
    expect(screen.getByRole('status').textContent).toMatch(
      /^Cheapest meeting the SLO: async\.workers = 4, db\.pool_size = 10\b/,
    );
  });
});
