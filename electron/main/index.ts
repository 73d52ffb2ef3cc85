// The Electron main process, kept thin: the logic lives in plain modules tested in Node
// (window-options, menu, ipc, window-state, argv, recent). Here: one instance, one window on the
// app:// scheme serving the built UI (out/renderer) with a strict CSP, navigation and new windows
// denied, every IPC request checked and validated, the menu, the remembered window, and scenario
// files opened from the OS.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventChannel, MenuCommand, OpenFile } from '../api/contract';
import { createApiHandler, type RequestContext } from '../api/handler';
import { contentSecurityPolicy } from '../csp';
import { LiveService } from '../live/service';
import { ProfileStore, readScenarioFile } from '../profiles/store';
import { planWorkers } from '../queue/plan-workers';
import { writeFileAtomic } from '../write-file-atomic';
import { MIME, resolveStatic } from '../web/server';
import { scenarioFilesFromArgv } from './argv';
import { serveIpc, ipcRequestChannels } from './ipc';
import { buildMenuTemplate, type MenuState } from './menu';
import { RecentProfiles } from './recent';
import { keyStoreEncryptor, SecretStore } from './secrets';
import {
  APP_HOST,
  APP_SCHEME,
  APP_URL,
  isAppUrl,
  navigationAllowed,
  windowOpenDecision,
  windowOptions,
} from './window-options';
import { fitToDisplays, loadWindowState, saveWindowState } from './window-state';

// This module is compiled to out/main/index.js (package.json "main"); the build puts the UI and
// the sandboxed preload beside it (electron.vite.config.ts).
const appRoot = app.getAppPath();
const distDir = path.join(appRoot, 'out', 'renderer');
const preload = path.join(appRoot, 'out', 'preload', 'index.cjs');
const userData = app.getPath('userData');

// app:// behaves like https (relative URLs, module workers, storage, fetch) and its pages can be
// cross-origin isolated; this must happen before the app is ready.
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
  },
]);

let win: BrowserWindow | null = null;
let uiReady = false;
const pendingFiles: OpenFile[] = [];
const menuState: MenuState = {
  platform: process.platform,
  recent: [],
  theme: 'system',
  language: 'en',
  dev: !app.isPackaged,
};

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void main();
}

/** Hands a scenario file to the UI now, or keeps it until the UI asks (app:pending-files). */
async function openScenarioFile(file: string): Promise<void> {
  const opened = await readScenarioFile(file);
  if (win && uiReady) send('app:open-file', opened);
  else pendingFiles.push(opened);
  if (opened.scenario) app.addRecentDocument(opened.path);
}

function send(channel: EventChannel, payload: unknown): void {
  if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
}

