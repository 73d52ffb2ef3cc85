// The real `peakline` bin: `watch --json` against a password-protected redis-server — one JSON
// line per source per sample, the URL without credentials, and the password nowhere in stdout,
// stderr or the recording; it keeps running through a Redis restart and reports the outage.
// `demo` prints its metrics URL, serves prom-client text there, and stops cleanly on Ctrl-C.
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheus } from './prom';
import { freePort, PeaklineProcess, removeDir, startRedis, type RedisProcess } from './testing';

const PASSWORD = 'pl-watch-Pa55-7c1e';

describe('peakline watch and demo (the real bin)', () => {
  let redis: RedisProcess;
  let dir: string;
  const children: PeaklineProcess[] = [];
  const spawn = (args: string[], env?: NodeJS.ProcessEnv) => {
    const p = new PeaklineProcess(args, env);
    children.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = await startRedis(['--requirepass', PASSWORD]);
    dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-watch-'));
  });

  afterAll(async () => {
    for (const c of children) {
      c.signal('SIGKILL');
      await c.exited;
    }
    await redis?.stop();
    if (redis) removeDir(redis.dir);
    if (dir) removeDir(dir);
  });

  it('prints --count samples as JSON lines without the password, and records them without it', async () => {
    const rec = path.join(dir, 'session.ndjson');
    const url = `redis://default:${PASSWORD}@127.0.0.1:${redis.port}`;
    const p = spawn([
      'watch',
      '--redis',
      url,
      '--json',
      '--count',
      '3',
      '--interval',
      '0.25',
      '--record',
      rec,
    ]);
    expect(await p.exited).toBe(0);
    expect(p.lines).toHaveLength(3);
    for (const line of p.lines) {
      const obj = JSON.parse(line);
      expect(obj).toMatchObject({
        source: `redis://127.0.0.1:${redis.port}`,
        status: 'up',
        error: null,
      });
      expect(typeof obj.t).toBe('number');
      expect(obj.metrics.connected_clients).toBeGreaterThanOrEqual(1);
      expect(obj.metrics.used_memory_bytes).toBeGreaterThan(0);
      expect(obj.nodes[0]).toMatchObject({ address: `127.0.0.1:${redis.port}`, role: 'master' });
    }
    expect(JSON.parse(p.lines[2]).metrics.ops_per_sec).not.toBeNull();
    const everything = p.lines.join('\n') + p.stderr + readFileSync(rec, 'utf8');
    expect(everything).not.toContain(PASSWORD);
    expect(readFileSync(rec, 'utf8').split('\n').filter(Boolean)).toHaveLength(4); // header + 3

    // The recording plays back with its own times.
    const replay = spawn(['watch', '--replay', rec, '--json']);
    expect(await replay.exited).toBe(0);
    expect(replay.lines.map((l) => JSON.parse(l).t)).toEqual(p.lines.map((l) => JSON.parse(l).t));
    expect(JSON.parse(replay.lines[0]).source).toBe(`replay:redis://127.0.0.1:${redis.port}`);
  });

  it('names a refused password without printing it (table mode, password from the environment)', async () => {
    const p = spawn(['watch', '--redis', `redis://127.0.0.1:${redis.port}`, '--count', '1'], {
      ...process.env,
      PEAKLINE_REDIS_PASSWORD: 'not-the-Right-one-42',
    });
    expect(await p.exited).toBe(0);
    expect(p.lines[0]).toMatch(/down\s+WRONGPASS/);
    expect(p.lines.join('\n') + p.stderr).not.toContain('not-the-Right-one-42');
  });

  it('keeps watching through a Redis restart and reports the outage', async () => {
    const p = spawn([
      'watch',
      '--redis',
      `redis://:${PASSWORD}@127.0.0.1:${redis.port}`,
      '--json',
      '--interval',
      '0.25',
    ]);
    const isStatus = (status: string) => (l: string) => JSON.parse(l).status === status;
    await p.waitLine(isStatus('up'));
    await redis.stop();
    const downLine = JSON.parse(await p.waitLine(isStatus('down')));
    expect(downLine.error).toMatch(/ECONNREFUSED|closed|connect/i);
    const afterDown = p.lines.length;
    await redis.start();
    const upAgain = JSON.parse(await p.waitLineAfter(afterDown, isStatus('up')));
    expect(upAgain.t).toBeGreaterThan(downLine.t);
    p.signal('SIGINT');
    expect(await p.exited).toBe(0);
    expect(p.lines.join('\n') + p.stderr).not.toContain(PASSWORD);
  });

  it('prints one line per interval for an endpoint that never answers, so --count lasts as long as asked', async () => {
    // Accepts the connection and the request, and never answers (a scrape times out after 2 s).
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/metrics`;
      const p = spawn(['watch', '--metrics', url, '--json', '--interval', '0.5', '--count', '4']);
      expect(await p.exited).toBe(0);
      const lines = p.lines.map((l) => JSON.parse(l));
      expect(lines).toHaveLength(4);
      for (const l of lines)
        expect(l).toMatchObject({ status: 'down', error: 'no answer within 2000 ms' });
      // Never two lines for one failure: consecutive lines are at least a good part of an
      // interval apart (before, each timeout printed a second line 1–20 ms after the first).
      for (let i = 1; i < lines.length; i++)
        expect(lines[i].t - lines[i - 1].t).toBeGreaterThan(200);
    } finally {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });

  it('rejects a bad option with a message naming it', async () => {
    const p = spawn(['watch', '--redis', `redis://127.0.0.1:${redis.port}`, '--interval', '0.1']);
    expect(await p.exited).toBe(2);
    expect(p.stderr).toContain('--interval must be a number >= 0.25, got "0.1"');
    const bad = spawn(['watch', '--redis', 'http://ops:topsecret-1@db:6379']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr).toContain(
      '--redis http://db:6379: url: url must be a URL starting with redis:// or rediss://',
    );
    expect(bad.stderr).not.toContain('topsecret-1');
    // demo's options go through the same parser as every other command's.
    const demo = spawn(['demo', '--metrics-port', '70000']);
    expect(await demo.exited).toBe(2);
    expect(demo.stderr).toBe(
      'peakline demo: --metrics-port must be <= 65535 (see peakline demo --help)\n',
    );
  });

  it('says why the demo cannot start, and exits, when Redis is not there', async () => {
    const nobody = await freePort();
    const p = spawn(['demo', '--redis', `redis://127.0.0.1:${nobody}`, '--metrics-port', '0']);
    expect(await p.exited).toBe(1);
    expect(p.stderr).toContain(
      `cannot start (Redis redis://127.0.0.1:${nobody}): connect ECONNREFUSED`,
    );
  });

  it('runs the demo: prints its metrics URL, serves prom-client text there, stops on Ctrl-C', async () => {
    const p = spawn([
      'demo',
      '--redis',
      `redis://:${PASSWORD}@127.0.0.1:${redis.port}`,
      '--metrics-port',
      '0',
      '--rate',
      '100',
      '--workers',
      '2',
      '--prefix',
      'peakline:test-demo:',
    ]);
    const line = await p.waitLine((l) => l.startsWith('metrics: '));
    const url = line.slice('metrics: '.length);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    // Let some orders flow, then read the endpoint like Prometheus would.
    let processed = 0;
    for (let i = 0; i < 100 && processed === 0; i++) {
      const families = parsePrometheus(await (await fetch(url)).text());
      const orders = families.find((f) => f.name === 'peakline_orders_total');
      processed = orders?.samples.find((s) => s.labels.status === 'ok')?.value ?? 0;
      if (processed === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(processed).toBeGreaterThan(0);
    p.signal('SIGINT');
    expect(await p.exited).toBe(0);
    expect(p.lines.at(-1)).toMatch(/^peakline demo: stopped after \d+ orders$/);
    expect(p.lines.join('\n') + p.stderr).not.toContain(PASSWORD);
  });
});
