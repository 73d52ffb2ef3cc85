// What the schema allows at a place in a scenario, for the messages about unknown fields: the
// fields of the object there, and the kinds of a one-key union (a step: {"cpu": …} | {"db": …}).
// Unions are resolved against the data (by their discriminator, else by the fields it shares).
import type { PathSeg } from './paths';

interface ZDef {
  type: string;
  shape?: Record<string, ZLike>;
  element?: ZLike;
  innerType?: ZLike;
  getter?: () => ZLike;
  in?: ZLike;
  options?: ZLike[];
  discriminator?: string;
  valueType?: ZLike;
  items?: ZLike[];
  values?: unknown[];
}
export interface ZLike {
  _zod: { def: ZDef };
}

function unwrap(s: ZLike | undefined): ZLike | undefined {
  let cur = s;
  for (let guard = 0; cur && guard < 50; guard++) {
    const d = cur._zod.def;
    if (d.innerType) cur = d.innerType;
    else if (d.type === 'lazy' && d.getter) cur = d.getter();
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else return cur;
  }
  return cur;
}

/** The option of a union that fits `data` best (by discriminator, else by shared keys). */
function pickOption(s: ZLike, data: unknown): ZLike | undefined {
  const d = s._zod.def;
  const options = (d.options ?? []).map(unwrap).filter((o): o is ZLike => !!o);
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const rec = data as Record<string, unknown>;
    if (d.discriminator) {
      const want = rec[d.discriminator];
      for (const o of options) {
        const lit = unwrap(o._zod.def.shape?.[d.discriminator]);
        if (lit?._zod.def.values?.includes(want)) return o;
      }
      return undefined;
    }
    const keys = Object.keys(rec);
    let best: ZLike | undefined;
    let bestScore = 0;
    for (const o of options) {
      const shape = o._zod.def.shape;
      if (!shape) continue;
      const score = keys.filter((k) => k in shape).length;
      if (score > bestScore) {
        bestScore = score;
        best = o;
      }
    }
    return best;
  }
  if (Array.isArray(data)) return options.find((o) => o._zod.def.type === 'array');
  return undefined;
}

/** The schema that describes the value at `path` of `data`, or undefined. */
function schemaAt(root: ZLike, data: unknown, path: readonly PathSeg[]): ZLike | undefined {
  let s = unwrap(root);
  let cur = data;
  for (let i = 0; i <= path.length && s; i++) {
    while (s && s._zod.def.type === 'union') s = unwrap(pickOption(s, cur));
    if (!s || i === path.length) return s;
    const seg = path[i];
    const d = s._zod.def;
    if (d.type === 'object') s = unwrap(d.shape?.[seg as string]);
    else if (d.type === 'array') s = unwrap(d.element);
    else if (d.type === 'record') s = unwrap(d.valueType);
    else if (d.type === 'tuple') s = unwrap(d.items?.[seg as number]);
    else return undefined;
    cur =
      cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return s;
}

export function allowedKeys(root: ZLike, data: unknown, path: readonly PathSeg[]): string[] {
  const s = schemaAt(root, data, path);
  return s?._zod.def.type === 'object' ? Object.keys(s._zod.def.shape ?? {}) : [];
}

/**
 * The kinds of the one-key union at `path` (e.g. a step's "cpu", "cache", "db", …): the key of
 * each of its forms when every form is an object of exactly one key; null otherwise.
 */
export function oneKeyKinds(root: ZLike, data: unknown, path: readonly PathSeg[]): string[] | null {
  const u = schemaAt(root, data, path.slice(0, -1));
  const parent = u ? unwrap(u) : undefined;
  let unionSchema: ZLike | undefined;
  if (parent) {
    const d = parent._zod.def;
    const seg = path[path.length - 1];
    const child =
      d.type === 'object'
        ? d.shape?.[seg as string]
        : d.type === 'array'
          ? d.element
          : d.type === 'record'
            ? d.valueType
            : undefined;
    unionSchema = unwrap(child);
  } else if (path.length === 0) unionSchema = unwrap(root);
  const options = (unionSchema?._zod.def.options ?? []).map(unwrap).filter((o): o is ZLike => !!o);
  const objectKinds = options
    .filter((o) => o._zod.def.type === 'object')
    .map((o) => Object.keys(o._zod.def.shape ?? {}))
    .filter((ks) => ks.length === 1)
    .map((ks) => ks[0]);
  return objectKinds.length > 0 && objectKinds.length === options.length ? objectKinds : null;
}