async function main(): Promise<void> {
  app.on('second-instance', (_e, argv, cwd) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    for (const f of scenarioFilesFromArgv(argv, cwd)) void openScenarioFile(f);
  });
  // Files macOS hands over (registered before "ready": this runs as the entry module loads).
  app.on('open-file', (e, file) => {
    e.preventDefault();
    void openScenarioFile(file);
  });
  for (const f of scenarioFilesFromArgv(process.argv.slice(1), process.cwd()))
    void openScenarioFile(f);

  // Nothing the page opens or navigates to leaves the app; https links go to the browser.
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      const decision = windowOpenDecision(url);
      if (decision.openExternal) void shell.openExternal(url);
      return { action: decision.action };
    });
    contents.on('will-navigate', (e, url) => {
      if (!navigationAllowed(url)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!isAppUrl(url)) e.preventDefault();
    });
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  await app.whenReady();
  if (app.getLocale().toLowerCase().startsWith('zh')) menuState.language = 'zh-CN';
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? resolveStatic(distDir, url.pathname) : null;
    const data = file ? await fs.readFile(file).catch(() => null) : null;
    if (!file || !data) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(data), {
      headers: {
        'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy': contentSecurityPolicy('electron'),
        'X-Content-Type-Options': 'nosniff',
        // cross-origin isolation: the simulation worker shares a stop flag with the page
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    });
  });

  const recent = new RecentProfiles(path.join(userData, 'recent-profiles.json'));
  menuState.recent = await recent.load();
  // Remembered passwords of saved live connections, encrypted by the OS key store.
  const live = new LiveService({
    recordingsDir: path.join(userData, 'recordings'),
    passwords: new SecretStore(
      path.join(userData, 'live-secrets.json'),
      keyStoreEncryptor(safeStorage),
    ),
  });
  const handler = createApiHandler({
    shell: 'electron',
    version: app.getVersion(),
    store: new ProfileStore({
      userDir: path.join(userData, 'profiles'),
      shippedDir: path.join(appRoot, 'profiles'),
    }),
    live,
    planWorkers,
    takePendingFiles: () => {
      uiReady = true;
      return pendingFiles.splice(0);
    },
    onProfileUsed: (used) => {
      void recent.add(used).then((list) => {
        menuState.recent = list;
        setMenu();
      });
    },
    saveExport: async (req) => {
      const filters =
        req.kind === 'scenario'
          ? [{ name: 'Peakline scenario', extensions: ['peakline.json', 'json'] }]
          : [{ name: req.kind.toUpperCase(), extensions: [req.kind] }];
      const opts = { defaultPath: req.suggestedName, filters };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      if (r.canceled || !r.filePath) return { saved: false, path: null };
      await writeFileAtomic(r.filePath, Buffer.from(req.data, req.encoding));
      return { saved: true, path: r.filePath };
    },
  });
  handler.subscribe((channel, payload) => send(channel, payload));

  const contexts = new WeakMap<object, RequestContext>();
  for (const channel of ipcRequestChannels()) {
    ipcMain.handle(channel, (event, payload: unknown) =>
      serveIpc(
        handler,
        channel,
        {
          frameUrl: event.senderFrame?.url,
          isMainFrame: !!event.senderFrame && event.senderFrame === event.sender.mainFrame,
          send: (c, p) => event.sender.send(c, p),
          key: event.sender,
        },
        payload,
        contexts,
      ),
    );
  }

  const setMenu = () =>
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        buildMenuTemplate(menuState, {
          send: (cmd: MenuCommand) => {
            if (cmd.command === 'view:theme') menuState.theme = cmd.theme;
            if (cmd.command === 'view:language') menuState.language = cmd.language;
            send('app:menu', cmd);
          },
          openFile: () => {
            const opts = {
              properties: ['openFile' as const],
              filters: [{ name: 'Peakline scenario', extensions: ['json'] }],
            };
            void (win ? dialog.showOpenDialog(win, opts) : dialog.showOpenDialog(opts)).then(
              (r) => {
                if (!r.canceled) for (const f of r.filePaths) void openScenarioFile(f);
              },
            );
          },
          showProfilesFolder: () => {
            const dir = path.join(userData, 'profiles');
            void fs.mkdir(dir, { recursive: true }).then(() => shell.openPath(dir));
          },
          openHelp: () => void shell.openExternal('https://github.com/peakline/peakline#readme'),
        }),
      ),
    );
  setMenu();

  const stateFile = path.join(userData, 'window-state.json');
  const createWindow = async () => {
    const areas = screen.getAllDisplays().map((d) => d.workArea);
    const state = fitToDisplays(await loadWindowState(stateFile), areas);
    const icon = path.join(appRoot, 'build', 'icon.png');
    win = new BrowserWindow(windowOptions({ preload, state, icon }));
    // The window is the session: its live sources (saved ones aside) stop when it goes.
    const contents = win.webContents;
    contents.once('destroyed', () => {
      const ctx = contexts.get(contents);
      if (ctx) void handler.endSession(ctx);
    });
    if (state.maximized) win.maximize();
    if (state.fullscreen) win.setFullScreen(true);
    win.once('ready-to-show', () => win?.show());
    win.webContents.on('did-start-loading', () => (uiReady = false));
    win.on('close', () => {
      if (!win) return;
      const b = win.getNormalBounds();
      void saveWindowState(stateFile, {
        ...b,
        maximized: win.isMaximized(),
        fullscreen: win.isFullScreen(),
      });
    });
    win.on('closed', () => {
      win = null;
    });
    await win.loadURL(APP_URL);
  };
  await createWindow();

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    handler.dispose();
    void live.close();
  });
}
