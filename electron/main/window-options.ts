// The desktop window's settings and the app's own origin. The UI is served from a privileged
// `app://peakline/` scheme (not file://), so 'self' in the CSP and the IPC sender check mean
// exactly the bundled UI. Kept free of runtime Electron imports so it is tested in Node.
import type { BrowserWindowConstructorOptions } from 'electron';
import type { WindowState } from './window-state';

export const APP_SCHEME = 'app';
export const APP_HOST = 'peakline';
/** The origin of the bundled UI. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads. */
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Whether a URL belongs to the bundled UI (the only sender IPC accepts, the only navigation allowed). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The BrowserWindow options: isolated, sandboxed, no Node in the page, remembered bounds. */
export function windowOptions(opts: {
  preload: string;
  state: WindowState;
  icon?: string;
  title?: string;
}): BrowserWindowConstructorOptions {
  const { state } = opts;
  return {
    title: opts.title ?? 'Peakline',
    width: state.width,
    height: state.height,
    ...(state.x !== undefined && state.y !== undefined
      ? { x: state.x, y: state.y }
      : { center: true }),
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#0f172a',
    ...(opts.icon ? { icon: opts.icon } : {}),
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: true,
    },
  };
}

/**
 * What to do with a page's request to open a window: always deny; an https link is handed to the
 * system browser (`openExternal` true), anything else (file:, javascript:, http:) is dropped.
 */
export function windowOpenDecision(url: string): { action: 'deny'; openExternal: boolean } {
  let external: boolean;
  try {
    external = new URL(url).protocol === 'https:';
  } catch {
    external = false;
  }
  return { action: 'deny', openExternal: external };
}

/** Whether a navigation of the window is allowed: never (the UI is one page; reload is not a navigation). */
export function navigationAllowed(_url: string): boolean {
  return false;
}
