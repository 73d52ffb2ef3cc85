// Live sources under faults, against real processes: a 3-master + 3-replica Redis Cluster
// (redis-cli --cluster create), a standalone redis-server and a metrics endpoint that never
// answers.
// - The cluster's ops/s is what clients asked for: a known number of writes (to masters) and reads
//   (served by replicas, READONLY) sums to that number, not twice the writes; what replicas apply
//   from their master is shown per node as replication.
// - A replica hung with SIGSTOP is shown "not answering" while the others keep their interval,
//   and comes back after SIGCONT without a bogus rate.
// - A master killed with kill -9: its replica's promotion is an event of the samples
//   ("promoted", with the master it replaced, which is "down"), and the node table follows;
//   restarted, the old master rejoins as the new master's replica ("demoted", "up").
// - A restarted Redis is seen again within an interval or two, however long it was away.
// - A metrics endpoint that times out gives one sample per interval, not two.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../api/contract';
import { jsonLine, tableLine } from './cli';
import { LiveService } from './service';
import {
  nextSample,
  parsed,
  removeDir,
  startCluster,
  startRedis,
  waitFor,
  type RedisProcess,
} from './testing';

const INTERVAL_S = 0.5;

/** Every sample of source `id` from now on. */
function collect(svc: LiveService, id: string): { samples: Sample[]; stop: () => void } {
  const samples: Sample[] = [];
  const stop = svc.on('sample', (s) => {
    if (s.id === id) samples.push(s);
  });
  return { samples, stop };
}

