// The UI's one door to the Node side. `getApi()` returns `window.peakline` when the Electron preload
// provided it, otherwise a WebSocket client to the web shell (`peakline serve`) that speaks the
// same contract: requests matched to replies by id, pushed events dispatched to `on…` listeners,
// reconnection with back-off. The UI imports only this module and the contract's types.
import type {
  ApiErrorCode,
  EventChannel,
  EventOf,
  PeaklineApi,
  RequestChannel,
  WsServerFrame,
} from './types';

export type { PeaklineApi } from './types';

// The method → channel tables are plain data shared with the preload (no zod, no Node).
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../electron/api/channels';

/** A request the Node side refused or could not carry out; `message` says what and where. */
export class PeaklineApiError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'PeaklineApiError';
    this.code = code;
  }
}

/** State of the web shell connection ('ready' always in Electron). */
export type ConnectionState = 'connecting' | 'open' | 'closed';

/** The subset of the browser WebSocket the client needs (the `ws` package fits it too). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface WsClientOptions {
  /** Full `ws://…/api/ws?token=…` URL. */
  url: string;
  /** Opens a socket; defaults to the browser's WebSocket. */
  connect?: WebSocketFactory;
  /** First reconnect delay, ms (doubles up to maxDelayMs). Default 250. */
  minDelayMs?: number;
  /** Longest reconnect delay, ms. Default 5000. */
  maxDelayMs?: number;
  /**
   * Names this page's session on the server: what the page starts there (live sources, replays,
   * a recording) ends once the page has been gone for a while; reconnecting keeps it.
   */
  session?: string;
}

/** A WebSocket client of the contract, plus its connection controls. */
export interface WsApi {
  api: PeaklineApi;
  /** Current connection state. */
  state(): ConnectionState;
  /** Follow connection changes; returns the unsubscribe. */
  onState(listener: (state: ConnectionState, reason: string | null) => void): () => void;
  /** Close for good (no reconnect); pending requests are rejected. */
  close(): void;
}

/**
 * Why a WebSocket to the web shell could not open: asks `/api/info` with the same token (401: the
 * token, 403: the page's address) or says the server cannot be reached.
 */
export async function diagnose(wsUrl: string): Promise<string> {
  const u = new URL(wsUrl);
  const where = u.host;
  const token = u.searchParams.get('token') ?? '';
  if (token === '')
    return 'this page has no access token: open the URL that `peakline serve` printed (it ends in ?token=…)';
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/api/info';
  try {
    const res = await fetch(u.toString());
    if (res.status === 401)
      return 'the Peakline server refused the access token: open the URL it printed when it started';
    if (res.status === 403)
      return `the Peakline server at ${where} refused this page's address (Host/Origin); use the URL it printed`;
    return `cannot open the connection to the Peakline server at ${where} (HTTP ${res.status})`;
  } catch {
    return `cannot reach the Peakline server at ${where}: is \`peakline serve\` still running?`;
  }
}

