// Reading a result in jsdom: the run bar names the saturating station only once the run that
// decides it is done, the station table has a row of figures for every station, and the charts
// do not draw a result that a newer run is already replacing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen, within } from '@testing-library/react';
import type { ScenarioInput } from '../../sim-core/schema';
import { simulate } from '../../sim-core/index';
import { validateScenario } from '../../sim-core/validate';
import { appStore } from '../store';
import { translate } from '../i18n';
import { RunBar } from './RunBar';
import { StationTable } from './StationTable';
import { Results, SETTLE_MS } from './Results';
import { formatValue } from './Readouts';
import syncFile from '../../profiles/seed-sync-baseline.json';

const syncSeed = syncFile as unknown as ScenarioInput;
const quickRun = (s: ScenarioInput) => {
  const v = validateScenario({ ...s, duration_s: 3, warmup_s: 0.5 });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return simulate(v.scenario, { series: true });
};
const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) =>
  translate('en', k, v);

beforeEach(() => {
  appStore.setState(appStore.getInitialState(), true);
  appStore.getState().loadScenario(syncSeed, 'seed-sync-baseline');
});
afterEach(cleanup);

describe('reading a result', () => {
  it('clears the saturation label while a new run is going and names it again when done', () => {
    const r = quickRun(syncSeed);
    expect(r.saturated).toBe('db_pool');
    appStore.getState().runFinished(r, null, 5);
    render(<RunBar onCancel={() => {}} />);
    expect(screen.getByText('Saturates first: db_pool')).toBeTruthy();
    act(() => appStore.getState().runStarted());
    expect(screen.queryByText(/Saturates first/)).toBeNull();
    expect(screen.queryByText('No station saturated')).toBeNull();
    // a preview of the new run does not bring back a verdict the full run has not given
    act(() => appStore.getState().runPreview(r, null, 5, syncSeed));
    expect(screen.queryByText(/Saturates first/)).toBeNull();
    act(() => appStore.getState().runFinished(r, null, 5));
    expect(screen.getByText('Saturates first: db_pool')).toBeTruthy();
  });

  it('draws a result once it has stayed on screen with no newer run going, a preview at once', async () => {
    const pool = (n: number) => quickRun({ ...syncSeed, db: { ...syncSeed.db!, pool_size: n } });
    const [r20, r30, r40, r50] = [pool(20), pool(30), pool(40), pool(50)];
    /** The DB pool's servers in the station table, drawn with the charts. */
    const drawnPool = () =>
      within(screen.getByRole('table', { name: 'Stations' }))
        .getByRole('rowheader', { name: /db_pool/ })
        .parentElement!.querySelector('td')!.textContent;
    const fresh = () => document.querySelector('.charts')!.getAttribute('data-fresh');
    const settle = () => act(() => new Promise((r) => setTimeout(r, SETTLE_MS + 50)));
    // the first result is drawn at once
    act(() => appStore.getState().runFinished(r20, null, 5));
    render(<Results onCancel={() => {}} />);
    expect(drawnPool()).toBe('20');
    // a result arrives: the readouts show it, the charts wait a moment, marked stale
    act(() => appStore.getState().runFinished(r30, null, 5));
    expect(screen.getByRole('status', { name: 'P99 latency' }).textContent).toBe(
      `${formatValue('ms', r30.latency_ms.p99)}`,
    );
    expect(drawnPool()).toBe('20');
    expect(fresh()).toBe('false');
    // a newer run starts meanwhile (the next slider step): the charts keep what they drew
    act(() => appStore.getState().runStarted());
    await settle();
    expect(drawnPool()).toBe('20');
    // that run done and its result left on screen, it is drawn
    act(() => appStore.getState().runFinished(r40, null, 5));
    await settle();
    expect(drawnPool()).toBe('40');
    expect(fresh()).toBe('true');
    // a long run's preview is drawn at once, while the run goes on
    act(() => {
      appStore.getState().runStarted();
      appStore.getState().runPreview(r50, null, 5, syncSeed);
    });
    expect(drawnPool()).toBe('50');
    expect(fresh()).toBe('true');
  });

  it('lists every station with its servers, throughput, utilisation, queue, wait and residence time', () => {
    const r = quickRun(syncSeed);
    render(<StationTable result={r} theme="light" t={t} />);
    const table = screen.getByRole('table', { name: 'Stations' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual([
      'instances',
      'db_pool ⚠ saturates first',
      'shard[0]',
      'service:push',
    ]);
    const pool = within(rows[1])
      .getAllByRole('cell')
      .map((c) => c.textContent);
    expect(pool[0]).toBe('20');
    // the pool serves two queries a request
    const x = Number(pool[1]!.replace(/,/g, ''));
    expect(x / r.throughput_rps).toBeGreaterThan(1.9);
    expect(x / r.throughput_rps).toBeLessThan(2.1);
    expect(pool[2]).toMatch(/^(99|100)(\.\d)? %$/);
    // a visit to the pool: its wait, then the query (about 20 ms)
    const wait = Number(pool[4]);
    const residence = Number(pool[5]);
    expect(residence - wait).toBeGreaterThan(15);
    expect(residence - wait).toBeLessThan(25);
  });
});
