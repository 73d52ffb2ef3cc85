// Completion in the scenario editor from the scenario's JSON Schema (zod's `z.toJSONSchema` of
// ScenarioSchema, as `peakline schema` prints it): at a key, the fields the object may have (those
// it has not got yet, required ones first, with their type); at a value, the allowed words
// (`"open"`, `"exp"`, true/false) and, in a list of steps, a template of each step kind. Where the
// cursor is comes from a tolerant scan of the text before it (the text after it may be half
// typed). Pure but for the CodeMirror adapter at the end.
import { z } from 'zod';
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import type { EditorView } from '@codemirror/view';
import { ScenarioSchema } from '../../sim-core/schema';

/** A JSON Schema node. */
export type Schema = Record<string, unknown>;

let cached: Schema | null = null;
/** The scenario's JSON Schema (as files are written: defaults not required). */
export function scenarioSchema(): Schema {
  cached ??= z.toJSONSchema(ScenarioSchema, { io: 'input' }) as Schema;
  return cached;
}

const asSchema = (x: unknown): Schema | null =>
  x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Schema) : null;

/** A node's alternatives: $ref followed, anyOf / oneOf flattened. */
export function alternatives(root: Schema, node: Schema | null): Schema[] {
  if (!node) return [];
  const ref = node.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    const defs = asSchema(root.$defs) ?? {};
    return alternatives(root, asSchema(defs[ref.slice('#/$defs/'.length)]));
  }
  const alts = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
  if (Array.isArray(alts)) return alts.flatMap((a) => alternatives(root, asSchema(a)));
  return [node];
}

/** Where the cursor is: in an object at a key, or at a value (of a key or a list element). */
export interface Place {
  kind: 'key' | 'value';
  /** Path of the object (key) or of the value (value). */
  path: (string | number)[];
  /** The keys the object already has, and its string values (to tell alternatives apart). */
  keys: string[];
  consts: Record<string, string>;
}

interface Frame {
  t: 'obj' | 'arr';
  seg: string | number | null;
  state: 'key' | 'colon' | 'value' | 'comma';
  key: string | null;
  index: number;
  keys: string[];
  consts: Record<string, string>;
}

/** Scans `text` (all that comes before the cursor) for where the cursor is; null outside JSON. */
export function placeAt(text: string): Place | null {
  const stack: Frame[] = [];
  const top = () => stack[stack.length - 1];
  const valueDone = (str?: string) => {
    const f = top();
    if (!f) return;
    if (f.t === 'obj' && f.key !== null && str !== undefined) f.consts[f.key] = str;
    f.state = 'comma';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return null; // a string still open: the token being typed
      let s: string;
      try {
        s = JSON.parse(text.slice(i, j + 1)) as string;
      } catch {
        s = text.slice(i + 1, j);
      }
      const f = top();
      if (f?.t === 'obj' && f.state === 'key') {
        f.key = s;
        f.keys.push(s);
        f.state = 'colon';
      } else valueDone(s);
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      const p = top();
      const seg = !p ? null : p.t === 'obj' ? p.key : p.index;
      stack.push({
        t: c === '{' ? 'obj' : 'arr',
        seg,
        state: c === '{' ? 'key' : 'value',
        key: null,
        index: 0,
        keys: [],
        consts: {},
      });
    } else if (c === '}' || c === ']') {
      stack.pop();
      valueDone();
    } else if (c === ':') {
      if (top()) top().state = 'value';
    } else if (c === ',') {
      const f = top();
      if (f?.t === 'obj') {
        f.state = 'key';
        f.key = null;
      } else if (f) {
        f.index++;
        f.state = 'value';
      }
    } else if (!/\s/.test(c)) {
      // a number or a literal: skip to its end
      while (i + 1 < text.length && /[\w.+-]/.test(text[i + 1])) i++;
      valueDone();
    }
    i++;
  }
  const f = top();
  if (!f) return null;
  const path = stack.slice(1).map((fr) => fr.seg as string | number);
  if (f.t === 'obj' && f.state === 'key')
    return { kind: 'key', path, keys: f.keys, consts: f.consts };
  if (f.t === 'obj' && f.state === 'value' && f.key !== null)
    return { kind: 'value', path: [...path, f.key], keys: [], consts: {} };
  if (f.t === 'arr' && f.state === 'value')
    return { kind: 'value', path: [...path, f.index], keys: [], consts: {} };
  return null;
}

/** The schema alternatives at `path` (as deep as the schema says). */
export function schemaAt(root: Schema, path: readonly (string | number)[]): Schema[] {
  let nodes = alternatives(root, root);
  for (const seg of path) {
    nodes = nodes.flatMap((n) => {
      if (typeof seg === 'string') {
        const props = asSchema(n.properties);
        const child = props?.[seg] ?? n.additionalProperties;
        return alternatives(root, asSchema(child));
      }
      const prefix = n.prefixItems as unknown[] | undefined;
      return alternatives(root, asSchema(prefix?.[seg] ?? n.items));
    });
  }
  return nodes;
}

