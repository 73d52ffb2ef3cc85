// Scenario validation with messages a person can act on: parses scenario text (naming the line and
// column of malformed JSON), checks it against ScenarioSchema and turns every zod issue into
// `path: message` (paths read like `handler[1].db.query.mean_ms`), with "did you mean …?" for
// unknown fields. Also `setPath`, the `--set path=value` override used by the CLI and the UI.
// Pure: no Node, no DOM.
import { stepNestingProblem } from './depth';
import { ScenarioSchema, type Scenario } from './schema';

/** One thing wrong with a scenario: where (a readable path, '' for the whole file) and what. */
export interface Problem {
  path: string;
  message: string;
}

export type ValidateResult = { ok: true; scenario: Scenario } | { ok: false; problems: Problem[] };

export type PathSeg = string | number;

// ---------------------------------------------------------------------------------------------
// Paths

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

// ---------------------------------------------------------------------------------------------
// Suggestions

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The closest of `candidates` to `word` when it is close enough to be a likely typo, else null. */
export function suggest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = levenshtein(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === null) return null;
  const limit = Math.max(2, Math.floor(Math.max(word.length, best.length) / 3));
  const prefix = best.toLowerCase().startsWith(w) || w.startsWith(best.toLowerCase());
  return bestD <= limit || (prefix && w.length >= 3) ? best : null;
}

