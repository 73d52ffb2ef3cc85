// The web console over real HTTP and a real WebSocket: the page loads, the API needs the token,
// other sites (Origin) and rebinding names (Host) are refused, and the renderer's own client
// round-trips requests, gets clear errors for bad payloads, receives pushed events and
// reconnects after the server comes back; the live sources a page connects end with the page
// (saved ones aside), and survive it reconnecting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import { createApiHandler, type ApiHandler } from '../api/handler';
import { LiveService } from '../live/service';
import { tempProfiles, TINY_SCENARIO, type TempProfiles } from '../api/testing';
import {
  createWsApi,
  diagnose,
  PeaklineApiError,
  type WebSocketLike,
} from '../../renderer/api/client';
import { newToken } from './security';
import { startWebServer, type RunningWebServer } from './server';

const scenario = TINY_SCENARIO;

let profiles: TempProfiles;
let root: string;
let dist: string;
let handler: ApiHandler;
let live: LiveService;
let server: RunningWebServer;
const token = newToken();

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}
/** A raw HTTP GET (so Host and Origin can be anything). */
function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: pathAndQuery, method: 'GET', headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket and resolves with how it went: 'open', or the HTTP status of the refusal. */
function tryWs(url: string, headers: Record<string, string> = {}): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('error', () => {});
  });
}

const wsUrl = (t: string | null) =>
  `ws://127.0.0.1:${server.port}/api/ws${t === null ? '' : `?token=${encodeURIComponent(t)}`}`;
const connectWs = (url: string) => new WebSocket(url) as unknown as WebSocketLike;

beforeAll(async () => {
  profiles = await tempProfiles('peakline-web-', 'seed-async.json');
  root = profiles.root;
  dist = path.join(root, 'dist');
  await mkdir(path.join(dist, 'assets'), { recursive: true });
  await writeFile(
    path.join(dist, 'index.html'),
    '<!doctype html><title>Peakline</title><div id="root"></div>',
  );
  await writeFile(path.join(dist, 'assets', 'app-1234.js'), 'console.log("peakline")');
  await writeFile(path.join(root, 'secret.txt'), 'do not serve');
  live = new LiveService({ recordingsDir: path.join(root, 'recordings') });
  handler = createApiHandler({
    shell: 'web',
    version: '1.2.3',
    store: profiles.store,
    live,
  });
  server = await startWebServer({ handler, token, distDir: dist, port: 0 });
});

afterAll(async () => {
  await server?.close();
  handler?.dispose();
  await live?.close();
  await profiles.remove();
});

