// The scenario panel's controls as pure functions over a scenario as written (ScenarioInput): what
// each slider reads, how it writes back, when it does not apply, and the sync/async switch.
import type { ScenarioInput, Step } from '../../sim-core/schema';
import type { MessageKey } from '../i18n';

export type ControlId =
  | 'workers'
  | 'queue'
  | 'shards'
  | 'pool'
  | 'instances'
  | 'concurrency'
  | 'rate'
  | 'connections'
  | 'hit';

export interface ControlDef {
  id: ControlId;
  label: MessageKey;
  /** Scenario path the control edits (for sweeps and the advanced editor). */
  path: string;
  min: number;
  max: number;
  step: number;
  /** Why it is disabled when `read` gives null. */
  unavailable: MessageKey;
}

export const CONTROLS: readonly ControlDef[] = [
  {
    id: 'rate',
    label: 'arrivalRate',
    path: 'workload.rate_rps',
    min: 10,
    max: 150_000,
    step: 10,
    unavailable: 'workloadOpen',
  },
  {
    id: 'connections',
    label: 'connections',
    path: 'workload.connections',
    min: 1,
    max: 5_000,
    step: 1,
    unavailable: 'workloadClosed',
  },
  {
    id: 'instances',
    label: 'instances',
    path: 'server.instances',
    min: 1,
    max: 64,
    step: 1,
    unavailable: 'instances',
  },
  {
    id: 'concurrency',
    label: 'concurrency',
    path: 'server.concurrency',
    min: 1,
    max: 2_000,
    step: 1,
    unavailable: 'concurrency',
  },
  {
    id: 'workers',
    label: 'workers',
    path: 'async.workers',
    min: 1,
    max: 200,
    step: 1,
    unavailable: 'needsAsync',
  },
  {
    id: 'queue',
    label: 'queueCapacity',
    path: 'async.queue_capacity',
    min: 0,
    max: 20_000,
    step: 10,
    unavailable: 'needsAsync',
  },
  {
    id: 'pool',
    label: 'dbPool',
    path: 'db.pool_size',
    min: 1,
    max: 500,
    step: 1,
    unavailable: 'needsDb',
  },
  {
    id: 'shards',
    label: 'shards',
    path: 'db.shards',
    min: 1,
    max: 64,
    step: 1,
    unavailable: 'needsDb',
  },
  {
    id: 'hit',
    label: 'cacheHitRatio',
    path: 'cache.hit_ratio',
    min: 0,
    max: 1,
    step: 0.01,
    unavailable: 'needsCache',
  },
];

/** The control definition for `id`. */
export function controlDef(id: ControlId): ControlDef {
  const d = CONTROLS.find((c) => c.id === id);
  if (!d) throw new Error(`unknown control ${id}`);
  return d;
}

type Mutable = ScenarioInput;

/** Deep copy, so the edited scenario never shares objects with history entries. */
export function cloneScenario<T>(s: T): T {
  return structuredClone(s);
}

/** Visits every step (handler and async, into locks), calling `fn` on each. */
function eachStep(s: ScenarioInput, fn: (step: Step) => void): void {
  const walk = (steps: Step[] | undefined) => {
    for (const st of steps ?? []) {
      fn(st);
      if ('lock' in st) walk(st.lock.steps);
    }
  };
  walk(s.handler as Step[]);
  walk(s.async?.steps as Step[] | undefined);
}

/** The first cache step's hit ratio, or null without a cache step. */
function firstHitRatio(s: ScenarioInput): number | null {
  let r: number | null = null;
  eachStep(s, (st) => {
    if (r === null && 'cache' in st) r = st.cache.hit_ratio;
  });
  return r;
}

/** Peak of a rate that is a number or a `[[t_s, rps], ...]` curve. */
export function peakRate(rate: number | [number, number][]): number {
  return typeof rate === 'number' ? rate : Math.max(...rate.map((p) => p[1]));
}

