// Zod issues → problems a person can act on: each issue becomes `path: message` in plain words
// ("must be > 0 (got 0)", "is required (a number)", "unknown field — did you mean …?"); a value
// that fits no form of a union is explained by the form it comes closest to, or by the forms
// there are.
import type { z } from 'zod';
import { allowedKeys, oneKeyKinds } from './allowed-keys';
import { formatPath, getPath, type PathSeg } from './paths';
import { suggest } from './suggest';

/** One thing wrong with a scenario: where (a readable path, '' for the whole file) and what. */
export interface Problem {
  path: string;
  message: string;
}

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

export const kindOf = (v: unknown): string =>
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
  root: z.ZodType,
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
  const objectKinds = oneKeyKinds(root, data, fullPath);
  const where = formatPath(fullPath);
  if (objectKinds) {
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

function collect(
  issue: Issue,
  base: PathSeg[],
  root: z.ZodType,
  data: unknown,
  out: Problem[],
): void {
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

/** The problems of a failed parse: each of zod's `issues`, explained against the `data` parsed. */
export function problemsOf(issues: readonly unknown[], root: z.ZodType, data: unknown): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues as Issue[]) collect(issue, [], root, data, out);
  return out;
}
