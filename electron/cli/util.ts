// Shared pieces of the CLI commands: the error type that becomes one line on stderr, option
// parsing (node:util parseArgs, then zod), loading a scenario file with `--set` overrides, and
// number formatting for tables.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import type { Scenario } from '../../sim-core/schema';
import { formatProblems, parseScenarioText, validateScenario } from '../../sim-core/validate';
import { parseSetArg, setPath } from '../../sim-core/validate/paths';

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
 * unknown options and bad values become a CliError naming the command and the option.
 */
export function parseCommand<S extends z.ZodType>(
  command: string,
  argv: string[],
  options: Options,
  schema: S,
): z.output<S> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as {
      values: Record<string, unknown>;
      positionals: string[];
    };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0].replace(/\.? ?To specify a positional.*$/, '');
    throw new CliError(`peakline ${command}: ${msg} (see peakline help)`, 2);
  }
  const r = schema.safeParse({ ...parsed.values, _: parsed.positionals });
  if (!r.success) {
    const issue = r.error.issues[0];
    const key = issue.path.join('.');
    const name = key === '_' || key.startsWith('_.') ? 'arguments' : `--${key}`;
    throw new CliError(`peakline ${command}: ${name}: ${issue.message} (see peakline help)`, 2);
  }
  return r.data;
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

/** Reads, overrides (`--set path=value`, in order) and validates a scenario file. */
export function loadScenario(file: string, sets: readonly string[] = []): Scenario {
  const text = readText(file);
  const first = parseScenarioText(text, file);
  if (!first.ok) throw new CliError(formatProblems(file, first.problems).join('\n'));
  if (sets.length === 0) return first.scenario;
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
  return r.scenario;
}

/** Reads a scenario file as written (no defaults), applying `--set` overrides; for sweeps. */
export function loadScenarioInput(file: string, sets: readonly string[] = []): unknown {
  loadScenario(file, sets); // validates, with a clear message
  let obj: unknown = JSON.parse(readText(file).replace(/^\ufeff/, ''));
  for (const s of sets) {
    const { path, value } = parseSetArg(s);
    obj = setPath(obj, path, value);
  }
  return obj;
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
