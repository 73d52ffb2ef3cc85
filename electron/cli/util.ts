// Shared pieces of the CLI commands: the error type that becomes one line on stderr, option
// parsing (node:util parseArgs, then zod) for every command, loading a scenario file with `--set`
// overrides, and the number formatting of every table the CLI prints.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import type { Scenario } from '../../sim-core/schema';
import { formatProblems, parseScenarioText, validateScenario } from '../../sim-core/validate';
import { parseSetArg, setPath } from '../../sim-core/validate/paths';
import { TraceError, withTrace, type ParsedTrace } from '../../sim-core/trace';

/** An error the user can act on: printed as one line (or a few problem lines), no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 1 = the input or the run failed, 2 = the command line was wrong. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's argv with parseArgs (strict) and validates the values with `schema`;
 * unknown options and bad values become a CliError naming the command and the option (a message
 * that already starts with the option's name, or one about the command line as a whole, is shown
 * as it is) and where to read more (`help`, default `peakline help`).
 */
export function parseCommand<S extends z.ZodType>(
  command: string,
  argv: string[],
  options: Options,
  schema: S,
  help = 'peakline help',
): z.output<S> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as {
      values: Record<string, unknown>;
      positionals: string[];
    };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0].replace(/\.? ?To specify a positional.*$/, '');
    throw new CliError(`peakline ${command}: ${msg} (see ${help})`, 2);
  }
  const r = schema.safeParse({ ...parsed.values, _: parsed.positionals });
  if (!r.success) {
    const issue = r.error.issues[0];
    const key = issue.path.join('.');
    const name = key === '' ? null : key === '_' || key.startsWith('_.') ? 'arguments' : `--${key}`;
    const text =
      name === null || issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
    throw new CliError(`peakline ${command}: ${text} (see ${help})`, 2);
  }
  return r.data;
}

/**
 * A number given as text, at least `min` (and at most `max`), whole if asked; a bad one reads
 * `--NAME must be a number >= MIN, got "TEXT"`.
 */
export function numberText(
  name: string,
  min: number,
  { integer = false, max = Infinity }: { integer?: boolean; max?: number } = {},
) {
  const what = integer ? 'a whole number' : 'a number';
  return z
    .string()
    .refine(
      (s) => {
        const n = Number(s);
        return (
          s.trim() !== '' && Number.isFinite(n) && n >= min && (!integer || Number.isInteger(n))
        );
      },
      { error: (iss) => `--${name} must be ${what} >= ${min}, got "${String(iss.input)}"` },
    )
    .transform(Number)
    .refine((n) => n <= max, { error: `--${name} must be <= ${max}` });
}

/** A non-negative whole number given as text (e.g. `--seed 7`). */
export const wholeNumberText = () =>
  z
    .string()
    .regex(/^\d+$/, { error: 'must be a whole number >= 0' })
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), { error: 'is too large' });

/** Reads a file as text, turning a missing or unreadable file into one clear line. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code === 'EISDIR'
          ? 'is a directory'
          : err.code === 'EACCES'
            ? 'permission denied'
            : err.message;
    throw new CliError(`${file}: cannot read: ${why}`);
  }
}

/** What reading a scenario's trace found (`peakline run` reports it), by the scenario loaded. */
export const traceReports = new WeakMap<object, TraceReport>();
export interface TraceReport extends Omit<ParsedTrace, 'times_s' | 'service_ms' | 'rates'> {
  file: string;
  /** Recorded arrivals (timestamps), or recorded rate points of a recording. */
  arrivals: number;
}

/**
 * A trace workload's file read (relative to the scenario file) and its arrivals put into the
 * scenario (`withTrace`); a scenario without one, or already carrying its data, as it is. A file
 * that cannot be read or holds no traffic is an error naming workload.file.
 */
export function inlineTrace<S extends { workload: unknown; handler: unknown }>(
  scenario: S,
  file: string,
): S {
  const w = scenario.workload as {
    type?: unknown;
    file?: unknown;
    times_s?: unknown;
    rates?: unknown;
  };
  if (w.type !== 'trace' || w.times_s !== undefined || w.rates !== undefined) return scenario;
  if (typeof w.file !== 'string')
    throw new CliError(
      `${file}: workload.file: a trace workload needs a file (an nginx access log, a CSV of timestamps or a recording)`,
    );
  const abs = path.resolve(path.dirname(file), w.file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `${file}: workload.file: cannot read ${abs}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  try {
    const { scenario: out, trace } = withTrace(scenario, text);
    const { times_s, rates, ...rest } = trace;
    const report = { ...rest };
    delete report.service_ms;
    traceReports.set(out, {
      ...report,
      file: w.file,
      arrivals: rates ? rates.length : times_s.length,
    });
    return out;
  } catch (e) {
    if (e instanceof TraceError)
      throw new CliError(`${file}: workload.file (${w.file}): ${e.message}`);
    throw e;
  }
}

/** Reads, overrides (`--set path=value`, in order) and validates a scenario file. */
export function loadScenario(file: string, sets: readonly string[] = []): Scenario {
  const text = readText(file);
  const first = parseScenarioText(text, file);
  if (!first.ok) throw new CliError(formatProblems(file, first.problems).join('\n'));
  if (sets.length === 0) return inlineTrace(first.scenario, file);
  let obj: unknown = JSON.parse(text.replace(/^\ufeff/, ''));
  for (const s of sets) {
    try {
      const { path, value } = parseSetArg(s);
      obj = setPath(obj, path, value);
    } catch (e) {
      throw new CliError(`--set ${s}: ${(e as Error).message}`, 2);
    }
  }
  const r = validateScenario(obj, file);
  if (!r.ok) throw new CliError(formatProblems(`${file} (with --set)`, r.problems).join('\n'));
  return inlineTrace(r.scenario, file);
}

/** Reads a scenario file as written (no defaults), applying `--set` overrides; for sweeps. */
export function loadScenarioInput(file: string, sets: readonly string[] = []): unknown {
  loadScenario(file, sets); // validates, with a clear message
  let obj: unknown = JSON.parse(readText(file).replace(/^\ufeff/, ''));
  for (const s of sets) {
    const { path, value } = parseSetArg(s);
    obj = setPath(obj, path, value);
  }
  return typeof obj === 'object' && obj !== null && 'workload' in obj
    ? inlineTrace(obj as { workload: unknown; handler: unknown }, file)
    : obj;
}

/** `1,234.5` with `digits` decimals. */
export function num(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return String(x);
  return x.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A latency in ms with sensible precision (3 significant digits below 100). */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 100) return num(x, 0);
  if (x >= 10) return num(x, 1);
  return num(x, 2);
}

/** A fraction as a percentage, e.g. `97.3 %`. */
export function pct(x: number, digits = 1): string {
  return `${num(x * 100, digits)} %`;
}

const compactFormat = new Intl.NumberFormat('en-US', {
  notation: 'compact',
  maximumFractionDigits: 1,
});

/** A count or rate in a narrow column: `987`, `12.3K`, `4.5M` (`digits` decimals below 10,000). */
export function compact(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e4 ? compactFormat.format(x) : num(x, digits);
}

/** Bytes in binary units: `512 B`, `1.5 MB`. */
export function bytes(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = x;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${num(v, i ? 1 : 0)} ${units[i]}`;
}

/** Left-aligned table with a header row; `right` marks numeric columns. */
export function table(header: string[], rows: string[][], right: boolean[] = []): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