/** Builds a WebSocket client of the contract that reconnects until closed. */
export function createWsApi(options: WsClientOptions): WsApi {
  const connect: WebSocketFactory =
    options.connect ?? ((url) => new (page().WebSocket as new (u: string) => WebSocketLike)(url));
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  const url = new URL(options.url);
  if (options.session) url.searchParams.set('session', options.session);

  let socket: WebSocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let closedForGood = false;
  let delay = minDelay;
  let nextId = 1;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Requests sent and awaiting their reply. */
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Frames waiting for the socket to open. */
  const outbox: string[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(s: ConnectionState, reason: string | null) => void>();

  const setState = (s: ConnectionState, reason: string | null) => {
    state = s;
    for (const l of stateListeners) l(s, reason);
  };

  const failPending = (message: string) => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new PeaklineApiError('unavailable', message));
    }
  };

  const open = () => {
    if (closedForGood) return;
    setState('connecting', null);
    const ws = connect(url.toString());
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      delay = minDelay;
      setState('open', null);
      while (outbox.length > 0 && ws.readyState === 1) ws.send(outbox.shift() as string);
    };
    ws.onmessage = (ev) => {
      let frame: WsServerFrame;
      try {
        frame = JSON.parse(String(ev.data)) as WsServerFrame;
      } catch {
        return;
      }
      if (frame.type === 'reply') {
        const p = pending.get(frame.id);
        if (!p) return;
        pending.delete(frame.id);
        if (frame.ok) p.resolve(frame.result);
        else p.reject(new PeaklineApiError(frame.error.code, frame.error.message));
      } else if (frame.type === 'event') {
        for (const l of listeners.get(frame.channel) ?? []) l(frame.payload);
      }
    };
    ws.onerror = () => {
      /* onclose follows and reports */
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      const finish = (reason: string) => {
        // Requests waiting for this connection fail now (the UI shows why) rather than hang.
        outbox.length = 0;
        failPending(reason);
        setState('closed', reason);
        if (closedForGood) return;
        retryTimer = setTimeout(open, delay);
        delay = Math.min(delay * 2, maxDelay);
      };
      if (opened) finish(`connection to the Peakline server lost (code ${ev.code})`);
      // A refused WebSocket only shows as code 1006 in a browser: ask the server why.
      else void diagnose(options.url).then(finish);
    };
  };

  const request = (channel: RequestChannel, payload: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (closedForGood) {
        reject(new PeaklineApiError('unavailable', 'the Peakline connection is closed'));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const frame = JSON.stringify({ type: 'request', id, channel, payload });
      if (socket && socket.readyState === 1) socket.send(frame);
      else outbox.push(frame);
    });

  const subscribe = (channel: EventChannel, listener: (payload: unknown) => void) => {
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    const own = (payload: unknown) => listener(payload);
    set.add(own);
    return () => {
      set.delete(own);
    };
  };

  const api: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(REQUEST_CHANNELS)) {
    api[method] = (payload?: unknown) => request(channel as RequestChannel, payload);
  }
  for (const [method, channel] of Object.entries(EVENT_CHANNELS)) {
    api[method] = (listener: (payload: unknown) => void) =>
      subscribe(channel as EventChannel, listener);
  }

  open();
  return {
    api: api as PeaklineApi,
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    close() {
      closedForGood = true;
      if (retryTimer) clearTimeout(retryTimer);
      failPending('the Peakline connection is closed');
      const ws = socket;
      socket = null;
      ws?.close(1000, 'client closed');
      setState('closed', null);
    },
  };
}

/** What this module reads of the page (typed here so the Node-side type check can read it too). */
interface PageGlobals {
  location: { search: string; protocol: string; host: string };
  sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void };
  WebSocket: unknown;
  peakline?: PeaklineApi;
}
const page = (): PageGlobals => globalThis as unknown as PageGlobals;

/** The access token of the web console: from `?token=` in the page URL, remembered per tab. */
export function pageToken(loc: { search: string } = page().location): string | null {
  const fromUrl = new URLSearchParams(loc.search).get('token');
  try {
    if (fromUrl) page().sessionStorage.setItem('peakline.token', fromUrl);
    return fromUrl ?? page().sessionStorage.getItem('peakline.token');
  } catch {
    return fromUrl;
  }
}

/** A random name for this page's session (see WsClientOptions.session). */
export function newSessionId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The WebSocket URL of the web shell serving this page. */
export function webSocketUrl(
  token: string,
  loc: { protocol: string; host: string } = page().location,
): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/ws?token=${encodeURIComponent(token)}`;
}

let shared: { api: PeaklineApi; ws: WsApi | null } | null = null;

/** The API for this page: `window.peakline` (desktop) or the web shell's WebSocket client. */
export function getApi(): PeaklineApi {
  if (shared) return shared.api;
  const fromPreload = page().peakline;
  if (fromPreload) {
    shared = { api: fromPreload, ws: null };
  } else {
    const ws = createWsApi({ url: webSocketUrl(pageToken() ?? ''), session: newSessionId() });
    shared = { api: ws.api, ws };
  }
  return shared.api;
}

/** Follows the web shell connection (never fires in Electron); returns the unsubscribe. */
export function onConnectionState(
  listener: (state: ConnectionState, reason: string | null) => void,
): () => void {
  getApi();
  return shared?.ws ? shared.ws.onState(listener) : () => {};
}

/** Which shell the page runs in. */
export function shellKind(): 'electron' | 'web' {
  return page().peakline ? 'electron' : 'web';
}

/** Events typed for listeners written outside the API object (re-exported for the UI). */
export type { EventOf, EventChannel };
