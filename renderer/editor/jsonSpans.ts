// Where things are in scenario JSON text: every value's span (and its key's) by the path the
// validator names problems with (`handler[1].db.query.mean_ms`), so that a problem is marked at
// its line and column; and the position of a malformed-JSON problem from its message. Pure.

/** Where one value sits in the text: its key (for object members) and the value itself. */
export interface Span {
  keyFrom: number;
  keyTo: number;
  from: number;
  to: number;
}

type Seg = string | number;

/** A path as the validator writes it: `a.b[2]["odd key"]` (see sim-core/validate formatPath). */
export function pathText(segs: readonly Seg[]): string {
  let out = '';
  for (const seg of segs) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The path of the enclosing value: `a.b[2]` → `a.b`, `a` → `` (null for the root). */
export function parentPath(path: string): string | null {
  if (path === '') return null;
  const m = /(\.[A-Za-z_$][\w$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/.exec(path);
  return m ? path.slice(0, m.index) : '';
}

/**
 * Spans of every value of valid JSON text by path ('' is the whole value). Returns null when the
 * text is not valid JSON.
 */
export function jsonSpans(text: string): Map<string, Span> | null {
  const spans = new Map<string, Span>();
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
      i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: Seg[], keyFrom: number, keyTo: number): void => {
    ws();
    const from = i;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] !== '}')
        for (;;) {
          ws();
          const kf = i;
          const key = str();
          const kt = i;
          ws();
          i++; // ':'
          value([...path, key], kf, kt);
          ws();
          if (text[i++] === '}') break;
        }
      else i++;
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] !== ']')
        for (let k = 0; ; k++) {
          value([...path, k], -1, -1);
          ws();
          if (text[i++] === ']') break;
        }
      else i++;
    } else if (c === '"') str();
    else {
      const m = /^(-?\d[\d.eE+-]*|true|false|null)/.exec(text.slice(i, i + 400));
      i += m ? m[0].length : 1;
    }
    spans.set(pathText(path), {
      keyFrom: keyFrom < 0 ? from : keyFrom,
      keyTo: keyTo < 0 ? from : keyTo,
      from,
      to: i,
    });
  };
  try {
    JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return null;
  }
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  value([], -1, -1);
  return spans;
}

/** Offset of a line and column (both from 1) in `text`. */
export function offsetOf(text: string, line: number, column: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return Math.min(off + column - 1, text.length);
}

/** Line and column (both from 1) of an offset. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    start = k + 1;
  }
  return { line, column: offset - start + 1 };
}

/**
 * The range to mark for a problem the validator found at `path` (`message` for malformed JSON
 * names its line and column): the value itself when it is short, its key when it is an object or a
 * list (marking all of it says less) or an unknown field, the nearest enclosing value's key when the path is missing
 * (a required field not there).
 */
export function problemRange(
  text: string,
  spans: Map<string, Span> | null,
  path: string,
  message: string,
): { from: number; to: number } {
  const at = /line (\d+), column (\d+)/.exec(message);
  if (!spans || (path === '' && at)) {
    if (!at) return { from: 0, to: Math.min(1, text.length) };
    const off = offsetOf(text, Number(at[1]), Number(at[2]));
    return { from: off, to: Math.min(off + 1, text.length) };
  }
  let p: string | null = path;
  let exact = true;
  while (p !== null && !spans.has(p)) {
    p = parentPath(p);
    exact = false;
  }
  const s = spans.get(p ?? '')!;
  const compound = text[s.from] === '{' || text[s.from] === '[';
  // an unknown field is its key; a wrong value is the value
  if (exact && !compound && !message.startsWith('unknown')) return { from: s.from, to: s.to };
  // a key names the place (the root has none: its opening brace)
  if (s.keyTo > s.keyFrom) return { from: s.keyFrom, to: s.keyTo };
  return { from: s.from, to: s.from + 1 };
}