// ---------------------------------------------------------------------------------------------
// Schema walking (to know the allowed keys at a place)

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
interface ZLike {
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

function allowedKeys(root: ZLike, data: unknown, path: readonly PathSeg[]): string[] {
  const s = schemaAt(root, data, path);
  return s?._zod.def.type === 'object' ? Object.keys(s._zod.def.shape ?? {}) : [];
}

// ---------------------------------------------------------------------------------------------
// Issues → problems

interface Issue {
  code: string;
  path: PathSeg[];
  message: string;
  keys?: string[];
  errors?: Issue[][];
  options?: unknown[];
  discriminator?: string;
  expected?: string;
  values?: unknown[];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
}

/** The message for a number that is not finite (a JSON number such as 1e999 reads as Infinity). */
const notFinite = (v: number): string =>
  `must be a finite number (got ${v}: a number such as 1e999 is beyond the largest, about 1.8e308)`;

const kindOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'an object'
        : typeof v;

const article = (t: string): string =>
  t === 'array'
    ? 'a list'
    : t === 'object'
      ? 'an object'
      : /^[aeiou]/.test(t)
        ? `an ${t}`
        : `a ${t}`;

const quoteList = (vs: readonly unknown[]): string => vs.map((v) => JSON.stringify(v)).join(', ');

function isRootMismatch(issue: Issue, unionData: unknown): boolean {
  if (issue.path.length === 0)
    return issue.code === 'invalid_type' || issue.code === 'unrecognized_keys';
  if (issue.path.length === 1 && issue.code === 'invalid_type')
    return getPath(unionData, issue.path) === undefined;
  return false;
}

function explainUnion(
  issue: Issue,
  fullPath: PathSeg[],
  root: ZLike,
  data: unknown,
  out: Problem[],
): void {
  const here = getPath(data, fullPath);
  // A discriminated union whose tag is wrong or missing.
  if (issue.discriminator) {
    const tagPath = fullPath;
    const tag = getPath(data, tagPath);
    const opts = (issue.options ?? []).map(String);
    if (tag === undefined) {
      out.push({ path: formatPath(tagPath), message: `is required: one of ${quoteList(opts)}` });
      return;
    }
    const hint = typeof tag === 'string' ? suggest(tag, opts) : null;
    out.push({
      path: formatPath(tagPath),
      message:
        `must be one of ${quoteList(opts)} (got ${JSON.stringify(tag)})` +
        (hint ? ` — did you mean "${hint}"?` : ''),
    });
    return;
  }
  const branches = issue.errors ?? [];
  const scored = branches.map((errs) => ({
    errs,
    mismatches: errs.filter((e) => isRootMismatch(e, here)).length,
  }));
  scored.sort((a, b) => a.mismatches - b.mismatches || a.errs.length - b.errs.length);
  const best = scored[0];
  if (best && best.mismatches === 0) {
    for (const e of best.errs) collect(e, fullPath, root, data, out);
    return;
  }
  // No branch fits: say what the alternatives are.
  const u = schemaAt(root, data, fullPath.slice(0, -1));
  const parent = u ? unwrap(u) : undefined;
  let unionSchema: ZLike | undefined;
  if (parent) {
    const d = parent._zod.def;
    const seg = fullPath[fullPath.length - 1];
    const child =
      d.type === 'object'
        ? d.shape?.[seg as string]
        : d.type === 'array'
          ? d.element
          : d.type === 'record'
            ? d.valueType
            : undefined;
    unionSchema = unwrap(child);
  } else if (fullPath.length === 0) unionSchema = unwrap(root);
  const options = (unionSchema?._zod.def.options ?? []).map(unwrap).filter((o): o is ZLike => !!o);
  const objectKinds = options
    .filter((o) => o._zod.def.type === 'object')
    .map((o) => Object.keys(o._zod.def.shape ?? {}))
    .filter((ks) => ks.length === 1)
    .map((ks) => ks[0]);
  const where = formatPath(fullPath);
  if (objectKinds.length > 0 && objectKinds.length === options.length) {
    // A one-key union such as a step: {"cpu": …} | {"db": …} | …
    if (here === null || typeof here !== 'object' || Array.isArray(here)) {
      out.push({
        path: where,
        message: `must be an object with one of ${quoteList(objectKinds)} (got ${kindOf(here)})`,
      });
      return;
    }
    const keys = Object.keys(here);
    const known = keys.filter((k) => objectKinds.includes(k));
    if (keys.length === 0) {
      out.push({ path: where, message: `is empty: give one of ${quoteList(objectKinds)}` });
      return;
    }
    if (known.length > 1) {
      out.push({
        path: where,
        message: `has ${quoteList(known)}: give one kind per entry (put each in its own entry)`,
      });
      return;
    }
    for (const k of keys.filter((key) => !objectKinds.includes(key))) {
      const hint = suggest(k, objectKinds);
      out.push({
        path: formatPath([...fullPath, k]),
        message:
          `unknown step kind "${k}"` +
          (hint ? ` — did you mean "${hint}"?` : '') +
          ` (expected one of ${quoteList(objectKinds)})`,
      });
    }
    return;
  }
  const kinds = branches
    .map((errs) => errs.find((e) => e.path.length === 0 && e.code === 'invalid_type')?.expected)
    .filter((k): k is string => !!k);
  if (typeof here === 'number' && !Number.isFinite(here) && kinds.includes('number')) {
    out.push({ path: where, message: notFinite(here) });
    return;
  }
  if (kinds.length === branches.length && kinds.length > 0) {
    out.push({
      path: where,
      message: `must be ${kinds.map(article).join(' or ')} (got ${kindOf(here)})`,
    });
    return;
  }
  out.push({ path: where, message: 'does not match any allowed form' });
}

function collect(issue: Issue, base: PathSeg[], root: ZLike, data: unknown, out: Problem[]): void {
  const fullPath = [...base, ...issue.path];
  const where = formatPath(fullPath);
  const value = getPath(data, fullPath);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(root, data, fullPath);
      const obj = (value ?? {}) as Record<string, unknown>;
      if (allowed.length === 1 && allowed[0] in obj) {
        // A one-kind entry (a step) given two kinds at once.
        out.push({
          path: where,
          message: `has ${quoteList([allowed[0], ...(issue.keys ?? [])])}: give one kind per entry (put each in its own entry)`,
        });
        return;
      }
      for (const key of issue.keys ?? []) {
        const hint = suggest(
          key,
          allowed.filter((a) => !(a in ((value as Record<string, unknown>) ?? {}))),
        );
        out.push({
          path: formatPath([...fullPath, key]),
          message:
            'unknown field' +
            (hint ? ` — did you mean "${hint}"?` : '') +
            (allowed.length ? ` (allowed here: ${allowed.join(', ')})` : ''),
        });
      }
      return;
    }
    case 'invalid_union':
      explainUnion(issue, fullPath, root, data, out);
      return;
    case 'invalid_type': {
      const expected = issue.expected ?? 'value';
      if (typeof value === 'number' && !Number.isFinite(value)) {
        out.push({ path: where, message: notFinite(value) });
      } else if (expected === 'int' && typeof value === 'number') {
        out.push({ path: where, message: `must be a whole number (got ${value})` });
      } else if (value === undefined) {
        out.push({ path: where, message: `is required (${article(expected)})` });
      } else {
        out.push({
          path: where,
          message: `must be ${article(expected)} (got ${kindOf(value)}${typeof value === 'string' ? ` ${JSON.stringify(value)}` : ''})`,
        });
      }
      return;
    }
    case 'invalid_value': {
      const vals = issue.values ?? [];
      const hint =
        typeof value === 'string' && vals.length > 1 ? suggest(value, vals.map(String)) : null;
      out.push({
        path: where,
        message:
          (vals.length === 1 ? `must be ${quoteList(vals)}` : `must be one of ${quoteList(vals)}`) +
          (value === undefined ? ' (missing)' : ` (got ${JSON.stringify(value)})`) +
          (hint ? ` — did you mean "${hint}"?` : ''),
      });
      return;
    }
    case 'too_small':
    case 'too_big': {
      let message = issue.message;
      if (message.startsWith('Too small') || message.startsWith('Too big')) {
        const small = issue.code === 'too_small';
        const lim = String(small ? issue.minimum : issue.maximum);
        const op = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
        if (issue.origin === 'string')
          message = small && lim === '1' ? 'must not be empty' : `length must be ${op} ${lim}`;
        else if (issue.origin === 'array') message = `needs ${op} ${lim} entries`;
        else message = `must be ${op} ${lim}`;
      }
      out.push({ path: where, message: `${message} (got ${summarise(value)})` });
      return;
    }
    default:
      out.push({ path: where, message: issue.message });
  }
}

