// The web shell: a node:http server that serves the built console (out/renderer) and carries
// the API contract over a WebSocket at /api/ws. Binds 127.0.0.1 unless told otherwise. Every
// WebSocket and every /api/* request needs the access token (`?token=`); a foreign Origin or a
// Host header that is not ours (DNS rebinding) is refused. The static files (index.html, JS, CSS)
// hold no data and are served without the token, so a bookmarked URL without it still loads the
// page, which then reports that the server refused it.
//
// A page names its session in the WebSocket URL (`&session=`, random per page load): what it
// started (live sources, replays, a recording) belongs to that session and ends when the page has
// been gone for `sessionGraceMs` — a page that reconnects within that time keeps it all.
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { FlowRefused, FlowScheduler, type FlowLimits } from './flow';
import { WsRequestFrameSchema, type EventChannel, type WsServerFrame } from '../api/contract';
import type { ApiHandler, RequestContext } from '../api/handler';
import {
  hostAllowed,
  hostPolicy,
  isWildcardHost,
  originAllowed,
  securityHeaders,
  tokenMatches,
  type HostPolicy,
} from './security';

export interface WebServerOptions {
  handler: ApiHandler;
  /** The access token every API call must carry. */
  token: string;
  /** Built UI folder (index.html and assets). */
  distDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Extra Host names to accept (e.g. a machine name when bound to every interface). */
  allowHosts?: string[];
  /** Largest WebSocket message, bytes (default 32 MiB: a scenario, an export). */
  maxPayload?: number;
  /** WebSockets open at once; more are refused with 503 (default 16). */
  maxSockets?: number;
  /** Request scheduling across sockets (flow.ts; defaults DEFAULT_FLOW). */
  flow?: Partial<FlowLimits>;
  /** How long a page's session outlives its WebSocket, for the page to reconnect (default 10 s). */
  sessionGraceMs?: number;
}

/** What a page may call its session. */
const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** One page's session: its context with the handler and its current WebSocket. */
interface Session {
  ctx: RequestContext;
  socket: WebSocket | null;
  ending: NodeJS.Timeout | null;
}

export interface RunningWebServer {
  /** The URL to open, with the token. */
  url: string;
  host: string;
  port: number;
  /** Stops accepting, closes every WebSocket (1001) and connection. */
  close(): Promise<void>;
}

