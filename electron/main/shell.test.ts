// The desktop shell's logic, in Node against the real modules it builds on (Electron itself cannot
// run here): the window is isolated and sandboxed, IPC serves only the Peakline window and
// validates payloads through the real handler and store, the preload exposes named functions
// only, the menu sends contract commands, and the window, recent profiles and opened files are
// remembered and found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { MenuItemConstructorOptions } from 'electron';
import type { EventChannel, MenuCommand } from '../api/contract';
import { createApiHandler, type ApiHandler } from '../api/handler';
import { contentSecurityPolicy } from '../csp';
import { tempProfiles, TINY_SCENARIO, type TempProfiles } from '../api/testing';
import { createPreloadApi, type PreloadIpc } from '../preload/api';
import { scenarioFilesFromArgv } from './argv';
import { serveIpc } from './ipc';
import { buildMenuTemplate, type MenuState } from './menu';
import { RecentProfiles } from './recent';
import {
  APP_URL,
  isAppUrl,
  navigationAllowed,
  windowOpenDecision,
  windowOptions,
} from './window-options';
import {
  DEFAULT_WINDOW_STATE,
  fitToDisplays,
  loadWindowState,
  saveWindowState,
} from './window-state';

const scenario = TINY_SCENARIO;

let profiles: TempProfiles;
let root: string;
let handler: ApiHandler;

beforeAll(async () => {
  profiles = await tempProfiles('peakline-shell-', 'seed-async.json');
  root = profiles.root;
  handler = createApiHandler({
    shell: 'electron',
    version: '0.1.0',
    store: profiles.store,
  });
});
afterAll(async () => {
  handler.dispose();
  await profiles.remove();
});

/**
 * An ipcRenderer whose messages reach the real main-side IPC layer (`serveIpc`) as a window at
 * `frameUrl` would, and whose `send` back delivers to the page's listeners with an event object.
 */
function ipcFrom(frameUrl: string, isMainFrame = true) {
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  const sender = {
    frameUrl,
    isMainFrame,
    key: {},
    send: (channel: EventChannel, payload: unknown) => {
      for (const l of listeners.get(channel) ?? [])
        l({ sender: 'electron-event-object', ports: [] }, payload);
    },
  };
  const ipc: PreloadIpc = {
    invoke: (channel, payload) => serveIpc(handler, channel, sender, payload),
    on: (channel, l) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
    },
    removeListener: (channel, l) => listeners.get(channel)?.delete(l),
  };
  return { ipc, sender, listeners };
}

describe('desktop window', () => {
  it('is isolated, sandboxed and without Node in the page, at its remembered place', () => {
    const o = windowOptions({
      preload: '/app/out/preload/index.cjs',
      state: { ...DEFAULT_WINDOW_STATE, x: 10, y: 20 },
    });
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(o).toMatchObject({ x: 10, y: 20, width: 1440, height: 900 });
    expect(windowOptions({ preload: 'p', state: DEFAULT_WINDOW_STATE })).toMatchObject({
      center: true,
    });
  });

  it('trusts only its own app:// origin, and its CSP allows no network', () => {
    expect(isAppUrl(APP_URL)).toBe(true);
    expect(isAppUrl('app://peakline/assets/index.js')).toBe(true);
    for (const u of [
      'app://evil/index.html',
      'file:///etc/passwd',
      'https://peakline/',
      'http://127.0.0.1:5173/',
      'nonsense',
      '',
      null,
    ])
      expect(isAppUrl(u), String(u)).toBe(false);
    const csp = contentSecurityPolicy('electron');
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|\*/);
  });
});

describe('new windows and navigation', () => {
  it('denies every new window, sending only https links to the system browser', () => {
    expect(windowOpenDecision('https://github.com/peakline')).toEqual({
      action: 'deny',
      openExternal: true,
    });
    for (const u of [
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'app://peakline/x',
      'garbage',
    ])
      expect(windowOpenDecision(u), u).toEqual({ action: 'deny', openExternal: false });
  });

  it('never lets the window navigate away', () => {
    for (const u of ['https://evil.example/', APP_URL, 'file:///tmp/a.html'])
      expect(navigationAllowed(u), u).toBe(false);
  });
});

