// What `plan`/`sweep --redis` and `peakline worker` agree on: the BullMQ queue, what a job carries,
// its id, how a result travels, how long a lock lasts, and how a --redis URL becomes a connection.
//
// A job is one point: the scenario (as the user wrote it), the varied paths and their values (the
// plan's last path is `seed`: replication r of a configuration runs seed + r). Its id is a hash of
// the simulator's version, the scenario and the point, so the same replication is the same job:
// adding it twice adds it once, a job retried after a worker died gives the same result, and a
// result is never counted for another point. Results are kept an hour: a plan run again (or one
// resumed after Ctrl+C) takes the results already there.
import { createHash } from 'node:crypto';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import type { SimResult } from '../../sim-core/result';
import { redactUrl } from '../live/source';
import type { PointReply } from '../sweep/point';
import { packageVersion } from '../version';

/** The queue's name (keys `peakline:points:*` in Redis). */
export const QUEUE_NAME = 'points';
/** The key prefix of the queue (BullMQ's default is `bull`). */
export const QUEUE_PREFIX = 'peakline';

/**
 * A worker holds a job's lock for this long and renews it every half of it (from its main thread;
 * simulations run on worker threads, so the renewal is never blocked by one). A worker killed
 * mid-job stops renewing: within LOCK_MS + STALLED_INTERVAL_MS another worker's stalled check puts
 * the job back on the queue.
 */
export const LOCK_MS = 5_000;
export const STALLED_INTERVAL_MS = 2_000;
/** How many times a job may be found stalled (its worker gone) before it is given up as failed. */
export const MAX_STALLED = 5;
/** Runs of a job that threw (a worker thread that crashed), before it is failed. */
export const ATTEMPTS = 3;
/** How long finished jobs (and their results) stay in Redis, in seconds. */
export const KEEP_S = 3600;

/** Bumped when a job's data or result changes shape. */
export const PROTOCOL = 1;

/** A job's data. */
export const JobDataSchema = z.object({
  protocol: z.literal(PROTOCOL),
  /** The simulator's version: a worker of another version refuses the job. */
  version: z.string(),
  /** sha-256 of the scenario's JSON (hex, 16 digits): the result's key with the point. */
  scenario_hash: z.string(),
  scenario: z.unknown(),
  paths: z.array(z.string()),
  values: z.array(z.number()),
});
export type JobData = z.infer<typeof JobDataSchema>;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The hash of a scenario (as written) under this simulator version. */
export function scenarioHash(scenario: unknown): string {
  return sha(`${packageVersion()}\n${JSON.stringify(scenario)}`).slice(0, 16);
}

/** The job id of a point: `<scenario hash>-<hash of paths and values>` (no `:`, as BullMQ asks). */
export function jobId(hash: string, paths: readonly string[], values: readonly number[]): string {
  const point = paths.map((p, i) => `${p}=${values[i]}`).join('\n');
  return `${hash}-${sha(point).slice(0, 24)}`;
}

/** A job's data for one point. */
export function jobData(
  scenario: unknown,
  hash: string,
  paths: readonly string[],
  values: readonly number[],
): JobData {
  return {
    protocol: PROTOCOL,
    version: packageVersion(),
    scenario_hash: hash,
    scenario,
    paths: [...paths],
    values: [...values],
  };
}

// Results travel as JSON (BullMQ keeps a job's return value as JSON): numbers JSON cannot carry
// (NaN, ±Infinity, -0) go as {"$num": "NaN"}, so a result read back is the one the worker made,
// as a worker thread's structured clone would have carried it.
const NUM = '$num';

/** A point's reply as text. */
export function encodeReply(reply: PointReply): string {
  return JSON.stringify(reply, (_k, v: unknown) =>
    typeof v !== 'number'
      ? v
      : Object.is(v, -0)
        ? { [NUM]: '-0' } // String(-0) is "0"
        : Number.isFinite(v)
          ? v
          : { [NUM]: String(v) },
  );
}

/** The reply back from text. */
export function decodeReply(text: string): PointReply {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === NUM) {
        const s = (v as Record<string, string>)[NUM];
        return s === '-0' ? -0 : Number(s);
      }
    }
    return v;
  }) as PointReply;
}

/** A reply's result, or its error. */
export function replyResult(reply: PointReply): SimResult {
  if (reply.ok) return reply.result;
  throw new Error(reply.error);
}

/** Why a --redis URL cannot be used; the message names --redis and the URL (without password). */
export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

/** ioredis options for a --redis URL (redis:// or rediss://, user, password, db). */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError(`--redis ${url}: not a URL (e.g. redis://127.0.0.1:6379)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new RedisUrlError(
      `--redis ${redactUrl(url)}: must start with redis:// or rediss:// (e.g. redis://127.0.0.1:6379)`,
    );
  const db = Number(u.pathname.replace(/^\//, '') || 0);
  if (!Number.isInteger(db) || db < 0)
    throw new RedisUrlError(`--redis ${redactUrl(url)}: the database must be a number (/0, /1 …)`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(u.port || 6379),
    username: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
    db,
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
  };
}

/** BullMQ's connection options for a --redis URL: commands wait while Redis is away. */
export function bullConnection(url: string): BullRedisOptions {
  const o = redisOptions(url);
  return {
    host: o.host,
    port: o.port,
    username: o.username,
    password: o.password,
    db: o.db,
    ...(o.tls ? { tls: o.tls } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
  };
}

/**
 * A connection that keeps trying while Redis is away (commands wait for it): used once
 * `probeRedis` has shown Redis is there.
 */
export function connectRedis(url: string, name: string): Redis {
  return new Redis({
    ...redisOptions(url),
    connectionName: name,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
}

/** Connects once (a few seconds at most) and answers PING; throws RedisUrlError naming --redis. */
export async function probeRedis(url: string): Promise<void> {
  const opts = redisOptions(url);
  const client = new Redis({
    ...opts,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 3000,
    connectionName: 'peakline-probe',
  });
  let first: Error | null = null;
  client.on('error', (e: Error) => (first ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    // ioredis rejects with "Connection is closed."; the socket's error says why
    let why = (first ?? (e instanceof Error ? e : new Error(String(e)))).message;
    if (opts.password) why = why.split(opts.password).join('***');
    throw new RedisUrlError(`--redis ${redactUrl(url)}: cannot reach Redis (${why})`);
  } finally {
    client.disconnect();
  }
}
