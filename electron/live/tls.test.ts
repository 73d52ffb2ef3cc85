// Redis over TLS (rediss://) against a real redis-server with a certificate signed by a CA made
// here with openssl: verified with the CA file, refused without it (the reason says why), and
// accepted unverified only when skip-verify is asked for.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveService } from './service';
import { freePort, nextSample, parsed, RedisProcess, removeDir } from './testing';

const run = promisify(execFile);

describe('a Redis served over TLS', () => {
  let dir: string;
  let redis: RedisProcess;
  let svc: LiveService;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-tls-'));
    const f = (n: string) => path.join(dir, n);
    writeFileSync(f('san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=Peakline Test CA',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
    ]);
    await run('openssl', [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      f('server.key'),
      '-out',
      f('server.csr'),
    ]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      f('server.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f('san.cnf'),
      '-out',
      f('server.crt'),
    ]);
    const port = await freePort();
    redis = new RedisProcess(port, dir, [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      f('server.crt'),
      '--tls-key-file',
      f('server.key'),
      '--tls-ca-cert-file',
      f('ca.crt'),
      '--tls-auth-clients',
      'no',
    ]);
    await redis.start();
    url = `rediss://127.0.0.1:${port}`;
    svc = new LiveService();
  });

  afterAll(async () => {
    await svc?.close();
    await redis?.stop();
    if (dir) removeDir(dir);
  });

  it('connects when the certificate verifies against the given CA file', async () => {
    const { id } = svc.connect(
      parsed('live:connect', { kind: 'redis', url, tls: { ca_file: path.join(dir, 'ca.crt') } }),
    );
    const s = await nextSample(svc, (x) => x.id === id && x.status !== 'connecting');
    expect(s.status).toBe('up');
    expect(s.metrics.connected_clients).toBeGreaterThanOrEqual(1);
    expect(s.source).toBe(url);
  });

  it('refuses an unverified certificate and says why', async () => {
    const { id } = svc.connect(parsed('live:connect', { kind: 'redis', url }));
    const s = await nextSample(svc, (x) => x.id === id && x.status !== 'connecting');
    expect(s.status).toBe('down');
    expect(s.error).toMatch(/certificate|self[- ]signed|unable to verify/i);
  });

  it('skips verification only when asked', async () => {
    const { id } = svc.connect(
      parsed('live:connect', { kind: 'redis', url, tls: { insecure_skip_verify: true } }),
    );
    const s = await nextSample(svc, (x) => x.id === id && x.status !== 'connecting');
    expect(s.status).toBe('up');
  });
});
