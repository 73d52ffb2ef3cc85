// What a configuration costs: a price per unit of each priced field (`--cost server.instances=0.34`
// or the scenario's `costs.prices`), times the field's value, times how many times the thing
// exists. In the model, what belongs to one app process exists once per instance: handler
// concurrency and backlog, the async queue and its workers, the DB connection pool (each process
// has its own, like Go's sql.DB), and the cores of the instances' host; those are multiplied by
// `server.instances`. A shard's capacity (`db.shard_concurrency`, the cores of the shards' host) is
// multiplied by `db.shards`. Counts themselves and shared things (instances, shards, services) are
// not multiplied.
import type { Scenario } from '../schema';
import { formatPath, getPath, parsePath } from '../validate/paths';

/** Prices per unit of scenario fields, with what they are in. */
export interface CostSpec {
  prices: Record<string, number>;
  currency?: string;
  period?: string;
}

/** One priced field of a configuration. */
export interface CostItem {
  path: string;
  /** The field's value in this configuration. */
  value: number;
  price: number;
  /** How many times the thing exists (instances, shards, machines of a host), 1 when shared. */
  multiplier: number;
  /** What the multiplier counts (`server.instances`, `db.shards`, …), or null when shared. */
  per: string | null;
  /** value × multiplier × price. */
  cost: number;
}

/** The cost of one configuration and how it adds up. */
export interface Cost {
  total: number;
  items: CostItem[];
}

/** Reads `path=price` (a --cost argument); throws naming the argument. */
export function parseCostArg(arg: string): { path: string; price: number } {
  const eq = arg.lastIndexOf('=');
  if (eq <= 0) throw new Error(`--cost needs path=price, got "${arg}"`);
  const raw = arg.slice(0, eq).trim();
  let path: string;
  try {
    path = formatPath(parsePath(raw));
  } catch (e) {
    throw new Error(`--cost ${arg}: ${(e as Error).message}`, { cause: e });
  }
  const text = arg.slice(eq + 1).trim();
  const price = Number(text);
  if (text === '' || !Number.isFinite(price))
    throw new Error(`--cost ${arg}: price "${text}" is not a number`);
  if (price < 0) throw new Error(`--cost ${arg}: price must be >= 0 (got ${price})`);
  return { path, price };
}

const round = (x: number) => Number(x.toPrecision(12));

/** Prices a configuration of a scenario (see the module comment for what is multiplied). */
export class CostModel {
  readonly prices: ReadonlyArray<{ path: string; price: number }>;
  readonly currency: string;
  readonly period: string;

  /**
   * @param base the validated scenario (defaults filled in) that configurations change
   * @param spec the prices; every priced field must be a number in the scenario or be varied
   * @param varied normalised paths of the varied fields
   */
  constructor(
    private readonly base: Scenario,
    spec: CostSpec,
    varied: readonly string[] = [],
  ) {
    const prices: { path: string; price: number }[] = [];
    for (const [raw, price] of Object.entries(spec.prices)) {
      const path = formatPath(parsePath(raw));
      if (!(Number.isFinite(price) && price >= 0))
        throw new Error(`cost of ${path}: price must be a number >= 0 (got ${price})`);
      if (!varied.includes(path) && typeof getPath(base, path) !== 'number')
        throw new Error(
          `cost of ${path}: the scenario has no number at ${path} and it is not varied`,
        );
      prices.push({ path, price });
    }
    this.prices = prices;
    this.currency = spec.currency ?? '';
    this.period = spec.period ?? '';
  }

  /** What multiplies a priced field, and its name; [1, null] when it is shared. */
  multiplierOf(path: string, value: (p: string) => number): [number, string | null] {
    const segs = parsePath(path);
    const instances = () => value('server.instances');
    if (path === 'server.instances' || path === 'db.shards') return [1, null];
    if (segs[0] === 'server' || segs[0] === 'async' || path === 'db.pool_size')
      return [instances(), 'server.instances'];
    if (path === 'db.shard_concurrency') return [value('db.shards'), 'db.shards'];
    if (segs[0] === 'hosts' && typeof segs[1] === 'string') {
      const host = segs[1];
      let n = 0;
      const per: string[] = [];
      if (this.base.server.host === host) {
        n += instances();
        per.push('server.instances');
      }
      if (this.base.db?.host === host) {
        n += value('db.shards');
        per.push('db.shards');
      }
      for (const [name, svc] of Object.entries(this.base.services))
        if (svc.host === host) {
          n += 1;
          per.push(`services.${name}`);
        }
      return n > 0 ? [n, `machines of host ${host} (${per.join(' + ')})`] : [1, null];
    }
    return [1, null];
  }

  /** The cost of the configuration that sets `params` (normalised path → value) on the base. */
  costOf(params: Readonly<Record<string, number>>): Cost {
    const value = (p: string): number => {
      if (p in params) return params[p];
      const v = getPath(this.base, p);
      return typeof v === 'number' ? v : 1;
    };
    const items: CostItem[] = this.prices.map(({ path, price }) => {
      const v = value(path);
      const [multiplier, per] = this.multiplierOf(path, value);
      return { path, value: v, price, multiplier, per, cost: round(v * multiplier * price) };
    });
    return { total: round(items.reduce((s, i) => s + i.cost, 0)), items };
  }
}