function summarise(v: unknown): string {
  if (Array.isArray(v)) return `${v.length} ${v.length === 1 ? 'entry' : 'entries'}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number') return String(v);
  return kindOf(v);
}

/**
 * Checks a parsed scenario object against the schema. Returns the scenario with defaults filled
 * in, or every problem found (not just the first), each with a readable path.
 */
export function validateScenario(obj: unknown, _label = 'scenario'): ValidateResult {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    return {
      ok: false,
      problems: [{ path: '', message: `a scenario must be a JSON object (got ${kindOf(obj)})` }],
    };
  const deep = stepNestingProblem(obj);
  if (deep) return { ok: false, problems: [deep] };
  const r = ScenarioSchema.safeParse(obj);
  if (r.success) return { ok: true, scenario: r.data };
  const problems: Problem[] = [];
  for (const issue of r.error.issues as unknown as Issue[])
    collect(issue, [], ScenarioSchema as unknown as ZLike, obj, problems);
  // Keep one line per distinct problem.
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { ok: false, problems: unique };
}

// ---------------------------------------------------------------------------------------------
// JSON text

/** Line and column (both from 1) of a character offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Finds the first syntax error in JSON text (a small strict scanner), or null when it is valid. */
export function findJsonError(text: string): { offset: number; message: string } | null {
  let i = 0;
  const n = text.length;
  const show = (ch: string | undefined): string =>
    ch === undefined
      ? 'end of file'
      : ch === '\n'
        ? 'a line break'
        : ch === '"'
          ? 'a double quote (a missing comma before it?)'
          : `"${ch}"`;
  const ws = () => {
    for (;;) {
      while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
        i++;
      if (text[i] === '/' && (text[i + 1] === '/' || text[i + 1] === '*'))
        throw new JsonSyntaxError('comments are not allowed in JSON', i);
      return;
    }
  };
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`expected ${what}, found ${show(text[i])}`, i);
  };
  const str = () => {
    if (text[i] !== '"') fail('a string in double quotes');
    i++;
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            throw new JsonSyntaxError('bad \\u escape in string', i);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new JsonSyntaxError(`bad escape \\${e ?? ''} in string`, i);
      } else if (c === '\n' || c.charCodeAt(0) < 0x20) {
        throw new JsonSyntaxError('unterminated string (line break inside a string)', i);
      } else i++;
    }
    throw new JsonSyntaxError('unterminated string', i);
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail('a value');
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 500) throw new JsonSyntaxError('nested too deeply', i);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === '}') throw new JsonSyntaxError('trailing comma before "}"', i);
        if (text[i] !== '"') fail('a field name in double quotes');
        str();
        ws();
        if (text[i] !== ':') fail('":" after the field name');
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === ']') throw new JsonSyntaxError('trailing comma before "]"', i);
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('"," or "]"');
      }
    }
    if (c === '"') return str();
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    if (c === "'") throw new JsonSyntaxError('strings need double quotes, not single quotes', i);
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    fail('a value');
  };
  try {
    let start = 0;
    if (text.charCodeAt(0) === 0xfeff) start = 1;
    i = start;
    value(0);
    ws();
    if (i < n) fail('end of file after the value');
    return null;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { offset: e.offset, message: e.message };
    throw e;
  }
}

/**
 * Parses scenario text (JSON) and validates it. Malformed JSON gives one problem naming the line
 * and column; otherwise the result of `validateScenario`.
 */
export function parseScenarioText(text: string, label = 'scenario'): ValidateResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch (e) {
    const found = findJsonError(text);
    if (body.trim() === '')
      return { ok: false, problems: [{ path: '', message: 'the file is empty (expected JSON)' }] };
    const { line, column } = lineColumn(text, found?.offset ?? 0);
    const what = found?.message ?? (e instanceof Error ? e.message : String(e));
    return {
      ok: false,
      problems: [
        { path: '', message: `malformed JSON at line ${line}, column ${column}: ${what}` },
      ],
    };
  }
  return validateScenario(obj, label);
}

/** One line per problem: `profiles/x.json: workload.rate_rps: must be > 0`. */
export function formatProblems(label: string, problems: readonly Problem[]): string[] {
  return problems.map((p) =>
    p.path ? `${label}: ${p.path}: ${p.message}` : `${label}: ${p.message}`,
  );
}