/** The control's current value in `s`, or null when it does not apply to this scenario. */
export function readControl(s: ScenarioInput, id: ControlId): number | null {
  switch (id) {
    case 'workers':
      return s.async ? s.async.workers : null;
    case 'queue':
      return s.async ? s.async.queue_capacity : null;
    case 'shards':
      return s.db ? (s.db.shards ?? 1) : null;
    case 'pool':
      return s.db ? s.db.pool_size : null;
    case 'instances':
      return s.server.instances ?? 1;
    case 'concurrency':
      return s.server.concurrency;
    case 'rate':
      return s.workload.type === 'open' ? peakRate(s.workload.rate_rps) : null;
    case 'connections':
      return s.workload.type === 'closed' ? s.workload.connections : null;
    case 'hit':
      return firstHitRatio(s);
  }
}

/** A copy of `s` with the control set to `value` (clamped to the control's range, whole numbers
 * where the field is a count). Returns `s` itself when the control does not apply. */
export function writeControl(s: ScenarioInput, id: ControlId, value: number): ScenarioInput {
  if (!Number.isFinite(value) || readControl(s, id) === null) return s;
  const def = controlDef(id);
  // The slider's max is a soft limit (the number field may go beyond it); the min is hard.
  const v =
    id === 'hit'
      ? Math.min(1, Math.max(0, Math.round(value * 1000) / 1000))
      : id === 'rate'
        ? Math.max(def.min / 10, value)
        : Math.max(def.min, Math.round(value));
  const n: Mutable = cloneScenario(s);
  switch (id) {
    case 'workers':
      n.async!.workers = v;
      break;
    case 'queue':
      n.async!.queue_capacity = v;
      break;
    case 'shards':
      n.db!.shards = v;
      break;
    case 'pool':
      n.db!.pool_size = v;
      break;
    case 'instances':
      n.server.instances = v;
      // Faults on instances that no longer exist would make the scenario invalid.
      if (n.gateway?.faults) n.gateway.faults = n.gateway.faults.filter((f) => f.instance < v);
      break;
    case 'concurrency':
      n.server.concurrency = v;
      break;
    case 'rate': {
      if (n.workload.type !== 'open') break;
      const r = n.workload.rate_rps;
      if (typeof r === 'number') n.workload.rate_rps = v;
      else {
        const peak = peakRate(r);
        const k = peak > 0 ? v / peak : 1;
        n.workload.rate_rps = r.map(([t, rps]) => [t, Math.round(rps * k * 1000) / 1000]);
      }
      break;
    }
    case 'connections':
      if (n.workload.type === 'closed') n.workload.connections = v;
      break;
    case 'hit': {
      let done = false;
      eachStep(n, (st) => {
        if (!done && 'cache' in st) {
          st.cache.hit_ratio = v;
          done = true;
        }
      });
      break;
    }
  }
  return n;
}

/** Whether the scenario hands side work to an async queue. */
export function isAsync(s: ScenarioInput): boolean {
  return s.async !== undefined;
}

/** Replaces every `enqueue` step (also inside locks) by `inline` steps. */
function inlineEnqueues(steps: Step[], inline: Step[]): Step[] {
  const out: Step[] = [];
  for (const st of steps) {
    if ('enqueue' in st) out.push(...cloneScenario(inline));
    else if ('lock' in st)
      out.push({ lock: { ...st.lock, steps: inlineEnqueues(st.lock.steps, inline) } });
    else out.push(st);
  }
  return out;
}

/** What the switch remembers of the async shape so switching back restores it. */
export interface AsyncStash {
  async: NonNullable<ScenarioInput['async']>;
  handler: ScenarioInput['handler'];
}

/** Sync mode: the async work runs inside the request (each enqueue replaced by the task's steps);
 * returns the new scenario and what to remember for switching back. */
export function toSync(s: ScenarioInput): { scenario: ScenarioInput; stash: AsyncStash | null } {
  if (!s.async) return { scenario: s, stash: null };
  const n = cloneScenario(s);
  const stash: AsyncStash = { async: cloneScenario(s.async), handler: cloneScenario(s.handler) };
  n.handler = inlineEnqueues(n.handler as Step[], (s.async.steps ?? []) as Step[]);
  delete n.async;
  return { scenario: n, stash };
}