describe('IPC through the preload', () => {
  it('window.peakline has named functions only, and round-trips a profile', async () => {
    const { ipc } = ipcFrom(APP_URL);
    const api = createPreloadApi(ipc);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    expect(Object.keys(api)).not.toContain('invoke');
    expect((await api.listShippedProfiles()).map((p) => p.name)).toEqual(['seed-async']);
    await api.saveProfile({ name: 'desk', scenario: scenario as never });
    expect((await api.loadProfile({ name: 'desk' })).scenario).toEqual(scenario);
    expect(await api.appInfo()).toMatchObject({
      shell: 'electron',
      profilesDir: path.join(root, 'user'),
    });
  });

  it('a bad payload rejects with the handler message and code', async () => {
    const api = createPreloadApi(ipcFrom(APP_URL).ipc);
    await expect(api.deleteProfile({ name: 42 as never })).rejects.toMatchObject({
      name: 'PeaklineApiError',
      code: 'invalid_request',
      message: 'profiles:delete: name: name must be a string',
    });
  });

  it('refuses requests from any other page or from a sub-frame', async () => {
    for (const [url, main] of [
      ['https://evil.example/', true],
      ['file:///tmp/x.html', true],
      [APP_URL, false],
    ] as const) {
      const api = createPreloadApi(ipcFrom(url, main).ipc);
      await expect(api.listProfiles(), url).rejects.toThrow(
        'profiles:list: refused: the sender is not the Peakline window',
      );
    }
    const { sender } = ipcFrom(APP_URL);
    expect(await serveIpc(handler, 'fs:write', sender, {})).toEqual({
      ok: false,
      error: { code: 'invalid_request', message: 'unknown request "fs:write"' },
    });
  });

  it('events reach the page without the Electron event object, and unsubscribe works', () => {
    const { ipc, sender, listeners } = ipcFrom(APP_URL);
    const api = createPreloadApi(ipc);
    const got: unknown[][] = [];
    const off = api.onMenu((...args: unknown[]) => got.push(args));
    sender.send('app:menu', { command: 'file:save' });
    expect(got).toEqual([[{ command: 'file:save' }]]);
    off();
    sender.send('app:menu', { command: 'file:save' });
    expect(got).toHaveLength(1);
    expect(listeners.get('app:menu')?.size).toBe(0);
    expect(() => api.onMenu('nope' as never)).toThrow('onMenu needs a function');
  });

  it('the built preload needs only electron and exposes exactly window.peakline', async () => {
    // What the build (run by this project's global set-up) made of electron/preload/index.ts.
    const built = fileURLToPath(new URL('../../out/preload/index.cjs', import.meta.url));
    const code = await readFile(built, 'utf8');
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    const exposed: Record<string, unknown> = {};
    const invoked: [string, unknown][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer: {
        invoke: async (channel: string, payload: unknown) => {
          invoked.push([channel, payload]);
          return { ok: true, result: [] };
        },
        on: () => {},
        removeListener: () => {},
      },
    };
    const module = { exports: {} };
    vm.runInNewContext(code, {
      require: (id: string) => {
        if (id !== 'electron') throw new Error(`preload tried to load ${id}`);
        return electron;
      },
      module,
      exports: module.exports,
    });
    expect(Object.keys(exposed)).toEqual(['peakline']);
    const api = exposed.peakline as Record<string, (x?: unknown) => Promise<unknown>>;
    expect(await api.listProfiles()).toEqual([]);
    expect(invoked).toEqual([['profiles:list', undefined]]);
    expect(typeof api.onLiveSample).toBe('function');
  });
});