describe('web console over HTTP', () => {
  it('prints a URL on 127.0.0.1 with the token, on the port it picked', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${token}`);
    expect(server.port).toBeGreaterThan(0);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves the page without the token (it holds no data) under a strict CSP, and no Referer', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Peakline</title>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // cross-origin isolated, so the simulation worker can share a stop flag with the page
    expect(page.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    const js = await get('/assets/app-1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // A client-side route gets the app; a missing asset does not.
    expect((await get('/compare')).body).toContain('<title>Peakline</title>');
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('never serves a file outside the built UI', async () => {
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e%5csecret.txt',
    ]) {
      const r = await get(p);
      expect(r.body, p).not.toContain('do not serve');
      expect([400, 404], p).toContain(r.status);
    }
  });

  it('refuses API requests without the right token', async () => {
    expect((await get('/api/info')).status).toBe(401);
    expect((await get('/api/info?token=wrong')).status).toBe(401);
    expect((await get(`/api/info?token=${token}x`)).status).toBe(401);
    const ok = await get(`/api/info?token=${token}`);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ shell: 'web', version: '1.2.3' });
    expect((await get('/api/info', { Authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin even with the token', async () => {
    const q = `/api/info?token=${token}`;
    expect((await get(q, { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get('/', { Host: 'evil.example' })).status).toBe(403);
    expect((await get(q, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(q, { Origin: `http://localhost:${server.port}` })).status).toBe(403);
    expect((await get(q, { Origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
    expect((await get(q, { Host: `localhost:${server.port}` })).status).toBe(200);
  });
});

describe('web console over the WebSocket', () => {
  it('refuses a WebSocket without the token, with a wrong one, or from another site', async () => {
    expect(await tryWs(wsUrl(null))).toBe(401);
    expect(await tryWs(wsUrl('nope'))).toBe(401);
    expect(await tryWs(wsUrl(token), { Origin: 'http://evil.example' })).toBe(403);
    expect(await tryWs(wsUrl(token), { Host: `rebind.evil.example:${server.port}` })).toBe(403);
    expect(await tryWs(`ws://127.0.0.1:${server.port}/elsewhere?token=${token}`)).toBe(404);
    expect(await tryWs(wsUrl(token), { Origin: `http://127.0.0.1:${server.port}` })).toBe('open');
  });

  it('the renderer client lists the shipped profiles and saves and loads a user profile', async () => {
    const client = createWsApi({ url: wsUrl(token), connect: connectWs });
    try {
      const shipped = await client.api.listShippedProfiles();
      expect(shipped.map((p) => [p.name, p.title])).toEqual([['seed-async', 'Async seed']]);
      await client.api.saveProfile({ name: '秒杀 plan', scenario });
      const loaded = await client.api.loadProfile({ name: '秒杀 plan' });
      expect(loaded.scenario).toEqual(scenario);
      expect((await client.api.appInfo()).shell).toBe('web');
    } finally {
      client.close();
    }
  });

  it('rejects an invalid payload with a message naming the field', async () => {
    const client = createWsApi({ url: wsUrl(token), connect: connectWs });
    try {
      const err = await client.api.loadProfile({ name: '   ' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PeaklineApiError);
      expect(err).toMatchObject({
        code: 'invalid_request',
        message: 'profiles:load: name: name must not be empty',
      });
      const bad = await client.api
        .saveProfile({
          name: 'x',
          scenario: { ...scenario, server: { concurrency: 'ten' } } as never,
        })
        .catch((e: unknown) => e);
      expect(bad).toMatchObject({
        code: 'invalid_scenario',
        message: expect.stringMatching(/^x\.json: server\.concurrency: must be a number/),
      });
    } finally {
      client.close();
    }
  });

  it('answers a malformed frame with an error, and an unknown channel by name', async () => {
    const ws = new WebSocket(wsUrl(token));
    await new Promise((r) => ws.once('open', r));
    const replies: unknown[] = [];
    const two = new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        replies.push(JSON.parse(String(d)));
        if (replies.length === 2) resolve();
      }),
    );
    ws.send(JSON.stringify({ type: 'request', id: 7, channel: 42 }));
    ws.send(
      JSON.stringify({
        type: 'request',
        id: 8,
        channel: 'fs:read',
        payload: { path: '/etc/passwd' },
      }),
    );
    await two;
    expect(replies).toEqual([
      {
        type: 'reply',
        id: 7,
        ok: false,
        error: {
          code: 'invalid_request',
          message: expect.stringContaining('malformed request frame: channel:'),
        },
      },
      {
        type: 'reply',
        id: 8,
        ok: false,
        error: { code: 'invalid_request', message: 'unknown request "fs:read"' },
      },
    ]);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('this is not json');
    expect(await closed).toBe(1007);
  });

  it('pushes live samples to the page', async () => {
    const client = createWsApi({ url: wsUrl(token), connect: connectWs });
    try {
      const sample = new Promise<{ kind: string; metrics: Record<string, number | null> }>(
        (resolve) => {
          const off = client.api.onLiveSample((s) => {
            if (s.status !== 'up') return;
            off();
            resolve(s);
          });
        },
      );
      const { id } = await client.api.liveConnect({ kind: 'host', interval_s: 0.25 });
      const s = await sample;
      expect(s.kind).toBe('host');
      expect(s.metrics.mem_total_bytes).toBeGreaterThan(0);
      expect(await client.api.liveDisconnect({ id })).toEqual({ disconnected: true });
    } finally {
      client.close();
    }
  });

  it('tells the page why it cannot connect: no token, a wrong token, or no server', async () => {
    const client = createWsApi({ url: wsUrl('wrong'), connect: connectWs, minDelayMs: 10_000 });
    const refused = await client.api.appInfo().catch((e: Error) => e.message);
    client.close();
    expect(refused).toBe(
      'the Peakline server refused the access token: open the URL it printed when it started',
    );
    expect(await diagnose(wsUrl(''))).toBe(
      'this page has no access token: open the URL that `peakline serve` printed (it ends in ?token=…)',
    );
    expect(await diagnose('ws://127.0.0.1:1/api/ws?token=x')).toBe(
      'cannot reach the Peakline server at 127.0.0.1:1: is `peakline serve` still running?',
    );
  });

  it('reconnects when the server comes back, and fails requests in flight meanwhile', async () => {
    const client = createWsApi({
      url: wsUrl(token),
      connect: connectWs,
      minDelayMs: 50,
      maxDelayMs: 200,
    });
    const states: string[] = [];
    client.onState((s) => states.push(s));
    try {
      await client.api.appInfo();
      const port = server.port;
      const down = new Promise<void>((r) => {
        const off = client.onState((s) => s === 'closed' && (off(), r()));
      });
      await server.close();
      await down;
      // While the server is away a request fails with the reason instead of hanging.
      await expect(client.api.appInfo()).rejects.toThrow(
        /cannot reach the Peakline server at 127\.0\.0\.1:\d+/,
      );
      const up = new Promise<void>((r) => {
        const off = client.onState((s) => s === 'open' && (off(), r()));
      });
      server = await startWebServer({ handler, token, distDir: dist, port });
      await up;
      expect((await client.api.appInfo()).version).toBe('1.2.3');
      expect(states).toContain('closed');
      expect(states[states.length - 1]).toBe('open');
    } finally {
      client.close();
    }
  });
});

describe('live sources and the page that connected them', () => {
  let tabs: RunningWebServer;
  beforeAll(async () => {
    tabs = await startWebServer({ handler, token, distDir: dist, port: 0, sessionGraceMs: 300 });
  });
  afterAll(() => tabs.close());
  const url = () => `ws://127.0.0.1:${tabs.port}/api/ws?token=${encodeURIComponent(token)}`;
  type Removed = { id: string; why: string };
  const removal = (client: ReturnType<typeof createWsApi>, id: string) =>
    new Promise<Removed>((resolve) => {
      const off = client.api.onLiveRemoved((r) => {
        if (r.id !== id) return;
        off();
        resolve(r);
      });
    });

  it('stops a closed page’s sources and recording, keeps its saved ones, and tells the other pages', async () => {
    const other = createWsApi({ url: url(), connect: connectWs, session: 'other-page-1' });
    const page = createWsApi({ url: url(), connect: connectWs, session: 'closing-page-1' });
    try {
      const plain = await page.api.liveConnect({ kind: 'host', interval_s: 0.25 });
      const saved = await page.api.liveConnect({ kind: 'host', interval_s: 0.25, saved: true });
      await page.api.liveRecordStart({ name: 'closing-page' });
      const gone = removal(other, plain.id);
      page.close();
      expect(await gone).toEqual({ id: plain.id, why: 'session ended' });
      // The recording it started was finished with it.
      expect(await other.api.liveRecordStop()).toEqual({ path: null, samples: 0 });
      const recordings = (await other.api.liveRecordings()).recordings.map((r) => r.name);
      expect(recordings).toContain('closing-page.ndjson');
      const left = (await other.api.liveList()).sources.map((s) => s.id);
      expect(left).toContain(saved.id);
      expect(left).not.toContain(plain.id);
      const disconnected = removal(other, saved.id);
      await other.api.liveDisconnect({ id: saved.id });
      expect(await disconnected).toEqual({ id: saved.id, why: 'disconnected' });
    } finally {
      page.close();
      other.close();
    }
  });

  it('keeps a page’s sources through a dropped connection the page comes back from', async () => {
    const other = createWsApi({ url: url(), connect: connectWs, session: 'other-page-2' });
    const socket = async () => {
      const ws = new WebSocket(`${url()}&session=blinking-page`);
      await new Promise((r) => ws.once('open', r));
      return ws;
    };
    try {
      const first = await socket();
      const reply = new Promise<{ result: { id: string } }>((resolve) =>
        first.on('message', (d) => {
          const frame = JSON.parse(String(d));
          if (frame.type === 'reply') resolve(frame);
        }),
      );
      first.send(
        JSON.stringify({
          type: 'request',
          id: 1,
          channel: 'live:connect',
          payload: { kind: 'host', interval_s: 0.25 },
        }),
      );
      const { id } = (await reply).result;
      const closed = new Promise((r) => first.once('close', r));
      first.close();
      await closed;
      const second = await socket();
      // Samples keep coming well past the grace period: the source was kept for the page.
      const back = Date.now();
      await new Promise<void>((resolve) => {
        const off = other.api.onLiveSample((s) => {
          if (s.id !== id || s.t < back + 1000) return;
          off();
          resolve();
        });
      });
      expect((await other.api.liveList()).sources.map((s) => s.id)).toContain(id);
      const gone = removal(other, id);
      second.close();
      expect(await gone).toEqual({ id, why: 'session ended' });
    } finally {
      other.close();
    }
  });
});