/** Async mode: restores the remembered async shape when the handler is still the one it was
 * inlined from; otherwise moves every step after the first onto a queue (capacity 1000, 10
 * workers, block when full — the reference article's channel). */
export function toAsync(s: ScenarioInput, stash: AsyncStash | null): ScenarioInput {
  if (s.async) return s;
  const n = cloneScenario(s);
  if (
    stash &&
    JSON.stringify(
      toSync({ ...n, handler: stash.handler, async: stash.async }).scenario.handler,
    ) === JSON.stringify(n.handler)
  ) {
    n.handler = cloneScenario(stash.handler);
    n.async = cloneScenario(stash.async);
    return n;
  }
  const handler = n.handler as Step[];
  const tail = handler.length > 1 ? handler.slice(1) : [];
  n.handler = [handler[0], { enqueue: {} }];
  n.async = {
    queue_capacity: stash?.async.queue_capacity ?? 1000,
    when_full: stash?.async.when_full ?? 'block',
    workers: stash?.async.workers ?? 10,
    steps: tail,
  };
  return n;
}

/** Adds a DB section (pool 20, 16 shards) when the scenario has none. */
export function addDb(s: ScenarioInput): ScenarioInput {
  if (s.db) return s;
  return { ...cloneScenario(s), db: { pool_size: 20, acquire_timeout_ms: 1000, shards: 16 } };
}

/** Adds a cache-aside lookup as the handler's first step (and a DB section for its misses). */
export function addCache(s: ScenarioInput): ScenarioInput {
  if (readControl(s, 'hit') !== null) return s;
  const n = addDb(cloneScenario(s));
  n.handler = [
    {
      cache: {
        hit_ratio: 0.9,
        lookup: { dist: 'exp', mean_ms: 0.3 },
        miss_query: { dist: 'exp', mean_ms: 3 },
        key: 'item',
      },
    },
    ...(n.handler as Step[]),
  ];
  return n;
}

/** What a control's number field makes of the text typed in it. */
export type FieldCheck =
  | { ok: true; value: number }
  | {
      ok: false;
      /** Why it is not taken (a dictionary key) and the values its message names. */
      reason: 'fieldEmpty' | 'fieldNotNumber' | 'fieldWhole' | 'fieldMin' | 'fieldMax';
      vars: Record<string, string | number>;
    };

/** The smallest value a control takes (below the slider's start only for the arrival rate). */
export function hardMin(def: ControlDef): number {
  return def.id === 'rate' ? def.min / 10 : def.min;
}

/** The largest value a control takes: a ratio stops at 1; the others go past the slider's end. */
export function hardMax(def: ControlDef): number {
  return def.id === 'hit' ? 1 : Infinity;
}

/**
 * Checks the text of a control's number field: a number, within what the field takes, whole where
 * the field is a count. A value past the slider's end is taken (the field says so: `beyondSlider`).
 */
export function checkControlText(def: ControlDef, text: string): FieldCheck {
  const s = text.trim();
  if (s === '') return { ok: false, reason: 'fieldEmpty', vars: {} };
  const n = Number(s);
  if (!Number.isFinite(n)) return { ok: false, reason: 'fieldNotNumber', vars: { text: s } };
  const whole = def.id !== 'hit' && def.id !== 'rate';
  if (whole && !Number.isInteger(n)) return { ok: false, reason: 'fieldWhole', vars: {} };
  if (n < hardMin(def)) return { ok: false, reason: 'fieldMin', vars: { min: hardMin(def) } };
  if (n > hardMax(def)) return { ok: false, reason: 'fieldMax', vars: { max: hardMax(def) } };
  return { ok: true, value: n };
}

/** Whether a value lies past the slider's range (taken, with a message saying so). */
export function beyondSlider(def: ControlDef, value: number): boolean {
  return value > def.max || value < def.min;
}
