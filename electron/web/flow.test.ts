// Flow control of the web console, against a real `peakline serve` process and real WebSockets: a
// socket flooding the API with saves does not hold up another console's requests, the server's
// memory stays bounded while it floods, every flooded request still gets its reply, and the
// number of open consoles is capped with a clear refusal; recordings go where $PEAKLINE_HOME says. The scheduler's rules (round robin,
// pause, refusal) are also told on their own with sockets that only count.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { TINY_SCENARIO } from '../api/testing';
import { FlowRefused, FlowScheduler, type FlowSocket } from './flow';
import { REPO_ROOT } from './serve';

const CLI = path.join(REPO_ROOT, 'electron', 'bin', 'peakline.mjs');

let home: string;
let child: ChildProcess;
let port: number;
let token: string;

/** Resident memory of the server process, MB (Linux). */
function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** An API client on its own WebSocket: `ask` sends a request and resolves with its reply frame. */
async function connect() {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=${token}`);
  await once(ws, 'open');
  let next = 0;
  const waiting = new Map<number, (frame: Reply) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Reply & { type: string };
    if (frame.type === 'reply') waiting.get(frame.id)?.(frame);
  });
  return {
    ws,
    ask(channel: string, payload: unknown = {}): Promise<Reply> {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ type: 'request', id, channel, payload }));
      });
    },
  };
}
/** Closes a WebSocket and waits until it is closed. */
async function close(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  const closed = once(ws, 'close');
  ws.close();
  await closed;
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'peakline-flow-'));
  child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-build'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PEAKLINE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`peakline serve exited ${code}`)));
  });
  const m = /127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)/.exec(line);
  if (!m) throw new Error(`no URL in ${line}`);
  port = Number(m[1]);
  token = m[2];
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await rm(home, { recursive: true, force: true });
});

describe('a console flooding the web API', () => {
  it('does not hold up another console, and the server’s memory stays bounded', async () => {
    const flooder = await connect();
    const other = await connect();
    try {
      await other.ask('app:info'); // warm
      const rssBefore = rssMb(child.pid!);
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(child.pid!))), 20);

      // 2,000 saves of a 100 kB scenario, sent at once on one socket (about 200 MB of requests)
      const big = { ...TINY_SCENARIO, notes: 'x'.repeat(100_000) };
      let flooded = 0;
      const floods = Array.from({ length: 2000 }, (_, i) =>
        flooder.ask('profiles:save', { name: `flood-${i % 20}`, scenario: big }).then((r) => {
          flooded++;
          return r;
        }),
      );
      // meanwhile the other console asks for the app's info, one request after another
      const waits: { ms: number; floodedWhileWaiting: number }[] = [];
      for (let k = 0; k < 5; k++) {
        await new Promise((r) => setTimeout(r, 100));
        const before = flooded;
        const t0 = performance.now();
        const r = await other.ask('app:info');
        expect(r.ok).toBe(true);
        waits.push({ ms: performance.now() - t0, floodedWhileWaiting: flooded - before });
      }
      const replies = await Promise.all(floods);
      clearInterval(sampler);

      console.log(
        `flow: other console's waits ${waits.map((w) => `${w.ms.toFixed(0)} ms (${w.floodedWhileWaiting})`).join(', ')}; ` +
          `server RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} MB; ` +
          `${replies.filter((r) => !r.ok).length} of 2000 refused as busy`,
      );
      // Fairness, counted rather than timed: while the other console waited for a reply, the
      // flooder got at most a few of its own (the ones already running), not hundreds.
      for (const w of waits) expect(w.floodedWhileWaiting).toBeLessThan(100);
      // Nothing lost: every flooded request has its reply, saved or refused as busy.
      expect(replies).toHaveLength(2000);
      for (const r of replies)
        if (!r.ok)
          expect(r.error).toMatchObject({
            code: 'busy',
            message: expect.stringMatching(/wait for replies/),
          });
      expect(replies.filter((r) => r.ok).length).toBeGreaterThan(1000);
      // Without flow control these 200 MB of requests were all held at once (+170 MB and more).
      expect(rssPeak - rssBefore).toBeLessThan(120);
    } finally {
      await Promise.all([close(flooder.ws), close(other.ws)]);
    }
  });

  it('closes a socket that sends a frame over 32 MiB (1009) and goes on serving the others', async () => {
    const big = await connect();
    const other = await connect();
    const closed = once(big.ws, 'close');
    big.ws.send(
      JSON.stringify({
        type: 'request',
        id: 1,
        channel: 'app:info',
        payload: 'x'.repeat(33 * 1024 * 1024),
      }),
    );
    const [code] = (await closed) as [number];
    expect(code).toBe(1009);
    expect((await other.ask('app:info')).ok).toBe(true);
    await close(other.ws);
  });

  it('caps the consoles open at once, with a clear refusal for the one too many', async () => {
    const open = [];
    for (let i = 0; i < 16; i++) open.push(await connect());
    const refusal = await new Promise<{ status: number; body: string }>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=${token}`);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => resolve({ status: 101, body: '' }));
      ws.on('error', () => {});
    });
    expect(refusal).toEqual({
      status: 503,
      body: 'Too many connections: 16 consoles are open (at most 16); close one and reload',
    });
    // closing one makes room again
    await close(open.pop()!.ws);
    await new Promise((r) => setTimeout(r, 100)); // the server hears of it
    const again = await connect();
    expect((await again.ask('app:info')).ok).toBe(true);
    await Promise.all([...open, again].map((c) => close(c.ws)));
  });
});

/** A socket that only records what the scheduler does with it. */
function fakeSocket() {
  return {
    paused: false,
    bufferedAmount: 0,
    pause() {
      this.paused = true;
    },
    resume() {
      this.paused = false;
    },
  } satisfies FlowSocket & { paused: boolean };
}

describe('where the web console keeps things', () => {
  it('lists the recordings in $PEAKLINE_HOME/recordings, not ~/.peakline', async () => {
    const { mkdir: mk, writeFile: wf } = await import('node:fs/promises');
    await mk(path.join(home, 'recordings'), { recursive: true });
    const file = path.join(home, 'recordings', 'sale-morning.ndjson');
    await wf(file, '{"format":"peakline.live-recording/v1"}\n');
    const c = await connect();
    const r = await c.ask('live:recordings');
    await close(c.ws);
    expect(r.ok).toBe(true);
    expect((r.result as { recordings: { path: string }[] }).recordings.map((x) => x.path)).toEqual([
      file,
    ]);
  });
});

describe('the scheduler', () => {
  it('takes requests from the sockets in turn, within the limits', async () => {
    const flow = new FlowScheduler({ maxRunning: 2, perSocketRunning: 2 });
    const a = fakeSocket();
    const b = fakeSocket();
    flow.open(a);
    flow.open(b);
    const order: string[] = [];
    const gates: (() => void)[] = [];
    const job = (name: string) => () => {
      order.push(name);
      return new Promise<void>((r) => gates.push(r));
    };
    for (let i = 0; i < 5; i++) flow.submit(a, 10, job(`a${i}`));
    flow.submit(b, 10, job('b0'));
    expect(order).toEqual(['a0', 'a1']); // both slots taken by a, b waits
    gates.shift()!(); // a0 ends: the next slot goes to b, not to a2
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(['a0', 'a1', 'b0']);
    expect(flow.stats()).toEqual({ running: 2, queued: 3, sockets: 2 });
  });

  it('pauses a socket whose queue fills, resumes it as it drains, and refuses past the hard limit', async () => {
    const flow = new FlowScheduler({
      maxRunning: 1,
      perSocketRunning: 1,
      pauseAtQueued: 4,
      refuseAtQueued: 6,
    });
    const a = fakeSocket();
    flow.open(a);
    const gates: (() => void)[] = [];
    const job = () => new Promise<void>((r) => gates.push(r));
    for (let i = 0; i < 5; i++) flow.submit(a, 1, job); // 1 running, 4 waiting
    expect(a.paused).toBe(true);
    flow.submit(a, 1, job);
    flow.submit(a, 1, job); // 6 waiting
    expect(() => flow.submit(a, 1, job)).toThrow(FlowRefused);
    expect(() => flow.submit(a, 1, job)).toThrow(
      'too many requests waiting on this connection (6); wait for replies before sending more',
    );
    while (a.paused) {
      gates.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(flow.stats().queued).toBeLessThan(2);
  });

  it('starts nothing more for a socket that does not read its replies', () => {
    vi.useFakeTimers();
    const flow = new FlowScheduler({ maxUnsentBytes: 100 });
    const a = fakeSocket();
    flow.open(a);
    a.bufferedAmount = 1000;
    let ran = 0;
    flow.submit(a, 1, async () => void ran++);
    expect(ran).toBe(0);
    vi.advanceTimersByTime(200);
    expect(ran).toBe(0); // still unread
    a.bufferedAmount = 0;
    vi.advanceTimersByTime(200); // the scheduler looks again
    expect(ran).toBe(1);
    vi.useRealTimers();
  });
});
