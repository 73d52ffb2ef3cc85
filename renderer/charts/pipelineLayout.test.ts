/// <reference types="vite/client" />
// The pipeline diagram is drawn from the scenario's step program: for every shipped profile each
// station of its result has a box (or a cell of one), no two boxes overlap, frames hold what the
// lock or transaction holds, machines sit under what runs on them, and the station that saturates
// first is the one marked. Real simulations of the shipped profiles, shortened.
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import { simulate } from '../../sim-core/index';
import { validateScenario } from '../../sim-core/validate';
import { withTrace } from '../../sim-core/trace';
import { translate } from '../i18n';
import { layoutPipeline, type Diagram, type DiagramNode } from './pipelineLayout';
import { fitText } from './Pipeline';

// every shipped scenario (the golden summaries beside them are not scenarios)
const files = import.meta.glob<ScenarioInput>(['../../profiles/**/*.json', '!**/*.expected.json'], {
  eager: true,
  import: 'default',
});
// the recordings a trace profile replays, beside it (read as the Node side reads them on load)
const traces = import.meta.glob<string>('../../profiles/**/*.log', {
  eager: true,
  query: '?raw',
  import: 'default',
});
const load = (rel: string): ScenarioInput => {
  const s = files[`../../profiles/${rel}`];
  const w = s.workload as { type: string; file?: string };
  if (w.type !== 'trace' || !w.file) return s;
  const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
  return withTrace(s, traces[`../../profiles/${dir}${w.file}`]).scenario;
};
const shipped = Object.keys(files).map((k) => k.replace('../../profiles/', ''));
const en = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) =>
  translate('en', k, v);
const zh = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) =>
  translate('zh', k, v);

/** A shortened real run of the scenario (a few seconds simulated). */
function run(s: ScenarioInput, seconds = 3): SimResult {
  const v = validateScenario({ ...s, duration_s: seconds, warmup_s: 0.5 });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return simulate(v.scenario, { series: true });
}

const overlaps = (a: DiagramNode, b: DiagramNode) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function expectTidy(d: Diagram) {
  for (let i = 0; i < d.nodes.length; i++) {
    const n = d.nodes[i];
    expect(n.x).toBeGreaterThanOrEqual(0);
    expect(n.y).toBeGreaterThanOrEqual(0);
    expect(n.x + n.w).toBeLessThanOrEqual(d.width);
    expect(n.y + n.h).toBeLessThanOrEqual(d.height);
    for (let j = i + 1; j < d.nodes.length; j++) expect(overlaps(n, d.nodes[j])).toBe(false);
  }
  for (const f of d.frames) {
    expect(f.x).toBeGreaterThanOrEqual(0);
    expect(f.y).toBeGreaterThanOrEqual(0);
    expect(f.x + f.w).toBeLessThanOrEqual(d.width);
  }
}

const inside = (n: DiagramNode, f: { x: number; y: number; w: number; h: number }) =>
  n.x >= f.x && n.x + n.w <= f.x + f.w && n.y >= f.y && n.y + n.h <= f.y + f.h;

describe('the pipeline diagram of every shipped profile', () => {
  it.each(shipped)(
    '%s: a box for every station, none overlapping',
    (file) => {
      const s = load(file);
      const r = run(s, 2);
      for (const t of [en, zh]) {
        const d = layoutPipeline(s, r, t);
        expectTidy(d);
        const drawn = new Set(
          d.nodes.flatMap((n) => [...n.stations, ...n.cells.map((c) => c.station)]),
        );
        for (const name of Object.keys(r.stations)) expect(drawn, name).toContain(name);
        // each box's figure is its station's utilisation
        for (const n of d.nodes)
          if (n.stations.length === 1 && r.stations[n.stations[0]])
            expect(n.util).toBe(r.stations[n.stations[0]].utilization);
      }
      // before the first run it is drawn from the scenario alone, without figures
      const bare = layoutPipeline(s, null, en);
      expectTidy(bare);
      expect(bare.nodes.every((n) => n.util === null && !n.saturated)).toBe(true);
    },
    30_000,
  );
});

