// The Live view follows the console's language: in 简体中文 an operator finds the connection form,
// its fields and buttons by their Chinese names, connects, and reads the source's state in
// Chinese; switching back to English restores the English names the other tests use. A source
// another page disconnected (or whose page went away) leaves the view; "Model this" shows the
// twin's fit at once and its simulated band once the simulation worker is done. The shell side is
// a small in-test API of the contract's shape that records requests and pushes events; the store,
// the view, its dictionary and the simulation (on an in-process worker) are the real ones.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { LiveSourceInfo, PeaklineApi, ReplyOf, RequestOf } from '../api/types';
import { exp, scenario } from '../../sim-core/testkit';
import { InProcessWorker } from '../sim/testing';
import { appStore } from '../store';
import { LiveView } from './LiveView';
import { en, zh, type Dictionary } from '../i18n';

type Listener = (payload: unknown) => void;

function shell(canRemember = false) {
  const listeners: Record<string, Listener[]> = {};
  const on = (name: string) => (l: Listener) => {
    (listeners[name] ??= []).push(l);
    return () => {
      listeners[name] = listeners[name].filter((x) => x !== l);
    };
  };
  const connects: RequestOf<'live:connect'>[] = [];
  const sources: LiveSourceInfo[] = [];
  const remembered: RequestOf<'live:secret:save'>[] = [];
  const forgotten: string[] = [];
  const models: RequestOf<'live:model'>[] = [];
  let asked = 0;
  const api = {
    onLiveSample: on('sample'),
    onLiveStatus: on('status'),
    onLiveRemoved: on('removed'),
    liveList: async () => ({ sources }),
    liveHistory: async () => ({ samples: [] }),
    liveRecordings: async () => ({ recordings: [] }),
    liveSecrets: async () => {
      asked++;
      return { can_remember: canRemember };
    },
    liveSecretSave: async (req: RequestOf<'live:secret:save'>) => {
      remembered.push(req);
      return { saved: true };
    },
    liveSecretForget: async (req: RequestOf<'live:secret:forget'>) => {
      forgotten.push(req.id);
      return { forgotten: true };
    },
    liveConnect: async (req: RequestOf<'live:connect'>) => {
      connects.push(req);
      return { id: 'redis-1' };
    },
    liveModel: async (req: RequestOf<'live:model'>) => {
      models.push(req);
      return twinReply();
    },
  } as unknown as PeaklineApi;
  const emit = (name: string, payload: unknown) =>
    act(() => listeners[name]?.forEach((l) => l(payload)));
  return { api, emit, connects, sources, remembered, forgotten, models, asked: () => asked };
}

const info = (state: LiveSourceInfo['state'], reason: string | null): LiveSourceInfo => ({
  id: 'redis-1',
  kind: 'redis',
  name: 'redis://127.0.0.1:6390',
  state,
  reason,
  cluster: false,
  queue_keys: [],
  interval_s: 1,
  has_password: true,
  since: 0,
  attempts: state === 'down' ? 2 : 0,
  next_retry: null,
});

const METRICS = 'http://127.0.0.1:9464/metrics';

/** What `live:model` answers for the demo's endpoint: 3 workers of ~20 ms at 100 req/s. */
function twinReply(): ReplyOf<'live:model'> {
  return {
    scenario: scenario({
      name: `Twin of ${METRICS}`,
      seed: 1,
      duration_s: 30,
      workload: { type: 'open', rate_rps: 100 },
      server: { concurrency: 3 },
      handler: [{ cpu: exp(20) }],
    }),
    fit: {
      source: METRICS,
      from: 0,
      to: 60_000,
      samples: 60,
      arrival_rps: 100,
      service_mean_ms: 20,
      service_p99_ms: 92,
      sigma: 1,
      workers: 3,
      workers_from: 'metric',
      observed: { latency_p50_ms: 18, latency_p99_ms: 41.2, throughput_rps: 100 },
      usl: null,
      usl_note: 'one load level only',
      excluded: null,
    },
  };
}

beforeEach(() => {
  appStore.setState(appStore.getInitialState(), true);
  localStorage.clear();
});
afterEach(cleanup);

// A source's panel draws its charts (recharts, at the width ChartCard falls back to in jsdom): on a
// busy machine the tests that show one get a budget of 15 s.
const PANELS = { timeout: 15_000 };

