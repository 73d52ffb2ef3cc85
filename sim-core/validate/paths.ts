// Paths into a scenario, as validation messages and `--set` name them: `handler[1].db.query.mean_ms`
// (numbers are indexes; `handler.1.db` reads the same). Formats and parses them, reads the value
// at one, and `setPath`, the `--set path=value` override used by the CLI, sweeps and the UI.
// Pure: no Node, no DOM.

/** One step of a path: a field name or a list index. */
export type PathSeg = string | number;

/** Formats a path as `handler[1].db.query.mean_ms` (numbers become indexes). */
export function formatPath(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Splits `handler[1].db.query.mean_ms` or `handler.1.db` into segments (digits become indexes). */
export function parsePath(path: string): PathSeg[] {
  const segs: PathSeg[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const trimmed = path.trim();
  if (trimmed === '') throw new Error('empty path');
  while ((m = re.exec(trimmed))) {
    const between = trimmed.slice(last, m.index);
    if (between !== '' && between !== '.') throw new Error(`cannot read path "${path}"`);
    if (m[1] !== undefined) segs.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    else if (m[2] !== undefined) segs.push(Number(m[2]));
    else segs.push(JSON.parse(`"${m[3]}"`) as string);
    last = re.lastIndex;
  }
  if (last !== trimmed.length || segs.length === 0) throw new Error(`cannot read path "${path}"`);
  return segs;
}

/** Reads the value at `path` in `obj`, or undefined when any step is missing. */
export function getPath(obj: unknown, path: readonly PathSeg[] | string): unknown {
  const segs = typeof path === 'string' ? parsePath(path) : path;
  let cur: unknown = obj;
  for (const seg of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

/**
 * Returns a copy of `obj` with `value` at `path` (e.g. `server.concurrency`, `handler[0].cpu.mean_ms`,
 * `handler.0.cpu`). Only the objects along the path are copied; the input is not changed. Missing
 * objects on the way are created (an array when the next segment is an index).
 */
export function setPath<T>(obj: T, path: string | readonly PathSeg[], value: unknown): T {
  const segs = typeof path === 'string' ? parsePath(path) : path;
  const put = (cur: unknown, i: number): unknown => {
    const seg = segs[i];
    if (i === segs.length) return value;
    if (typeof seg === 'number') {
      if (cur !== undefined && cur !== null && !Array.isArray(cur))
        throw new Error(`${formatPath(segs.slice(0, i))} is not a list, cannot index [${seg}]`);
      const arr = Array.isArray(cur) ? cur.slice() : [];
      if (seg > arr.length)
        throw new Error(
          `${formatPath(segs.slice(0, i + 1))}: index out of range (the list has ${arr.length})`,
        );
      arr[seg] = put(arr[seg], i + 1);
      return arr;
    }
    if (cur !== undefined && cur !== null && (typeof cur !== 'object' || Array.isArray(cur)))
      throw new Error(
        `${formatPath(segs.slice(0, i)) || 'the scenario'} is not an object, cannot set "${seg}"`,
      );
    const o: Record<string, unknown> = { ...((cur as Record<string, unknown>) ?? {}) };
    o[seg] = put(o[seg], i + 1);
    return o;
  };
  return put(obj, 0) as T;
}

/** Reads a `--set` value: JSON when it parses (numbers, true, arrays, objects), else the raw string. */
export function parseSetValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Splits `path=value` (as given to `--set`) into the path and its parsed value. */
export function parseSetArg(arg: string): { path: string; value: unknown } {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`--set needs path=value, got "${arg}"`);
  const path = arg.slice(0, eq).trim();
  parsePath(path);
  return { path, value: parseSetValue(arg.slice(eq + 1)) };
}
