// What the console does with events the shell pushes: a scenario file opened from the OS (good or
// bad) and desktop menu commands. The shell side is a small in-test event source with the API's
// shape; the store, App and its components are the real ones.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/react';
import type { PeaklineApi } from '../api/types';
import { appStore } from '../store';
import { App } from '../App';
import { ApiContext } from './hooks';
import syncFile from '../../profiles/seed-sync-baseline.json';

type Listener = (payload: unknown) => void;

function shell() {
  const listeners: Record<string, Listener[]> = {};
  const on = (name: string) => (l: Listener) => {
    (listeners[name] ??= []).push(l);
    return () => {
      listeners[name] = listeners[name].filter((x) => x !== l);
    };
  };
  const api = {
    onOpenFile: on('open'),
    onMenu: on('menu'),
    onSweepProgress: on('sweep'),
    onLiveSample: on('sample'),
    onLiveStatus: on('status'),
    listShippedProfiles: async () => [],
    listProfiles: async () => [],
  } as unknown as PeaklineApi;
  const emit = (name: string, payload: unknown) =>
    act(() => listeners[name]?.forEach((l) => l(payload)));
  return { api, emit };
}

beforeEach(() => appStore.setState(appStore.getInitialState(), true));
afterEach(cleanup);

describe('shell events', () => {
  it('opens a scenario file from the OS, and shows the validator message of a bad one', async () => {
    const { api, emit } = shell();
    render(
      <ApiContext.Provider value={api}>
        <App onCancelRun={() => {}} />
      </ApiContext.Provider>,
    );
    emit('open', { path: '/home/me/sync.json', scenario: syncFile, error: null });
    expect(appStore.getState().scenario.name).toBe(syncFile.name);
    expect(screen.getByRole('heading', { name: syncFile.name })).toBeTruthy();
    emit('open', {
      path: '/home/me/bad.json',
      scenario: null,
      error: 'bad.json: async.workers: must be >= 1 (got 0)',
    });
    const alert = screen.getAllByRole('alert').find((a) => a.textContent?.includes('bad.json'));
    expect(alert?.textContent).toContain('async.workers: must be >= 1');
    // The scenario being edited is kept, not replaced by nothing.
    expect(appStore.getState().scenario.name).toBe(syncFile.name);
  });

  it('follows the View menu: language, theme, presentation', () => {
    const { api, emit } = shell();
    render(
      <ApiContext.Provider value={api}>
        <App onCancelRun={() => {}} />
      </ApiContext.Provider>,
    );
    emit('menu', { command: 'view:language', language: 'zh-CN' });
    expect(screen.getByRole('tab', { name: '场景' })).toBeTruthy();
    emit('menu', { command: 'view:theme', theme: 'dark' });
    expect(document.documentElement.dataset.theme).toBe('dark');
    emit('menu', { command: 'view:presentation' });
    expect(appStore.getState().presenting).toBe(true);
  });
});