describe('the Live view in 简体中文', PANELS, () => {
  it('names the connection form and its buttons in Chinese and connects from them', async () => {
    appStore.getState().setLanguage('zh');
    const { api, emit, connects } = shell();
    render(<LiveView api={api} />);

    const form = screen.getByRole('region', { name: '连接数据源' });
    expect((within(form).getByRole('radio', { name: 'Redis' }) as HTMLInputElement).checked).toBe(
      true,
    );
    expect(within(form).getByRole('radio', { name: '指标端点' })).toBeTruthy();
    fireEvent.change(within(form).getByLabelText('Redis 地址'), {
      target: { value: 'redis://127.0.0.1:6390' },
    });
    fireEvent.change(within(form).getByLabelText('密码'), { target: { value: 's3cret' } });
    fireEvent.change(within(form).getByLabelText('队列键'), { target: { value: 'bull:q:wait' } });
    fireEvent.click(within(form).getByRole('checkbox', { name: '集群（监控所有主节点和副本）' }));
    expect(within(form).getByRole('button', { name: '保存连接' })).toBeTruthy();
    fireEvent.click(within(form).getByRole('button', { name: '连接' }));
    await screen.findByRole('button', { name: '连接' }); // back from "正在连接…"
    expect(connects).toEqual([
      expect.objectContaining({
        kind: 'redis',
        url: 'redis://127.0.0.1:6390',
        password: 's3cret',
        cluster: true,
        queue_keys: ['bull:q:wait'],
      }),
    ]);
    // The password field is cleared once connected.
    expect((within(form).getByLabelText('密码') as HTMLInputElement).value).toBe('');

    // The toolbar and the source's state read in Chinese.
    expect(screen.getByRole('heading', { name: '数据源' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '暂停' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '录制' })).toBeTruthy();
    const windowSelect = screen.getByRole('combobox', { name: '时间窗口' }) as HTMLSelectElement;
    expect(windowSelect.selectedOptions[0].textContent).toBe('最近 5 分钟');
    emit('status', info('down', 'connect ECONNREFUSED 127.0.0.1:6390'));
    expect(screen.getByRole('status', { name: 'redis://127.0.0.1:6390 中断' }).textContent).toBe(
      '中断',
    );
    const panel = screen.getByRole('region', { name: /^redis:\/\/127\.0\.0\.1:6390/ });
    expect(within(panel).getByRole('alert').textContent).toBe(
      '中断：connect ECONNREFUSED 127.0.0.1:6390',
    );
    expect(within(panel).getByRole('button', { name: '断开 redis://127.0.0.1:6390' })).toBeTruthy();
    expect(within(panel).getByRole('figure', { name: '每秒操作数' })).toBeTruthy();
  });

  it('switches back to the English names when the language changes', () => {
    appStore.getState().setLanguage('zh');
    const { api } = shell();
    render(<LiveView api={api} />);
    expect(screen.getByRole('button', { name: '连接' })).toBeTruthy();
    act(() => appStore.getState().setLanguage('en'));
    expect(screen.getByRole('region', { name: 'Connect a source' })).toBeTruthy();
    expect(screen.getByLabelText('Redis URL')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Connect' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: '连接' })).toBeNull();
  });
});

describe('sources in the Live view', PANELS, () => {
  it('drops a source another page disconnected, or whose page went away', async () => {
    const { api, emit } = shell();
    render(<LiveView api={api} />);
    emit('status', info('up', null));
    expect(screen.getByRole('status', { name: 'redis://127.0.0.1:6390 is up' })).toBeTruthy();
    expect(screen.getByRole('region', { name: /^redis:\/\/127\.0\.0\.1:6390/ })).toBeTruthy();
    emit('removed', { id: 'redis-1', why: 'session ended' });
    expect(screen.queryByRole('status', { name: /^redis:\/\/127\.0\.0\.1:6390/ })).toBeNull();
    expect(screen.queryByRole('region', { name: /^redis:\/\/127\.0\.0\.1:6390/ })).toBeNull();
  });

  it('models a metrics source: the fit at once, the band once the simulation worker is done', async () => {
    const { api, emit, models } = shell();
    const workers: InProcessWorker[] = [];
    const createWorker = () => {
      const w = new InProcessWorker();
      workers.push(w);
      return w;
    };
    render(<LiveView api={api} createWorker={createWorker} />);
    emit('status', { ...info('up', null), id: 'metrics-2', kind: 'metrics', name: METRICS });
    fireEvent.change(screen.getByLabelText('Twin workers'), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: `Model this: ${METRICS}` }));
    const twin = await screen.findByRole('status', { name: 'Twin' });
    expect(models).toEqual([expect.objectContaining({ id: 'metrics-2', workers: 3 })]);
    expect(twin.textContent).toContain('100 req/s, service mean 20 ms (P99 92 ms), 3 workers');
    await waitFor(() =>
      expect(twin.textContent).toMatch(
        /3 workers → simulated P99 [\d.]+–[\d.]+ ms; observed P99 41\.2 ms/,
      ),
    );
    expect(twin.textContent).toContain('No USL: one load level only');
    // One run, on the simulation worker (never on the page's own thread).
    expect(workers.map((w) => w.received)).toEqual([['run']]);
  });
});