describe('what the diagram shows', () => {
  it('flash sale: the lock around the stock query, the pool and shards inside it, the async lane after Enqueue', () => {
    const s = load('flash-sale.json');
    const d = layoutPipeline(s, run(s), en);
    const lockFrame = d.frames.find((f) => f.kind === 'lock')!;
    expect(lockFrame.label).toBe('holding lock[0]');
    const lock = d.nodes.find((n) => n.kind === 'lock')!;
    expect(lock.stations).toEqual(['lock[0]']);
    expect(lock.detail).toBe('per item · ≤ 500 ms');
    for (const kind of ['lock', 'pool', 'shards'] as const)
      expect(
        inside(
          d.nodes.find((n) => n.kind === kind)!,
          lockFrame,
        ),
      ).toBe(true);
    // the request lane reads in the order of the handler's steps
    const lane = d.nodes.filter((n) => n.y === lock.y).sort((a, b) => a.x - b.x);
    expect(lane.map((n) => n.kind)).toEqual([
      'gateway',
      'instances',
      'cache',
      'lock',
      'pool',
      'shards',
      'enqueue',
    ]);
    const shards = lane[5];
    expect(shards.title).toBe('Shards ×16');
    expect(shards.cells).toHaveLength(16);
    // four instances, each a cell of the instances' box
    expect(lane[1].cells.map((c) => c.station)).toEqual([0, 1, 2, 3].map((i) => `instance[${i}]`));
    // the async lane below: queue, workers, the broker call; Enqueue leads to the queue
    const below = d.nodes.filter((n) => n.y > lock.y).sort((a, b) => a.x - b.x);
    expect(below.map((n) => n.stations[0])).toEqual(['async_queue', 'workers', 'service:broker']);
    const enq = lane[6];
    const toQueue = d.edges.find(
      (e) =>
        e.points[0][0] === enq.x + enq.w / 2 &&
        e.points.at(-1)![0] === below[0].x + below[0].w / 2 &&
        e.points.at(-1)![1] === below[0].y,
    );
    expect(toQueue).toBeTruthy();
  });

  it('flash sale, full length: the lock is the station marked as saturating first', () => {
    const s = load('flash-sale.json');
    const v = validateScenario(s);
    if (!v.ok) throw new Error('invalid');
    const r = simulate(v.scenario, { series: true });
    expect(r.saturated).toBe('lock[0]');
    const d = layoutPipeline(s, r, en);
    expect(d.nodes.filter((n) => n.saturated).map((n) => n.stations)).toEqual([['lock[0]']]);
  }, 60_000);

  it('pg-order-zipf: the transaction holds the pool connection and the row lock; the db host under its shards', () => {
    const s = load('pg-order-zipf.json');
    const r = run(s);
    const d = layoutPipeline(s, r, en);
    const tx = d.frames.find((f) => f.kind === 'transaction')!;
    expect(tx.label).toBe('transaction: one connection, shard by user');
    const lockFrame = d.frames.find((f) => f.kind === 'lock')!;
    expect(
      lockFrame.x >= tx.x && lockFrame.x + lockFrame.w <= tx.x + tx.w && lockFrame.y > tx.y,
    ).toBe(true);
    const pool = d.nodes.find((n) => n.kind === 'pool')!;
    expect(inside(pool, tx)).toBe(true);
    expect(inside(pool, lockFrame)).toBe(false);
    const lock = d.nodes.find((n) => n.kind === 'lock')!;
    expect(inside(lock, lockFrame)).toBe(true);
    // the two queries under the lock share one box
    const shards = d.nodes.filter((n) => n.kind === 'shards');
    expect(shards.map((n) => n.detail)).toEqual(['query by user', '2 queries by user']);
    expect(inside(shards[1], lockFrame)).toBe(true);
    // the machine: one box for host db, below everything else, linked to both shard boxes
    const host = d.nodes.find((n) => n.kind === 'host')!;
    // its cores and its commit flush (group commit), each a cell; the box shows the busier
    expect(host.stations).toEqual(['host:db', 'flush']);
    expect(host.title).toBe('Host db');
    expect(host.detail).toBe('2 cores · USL · client · group commit');
    expect(host.cells.map((c) => c.station)).toEqual(['host:db', 'flush']);
    expect(host.util).toBe(
      Math.max(r.stations['host:db'].utilization, r.stations.flush.utilization),
    );
    expect(host.y).toBeGreaterThan(Math.max(...shards.map((n) => n.y + n.h)));
    for (const sh of shards)
      expect(
        d.edges.some(
          (e) =>
            e.host &&
            e.points[0][0] === sh.x + sh.w / 2 &&
            e.points.at(-1)![0] === host.x + host.w / 2,
        ),
      ).toBe(true);
    // the row lock is what saturates
    expect(r.saturated).toBe('lock[0]');
    expect(lock.saturated).toBe(true);
  }, 30_000);

  it('a pooler in front of the DB shows on the DB host, and is marked when it saturates', () => {
    const base = load('pg-order-zipf.json');
    const s = {
      ...base,
      keyspace: { ...base.keyspace, item_zipf_s: 0 },
      db: { ...base.db, pool_size: 8, pooler: { cpu: { dist: 'exp', mean_ms: 0.3 } } },
    } as ScenarioInput;
    const r = run(s);
    expect(r.saturated).toBe('pooler');
    const d = layoutPipeline(s, r, en);
    const host = d.nodes.find((n) => n.kind === 'host')!;
    expect(host.stations).toEqual(['host:db', 'pooler', 'flush']);
    expect(host.detail).toBe('2 cores · USL · client · pooler ×1 · group commit');
    expect(host.cells.map((c) => c.station)).toEqual(['host:db', 'pooler', 'flush']);
    expect(host.saturated).toBe(true);
    expect(host.cells.find((c) => c.station === 'pooler')!.saturated).toBe(true);
  }, 30_000);

  it('cores that slow each other say how much they do together', () => {
    const base = load('pg-order-zipf.json');
    const s = { ...base, hosts: { db: { ...base.hosts!.db, core_speedup: 1.3 } } } as ScenarioInput;
    const host = layoutPipeline(s, run(s), en).nodes.find((n) => n.kind === 'host')!;
    expect(host.detail).toBe('2 cores · together ×1.3 · USL · client · group commit');
  }, 30_000);

  it('cores that wake slowly say how long a wake takes', () => {
    const base = load('pg-order-zipf.json');
    const wake = { ms: 0.0625, after_idle_ms: 0 };
    const s = { ...base, hosts: { db: { ...base.hosts!.db, wake } } } as ScenarioInput;
    const host = layoutPipeline(s, run(s), en).nodes.find((n) => n.kind === 'host')!;
    expect(host.detail).toBe('2 cores · wake 0.063 ms · USL · client · group commit');
  }, 30_000);

  it('a machine that runs cold when idle says how much more a cold stint spends', () => {
    const base = load('pg-order-zipf.json');
    const s = {
      ...base,
      hosts: { db: { ...base.hosts!.db, cold_start_ms: 0.0738 } },
    } as ScenarioInput;
    const host = layoutPipeline(s, run(s), en).nodes.find((n) => n.kind === 'host')!;
    expect(host.detail).toBe('2 cores · cold +0.074 ms · USL · client · group commit');
  }, 30_000);

  it('a disk that stalls flushes says how often', () => {
    const base = load('pg-order-zipf.json');
    const stalls = { per_flush: 0.0054, length: { dist: 'const', ms: 6 } };
    const s = { ...base, db: { ...base.db, commit_stalls: stalls } } as ScenarioInput;
    const host = layoutPipeline(s, run(s), en).nodes.find((n) => n.kind === 'host')!;
    expect(host.detail).toBe('2 cores · USL · client · group commit · stalls 0.54 %');
    expect(host.stations).toEqual(['host:db', 'flush']);
  }, 30_000);

  it('a commit flush shows on the DB host as a cell of its own', () => {
    const base = load('pg-order-zipf.json');
    // one distribution instead of the profile's disk and CPU parts
    const s = {
      ...base,
      db: { ...base.db, commit_flush: { dist: 'exp', mean_ms: 0.2 } },
    } as ScenarioInput;
    const r = run(s);
    const d = layoutPipeline(s, r, en);
    const host = d.nodes.find((n) => n.kind === 'host')!;
    expect(host.stations).toEqual(['host:db', 'flush']);
    expect(host.detail).toBe('2 cores · USL · client · group commit');
    const flush = host.cells.find((c) => c.station === 'flush')!;
    expect(flush.util).toBe(r.stations.flush.utilization);
    expect(flush.util).toBeGreaterThan(0.3);
  }, 30_000);

  it('the sync seed: its two queries in one box, then the push call; the pool saturates', () => {
    const s = load('seed-sync-baseline.json');
    const r = run(s, 6);
    const d = layoutPipeline(s, r, en);
    expect(d.nodes.map((n) => n.title)).toEqual([
      'Gateway',
      'Instances',
      'DB pool',
      'Shards ×1',
      'push',
    ]);
    expect(d.nodes[3].detail).toBe('2 queries');
    expect(d.nodes[0].value).toBe('200 connections');
    expect(r.saturated).toBe('db_pool');
    expect(d.nodes.filter((n) => n.saturated).map((n) => n.title)).toEqual(['DB pool']);
    expect(d.frames).toEqual([]);
  }, 30_000);

  it('a hot shard is marked as the saturating cell of the shards’ box', () => {
    const s = load('shard-hotspot.json');
    const r = run(s);
    expect(r.saturated).toBe('shard[0]');
    const shards = layoutPipeline(s, r, en).nodes.find((n) => n.kind === 'shards')!;
    expect(shards.saturated).toBe(true);
    expect(shards.cells.filter((c) => c.saturated).map((c) => c.station)).toEqual(['shard[0]']);
    expect(shards.value).toBe(`max ${Math.round(r.stations['shard[0]'].utilization * 100)} %`);
  });

  it('a half-edited scenario still draws (what can be read of it)', () => {
    const s = load('seed-async-queue.json');
    const broken = {
      ...s,
      handler: [{ lock: { steps: 'nope' } }, null, { call: {} }],
      db: undefined,
    } as unknown as ScenarioInput;
    const d = layoutPipeline(broken, null, en);
    expectTidy(d);
    expect(d.nodes.map((n) => n.kind)).toContain('lock');
  });
});

describe('labels', () => {
  it('fit their box: long text is cut with an ellipsis, CJK counted as square glyphs', () => {
    expect(fitText('DB pool', 100, 12)).toBe('DB pool');
    const cut = fitText('a-very-long-service-name-for-the-diagram', 100, 12);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.length).toBeLessThan(20);
    expect(fitText('事务：占用一个连接，按用户选分片', 100, 11).length).toBeLessThanOrEqual(10);
  });
});
