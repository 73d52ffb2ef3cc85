// The JSON editor's draft and the scenario changing under it. A draft is the text being edited and
// the scenario it started from (`base`). When the scenario changes outside the editor (a slider,
// undo, a switch), the change is put into the draft if the draft leaves those fields alone: the
// draft then shows it, and a note says what came in. Where the draft changes the same fields, or
// is not valid JSON, or another scenario was loaded, nothing is merged: the note asks which
// version stands. A draft never quietly undoes a change made elsewhere. Pure.
import type { ScenarioInput } from '../../sim-core/schema';
import { pathText } from './jsonSpans';

/** The text being edited and the scenario it was started from. */
export interface Draft {
  text: string;
  base: ScenarioInput;
}

/** One field that differs: where, and its value before and after (undefined: absent). */
export interface Change {
  path: string;
  segs: (string | number)[];
  from: unknown;
  to: unknown;
}

/** What the editor tells about the last change made outside it. */
export type DraftNote =
  | { kind: 'merged'; changes: Change[] }
  | { kind: 'conflict'; why: 'edited' | 'json' | 'loaded'; changes: Change[]; name: string };

/** Pretty JSON of a scenario as the editor shows it. */
export function scenarioText(s: ScenarioInput): string {
  return JSON.stringify(s, null, 2);
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x);

/** Deep equality of JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

/** The fields that differ from `a` to `b`, as deep as both sides have the same shape. */
export function diffLeaves(a: unknown, b: unknown, segs: (string | number)[] = []): Change[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => diffLeaves(a[k], b[k], [...segs, k]));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length)
    return a.flatMap((x, i) => diffLeaves(x, b[i], [...segs, i]));
  return sameJson(a, b) ? [] : [{ path: pathText(segs), segs, from: a, to: b }];
}

function getAt(obj: unknown, segs: readonly (string | number)[]): unknown {
  let cur = obj;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

/** `obj` with `value` at `segs` (undefined deletes the key); null when the way there is missing. */
function putAt(obj: unknown, segs: readonly (string | number)[], value: unknown): unknown {
  if (segs.length === 0) return value;
  const [head, ...rest] = segs;
  if (Array.isArray(obj) && typeof head === 'number' && head < obj.length) {
    const inner = putAt(obj[head], rest, value);
    if (inner === null && rest.length > 0) return null;
    const copy = obj.slice();
    copy[head] = inner;
    return copy;
  }
  if (isObject(obj) && typeof head === 'string') {
    if (rest.length > 0 && !(head in obj)) return null;
    const inner = rest.length > 0 ? putAt(obj[head], rest, value) : value;
    if (inner === null && rest.length > 0) return null;
    const copy = { ...obj };
    if (inner === undefined) delete copy[head];
    else copy[head] = inner;
    return copy;
  }
  return null;
}

/** Whether one path lies within the other (or they are the same). */
function overlaps(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The draft after the scenario changed to `next` (see the module comment). */
export interface Followed {
  draft: Draft | null;
  /** The note to show; undefined: keep the one shown. */
  note?: DraftNote | null;
}

/**
 * Follows a change of the scenario to `next` in the draft: merged when the draft leaves the changed
 * fields alone, else a conflict note (the draft and its base kept as they were). `loaded`: the
 * change is another scenario loaded (a profile, a file), never merged.
 */
export function followScenario(draft: Draft, next: ScenarioInput, loaded = false): Followed {
  const changes = diffLeaves(draft.base, next);
  if (changes.length === 0) return { draft: { ...draft, base: next } };
  const conflict = (why: 'edited' | 'json' | 'loaded', which: Change[]): Followed => ({
    draft,
    note: { kind: 'conflict', why, changes: which, name: next.name },
  });
  if (loaded) return conflict('loaded', changes);
  let mine: unknown;
  try {
    mine = JSON.parse(draft.text);
  } catch {
    return conflict('json', changes);
  }
  const edits = diffLeaves(draft.base, mine);
  const clashes = changes.filter(
    (c) => edits.some((e) => overlaps(e.segs, c.segs)) && !sameJson(getAt(mine, c.segs), c.to),
  );
  if (clashes.length > 0) return conflict('edited', clashes);
  let merged: unknown = mine;
  for (const c of changes) {
    if (sameJson(getAt(merged, c.segs), c.to)) continue;
    const put = putAt(merged, c.segs, c.to);
    if (put === null) return conflict('edited', [c]);
    merged = put;
  }
  const text = JSON.stringify(merged, null, 2);
  if (text === scenarioText(next)) return { draft: null, note: null };
  return { draft: { text, base: next }, note: { kind: 'merged', changes } };
}

/** A few of the changes in words: `async.workers 10 → 16, db.shards 1 → 4 (+2 more)`. */
export function describeChanges(changes: readonly Change[], max = 3): string {
  const short = (v: unknown) => {
    if (v === undefined) return '—';
    const s = JSON.stringify(v);
    return s.length > 24 ? `${s.slice(0, 21)}…` : s;
  };
  const shown = changes
    .slice(0, max)
    .map((c) => `${c.path || '(all)'} ${short(c.from)} → ${short(c.to)}`);
  const more = changes.length - max;
  return more > 0 ? `${shown.join(', ')} (+${more})` : shown.join(', ');
}