describe('remembering a saved connection’s password', () => {
  const PW = 'Rem3mber-me-9d2';

  it('on the desktop: hands the password to the Node side and connects from the saved connection alone', async () => {
    const { api, connects, remembered, forgotten } = shell(true);
    render(<LiveView api={api} />);
    const remember = await screen.findByRole('checkbox', {
      name: 'Remember password on this computer',
    });
    fireEvent.change(screen.getByLabelText('Redis URL'), {
      target: { value: 'redis://127.0.0.1:6390' },
    });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: PW } });
    fireEvent.change(screen.getByLabelText('Name (for saving)'), {
      target: { value: 'prod cache' },
    });
    fireEvent.click(remember);
    fireEvent.click(screen.getByRole('button', { name: 'Save connection' }));
    const saved = await screen.findByRole('list', { name: 'Saved connections' });
    expect(within(saved).getByText('password remembered')).toBeTruthy();
    expect(remembered).toEqual([{ id: expect.stringMatching(/^c-[0-9a-f]{24}$/), password: PW }]);
    const id = remembered[0].id;
    const stored = JSON.stringify({ ...localStorage });
    expect(stored).not.toContain(PW);
    expect(stored).toContain(id);

    // Later: pick the saved connection; the password field stays empty and says why.
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use saved connection prod cache' }));
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
    expect(
      screen.getByText('A remembered password is used when this field is left empty.'),
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(connects).toHaveLength(1));
    expect(connects[0]).toMatchObject({
      kind: 'redis',
      url: 'redis://127.0.0.1:6390',
      secret_id: id,
    });
    expect(connects[0]).not.toHaveProperty('password');

    fireEvent.click(screen.getByRole('button', { name: 'Forget saved connection prod cache' }));
    expect(forgotten).toEqual([id]);
    expect(screen.queryByRole('list', { name: 'Saved connections' })).toBeNull();
  });

  it('offers it in Chinese on the desktop', async () => {
    appStore.getState().setLanguage('zh');
    const { api } = shell(true);
    render(<LiveView api={api} />);
    expect(await screen.findByRole('checkbox', { name: '在此计算机上记住密码' })).toBeTruthy();
  });

  it('in the web console: never offers it, and never sends a remembered-password id', async () => {
    localStorage.setItem(
      'peakline.live.connections.v1',
      JSON.stringify([
        {
          ...{ kind: 'redis', label: 'from desktop', url: 'redis://127.0.0.1:6390' },
          remember: true,
          secretId: 'c-0123456789abcdef01234567',
        },
      ]),
    );
    const { api, connects, asked } = shell(false);
    render(<LiveView api={api} />);
    await waitFor(() => expect(asked()).toBe(1));
    await act(async () => {});
    expect(screen.queryByRole('checkbox', { name: /Remember password/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Use saved connection from desktop' }));
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(connects).toHaveLength(1));
    expect(connects[0]).not.toHaveProperty('secret_id');
    expect(connects[0]).not.toHaveProperty('password');
  });
});

describe('the Live dictionary', () => {
  it('has every English key in Chinese, with the same placeholders, and translates the words', () => {
    const live = (Object.keys(en) as (keyof typeof en)[]).filter((k) => k.startsWith('live'));
    expect(live.length).toBeGreaterThan(100);
    const cjk = /[\u3000-\u9fff\uff00-\uffef]/;
    const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const untranslated: string[] = [];
    for (const k of live) {
      expect(holes(zh[k]), k).toEqual(holes(en[k]));
      if (!cjk.test(zh[k])) untranslated.push(k);
    }
    // Only names that are the same in both languages (product and protocol names, units), and
    // "{name} {state}", made of its placeholders (the state is translated on its own).
    expect(untranslated.sort()).toEqual(['liveIsState', 'liveKindRedis', 'liveLineCpu']);
  });

  it('does not type-check a locale that lacks a key', () => {
    const { liveConnect: _dropped, ...partial } = zh;
    // @ts-expect-error -- `liveConnect` is missing, so this is not a Dictionary
    const broken: Dictionary = partial;
    expect(broken).not.toHaveProperty('liveConnect');
  });
});