/** ∫ rate dt over consecutive samples (each rate covers the time since the previous sample). */
function integrate(samples: Sample[], rate: (s: Sample) => number | null | undefined): number {
  let total = 0;
  for (let i = 1; i < samples.length; i++)
    total += (rate(samples[i]) ?? 0) * ((samples[i].t - samples[i - 1].t) / 1000);
  return total;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a Redis Cluster under load and faults', () => {
  let nodes: RedisProcess[] = [];
  let svc: LiveService;
  let id: string;
  const addr = (n: RedisProcess) => `127.0.0.1:${n.port}`;
  const byAddress = (a: string) => nodes.find((n) => addr(n) === a)!;
  const allUp = (s: Sample) =>
    s.id === id &&
    s.nodes?.length === 6 &&
    s.nodes.every((n) => n.status === 'up' && n.ops_per_sec !== null);

  beforeAll(async () => {
    // A short node timeout so that a killed master's replica is promoted within seconds.
    nodes = await startCluster(3, 1, 2000);
    svc = new LiveService();
    ({ id } = svc.connect(
      parsed('live:connect', {
        kind: 'redis',
        url: `redis://${addr(nodes[0])}`,
        cluster: true,
        interval_s: INTERVAL_S,
      }),
    ));
    await nextSample(svc, allUp, 60_000);
  });

  afterAll(async () => {
    await svc?.close();
    for (const n of nodes) n.signal('SIGCONT');
    await Promise.all(nodes.map((n) => n.stop()));
    for (const n of nodes) removeDir(n.dir);
  });

  it('counts what clients asked for — writes on masters, reads on replicas — not replication', async () => {
    const WRITES = 7000; // per master
    const READS = 3500; // per replica
    const first = await nextSample(svc, allUp);
    const masters = first.nodes!.filter((n) => n.role === 'master');
    const port = (a: string) => Number(a.split(':')[1]);
    // A key tag per master (a slot it serves), asked before the counted run.
    const setup = new Redis({ port: nodes[0].port, host: '127.0.0.1' });
    const tags: string[] = [];
    for (const m of masters)
      for (let i = 0; ; i++) {
        const slot = Number(await setup.call('CLUSTER', 'KEYSLOT', `t${i}`));
        const served = m.slots.some((r) => {
          const [a, b] = r.split('-').map(Number);
          return slot >= a && slot <= (b ?? a);
        });
        if (served) {
          tags.push(`t${i}`);
          break;
        }
      }
    setup.disconnect();
    // Clients of our own: one per master (writes), one per replica reading with READONLY.
    const writers = masters.map((m) => new Redis({ port: port(m.address), host: '127.0.0.1' }));
    const readers = masters.map((m) => {
      const r = first.nodes!.find((n) => n.master === m.address)!;
      return new Redis({ port: port(r.address), host: '127.0.0.1', readOnly: true });
    });
    const clients = [...writers, ...readers];
    try {
      await Promise.all(clients.map((c) => c.ping()));
      const seen = collect(svc, id);
      await nextSample(svc, allUp);
      for (let i = 0; i < WRITES; i += 500)
        await Promise.all(
          writers.flatMap((w, k) =>
            Array.from({ length: 500 }, (_, j) => w.set(`{${tags[k]}}:order:${i + j}`, i + j)),
          ),
        );
      for (let i = 0; i < READS; i += 500)
        await Promise.all(
          readers.flatMap((r, k) =>
            Array.from({ length: 500 }, (_, j) => r.get(`{${tags[k]}}:order:${i + j}`)),
          ),
        );
      // Quiet intervals after the last command close the run.
      for (let i = 0; i < 3; i++) await nextSample(svc, allUp);
      seen.stop();
      const samples = seen.samples.slice(1);
      expect(samples.every((s) => s.status === 'up')).toBe(true);

      // Each node's rate × the seconds it covers, summed: what the console says was asked.
      const counted = (
        field: 'ops_per_sec' | 'replication_ops_per_sec',
        role?: 'master' | 'replica',
      ) =>
        samples.reduce(
          (a, s) =>
            a +
            s
              .nodes!.filter((n) => !role || n.role === role)
              .reduce((b, n) => b + (n[field] ?? 0) * (n.window_s ?? 0), 0),
          0,
        );
      const asked = 3 * (WRITES + READS);
      expect(Math.abs(counted('ops_per_sec') - asked) / asked).toBeLessThan(0.02);
      expect(Math.abs(counted('ops_per_sec', 'master') - 3 * WRITES) / (3 * WRITES)).toBeLessThan(
        0.02,
      );
      expect(Math.abs(counted('ops_per_sec', 'replica') - 3 * READS) / (3 * READS)).toBeLessThan(
        0.02,
      );
      // What the replicas applied from their masters is shown apart, per node.
      const replicated = counted('replication_ops_per_sec', 'replica');
      expect(Math.abs(replicated - 3 * WRITES) / (3 * WRITES)).toBeLessThan(0.02);
      // The cluster's figure over time agrees (the sum of the nodes' rates).
      const overTime = integrate(samples, (s) => s.metrics.ops_per_sec);
      expect(overTime).toBeLessThan(asked * 1.25);
      const busiest = samples.reduce((a, s) =>
        (s.metrics.replication_ops_per_sec ?? 0) > (a.metrics.replication_ops_per_sec ?? 0) ? s : a,
      );
      expect(busiest.metrics.replication_ops_per_sec).toBeGreaterThan(100);
      expect(
        tableLine(busiest)
          .split('\n')
          .some((l) => l.includes('replica of') && /repl\/s +[1-9]/.test(l)),
      ).toBe(true);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('keeps its interval while a replica hangs (SIGSTOP), shows it not answering, then back', async () => {
    const first = await nextSample(svc, allUp);
    const replica = first.nodes!.find((n) => n.role === 'replica')!;
    const victim = byAddress(replica.address);
    const seen = collect(svc, id);
    victim.signal('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      await sleep(6000);
    } finally {
      victim.signal('SIGCONT');
    }
    const contAt = Date.now();
    const back = await nextSample(
      svc,
      (s) =>
        s.id === id &&
        s.t > contAt &&
        !!s.nodes?.some(
          (n) => n.address === replica.address && n.status === 'up' && n.ops_per_sec !== null,
        ),
      20_000,
    );
    // A few more samples after it is back: its late reply must not make a bogus rate.
    for (let i = 0; i < 3; i++) await nextSample(svc, (s) => s.id === id && s.t > back.t);
    seen.stop();
    const during = seen.samples.filter((s) => s.t > stoppedAt && s.t <= contAt);
    const times = during.map((s) => s.t);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // About 12 samples in 6 s at 0.5 s; never one slow node's timeout between two of them.
    expect(during.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...gaps)).toBeLessThan(3 * INTERVAL_S * 1000 + 200);
    const late = during.filter((s) => s.t > stoppedAt + 2000);
    expect(late.length).toBeGreaterThan(0);
    for (const s of late) {
      const hung = s.nodes!.find((n) => n.address === replica.address)!;
      expect(hung.status).toBe('not_answering');
      expect(hung.ops_per_sec).toBeNull();
      expect(s.status).toBe('up');
      expect(s.error).toContain(`${replica.address} not answering`);
    }
    // The others keep reporting (a busy machine may leave one of them late once).
    const othersUp = late.filter((s) =>
      s.nodes!.every(
        (n) => n.address === replica.address || (n.status === 'up' && n.ops_per_sec !== null),
      ),
    );
    expect(othersUp.length).toBeGreaterThanOrEqual(late.length - 1);
    // The idle cluster reads idle again: no spike from the reply that came late.
    const after = seen.samples.filter((s) => s.t >= back.t);
    for (const s of after) {
      const n = s.nodes!.find((x) => x.address === replica.address)!;
      if (n.ops_per_sec !== null) expect(n.ops_per_sec).toBeLessThan(20);
    }
  });

  it('lists every node within a few intervals once a seed that hung at first answers', async () => {
    // A fresh connection whose seed (a replica) does not answer for its first 5 s (SIGSTOP):
    // once it answers, the whole cluster is listed at once — no back-off grown meanwhile.
    const before = await nextSample(svc, allUp);
    const seed = byAddress(before.nodes!.find((n) => n.role === 'replica')!.address);
    let other = '';
    seed.signal('SIGSTOP');
    try {
      ({ id: other } = svc.connect(
        parsed('live:connect', {
          kind: 'redis',
          url: `redis://${addr(seed)}`,
          cluster: true,
          interval_s: INTERVAL_S,
        }),
      ));
      await sleep(5000);
    } finally {
      seed.signal('SIGCONT');
    }
    const contAt = Date.now();
    const full = await nextSample(
      svc,
      (s) => s.id === other && s.nodes?.length === 6 && s.nodes.every((n) => n.status === 'up'),
      30_000,
    );
    expect(full.t - contAt).toBeLessThan(3000);
    await svc.disconnect({ id: other });
    await nextSample(svc, allUp);
  });

  it('says so when a replica is promoted after its master is killed, and the table follows', async () => {
    const before = await nextSample(svc, allUp);
    const master = before.nodes!.find((n) => n.role === 'master' && n.slots.length > 0)!;
    const replica = before.nodes!.find((n) => n.master === master.address)!;
    const seen = collect(svc, id);
    await byAddress(master.address).stop(); // kill -9 by PID
    const promoted = await nextSample(
      svc,
      (s) => s.id === id && !!s.events?.some((e) => e.kind === 'promoted'),
      60_000,
    );
    seen.stop();
    expect(promoted.events).toContainEqual({
      kind: 'promoted',
      node: replica.address,
      was_replica_of: master.address,
    });
    const downEvent = seen.samples
      .flatMap((s) => s.events ?? [])
      .find((e) => e.kind === 'down' && e.node === master.address);
    expect(downEvent).toBeDefined();
    // The table follows: the promoted node is a master serving the old master's slots.
    const row = promoted.nodes!.find((n) => n.address === replica.address)!;
    expect(row.role).toBe('master');
    expect(row.master).toBeNull();
    expect(row.slots).toEqual(master.slots);
    const dead = promoted.nodes!.find((n) => n.address === master.address)!;
    expect(dead.status).toBe('down');
    expect(promoted.nodes!.filter((n) => n.role === 'replica' && n.status === 'up')).toHaveLength(
      2,
    );
    // watch --json carries the events; the watch table says them in words.
    expect(JSON.parse(jsonLine(promoted)).events).toEqual(promoted.events);
    expect(tableLine(promoted)).toContain(
      `${replica.address} promoted to master (was replica of ${master.address})`,
    );

    // The old master comes back (same port, its nodes.conf): a replica of the promoted node.
    const again = collect(svc, id);
    await byAddress(master.address).start();
    const rejoined = await nextSample(
      svc,
      (s) =>
        s.id === id &&
        !!s.nodes?.some(
          (n) => n.address === master.address && n.status === 'up' && n.role === 'replica',
        ),
      60_000,
    );
    again.stop();
    expect(rejoined.nodes!.find((n) => n.address === master.address)!.master).toBe(replica.address);
    const later = again.samples.flatMap((s) => s.events ?? []);
    expect(later).toContainEqual({
      kind: 'demoted',
      node: master.address,
      replica_of: replica.address,
    });
    expect(later).toContainEqual({ kind: 'up', node: master.address });
  });
});

describe('a standalone Redis that restarts on the same port', () => {
  let redis: RedisProcess;
  let svc: LiveService;

  beforeAll(async () => {
    redis = await startRedis();
    svc = new LiveService();
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.stop();
    if (redis) removeDir(redis.dir);
  });

  it('is shown up again within an interval or two of coming back, however long it was away', async () => {
    const { id } = svc.connect(
      parsed('live:connect', {
        kind: 'redis',
        url: `redis://127.0.0.1:${redis.port}`,
        interval_s: INTERVAL_S,
      }),
    );
    await nextSample(svc, (s) => s.id === id && s.status === 'up');
    await redis.stop();
    await nextSample(svc, (s) => s.id === id && s.status === 'down');
    // Long enough for the back-off between full reconnects to have grown to several seconds.
    await sleep(9000);
    const seen = collect(svc, id);
    await redis.start();
    const startedAt = Date.now();
    const up = await nextSample(svc, (s) => s.id === id && s.status === 'up', 40_000);
    seen.stop();
    expect(up.t - startedAt).toBeLessThan(4 * INTERVAL_S * 1000);
    // One sample per interval while it was down, too.
    const down = seen.samples.filter((s) => s.status === 'down');
    for (let i = 1; i < down.length; i++)
      expect(down[i].t - down[i - 1].t).toBeGreaterThan(INTERVAL_S * 400);
    await svc.disconnect({ id });
  });

  it('is shown down as not answering while it hangs (SIGSTOP), and up after SIGCONT', async () => {
    const { id } = svc.connect(
      parsed('live:connect', {
        kind: 'redis',
        url: `redis://127.0.0.1:${redis.port}`,
        interval_s: INTERVAL_S,
      }),
    );
    await nextSample(svc, (s) => s.id === id && s.status === 'up');
    redis.signal('SIGSTOP');
    try {
      const hung = await nextSample(svc, (s) => s.id === id && s.status === 'down', 10_000);
      expect(hung.error).toBe(`127.0.0.1:${redis.port} not answering`);
    } finally {
      redis.signal('SIGCONT');
    }
    await nextSample(svc, (s) => s.id === id && s.status === 'up', 10_000);
    await svc.disconnect({ id });
  });
});

describe('a metrics endpoint that never answers', () => {
  let server: http.Server;
  let url = '';
  let svc: LiveService;

  beforeAll(async () => {
    // Accepts the connection and the request, and never answers.
    server = http.createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    svc = new LiveService();
  });

  afterAll(async () => {
    await svc?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('gives one sample per interval, not one per failure and one more at once', async () => {
    const { id } = svc.connect(
      parsed('live:connect', { kind: 'metrics', url, interval_s: INTERVAL_S, timeout_ms: 1200 }),
    );
    const seen = collect(svc, id);
    const started = Date.now();
    await waitFor(async () => seen.samples.length >= 8, 40_000);
    seen.stop();
    const elapsed = (seen.samples.at(-1)!.t - started) / 1000;
    expect(
      seen.samples.every(
        (s) => s.status === 'down' && /no answer within 1200 ms/.test(s.error ?? ''),
      ),
    ).toBe(true);
    for (let i = 1; i < seen.samples.length; i++)
      expect(seen.samples[i].t - seen.samples[i - 1].t).toBeGreaterThan(INTERVAL_S * 400);
    expect(seen.samples.length).toBeLessThanOrEqual(Math.floor(elapsed / INTERVAL_S) + 1);
  });
});
