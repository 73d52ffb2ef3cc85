// A password-protected standalone redis-server watched by the live service: figures from INFO
// deltas, hit ratio, queue depths by type, the slowlog, load from redis-benchmark, and a restart
// the source reports as `down` then `up` while another source keeps reporting.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveService } from './service';
import { nextSample, parsed, redisCli, removeDir, startRedis, type RedisProcess } from './testing';

const PASSWORD = 'pl-test-Secr3t-0a9f';
const run = promisify(execFile);

describe('a standalone Redis with a password', () => {
  let redis: RedisProcess;
  let other: RedisProcess;
  let svc: LiveService;
  let recDir: string;
  const cli = (...args: string[]) => redisCli(redis.port, args, PASSWORD);

  beforeAll(async () => {
    [redis, other] = await Promise.all([startRedis(['--requirepass', PASSWORD]), startRedis()]);
    recDir = mkdtempSync(path.join(os.tmpdir(), 'peakline-rec-'));
    svc = new LiveService({ recordingsDir: recDir });
  });

  afterAll(async () => {
    await svc?.close();
    await Promise.all([redis?.stop(), other?.stop()]);
    for (const r of [redis, other]) if (r) removeDir(r.dir);
    if (recDir) removeDir(recDir);
  });

  it('refuses a wrong password with the server reason, without echoing it', async () => {
    const { id } = svc.connect(
      parsed('live:connect', {
        kind: 'redis',
        url: `redis://127.0.0.1:${redis.port}`,
        password: 'wrong-pw-123',
      }),
    );
    const s = await nextSample(svc, (x) => x.id === id && x.status === 'down');
    expect(s.error).toMatch(/WRONGPASS|invalid password|NOAUTH/i);
    expect(JSON.stringify(s)).not.toContain('wrong-pw-123');
    const info = svc.list().sources.find((x) => x.id === id)!;
    expect(info.state).toBe('down');
    expect(info.next_retry).toBeGreaterThan(Date.now() - 1000);
    await svc.disconnect({ id });
  });

  it('reports figures, queue depths, hit ratio and the slowlog, and never the password', async () => {
    await cli('LPUSH', 'bull:orders:wait', 'a', 'b', 'c');
    await cli('XADD', 'events', '*', 'k', 'v');
    await cli('XADD', 'events', '*', 'k', 'w');
    await cli('ZADD', 'delayed', '1', 'x');
    await cli('SET', 'hot', '1');
    const rec = svc.recordStart({ name: 'standalone' });
    const { id } = svc.connect(
      parsed('live:connect', {
        kind: 'redis',
        url: `redis://:${PASSWORD}@127.0.0.1:${redis.port}`,
        queue_keys: ['bull:orders:wait', 'events', 'delayed', 'missing'],
        interval_s: 0.5,
      }),
    );
    const info = svc.list().sources.find((x) => x.id === id)!;
    expect(info.name).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(info.has_password).toBe(true);

    const first = await nextSample(svc, (x) => x.id === id && x.status === 'up');
    expect(first.metrics.connected_clients).toBeGreaterThanOrEqual(1);
    expect(first.metrics.used_memory_bytes).toBeGreaterThan(100_000);
    expect(first.queues).toEqual([
      { key: 'bull:orders:wait', type: 'list', depth: 3, error: null },
      { key: 'events', type: 'stream', depth: 2, error: null },
      { key: 'delayed', type: 'zset', depth: 1, error: null },
      { key: 'missing', type: 'none', depth: 0, error: null },
    ]);
    expect(first.nodes?.[0]).toMatchObject({ role: 'master', status: 'up' });

    // An idle server reads (about) zero: our own polling is not counted as load.
    const idle = await nextSample(svc, (x) => x.id === id && x.metrics.ops_per_sec !== null);
    expect(idle.metrics.ops_per_sec).toBeLessThan(3);
    expect(idle.metrics.hit_ratio).toBeNull();

    // Three hits and one miss between two samples: a hit ratio of 3/4 (our TYPE/LLEN excluded).
    await nextSample(svc, (x) => x.id === id);
    await cli('GET', 'hot');
    await cli('GET', 'hot');
    await cli('GET', 'hot');
    await cli('GET', 'cold');
    const withHits = await nextSample(svc, (x) => x.id === id && x.metrics.hit_ratio !== null);
    expect(withHits.metrics.hit_ratio).toBeCloseTo(0.75, 5);

    await cli('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await cli('SET', 'slow-one', 'v');
    const { entries } = await svc.slowlog({ id, count: 20 });
    expect(
      entries.some((e) => e.command[0]?.toUpperCase() === 'SET' && e.command[1] === 'slow-one'),
    ).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);

    await svc.disconnect({ id });
    const done = await svc.recordStop();
    expect(done.path).toBe(rec.path);
    expect(done.samples).toBeGreaterThan(2);
    const text = readFileSync(rec.path, 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text.split('\n')[0]).toContain('peakline.live-recording/v1');

    const replay = await svc.replay(parsed('live:replay', { path: 'standalone.ndjson' }));
    expect(replay.samples).toBe(done.samples);
    const replayed = svc.getHistory({ id: replay.ids[0] }).samples;
    expect(replayed.length).toBe(done.samples);
    expect(replayed.some((s) => s.queues?.[0]?.depth === 3)).toBe(true);
    await expect(svc.replay(parsed('live:replay', { path: '/etc/passwd' }))).rejects.toThrow(
      /must be a recording in/,
    );
  });

  it('sees ops/s rise under redis-benchmark', async () => {
    const { id } = svc.connect(
      parsed('live:connect', {
        kind: 'redis',
        url: `redis://127.0.0.1:${redis.port}`,
        password: PASSWORD,
        interval_s: 0.5,
      }),
    );
    const idle = await nextSample(svc, (x) => x.id === id && x.metrics.ops_per_sec !== null);
    expect(idle.metrics.ops_per_sec).toBeLessThan(50);
    const busy = nextSample(svc, (x) => x.id === id && (x.metrics.ops_per_sec ?? 0) > 2000);
    const bench = run(
      'redis-benchmark',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(redis.port),
        '-a',
        PASSWORD,
        '-n',
        '60000',
        '-c',
        '4',
        '-t',
        'set,get',
        '-q',
      ],
      { env: process.env },
    );
    const s = await busy;
    await bench;
    expect(s.metrics.ops_per_sec).toBeGreaterThan(2000);
    expect(s.status).toBe('up');
    await svc.disconnect({ id });
  });

  it('goes down when the server stops and up when it is back, while another source keeps reporting', async () => {
    const watched = svc.connect(
      parsed('live:connect', {
        kind: 'redis',
        url: `redis://127.0.0.1:${redis.port}`,
        password: PASSWORD,
        interval_s: 0.25,
      }),
    );
    const bystander = svc.connect(
      parsed('live:connect', {
        kind: 'redis',
        url: `redis://127.0.0.1:${other.port}`,
        interval_s: 0.25,
      }),
    );
    await nextSample(svc, (x) => x.id === watched.id && x.status === 'up');

    const downSeen = nextSample(svc, (x) => x.id === watched.id && x.status === 'down');
    await redis.stop();
    const down = await downSeen;
    expect(down.error).toMatch(/ECONNREFUSED|Connection is closed|connect|closed/i);
    expect(svc.list().sources.find((x) => x.id === watched.id)?.state).toBe('down');
    // The other source is unaffected while this one is down.
    const still = await nextSample(svc, (x) => x.id === bystander.id && x.t > down.t);
    expect(still.status).toBe('up');
    const stillDown = await nextSample(svc, (x) => x.id === watched.id && x.t > down.t);
    expect(stillDown.status).toBe('down');

    await redis.start();
    const back = await nextSample(svc, (x) => x.id === watched.id && x.status === 'up', 40_000);
    expect(back.metrics.connected_clients).toBeGreaterThanOrEqual(1);
    expect(svc.list().sources.find((x) => x.id === watched.id)?.state).toBe('up');
  });
});
