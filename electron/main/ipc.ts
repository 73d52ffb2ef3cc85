// The main process's side of IPC, without Electron runtime imports: a request is served only when
// it comes from the bundled UI's main frame (`app://peakline/`), its channel is a request of the
// contract, and its payload validates (the handler does that); everything else gets a refusal.
import { isRequestChannel, requests, type EventChannel, type ReplyEnvelope } from '../api/contract';
import type { ApiHandler, RequestContext } from '../api/handler';
import { isAppUrl } from './window-options';

/** What the IPC layer knows about who sent a message. */
export interface IpcSender {
  /** URL of the frame that sent it (`event.senderFrame.url`). */
  frameUrl: string | null | undefined;
  /** Whether that frame is the window's main frame (not an iframe). */
  isMainFrame: boolean;
  /** Sends an event back to that window. */
  send(channel: EventChannel, payload: unknown): void;
  /** Identifies the window (its webContents): its sweeps are cancelled together when it goes. */
  key: object;
}

/** The channels `ipcMain.handle` registers: every request of the contract. */
export function ipcRequestChannels(): string[] {
  return Object.keys(requests);
}

/** Serves one IPC request after checking the sender; never throws. */
export async function serveIpc(
  handler: ApiHandler,
  channel: string,
  sender: IpcSender,
  payload: unknown,
  contexts: WeakMap<object, RequestContext> = new WeakMap(),
): Promise<ReplyEnvelope> {
  if (!sender.isMainFrame || !isAppUrl(sender.frameUrl))
    return {
      ok: false,
      error: {
        code: 'invalid_request',
        message: `${channel}: refused: the sender is not the Peakline window`,
      },
    };
  if (!isRequestChannel(channel))
    return {
      ok: false,
      error: { code: 'invalid_request', message: `unknown request "${channel.slice(0, 80)}"` },
    };
  let ctx = contexts.get(sender.key);
  if (!ctx) {
    ctx = { emit: (c, p) => sender.send(c, p) };
    contexts.set(sender.key, ctx);
  }
  return handler.handle(channel, payload, ctx);
}
