// The `peakline` command line: run, validate, schema and sweep here, calibrate and bench in modules
// of their own; serve, watch and demo are loaded on demand from the web shell and the live sources.
// Errors are one clear line on stderr and a non-zero exit code (a stack trace only with --debug).
import { z } from 'zod';
import { ScenarioSchema } from '../../sim-core/schema';
import { formatProblems, parseScenarioText } from '../../sim-core/validate';
import { runSweep, parseSlo, parseVary, SweepInputError } from '../sweep/sweep';
import { packageVersion } from '../version';
import { formatSweep, formatSweepCsv } from './report';
import { badLinesText } from '../../sim-core/trace';
import {
  CliError,
  inlineTrace,
  loadScenarioInput,
  parseCommand,
  readText,
  traceReports,
  wholeNumberText,
} from './util';

const HELP = `peakline — capacity planning for high-concurrency order pipelines

Usage: peakline <command> [options]

Commands
  run FILE [--json] [--set path=value ...] [--seed N] [--series] [--yes] [--progress]
        Simulate one scenario and print a table (or the result as JSON). A run estimated
        over 200 million events is refused (exit 3) unless --yes; --progress prints
        progress lines to stderr; Ctrl+C prints the part done, marked partial (exit 130).
  validate FILE...
        Check scenario files; prints every problem with its field path.
  schema
        Print the JSON Schema of scenario files (for editors).
  sweep FILE --vary path=a..b[:step] [--vary ...] [--slo 'p99<=200,error_rate<=0.01']
        [--set path=value ...] [--weight path=w ...] [--threads N | --redis URL] [--json|--csv]
        Run a grid of one or two varied fields on all cores (--redis: on the workers of
        that Redis, see worker); with --slo, report the
        cheapest configuration meeting it (cost = sum of varied values × weight, default 1).
        --vary also takes a list: path=1,2,4,8.  --slo takes the clauses plan takes (one
        parser): a point meets it when its one run does.
  plan FILE --vary path=a..b[:step] [--vary ...] --slo 'p99<=150,backlog_max<=900'
        [--cost path=price ...] [--confidence 0.95] [--replications N]
        [--max-replications N] [--set path=value ...] [--seed N] [--threads N | --redis URL]
        [--json|--csv]
        The cheapest configuration of any number of varied fields that meets every SLO
        clause at the confidence given (replications with common random numbers, more near
        the boundary), found by bisection and branch and bound on a small share of the grid.
        SLO metrics: p50 p90 p99 p999 mean max (ms), error_rate, throughput, task_delay_p99,
        backlog_max, util:STATION (e.g. util:db_pool<=0.8). Cost = Σ price × value × count:
        what each instance has of its own (server.*, async.*, db.pool_size, its host's cores)
        is counted once per server.instances, db.shard_concurrency once per db.shards;
        instances, shards and services themselves once. Prices also from the scenario's
        "costs": {"currency", "period", "prices": {path: price}}.
        --redis URL: the replications go to a BullMQ queue on that Redis (redis://[user:pass@]
        host:port[/db], rediss:// for TLS) and \`peakline worker\` processes run them, on any
        number of machines; stderr shows how many workers are connected. Same seeds, same
        answer as a local run.
  worker --redis URL [--concurrency N] [--verbose]
        Run the points of plan/sweep --redis from the queue on that Redis, N at a time
        (default one per core) on worker threads. At-least-once: a job whose worker dies
        (even kill -9) goes back to the queue within ~7 s and runs elsewhere; each point's
        result is keyed by (scenario hash, values, seed), so it is counted once. Results are
        kept an hour (a plan run again reuses them). Ctrl+C/SIGTERM: finish the running jobs
        and stop; a second Ctrl+C stops at once (those jobs go back to the queue).
        Redis unreachable at the start: exit 2; lost later: the worker reconnects, a plan
        waits up to 60 s (jobs lost with Redis are queued again), then stops, no answer.
  calibrate --points FILE [--points FILE ...] [--base SCENARIO [--fit-demand [--fit-cold]] [--fit-speedup]]
        [--cores N] [--pool N] [--host NAME] [--out FILE] [--json]
        Fit measured load points (CSV, JSON, pgbench or wrk output) with the Universal
        Scalability Law (X(1), σ, κ) and write a scenario that predicts other loads
        (default calibrated.json; --base: set that scenario's host instead; --fit-demand:
        first scale the base's step times so it reproduces the lowest load, or, with a
        cpu_ms column (CPU a request used, measured), its CPU to the least measured and
        the rest to the lowest load's latency; --fit-cold: with cpu_ms, the lowest
        load's CPU over the least goes to the host's cold_start_ms, extra CPU a stint
        spends when it starts on the idle machine; --fit-speedup: fit the host's
        core_speedup with σ and κ, how much more work all its cores do together than
        one, for machines whose cores slow each other; --pool N: the clients shared N
        connections, e.g. pgbouncer's pool, so σ and κ are fitted by simulating the query
        behind that pool).
  bench [--json] [--quick]
        Engine benchmarks: events/s, seed profiles, sale-day run, a 20×20 sweep, peak RSS
        (--quick: no sale-day run and a 3×3 sweep).
  forecast --history FILE [--horizon 15m] [--level 0.8] [--season auto|weekly|daily]
        [--backtest] [--json]
        Forecast a request rate over the next horizon with a prediction interval (seasonality
        by time of day and day of week, trend). FILE: a CSV with a header t,rate (t in Unix
        seconds or ISO 8601, UTC unless it has an offset; rate in req/s), a Peakline
        recording (watch --record: a metrics source's request_rate), or a saved Prometheus
        query_range response (one series). Weekly seasonality needs 8 days of history, daily 2.
        --backtest: the forecast rolled over the history, accuracy (1 − MAPE at the
        horizon), interval coverage and peak-time error, against seasonal naive.
  forecast --prometheus URL --query PROMQL [--range 8d] [--step 60s] [--prometheus-user NAME]
        [--horizon 15m] [--backtest] [--json]
        The same with the history read from a Prometheus server (query_range of PROMQL, one
        series, e.g. 'sum(rate(peakline_orders_total[5m]))'); credentials from
        PEAKLINE_PROMETHEUS_TOKEN (bearer) or PEAKLINE_PROMETHEUS_PASSWORD, never printed.
  forecast --generate [--days 42] [--seed N] [--peak RPS] [--sales N] [--noise 0.04]
        [--out FILE]
        Write a realistic food-delivery series (CSV t,rate): lunch and dinner peaks,
        weekends, weather, growth, sale days; the same seed gives the same series.
  serve [--port N] [--host H]
        The web console on 127.0.0.1 with an access token.
  watch --redis URL [--metrics URL ...] [--prometheus URL [--query PROMQL]] [--interval S]
        [--count N] [--json]
        Live samples from Redis, metrics endpoints and Prometheus servers, one JSON line each.
  demo  A local demo of live monitoring.
  help  This text.   --version  The version.

Paths name scenario fields: server.concurrency, async.workers, handler[0].cpu.mean_ms.
--debug (any command) prints stack traces of unexpected errors.
`;

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