describe('desktop menu', () => {
  const base: MenuState = {
    platform: 'linux',
    recent: [],
    theme: 'dark',
    language: 'en',
    dev: false,
  };
  const build = (state: Partial<MenuState> = {}) => {
    const sent: MenuCommand[] = [];
    const calls: string[] = [];
    const template = buildMenuTemplate(
      { ...base, ...state },
      {
        send: (c) => sent.push(c),
        openFile: () => calls.push('open'),
        showProfilesFolder: () => calls.push('folder'),
        openHelp: () => calls.push('help'),
      },
    );
    const find = (...labels: string[]): MenuItemConstructorOptions => {
      let items = template;
      let item: MenuItemConstructorOptions | undefined;
      for (const l of labels) {
        item = items.find((i) => i.label === l);
        if (!item) throw new Error(`no menu item ${labels.join(' > ')}`);
        items = (item.submenu as MenuItemConstructorOptions[]) ?? [];
      }
      return item!;
    };
    const click = (...labels: string[]) => (find(...labels).click as () => void)();
    return { template, sent, calls, find, click };
  };

  it('has File, View and Help whose items send contract commands', () => {
    const m = build();
    expect(m.template.map((i) => i.label ?? i.role)).toEqual([
      '&File',
      'editMenu',
      '&View',
      'windowMenu',
      '&Help',
    ]);
    m.click('&File', 'Save');
    m.click('&File', 'Save As…');
    m.click('&File', 'Export', 'Results as CSV…');
    m.click('&View', 'Presentation Mode');
    m.click('&View', 'Theme', 'Light');
    m.click('&View', 'Language', '简体中文');
    m.click('&Help', 'About Peakline');
    expect(m.sent).toEqual([
      { command: 'file:save' },
      { command: 'file:save-as' },
      { command: 'file:export', kind: 'csv' },
      { command: 'view:presentation' },
      { command: 'view:theme', theme: 'light' },
      { command: 'view:language', language: 'zh-CN' },
      { command: 'help:about' },
    ]);
    m.click('&File', 'Open…');
    expect(m.calls).toEqual(['open']);
    expect(m.find('&File', 'Save').accelerator).toBe('CmdOrCtrl+S');
    expect(m.find('&View', 'Theme', 'Dark').checked).toBe(true);
    expect(m.find('&File', 'Recent Profiles', 'No recent profiles').enabled).toBe(false);
  });

  it('lists recent profiles and opens them', () => {
    const m = build({
      recent: [
        { name: 'plan A', source: 'user' },
        { name: 'seed-async', source: 'shipped' },
      ],
    });
    m.click('&File', 'Recent Profiles', 'seed-async (shipped)');
    expect(m.sent).toEqual([
      { command: 'file:open-profile', name: 'seed-async', source: 'shipped' },
    ]);
  });

  it('follows the platform (macOS app menu) and adds developer tools in development', () => {
    const mac = build({ platform: 'darwin', dev: true });
    expect(mac.template[0].role).toBe('appMenu');
    const fileItems = mac.find('&File').submenu as MenuItemConstructorOptions[];
    expect(fileItems.some((i) => i.role === 'quit')).toBe(false);
    const viewItems = mac.find('&View').submenu as MenuItemConstructorOptions[];
    expect(viewItems.some((i) => i.role === 'toggleDevTools')).toBe(true);
    const linux = build();
    expect(
      (linux.find('&View').submenu as MenuItemConstructorOptions[]).some(
        (i) => i.role === 'toggleDevTools',
      ),
    ).toBe(false);
  });
});

describe('remembered state and opened files', () => {
  it('remembers the window and puts it back on screen when the display went away', async () => {
    const file = path.join(root, 'state', 'window-state.json');
    expect(await loadWindowState(file)).toEqual(DEFAULT_WINDOW_STATE);
    await mkdir(path.dirname(file), { recursive: true });
    const state = {
      x: 2000,
      y: 100,
      width: 1200,
      height: 800,
      maximized: false,
      fullscreen: false,
    };
    await saveWindowState(file, state);
    expect(await loadWindowState(file)).toEqual(state);
    const laptop = [{ x: 0, y: 0, width: 1366, height: 740 }];
    expect(fitToDisplays(state, laptop)).toEqual({
      width: 1200,
      height: 740,
      maximized: false,
      fullscreen: false,
    });
    const twoScreens = [...laptop, { x: 1366, y: 0, width: 1920, height: 1050 }];
    expect(fitToDisplays(state, twoScreens)).toEqual({ ...state });
    await writeFile(file, '{"width": "wide"');
    expect(await loadWindowState(file)).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('keeps the ten most recent profiles, newest first, across runs', async () => {
    const file = path.join(root, 'recent.json');
    const r = new RecentProfiles(file, 3);
    expect(await r.load()).toEqual([]);
    await r.add({ name: 'a', source: 'user' });
    await r.add({ name: 'b', source: 'user' });
    await r.add({ name: 'a', source: 'user' });
    await r.add({ name: 'c', source: 'shipped' });
    await r.add({ name: 'd', source: 'user' });
    expect(await new RecentProfiles(file, 3).load()).toEqual([
      { name: 'd', source: 'user' },
      { name: 'c', source: 'shipped' },
      { name: 'a', source: 'user' },
    ]);
  });

  it('finds the scenario file on the command line among Electron and Chromium arguments', async () => {
    const dir = path.join(root, 'docs');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'sale.peakline.json'), '{}');
    await writeFile(path.join(dir, 'notes.txt'), '');
    const argv = [
      '/opt/Peakline/peakline',
      '.',
      '--no-sandbox',
      '--enable-features=X',
      'sale.peakline.json',
      'notes.txt',
      'missing.json',
    ];
    expect(scenarioFilesFromArgv(argv, dir)).toEqual([path.join(dir, 'sale.peakline.json')]);
    expect(scenarioFilesFromArgv([`file://${dir}/sale.peakline.json`], '/')).toEqual([
      path.join(dir, 'sale.peakline.json'),
    ]);
  });
});
