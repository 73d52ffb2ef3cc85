// What the schema allows at a place in a scenario, for the messages about unknown fields: the
// fields of the object there, and the kinds of a one-key union (a step: {"cpu": …} | {"db": …}).
// Read from the schema's public JSON Schema (zod's `z.toJSONSchema`), not from zod's internals.
// Unions are resolved against the data: a discriminated union (`oneOf`) by its tag, any other
// (`anyOf`) by the fields it shares with the data.
import { z } from 'zod';
import type { PathSeg } from './paths';

/** The keywords of a JSON Schema (as z.toJSONSchema writes it) that this module reads. */
interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  /** An object's fields (a record has none). */
  properties?: Record<string, JsonSchema>;
  /** A record's values (a strict object has `false`). */
  additionalProperties?: JsonSchema | boolean;
  /** A list's entries (a tuple has `prefixItems`). */
  items?: JsonSchema | boolean;
  prefixItems?: JsonSchema[];
  /** A union; `oneOf` is an exclusive one: zod writes a discriminated union so. */
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
}

const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();

/** The JSON Schema of `schema` (of its input: what a file may say), made once. */
function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let js = jsonSchemas.get(schema);
  if (!js) {
    js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    jsonSchemas.set(schema, js);
  }
  return js;
}

/** `s` with its `$ref`s followed (`#/$defs/…`: the recursive step list). */
function resolve(root: JsonSchema, s: JsonSchema | boolean | undefined): JsonSchema | undefined {
  let cur = typeof s === 'object' ? s : undefined;
  for (let guard = 0; cur?.$ref !== undefined && guard < 50; guard++) {
    let target: unknown = root;
    for (const part of cur.$ref
      .replace(/^#\/?/, '')
      .split('/')
      .filter((p) => p !== ''))
      target = (target as Record<string, unknown> | undefined)?.[part];
    cur = typeof target === 'object' && target !== null ? (target as JsonSchema) : undefined;
  }
  return cur;
}

const optionsOf = (s: JsonSchema): JsonSchema[] | undefined => s.anyOf ?? s.oneOf;
const isArray = (s: JsonSchema): boolean => s.type === 'array' && s.prefixItems === undefined;
const isRecord = (s: JsonSchema): boolean =>
  s.properties === undefined && typeof s.additionalProperties === 'object';

/** The field that tells the forms of a discriminated union apart: a constant in each form. */
function discriminatorOf(options: readonly JsonSchema[]): string | undefined {
  const first = options[0]?.properties;
  if (!first) return undefined;
  const tagged = (o: JsonSchema, key: string) => {
    const p = o.properties?.[key];
    return p !== undefined && (p.const !== undefined || p.enum !== undefined);
  };
  return Object.keys(first).find((key) => options.every((o) => tagged(o, key)));
}

/** The form of a union that fits `data` best (by discriminator, else by shared keys). */
function pickOption(root: JsonSchema, s: JsonSchema, data: unknown): JsonSchema | undefined {
  const options = (optionsOf(s) ?? [])
    .map((o) => resolve(root, o))
    .filter((o): o is JsonSchema => !!o);
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const rec = data as Record<string, unknown>;
    const discriminator = s.oneOf ? discriminatorOf(options) : undefined;
    if (discriminator) {
      const want = rec[discriminator];
      for (const o of options) {
        const tag = resolve(root, o.properties?.[discriminator]);
        const values = tag?.const !== undefined ? [tag.const] : tag?.enum;
        if (values?.includes(want)) return o;
      }
      return undefined;
    }
    const keys = Object.keys(rec);
    let best: JsonSchema | undefined;
    let bestScore = 0;
    for (const o of options) {
      const shape = o.properties;
      if (!shape) continue;
      const score = keys.filter((k) => k in shape).length;
      if (score > bestScore) {
        bestScore = score;
        best = o;
      }
    }
    return best;
  }
  if (Array.isArray(data)) return options.find(isArray);
  return undefined;
}

/** The schema that describes the value at `path` of `data`, or undefined. */
function schemaAt(
  root: JsonSchema,
  data: unknown,
  path: readonly PathSeg[],
): JsonSchema | undefined {
  let s = resolve(root, root);
  let cur = data;
  for (let i = 0; i <= path.length && s; i++) {
    while (s && optionsOf(s)) s = pickOption(root, s, cur);
    if (!s || i === path.length) return s;
    const seg = path[i];
    if (s.properties) s = resolve(root, s.properties[seg as string]);
    else if (isArray(s)) s = resolve(root, s.items);
    else if (isRecord(s)) s = resolve(root, s.additionalProperties);
    else if (s.prefixItems) s = resolve(root, s.prefixItems[seg as number]);
    else return undefined;
    cur =
      cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return s;
}

/** The fields the object at `path` of `data` may have, in the schema's order ([] if none). */
export function allowedKeys(schema: z.ZodType, data: unknown, path: readonly PathSeg[]): string[] {
  const s = schemaAt(jsonSchemaOf(schema), data, path);
  return s?.properties ? Object.keys(s.properties) : [];
}

/**
 * The kinds of the one-key union at `path` (e.g. a step's "cpu", "cache", "db", …): the key of
 * each of its forms when every form is an object of exactly one key; null otherwise.
 */
export function oneKeyKinds(
  schema: z.ZodType,
  data: unknown,
  path: readonly PathSeg[],
): string[] | null {
  const root = jsonSchemaOf(schema);
  const parent = schemaAt(root, data, path.slice(0, -1));
  let union: JsonSchema | undefined;
  if (parent) {
    const seg = path[path.length - 1];
    const child = parent.properties
      ? parent.properties[seg as string]
      : isArray(parent)
        ? parent.items
        : isRecord(parent)
          ? parent.additionalProperties
          : undefined;
    union = resolve(root, child);
  } else if (path.length === 0) union = resolve(root, root);
  const options = ((union && optionsOf(union)) ?? [])
    .map((o) => resolve(root, o))
    .filter((o): o is JsonSchema => !!o);
  const objectKinds = options
    .filter((o) => o.properties !== undefined)
    .map((o) => Object.keys(o.properties ?? {}))
    .filter((ks) => ks.length === 1)
    .map((ks) => ks[0]);
  return objectKinds.length > 0 && objectKinds.length === options.length ? objectKinds : null;
}