const fileArg = (command: string) =>
  z.array(z.string()).length(1, { error: `${command} needs exactly one scenario FILE` });

async function cmdValidate(argv: string[]): Promise<number> {
  const o = parseCommand(
    'validate',
    argv,
    {},
    z.object({ _: z.array(z.string()).min(1, { error: 'validate needs at least one FILE' }) }),
  );
  let bad = 0;
  for (const file of o._) {
    let text: string;
    try {
      text = readText(file);
    } catch (e) {
      err((e as Error).message);
      bad++;
      continue;
    }
    const r = parseScenarioText(text, file);
    if (r.ok) {
      // a trace is read too: its file must exist and hold traffic; bad lines are listed
      let note = '';
      try {
        const s = inlineTrace(r.scenario, file);
        const t = traceReports.get(s);
        if (t)
          note = `; trace ${t.file}: ${t.format}, ${t.arrivals} ${t.format === 'recording' ? 'rate points' : 'arrivals'}${t.bad > 0 ? `, ${badLinesText(t)}` : ''}`;
      } catch (e) {
        err((e as Error).message);
        bad++;
        continue;
      }
      out(`${file}: ok (${r.scenario.name}${note})\n`);
    } else {
      bad++;
      err(formatProblems(file, r.problems).join('\n'));
    }
  }
  return bad ? 1 : 0;
}

async function cmdSchema(argv: string[]): Promise<number> {
  parseCommand(
    'schema',
    argv,
    {},
    z.object({ _: z.array(z.string()).max(0, { error: 'schema takes no arguments' }) }),
  );
  const schema = z.toJSONSchema(ScenarioSchema, { io: 'input' }) as Record<string, unknown>;
  const withId = {
    $schema: schema.$schema,
    $id: 'https://peakline.dev/schema/scenario-v1.json',
    title: 'Peakline scenario (peakline.scenario/v1)',
    ...schema,
  };
  out(JSON.stringify(withId, null, 2) + '\n');
  return 0;
}