/** A short description of a schema node's type: `number > 0`, `integer ≥ 1`, `"open" | "closed"`. */
export function describe(root: Schema, node: Schema): string {
  const alts = alternatives(root, node);
  if (alts.length > 1) return [...new Set(alts.map((a) => describe(root, a)))].join(' or ');
  const n = alts[0] ?? node;
  if (n.const !== undefined) return JSON.stringify(n.const);
  if (Array.isArray(n.enum)) return n.enum.map((e) => JSON.stringify(e)).join(' | ');
  const type = typeof n.type === 'string' ? n.type : 'value';
  const bounds: string[] = [];
  if (typeof n.exclusiveMinimum === 'number') bounds.push(`> ${n.exclusiveMinimum}`);
  if (typeof n.minimum === 'number') bounds.push(`≥ ${n.minimum}`);
  if (typeof n.maximum === 'number' && n.maximum < Number.MAX_SAFE_INTEGER)
    bounds.push(`≤ ${n.maximum}`);
  if (type === 'array') return 'list';
  return [type, ...bounds].join(' ');
}

/** One suggestion: the text to insert, what it is, and its rank (higher first). */
export interface Suggestion {
  label: string;
  insert: string;
  detail: string;
  boost: number;
}

/** What may come at `place` (see the module comment). */
export function suggestionsAt(root: Schema, place: Place): Suggestion[] {
  if (place.kind === 'key') {
    // keep the alternatives whose fixed values (e.g. "dist": "exp") agree with what is written
    const objs = schemaAt(root, place.path).filter((n) => {
      const props = asSchema(n.properties);
      if (!props) return n.additionalProperties !== undefined;
      return Object.entries(place.consts).every(([k, v]) => {
        const p = asSchema(props[k]);
        return !p || p.const === undefined || p.const === v;
      });
    });
    const out = new Map<string, Suggestion>();
    for (const n of objs) {
      const props = asSchema(n.properties) ?? {};
      const required = new Set((n.required as string[] | undefined) ?? []);
      for (const [k, v] of Object.entries(props)) {
        if (place.keys.includes(k) || out.has(k)) continue;
        const detail = describe(root, asSchema(v) ?? {});
        out.set(k, {
          label: k,
          insert: `"${k}": `,
          detail: required.has(k) ? `${detail} · required` : detail,
          boost: required.has(k) ? 1 : 0,
        });
      }
    }
    return [...out.values()];
  }
  const out = new Map<string, Suggestion>();
  const add = (label: string, detail: string, boost = 0) => {
    if (!out.has(label)) out.set(label, { label, insert: label, detail, boost });
  };
  for (const n of schemaAt(root, place.path)) {
    if (n.const !== undefined) add(JSON.stringify(n.const), 'value', 1);
    if (Array.isArray(n.enum)) for (const e of n.enum) add(JSON.stringify(e), 'value', 1);
    if (n.type === 'boolean') {
      add('true', 'boolean');
      add('false', 'boolean');
    }
    // a step kind (an object of one required key that is itself an object): a template
    const req = n.required as string[] | undefined;
    const props = asSchema(n.properties);
    if (n.type === 'object' && req?.length === 1 && props) {
      const inner = alternatives(root, asSchema(props[req[0]]));
      if (inner.some((x) => x.type === 'object')) add(`{ "${req[0]}": {} }`, 'step');
    }
  }
  return [...out.values()];
}

/** The CodeMirror completion source for scenario JSON. */
export function scenarioCompletion(ctx: CompletionContext): CompletionResult | null {
  const token = ctx.matchBefore(/"[^"\n]*|[\w.+-]+/);
  if (!token && !ctx.explicit) return null;
  const start = token ? token.from : ctx.pos;
  const place = placeAt(ctx.state.sliceDoc(0, start));
  if (!place) return null;
  const suggestions = suggestionsAt(scenarioSchema(), place);
  if (suggestions.length === 0) return null;
  const quoted = token?.text.startsWith('"') ?? false;
  if (place.kind === 'key') {
    // a key is matched without its quote, and written with both and the colon (taking the
    // quote the editor closed by itself after the cursor)
    const write =
      (insert: string) =>
      (view: EditorView, _c: Completion, from: number, to: number): void => {
        const end = view.state.sliceDoc(to, to + 1) === '"' ? to + 1 : to;
        view.dispatch({
          changes: { from, to: end, insert },
          selection: { anchor: from + insert.length },
          userEvent: 'input.complete',
        });
      };
    return {
      from: quoted ? start + 1 : start,
      options: suggestions.map((s) => ({
        label: s.label,
        apply: write(quoted ? `${s.label}": ` : s.insert),
        detail: s.detail,
        boost: s.boost,
        type: 'property',
      })),
      validFor: /^[\w$]*$/,
    };
  }
  return {
    from: start,
    options: suggestions.map((s): Completion => ({
      label: s.label,
      apply: s.insert,
      detail: s.detail,
      boost: s.boost,
      type: 'constant',
    })),
    validFor: /^"?[\w.+-]*"?$/,
  };
}
