// Builds the `window.peakline` object of the Electron preload from the channel table: one named
// async function per request (the reply envelope unwrapped; a failure rejects with an Error
// carrying the Node side's message and code) and one `on…(listener)` per event that returns its
// unsubscribe and never hands the Electron event object to the page.
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../api/channels';
import type { PeaklineApi, ReplyEnvelope } from '../api/contract';

/** The part of ipcRenderer the preload uses. */
export interface PreloadIpc {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

/** The API object the preload exposes (frozen; only named functions). */
export function createPreloadApi(ipc: PreloadIpc): PeaklineApi {
  const api: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(REQUEST_CHANNELS)) {
    api[method] = async (payload?: unknown) => {
      const reply = (await ipc.invoke(channel, payload)) as ReplyEnvelope;
      if (reply.ok) return reply.result;
      const err = new Error(reply.error.message) as Error & { code?: string };
      err.name = 'PeaklineApiError';
      err.code = reply.error.code;
      throw err;
    };
  }
  for (const [method, channel] of Object.entries(EVENT_CHANNELS)) {
    api[method] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${method} needs a function`);
      const own = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(channel, own);
      return () => {
        ipc.removeListener(channel, own);
      };
    };
  }
  return Object.freeze(api) as PeaklineApi;
}