async function cmdSweep(argv: string[]): Promise<number> {
  const o = parseCommand(
    'sweep',
    argv,
    {
      vary: { type: 'string', multiple: true },
      slo: { type: 'string' },
      set: { type: 'string', multiple: true },
      weight: { type: 'string', multiple: true },
      threads: { type: 'string' },
      redis: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
    },
    z
      .object({
        _: fileArg('sweep'),
        vary: z
          .array(z.string())
          .min(1, { error: 'give --vary path=a..b[:step] (one or two)' })
          .max(2, { error: 'at most two --vary dimensions' })
          .default([]),
        slo: z.string().optional(),
        set: z.array(z.string()).default([]),
        weight: z.array(z.string()).default([]),
        threads: wholeNumberText().optional(),
        redis: z.string().optional(),
        json: z.boolean().optional(),
        csv: z.boolean().optional(),
      })
      .refine((v) => !(v.json && v.csv), {
        error: 'choose --json or --csv, not both',
        path: ['csv'],
      })
      .refine((v) => !(v.redis !== undefined && v.threads !== undefined), {
        error: 'choose --redis (workers run the points) or --threads, not both',
        path: ['threads'],
      }),
  );
  if (o.vary.length === 0)
    throw new CliError('peakline sweep: give --vary path=a..b[:step] (one or two)', 2);
  const file = o._[0];
  const scenario = loadScenarioInput(file, o.set);
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw new CliError(`peakline sweep: ${(e as Error).message}`, 2);
    }
  };
  const dims = wrap(() => o.vary.map(parseVary));
  const slo = o.slo !== undefined ? wrap(() => parseSlo(o.slo!)) : undefined;
  const weights: Record<string, number> = {};
  for (const w of o.weight) {
    const m = /^(.+)=([-+]?[\d.]+(?:e[-+]?\d+)?)$/i.exec(w);
    if (!m || !Number.isFinite(Number(m[2])))
      throw new CliError(`peakline sweep: --weight needs path=number, got "${w}"`, 2);
    weights[m[1].trim()] = Number(m[2]);
  }
  const total = dims.reduce((n, d) => n * d.values.length, 1);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  let lastPct = -1;
  let workersText = '';
  try {
    const result = await runSweep(scenario, dims, {
      ...(slo ? { slo } : {}),
      weights,
      signal: ac.signal,
      keepResults: false,
      ...(o.threads !== undefined ? { threads: o.threads } : {}),
      ...(o.redis !== undefined
        ? {
            redis: o.redis,
            onNote: (line: string) =>
              err(`${process.stderr.isTTY ? '\r\x1b[K' : ''}sweep: ${line}`),
            onStatus: (st: { workers: number }) => {
              const text = `${st.workers} worker${st.workers === 1 ? '' : 's'} connected`;
              if (text !== workersText && !process.stderr.isTTY) err(`sweep: ${text}`);
              workersText = text;
            },
          }
        : {}),
      onProgress: (done, n) => {
        const p = Math.floor((done / n) * 100);
        if (p === lastPct && done !== n) return;
        lastPct = p;
        const on = workersText ? `, ${workersText}` : '';
        if (process.stderr.isTTY) process.stderr.write(`\r\x1b[Ksweep ${done}/${n} (${p} %${on})`);
        else if (p % 10 === 0 || done === n)
          process.stderr.write(`sweep ${done}/${n} (${p} %${on})\n`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (total > 0 && result.points.length === 0 && !result.cancelled)
      throw new CliError('peakline sweep: no points were run');
    if (o.json) out(JSON.stringify(result, null, 2) + '\n');
    else if (o.csv) out(formatSweepCsv(result));
    else out(formatSweep(result));
    if (result.cancelled) {
      err('peakline sweep: cancelled');
      return 130;
    }
    return 0;
  } catch (e) {
    if (e instanceof SweepInputError) throw new CliError(`peakline sweep: ${e.message}`, 2);
    if (e instanceof Error && e.name === 'RedisUrlError')
      throw new CliError(`peakline sweep: ${e.message}`, 2);
    if (e instanceof Error && e.name === 'RedisLost')
      throw new CliError(`peakline sweep: ${e.message}`);
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

type Handler = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Handler> = {
  run: async (argv) => (await import('./run')).runCommand(argv),
  validate: cmdValidate,
  schema: cmdSchema,
  sweep: cmdSweep,
  plan: async (argv) => (await import('./plan')).planCommand(argv),
  calibrate: async (argv) => (await import('./calibrate')).calibrateCommand(argv),
  bench: async (argv) => (await import('./bench')).benchCommand(argv),
  forecast: async (argv) => (await import('./forecast')).forecastCommand(argv),
  worker: async (argv) => (await import('../queue/worker')).workerCommand(argv),
  serve: async (argv) => (await import('../web/serve')).serveCommand(argv),
  watch: async (argv) => (await import('../live/cli')).watchCommand(argv),
  demo: async (argv) => (await import('../live/cli')).demoCommand(argv),
};

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [command, ...rest] = args;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      out(HELP);
      return 0;
    }
    if (command === '--version' || command === '-v' || command === 'version') {
      out(`peakline ${packageVersion()}\n`);
      return 0;
    }
    const delegated = command === 'serve' || command === 'watch' || command === 'demo';
    if (!delegated && (rest.includes('--help') || rest.includes('-h'))) {
      out(HELP);
      return 0;
    }
    const handler = COMMANDS[command];
    if (!handler) {
      const known = Object.keys(COMMANDS);
      const { suggest } = await import('../../sim-core/validate/suggest');
      const hint = suggest(command, [...known, 'help']);
      throw new CliError(
        `peakline: unknown command "${command}"${hint ? ` — did you mean "${hint}"?` : ''} (commands: ${known.join(', ')}, help)`,
        2,
      );
    }
    return await handler(rest);
  } catch (e) {
    if (e instanceof CliError) {
      err(e.message);
      if (debug && e.stack) err(e.stack);
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    const line = message.split('\n')[0];
    if (debug && e instanceof Error && e.stack) {
      err(`peakline ${command}: ${line}`);
      err(e.stack);
    } else err(`peakline ${command}: ${line} (--debug shows the stack trace)`);
    return 1;
  }
}
