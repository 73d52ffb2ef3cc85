// A real 3-master, 3-replica Redis Cluster (redis-cli --cluster create) watched from one seed
// node: every master and replica is found, with roles, slot ranges and replication lag; queue
// keys are read on the node that owns their slot; redis-benchmark --cluster raises ops/s; and a
// node that stops is reported down (then up again) while the other nodes keep reporting.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeSample } from '../api/contract';
import { LiveService } from './service';
import {
  nextSample,
  parsed,
  redisCli,
  removeDir,
  startCluster,
  type RedisProcess,
} from './testing';

const run = promisify(execFile);

/** Slots covered by a list of ranges like "0-5460" or "7000". */
function slotCount(ranges: string[]): number {
  return ranges.reduce((n, r) => {
    const [a, b] = r.split('-').map(Number);
    return n + (b === undefined ? 1 : b - a + 1);
  }, 0);
}

describe('a Redis Cluster of three masters and three replicas', () => {
  let nodes: RedisProcess[] = [];
  let svc: LiveService;
  let id: string;
  const seedPort = () => nodes[0].port;

  beforeAll(async () => {
    nodes = await startCluster(3, 1);
    svc = new LiveService();
    // Keys in different slots; the source is pointed at one seed only.
    await redisCli(seedPort(), ['-c', 'LPUSH', 'bull:orders:wait', 'o1', 'o2']);
    await redisCli(seedPort(), ['-c', 'XADD', '{user:7}:events', '*', 'k', 'v']);
    ({ id } = svc.connect(
      parsed('live:connect', {
        kind: 'redis',
        url: `redis://127.0.0.1:${seedPort()}`,
        cluster: true,
        queue_keys: ['bull:orders:wait', '{user:7}:events'],
        interval_s: 0.5,
      }),
    ));
  });

  afterAll(async () => {
    await svc?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    for (const n of nodes) removeDir(n.dir);
  });

  it('finds every master and replica from one seed, with slots, roles and replication lag', async () => {
    const s = await nextSample(
      svc,
      (x) =>
        x.id === id &&
        x.status === 'up' &&
        x.nodes?.length === 6 &&
        x.nodes.every((n) => n.status === 'up'),
    );
    const nodesSeen = s.nodes as NodeSample[];
    const masters = nodesSeen.filter((n) => n.role === 'master');
    const replicas = nodesSeen.filter((n) => n.role === 'replica');
    expect(masters).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    expect(new Set(nodesSeen.map((n) => n.address))).toEqual(
      new Set(nodes.map((n) => `127.0.0.1:${n.port}`)),
    );
    expect(slotCount(masters.flatMap((m) => m.slots))).toBe(16384);
    for (const r of replicas) {
      expect(masters.map((m) => m.address)).toContain(r.master);
      expect(r.slots).toEqual([]);
    }
    expect(s.metrics.nodes_up).toBe(6);
    expect(svc.list().sources.find((x) => x.id === id)?.cluster).toBe(true);
    const lagged = await nextSample(
      svc,
      (x) =>
        x.id === id &&
        (x.nodes ?? []).filter((n) => n.role === 'replica' && n.replication_lag_bytes !== null)
          .length === 3,
    );
    for (const r of lagged.nodes!.filter((n) => n.role === 'replica'))
      expect(r.replication_lag_bytes).toBeGreaterThanOrEqual(0);
    // Queue keys live on different masters; each is read where its slot is served.
    expect(lagged.queues).toEqual([
      { key: 'bull:orders:wait', type: 'list', depth: 2, error: null },
      { key: '{user:7}:events', type: 'stream', depth: 1, error: null },
    ]);
  });

  it('sees ops/s rise on the masters under redis-benchmark --cluster', async () => {
    const busy = nextSample(svc, (x) => x.id === id && (x.metrics.ops_per_sec ?? 0) > 1500);
    const bench = run('redis-benchmark', [
      '-h',
      '127.0.0.1',
      '-p',
      String(seedPort()),
      '--cluster',
      '-n',
      '60000',
      '-c',
      '6',
      '-t',
      'set',
      '-q',
    ]);
    const s = await busy;
    await bench;
    const loaded = s.nodes!.filter((n) => n.role === 'master' && (n.ops_per_sec ?? 0) > 100);
    expect(loaded.length).toBeGreaterThanOrEqual(2);
  });

  it('reports a stopped node down with its reason while the rest keep reporting, then up again', async () => {
    const victim = nodes[5];
    const address = `127.0.0.1:${victim.port}`;
    await victim.stop();
    const s = await nextSample(
      svc,
      (x) => x.id === id && !!x.nodes?.some((n) => n.address === address && n.status === 'down'),
    );
    expect(s.status).toBe('up');
    expect(s.error).toContain(address);
    const dead = s.nodes!.find((n) => n.address === address)!;
    expect(dead.error).toMatch(/ECONNREFUSED|closed|connect/i);
    const alive = s.nodes!.filter((n) => n.address !== address);
    expect(alive.every((n) => n.status === 'up')).toBe(true);
    const later = await nextSample(
      svc,
      (x) => x.id === id && x.t > s.t && x.nodes!.filter((n) => n.ops_per_sec !== null).length >= 5,
    );
    expect(later.metrics.nodes_up).toBe(5);

    await victim.start();
    const back = await nextSample(
      svc,
      (x) => x.id === id && !!x.nodes?.some((n) => n.address === address && n.status === 'up'),
      45_000,
    );
    expect(back.metrics.nodes_up).toBe(6);
    expect(back.error).toBeNull();
  });
});