/** Content types of the files the UI is built from. */
export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The URL host part for a bind address (IPv6 in brackets, every-interface shown as 127.0.0.1). */
export function urlHost(host: string): string {
  if (isWildcardHost(host)) return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function send(
  res: http.ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
) {
  res.writeHead(status, {
    ...securityHeaders(),
    'Content-Type': type,
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/** Resolves a URL path to a file inside `root`, or null (traversal, NUL, not decodable). */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = path.posix.normalize(decoded.replace(/\\/g, '/')).replace(/^\/+/, '');
  if (rel.split('/').includes('..')) return null;
  const full = path.resolve(root, rel === '' ? 'index.html' : rel);
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  return full;
}

async function serveStatic(
  root: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed\n');
  let file = resolveStatic(root, pathname);
  if (file === null) return send(res, 400, 'Bad path\n');
  let stat = await fs.stat(file).catch(() => null);
  if (stat?.isDirectory()) {
    file = path.join(file, 'index.html');
    stat = await fs.stat(file).catch(() => null);
  }
  if (!stat || !stat.isFile()) {
    // A client-side route (no file extension) gets the app; a missing asset is a 404.
    if (path.extname(pathname) !== '') return send(res, 404, 'Not found\n');
    file = path.join(root, 'index.html');
    stat = await fs.stat(file).catch(() => null);
    if (!stat)
      return send(
        res,
        503,
        'The console UI is not built (out/renderer/index.html is missing): run npm run build.\n',
      );
  }
  const ext = path.extname(file).toLowerCase();
  const isHtml = ext === '.html';
  res.writeHead(200, {
    ...securityHeaders(),
    'Content-Type': MIME[ext] ?? 'application/octet-stream',
    'Content-Length': String(stat.size),
    // Hashed assets can be cached; the page itself is always fetched afresh.
    'Cache-Control':
      isHtml || !pathname.startsWith('/assets/')
        ? 'no-cache'
        : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

/** Starts the web shell and resolves once it listens. */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? '127.0.0.1';
  const root = path.resolve(options.distDir);
  const { handler, token } = options;
  const policy: HostPolicy = hostPolicy(host, options.allowHosts ?? []);

  /** Checks Host, Origin and token; returns the refusal (status, reason) or null when all is well. */
  const gate = (req: http.IncomingMessage, needToken: boolean): [number, string] | null => {
    if (!hostAllowed(req.headers.host, policy)) return [403, 'Host not allowed'];
    if (!originAllowed(req.headers.origin, req.headers.host, policy))
      return [403, 'Origin not allowed'];
    if (needToken) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const given = url.searchParams.get('token') ?? bearer(req.headers.authorization);
      if (!tokenMatches(given, token)) return [401, 'Access token missing or wrong'];
    }
    return null;
  };

  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const isApi = pathname === '/api' || pathname.startsWith('/api/');
    const refused = gate(req, isApi);
    if (refused) return send(res, refused[0], `${refused[1]}\n`);
    if (isApi) {
      if (pathname === '/api/info' && req.method === 'GET') {
        void handler
          .handle('app:info', undefined, { emit: () => {} })
          .then((r) =>
            send(
              res,
              r.ok ? 200 : 500,
              JSON.stringify(r.ok ? r.result : r.error),
              'application/json; charset=utf-8',
            ),
          );
        return;
      }
      return send(res, 404, 'Not found (the API is the WebSocket at /api/ws)\n');
    }
    serveStatic(root, req, res, pathname).catch((e: Error) => {
      if (!res.headersSent) send(res, 500, `${e.message}\n`);
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? 32 * 1024 * 1024,
  });
  const clients = new Set<WebSocket>();
  const maxSockets = options.maxSockets ?? 16;
  const flow = new FlowScheduler(options.flow);
  const sessions = new Map<string, Session>();
  const graceMs = options.sessionGraceMs ?? 10_000;

  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refused =
      pathname !== '/api/ws'
        ? ([404, 'Not found'] as [number, string])
        : (gate(req, true) ??
          (clients.size >= maxSockets
            ? ([
                503,
                `Too many connections: ${clients.size} consoles are open (at most ${maxSockets}); close one and reload`,
              ] as [number, string])
            : null));
    if (refused) {
      socket.end(
        `HTTP/1.1 ${refused[0]} ${http.STATUS_CODES[refused[0]]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(refused[1])}\r\n\r\n${refused[1]}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
    clients.add(ws);
    flow.open(ws);
    const named = new URL(req.url ?? '/', 'http://localhost').searchParams.get('session');
    const key = named !== null && SESSION_ID.test(named) ? named : null;
    let session = key === null ? undefined : sessions.get(key);
    if (!session) {
      const s: Session = {
        socket: null,
        ending: null,
        ctx: {
          emit: (channel, payload) => {
            const open = s.socket;
            if (open && open.readyState === open.OPEN)
              open.send(JSON.stringify({ type: 'event', channel, payload }));
          },
        },
      };
      session = s;
      if (key !== null) sessions.set(key, s);
    }
    if (session.ending) clearTimeout(session.ending);
    session.ending = null;
    session.socket = ws;
    const { ctx } = session;
    let alive = true;
    ws.on('pong', () => (alive = true));
    const ping = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, 30_000);
    ping.unref();
    const push = (frame: WsServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const unsubscribe = handler.subscribe((channel: EventChannel, payload) =>
      push({ type: 'event', channel, payload }),
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch {
        return ws.close(1007, 'a frame is not JSON');
      }
      const frame = WsRequestFrameSchema.safeParse(raw);
      if (!frame.success) {
        const id = (raw as { id?: unknown } | null)?.id;
        if (typeof id === 'number' && Number.isInteger(id) && id >= 0)
          return push({
            type: 'reply',
            id,
            ok: false,
            error: {
              code: 'invalid_request',
              message: `malformed request frame: ${frame.error.issues.map((i) => `${i.path.join('.') || 'frame'}: ${i.message}`).join('; ')}`,
            },
          });
        return ws.close(1007, 'a frame is not a request');
      }
      const { id, channel, payload } = frame.data;
      try {
        flow.submit(ws, rawBytes(data), () =>
          handler
            .handle(channel, payload, ctx)
            .then((reply) => push({ type: 'reply', id, ...reply })),
        );
      } catch (e) {
        if (!(e instanceof FlowRefused)) throw e;
        push({ type: 'reply', id, ok: false, error: { code: 'busy', message: e.message } });
      }
    });
    ws.on('close', () => {
      clients.delete(ws);
      flow.close(ws);
      clearInterval(ping);
      unsubscribe();
      const s = session;
      if (s.socket !== ws) return; // the page has reconnected already
      s.socket = null;
      handler.cancelOwnedBy(ctx);
      const end = () => {
        if (key !== null) sessions.delete(key);
        void handler.endSession(ctx);
      };
      if (key === null) return end();
      s.ending = setTimeout(end, graceMs);
      s.ending.unref();
    });
    ws.on('error', () => {
      /* close follows */
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host.replace(/^\[|\]$/g, ''), () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(host)}:${port}/?token=${encodeURIComponent(token)}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    host,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const s of sessions.values()) if (s.ending) clearTimeout(s.ending);
        sessions.clear();
        for (const ws of clients) ws.close(1001, 'server shutting down');
        wss.close();
        server.close(() => resolve());
        // Give sockets a moment to say goodbye, then drop what is left (keep-alive, stuck peers).
        setTimeout(() => {
          for (const ws of clients) ws.terminate();
          server.closeAllConnections();
        }, 200).unref();
      });
      return closing;
    },
  };
}

/** Size of a received frame in bytes. */
function rawBytes(data: Buffer | ArrayBuffer | Buffer[]): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m ? m[1] : null;
}
