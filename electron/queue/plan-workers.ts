// The console's plans on `peakline worker` processes: the PlanWorkersExecutor that the shells give
// the API handler (`plan:run` with `redis`, `plan:workers`). The points go to the same BullMQ queue
// as `peakline plan --redis` (QueuePool), so the same workers serve both and the answer is the
// CLI's. BullMQ (and the plan service) load on the first use. A Redis that cannot be reached is a PlanRequestError
// `redis: …` (the handler answers `unavailable`), with the URL but never its password.
import type { PlanWorkersExecutor } from '../plan/service';
import { bullConnection, probeRedis, QUEUE_NAME, QUEUE_PREFIX, RedisUrlError } from './protocol';

/** A Redis that cannot be reached as the console's request error (loaded with the plan service). */
async function asRequestError(e: unknown): Promise<unknown> {
  if (!(e instanceof RedisUrlError)) return e;
  const { PlanRequestError } = await import('../plan/service');
  return new PlanRequestError(`redis: ${e.message.replace(/^--redis /, '')}`);
}

export const planWorkers: PlanWorkersExecutor = {
  async connected(redis) {
    try {
      await probeRedis(redis);
    } catch (e) {
      throw await asRequestError(e);
    }
    const { Queue } = await import('bullmq');
    const q = new Queue(QUEUE_NAME, { connection: bullConnection(redis), prefix: QUEUE_PREFIX });
    q.on('error', () => {});
    try {
      return await q.getWorkersCount();
    } finally {
      await q.close();
    }
  },
  async open(redis, scenario, paths) {
    const { QueuePool } = await import('./executor');
    let pool;
    try {
      pool = await QueuePool.open(
        { scenario, vary: [...paths, 'seed'].map((path) => ({ path, values: [] })) },
        { redis },
      );
    } catch (e) {
      throw await asRequestError(e);
    }
    const q = pool;
    return {
      run: (values, seed) => q.run([...values, seed]),
      close: () => q.close(),
      workers: () => q.workerCount,
    };
  },
};
