// What travels between a plan and its workers: a job's key names one replication of one
// configuration of one scenario (and nothing else), a result read back from its JSON is the
// result the worker made (NaN, infinities and -0 included, as a worker thread would carry it),
// and a --redis URL that cannot work is refused with a message naming --redis, never the password.
import { describe, expect, it } from 'vitest';
import { runPoint } from '../sweep/point';
import { decodeReply, encodeReply, jobId, redisOptions, scenarioHash } from './protocol';

const mmc = {
  schema: 'peakline.scenario/v1',
  name: 'M/M/1',
  seed: 1,
  duration_s: 2,
  warmup_s: 0,
  workload: { type: 'open', rate_rps: 50 },
  server: { concurrency: 1 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 5 } }],
};

describe('the queue protocol', () => {
  it('keys a job by scenario, configuration and seed', () => {
    const h = scenarioHash(mmc);
    const paths = ['server.concurrency', 'seed'];
    expect(jobId(h, paths, [2, 3])).toBe(jobId(scenarioHash({ ...mmc }), paths, [2, 3]));
    const others = [
      jobId(h, paths, [2, 4]), // the next replication
      jobId(h, paths, [3, 3]), // another configuration
      jobId(scenarioHash({ ...mmc, duration_s: 3 }), paths, [2, 3]), // another scenario
      jobId(h, ['server.instances', 'seed'], [2, 3]), // another field
    ];
    expect(new Set([jobId(h, paths, [2, 3]), ...others]).size).toBe(5);
    expect(jobId(h, paths, [2, 3])).not.toContain(':');
  });

  it('brings a result back as the worker made it', () => {
    const reply = runPoint({ scenario: mmc, vary: [] }, { index: 0, values: [] });
    expect(reply.ok).toBe(true);
    const odd = { ...reply, extra: [NaN, Infinity, -Infinity, -0, 0, 1.5] };
    const back = decodeReply(encodeReply(odd as typeof reply)) as typeof odd;
    expect(back).toEqual(structuredClone(odd));
    expect(Object.is(back.extra[3], -0)).toBe(true);
    expect(Number.isNaN(back.extra[0])).toBe(true);
    const bad = runPoint(
      { scenario: mmc, vary: [{ path: 'server.concurrency', values: [] }] },
      { index: 0, values: [0] },
    );
    expect(decodeReply(encodeReply(bad))).toEqual(bad);
  });

  it('refuses a --redis URL that cannot work, without its password', () => {
    expect(() => redisOptions('localhost:6379')).toThrow(
      /^--redis localhost:6379: must start with redis:\/\//,
    );
    expect(() => redisOptions('http://u:secret@h:1')).toThrow(
      /^--redis http:\/\/h:1: must start with redis:\/\//,
    );
    expect(() => redisOptions('http://u:secret@h:1')).not.toThrow(/secret/);
    expect(() => redisOptions('redis://h:1/x')).toThrow('the database must be a number');
    expect(redisOptions('rediss://u:p%40ss@db.example:6380/2')).toMatchObject({
      host: 'db.example',
      port: 6380,
      username: 'u',
      password: 'p@ss',
      db: 2,
      tls: { servername: 'db.example' },
    });
  });
});
