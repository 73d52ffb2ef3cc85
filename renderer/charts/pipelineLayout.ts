// The pipeline diagram's layout, drawn from the scenario's step program: the request lane
// (gateway → instances → the handler's steps in order), the async lane (queue → workers → the
// async steps) when there is one, and the machines (hosts) under the stations that run on them.
// Locks and transactions are frames around the steps they hold. Each station's box carries its
// utilisation from the result and whether it is the one that saturates first. Pure (no DOM): the
// component in Pipeline.tsx only draws what this returns, and the tests read it directly.
import type { SimResult, StationStats } from '../../sim-core/result';
import type { ScenarioInput, Step } from '../../sim-core/schema';
import type { T } from '../i18n';
import { fmtNum } from '../format';

export type NodeKind =
  | 'gateway'
  | 'instances'
  | 'cache'
  | 'pool'
  | 'shards'
  | 'service'
  | 'lock'
  | 'enqueue'
  | 'queue'
  | 'workers'
  | 'host';

/** One cell of a box's strip: a shard or an instance of a group drawn as one box. */
export interface Cell {
  station: string;
  util: number;
  saturated: boolean;
}

export interface DiagramNode {
  id: string;
  kind: NodeKind;
  /** The result's station names this box stands for ([] for a box that is no station). */
  stations: string[];
  title: string;
  detail: string;
  /** The utilisation line ('' when the box has none). */
  value: string;
  /** Highest utilisation of its stations, or null. */
  util: number | null;
  saturated: boolean;
  /** One cell per station of a group (shards, instances), when there is more than one. */
  cells: Cell[];
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DiagramFrame {
  id: string;
  kind: 'lock' | 'transaction';
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DiagramEdge {
  id: string;
  points: [number, number][];
  /** A machine link (dashed, no arrow) rather than the flow of a request. */
  host: boolean;
}

export interface DiagramLabel {
  text: string;
  x: number;
  y: number;
}

export interface Diagram {
  width: number;
  height: number;
  nodes: DiagramNode[];
  frames: DiagramFrame[];
  edges: DiagramEdge[];
  labels: DiagramLabel[];
}

// ---- geometry (SVG user units; the component scales the whole drawing to its width)
export const NODE_W = 124;
export const NODE_H = 76;
const SMALL_W = 80;
const GAP = 26;
const FRAME_PAD = 10;
const FRAME_HEAD = 22;
const FRAME_FOOT = 10;
const MARGIN = 12;
const LANE_GAP = 46;
const HOST_GAP = 40;
const HOST_W = 160;

/** A box before it is placed. */
type NodeSpec = Omit<DiagramNode, 'x' | 'y' | 'w' | 'h'> & { w?: number };
type Item =
  | { t: 'node'; spec: NodeSpec }
  | { t: 'frame'; id: string; kind: 'lock' | 'transaction'; label: string; items: Item[] };

const pct = (u: number) => `${Math.round(u * 100)} %`;

/** How many frames nest in `item` (itself included; 0 for a box). */
function depth(item: Item): number {
  return item.t === 'node' ? 0 : 1 + Math.max(0, ...item.items.map(depth));
}

/** Width of a sequence of items with arrows between them. */
function seqWidth(items: Item[]): number {
  let w = 0;
  items.forEach((it, i) => (w += (i > 0 ? GAP : 0) + itemWidth(it)));
  return w;
}
function itemWidth(item: Item): number {
  return item.t === 'node' ? (item.spec.w ?? NODE_W) : 2 * FRAME_PAD + seqWidth(item.items);
}

/** What the diagram reads from the scenario: safe on a half-edited one. */
function facts(s: ScenarioInput) {
  // autoscaled: a slot for each instance it may run, labelled min..max
  const as = s.server?.autoscale;
  const inst = Math.max(1, Number(as ? as.max : (s.server?.instances ?? 1)) || 1);
  return {
    inst,
    count: as ? `${String(as.min)}..${String(as.max)}` : `×${inst}`,
    each: (n: unknown, t: T) => (inst > 1 ? t('vwEach', { n: String(n) }) : `×${String(n)}`),
  };
}

/** Builds the diagram of `scenario` with the figures of `result` (null: no run yet). */
export function layoutPipeline(scenario: ScenarioInput, result: SimResult | null, t: T): Diagram {
  const stations: Record<string, StationStats> = result?.stations ?? {};
  const sat = result?.saturated ?? null;
  const { inst, count, each } = facts(scenario);
  let seq = 0;
  const id = (k: string) => `${k}-${seq++}`;

  /** A box for `names` (the stations present in the result), coloured by the busiest. */
  const box = (
    kind: NodeKind,
    names: string[],
    title: string,
    detail: string,
    opts: { w?: number; value?: string; group?: boolean } = {},
  ): NodeSpec => {
    const have = names.filter((n) => stations[n]);
    const utils = have.map((n) => stations[n].utilization);
    const util = utils.length ? Math.max(...utils) : null;
    const cells =
      opts.group && have.length > 1
        ? have.map((n) => ({
            station: n,
            util: stations[n].utilization,
            saturated: n === sat,
          }))
        : [];
    const value =
      opts.value ??
      (util === null ? '' : cells.length > 1 ? t('vwMaxUtil', { p: pct(util) }) : pct(util));
    return {
      id: id(kind),
      kind,
      stations: names,
      title,
      detail,
      value,
      util,
      saturated: sat !== null && names.includes(sat),
      cells,
      w: opts.w,
    };
  };

  const shardCount = Math.max(1, Number(scenario.db?.shards ?? 1) || 1);
  const shardNames = Array.from({ length: shardCount }, (_, k) => `shard[${k}]`);
  const keyName = (k: string) => t(k === 'item' ? 'vwKeyItem' : 'vwKeyUser');
  const shardBox = (queries: number, keys: string[]) =>
    box(
      'shards',
      shardNames,
      t('vwShards', { n: shardCount }),
      queries === 1
        ? t('vwQueryBy', { key: keyName(keys[0]) })
        : keys.length === 1
          ? t('vwQueriesBy', { n: queries, key: keyName(keys[0]) })
          : t('vwQueries', { n: queries }),
      { group: true },
    );
  const poolBox = () => box('pool', ['db_pool'], t('pool'), each(scenario.db?.pool_size ?? '?', t));

  let lockIds = 0;
  /** The items of a list of steps (consecutive queries share one box). */
  const walk = (steps: readonly Step[] | undefined, inTx: boolean): Item[] => {
    const out: Item[] = [];
    const list = Array.isArray(steps) ? steps : [];
    for (let i = 0; i < list.length; i++) {
      const st = list[i];
      if (!st || typeof st !== 'object') continue;
      if ('db' in st) {
        // consecutive queries: one box, counted
        const keys: string[] = [];
        let n = 0;
        for (; i < list.length && list[i] && 'db' in list[i]; i++, n++) {
          const k = (list[i] as { db?: { key?: string } }).db?.key === 'item' ? 'item' : 'user';
          if (!keys.includes(k)) keys.push(k);
        }
        i--;
        if (!inTx) out.push({ t: 'node', spec: poolBox() });
        out.push({ t: 'node', spec: shardBox(n, keys) });
      } else if ('cache' in st) {
        const hit = Number(st.cache?.hit_ratio);
        out.push({
          t: 'node',
          spec: box('cache', [], t('cache'), t('vwMissToDb'), {
            value: Number.isFinite(hit) ? t('hitShort', { p: Math.round(hit * 100) }) : '',
          }),
        });
      } else if ('call' in st) {
        const name = String(st.call?.service ?? '?');
        const conc = scenario.services?.[name]?.concurrency;
        out.push({
          t: 'node',
          spec: box(
            'service',
            [`service:${name}`],
            name,
            conc === undefined ? t('vwService') : `${t('vwService')} ×${conc}`,
          ),
        });
      } else if ('lock' in st) {
        const l = lockIds++;
        const name = `lock[${l}]`;
        const key = t(st.lock?.key === 'user' ? 'vwKeyUser' : 'vwKeyItem');
        const timeout = Number(st.lock?.timeout_ms ?? 0);
        out.push({
          t: 'frame',
          id: id('lockframe'),
          kind: 'lock',
          label: t('vwHeldLock', { name }),
          items: [
            {
              t: 'node',
              spec: box(
                'lock',
                [name],
                name,
                timeout > 0 ? t('vwPerKeyTimeout', { key, ms: timeout }) : t('vwPerKey', { key }),
              ),
            },
            ...walk(st.lock?.steps, inTx),
          ],
        });
      } else if ('transaction' in st) {
        const key = t(st.transaction?.key === 'item' ? 'vwKeyItem' : 'vwKeyUser');
        out.push({
          t: 'frame',
          id: id('txframe'),
          kind: 'transaction',
          label: t('vwTransaction', { key }),
          items: [{ t: 'node', spec: poolBox() }, ...walk(st.transaction?.steps, true)],
        });
      } else if ('enqueue' in st) {
        out.push({
          t: 'node',
          spec: box('enqueue', [], t('vwEnqueue'), t('vwToAsync'), { w: SMALL_W }),
        });
      }
      // cpu: runs on the handler (and on the instances' host when they have one)
    }
    return out;
  };

  // ---- the request lane
  const w = scenario.workload;
  const load =
    w?.type === 'closed'
      ? t('vwConnections', { n: w.connections })
      : w?.type === 'open'
        ? Array.isArray(w.rate_rps)
          ? t('vwRateCurve', {
              n: fmtNum(Math.max(...w.rate_rps.map((p) => p[1]))),
            })
          : t('vwRate', { n: fmtNum(Number(w.rate_rps)) })
        : '';
  const instNames = ['instances'];
  for (let i = 0; i < inst && inst <= 16; i++)
    if (stations[`instance[${i}]`]) instNames.push(`instance[${i}]`);
  const instBox = box(
    'instances',
    instNames,
    t('vwInstances'),
    `${count} · c=${scenario.server?.concurrency ?? '?'}`,
  );
  // the strip shows each instance; the figure is the whole tier's
  instBox.cells = instNames.slice(1).map((n) => ({
    station: n,
    util: stations[n].utilization,
    saturated: n === sat,
  }));
  if (stations.instances) instBox.value = pct(stations.instances.utilization);
  const lane: Item[] = [
    {
      t: 'node',
      spec: box('gateway', [], t('gateway'), String(scenario.gateway?.balancer ?? 'round_robin'), {
        value: load,
      }),
    },
    { t: 'node', spec: instBox },
    ...walk(scenario.handler as Step[] | undefined, false),
  ];
  const asyncLane: Item[] = scenario.async
    ? [
        {
          t: 'node',
          spec: box(
            'queue',
            ['async_queue'],
            t('vwAsyncQueue'),
            `${t('capShort', { n: scenario.async.queue_capacity ?? '?' })} · ${
              scenario.async.when_full === 'reject' ? t('whenFullReject') : t('vwBlock')
            }`,
          ),
        },
        {
          t: 'node',
          spec: box('workers', ['workers'], t('workers'), each(scenario.async.workers ?? '?', t)),
        },
        ...walk(scenario.async.steps as Step[] | undefined, false),
      ]
    : [];

  // ---- placing
  const nodes: DiagramNode[] = [];
  const frames: DiagramFrame[] = [];
  const edges: DiagramEdge[] = [];
  const labels: DiagramLabel[] = [];
  /** Places a sequence from x on the lane whose boxes start at y; returns its items' extents. */
  const place = (items: Item[], x0: number, y: number): { x: number; w: number }[] => {
    const spans: { x: number; w: number }[] = [];
    let x = x0;
    items.forEach((it, i) => {
      const w = itemWidth(it);
      if (i > 0) {
        const prev = spans[i - 1];
        edges.push({
          id: id('flow'),
          points: [
            [prev.x + prev.w, y + NODE_H / 2],
            [x, y + NODE_H / 2],
          ],
          host: false,
        });
      }
      if (it.t === 'node') {
        nodes.push({ ...it.spec, x, y, w, h: NODE_H });
      } else {
        const d = depth(it);
        frames.push({
          id: it.id,
          kind: it.kind,
          label: it.label,
          x,
          y: y - d * FRAME_HEAD,
          w,
          h: NODE_H + d * (FRAME_HEAD + FRAME_FOOT),
        });
        place(it.items, x + FRAME_PAD, y);
      }
      spans.push({ x, w });
      x += w + GAP;
    });
    return spans;
  };
  const laneDepth = (items: Item[]) => Math.max(0, ...items.map(depth));
  const y1 = MARGIN + laneDepth(lane) * FRAME_HEAD;
  place(lane, MARGIN, y1);
  let bottom = y1 + NODE_H + laneDepth(lane) * FRAME_FOOT;
  let right = MARGIN + seqWidth(lane);

  if (asyncLane.length > 0) {
    const y2 = bottom + LANE_GAP + laneDepth(asyncLane) * FRAME_HEAD;
    const x2 = MARGIN + NODE_W + GAP; // under the instances
    place(asyncLane, x2, y2);
    labels.push({ text: t('vwAsyncLane'), x: MARGIN, y: y2 + NODE_H / 2 + 4 });
    const queue = nodes.find((n) => n.kind === 'queue')!;
    const enq = nodes.find((n) => n.kind === 'enqueue');
    const from: [number, number] = enq
      ? [enq.x + enq.w / 2, enq.y + NODE_H]
      : [MARGIN + NODE_W + GAP / 2, y1 + NODE_H];
    const midY = bottom + LANE_GAP / 2;
    const to: [number, number] = [queue.x + queue.w / 2, queue.y];
    edges.push({
      id: id('enqueue'),
      points: [from, [from[0], midY], [to[0], midY], to],
      host: false,
    });
    bottom = y2 + NODE_H + laneDepth(asyncLane) * FRAME_FOOT;
    right = Math.max(right, x2 + seqWidth(asyncLane));
  }

  // ---- machines: one box per kind of machine use, under the first box that runs on it
  const hosts = hostBoxes(scenario, stations, sat, t, nodes, id);
  if (hosts.length > 0) {
    const hy = bottom + HOST_GAP;
    let nextFree = MARGIN;
    for (const h of hosts) {
      const under = h.on.map((n) => n.x + n.w / 2);
      const want = under.length ? under[0] - HOST_W / 2 : nextFree;
      const x = Math.max(nextFree, want);
      const node: DiagramNode = { ...h.spec, x, y: hy, w: HOST_W, h: NODE_H };
      nodes.push(node);
      nextFree = x + HOST_W + GAP;
      right = Math.max(right, x + HOST_W);
      for (const on of h.on) {
        const cx = on.x + on.w / 2;
        const top: [number, number] = [x + HOST_W / 2, hy];
        const busY = hy - HOST_GAP / 2;
        edges.push({
          id: id('host'),
          points:
            Math.abs(cx - top[0]) < 1
              ? [[cx, on.y + NODE_H], top]
              : [[cx, on.y + NODE_H], [cx, busY], [top[0], busY], top],
          host: true,
        });
      }
    }
    bottom = hy + NODE_H;
  }

  return {
    width: Math.max(right + MARGIN, 600),
    height: bottom + MARGIN,
    nodes,
    frames,
    edges,
    labels,
  };
}

/** The machines of the scenario (as the result names them) and the boxes that run on each. */
function hostBoxes(
  s: ScenarioInput,
  stations: Record<string, StationStats>,
  sat: string | null,
  t: T,
  nodes: DiagramNode[],
  id: (k: string) => string,
): { spec: NodeSpec; on: DiagramNode[] }[] {
  const kinds = s.hosts ?? {};
  if (Object.keys(kinds).length === 0) return [];
  const out: { spec: NodeSpec; on: DiagramNode[] }[] = [];
  const make = (
    kind: string,
    names: string[],
    title: string,
    on: DiagramNode[],
    more: string[] = [],
  ) => {
    const h = kinds[kind];
    const have = names.filter((n) => stations[n]);
    const utils = have.map((n) => stations[n].utilization);
    const util = utils.length ? Math.max(...utils) : null;
    const cells =
      have.length > 1
        ? have.map((n) => ({ station: n, util: stations[n].utilization, saturated: n === sat }))
        : [];
    const extras = [
      h?.core_speedup !== undefined ? t('vwCoreSpeedup', { s: h.core_speedup }) : '',
      // idle cores that take time to wake (host.wake)
      h?.wake ? t('vwWake', { ms: +h.wake.ms.toPrecision(2) }) : '',
      // a machine that runs its next stint cold when it idled (host.cold_start_ms)
      h?.cold_start_ms ? t('vwCold', { ms: +h.cold_start_ms.toPrecision(2) }) : '',
      h?.usl ? 'USL' : '',
      h?.client ? t('vwWithClient') : '',
      ...more,
    ]
      .filter(Boolean)
      .join(' · ');
    out.push({
      spec: {
        id: id('host'),
        kind: 'host',
        stations: names,
        title,
        detail: [t('vwCores', { n: h?.cores ?? '?' }), extras].filter(Boolean).join(' · '),
        value: util === null ? '' : cells.length > 1 ? t('vwMaxUtil', { p: pct(util) }) : pct(util),
        util,
        saturated: sat !== null && names.includes(sat),
        cells,
      },
      on,
    });
  };
  const used = new Set<string>();
  if (s.server?.host !== undefined && kinds[s.server.host]) {
    used.add(s.server.host);
    make(
      s.server.host,
      ['host:instances'],
      t('vwHost', { name: s.server.host }),
      nodes.filter((n) => n.kind === 'instances'),
    );
  }
  if (s.db?.host !== undefined && kinds[s.db.host]) {
    used.add(s.db.host);
    const S = Math.max(1, Number(s.db.shards ?? 1) || 1);
    // a station per shard: `name` with one shard, `name[k]` with several
    const perShard = (name: string) =>
      S === 1 ? [name] : Array.from({ length: S }, (_, k) => `${name}[${k}]`);
    // a pooler (db.pooler) and the commit flush (db.commit_flush, the disk) belong to the shards'
    // machines: their stations are cells of the same box
    const pooler = s.db.pooler;
    make(
      s.db.host,
      [
        ...perShard('host:db'),
        ...(pooler ? perShard('pooler') : []),
        ...(s.db.commit_flush ? perShard('flush') : []),
      ],
      t('vwHost', { name: s.db.host }),
      nodes.filter((n) => n.kind === 'shards'),
      [
        ...(pooler ? [t('vwPooler', { n: Number(pooler.threads ?? 1) || 1 })] : []),
        ...(s.db.commit_flush ? [t('vwCommitFlush')] : []),
        // the share of flushes the disk stalls (db.commit_stalls)
        ...(s.db.commit_flush && s.db.commit_stalls
          ? [
              t('vwCommitStalls', {
                pct: +(Number(s.db.commit_stalls.per_flush) * 100).toPrecision(2),
              }),
            ]
          : []),
      ],
    );
  }
  for (const [name, svc] of Object.entries(s.services ?? {})) {
    if (svc?.host === undefined || !kinds[svc.host]) continue;
    used.add(svc.host);
    make(
      svc.host,
      [`host:service:${name}`],
      t('vwHost', { name: svc.host }),
      nodes.filter((n) => n.kind === 'service' && n.stations.includes(`service:${name}`)),
    );
  }
  // a load generator on a kind of machine nothing else runs on is a machine of its own
  const client = Object.keys(kinds).find((k) => kinds[k]?.client !== undefined);
  if (client !== undefined && !used.has(client))
    make(client, ['host:client'], t('vwHost', { name: client }), []);
  return out;
}
