// Remembered passwords on the desktop: the SecretStore keeps `{ id: base64(encrypted) }` in a
// file under the user data folder, encrypted by an injected cipher — here real AES-256-GCM from
// node:crypto with a random key, standing in for Electron's safeStorage. The password never
// appears in the file; a damaged file or entry is reported, not crashed on; and the live
// requests, made through the API handler as the desktop's window makes them, connect a
// password-protected redis-server from a remembered password, while the web console's service
// (no store) never offers to remember one.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReplyOf, RequestChannel, RequestOf } from '../api/contract';
import { ApiError } from '../api/errors';
import { createApiHandler } from '../api/handler';
import { LiveService } from '../live/service';
import { ProfileStore } from '../profiles/store';
import { nextSample, removeDir, startRedis, type RedisProcess } from '../live/testing';
import { keyStoreEncryptor, SecretStore, SecretStoreError, type Encryptor } from './secrets';

const PASSWORD = 'Desk-t0p-Secret-7c1e!';

/** AES-256-GCM with a random key: iv (12) | tag (16) | ciphertext. */
function aesGcm(available = true): Encryptor {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => available,
    encryptString(s) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(s, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(b) {
      const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
      d.setAuthTag(b.subarray(12, 28));
      return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-secrets-'));
  file = path.join(dir, 'live-secrets.json');
  return () => removeDir(dir);
});

describe('SecretStore', () => {
  it('remembers a password encrypted, and the file never holds it in plain text', async () => {
    const store = new SecretStore(file, aesGcm());
    expect(store.canRemember()).toBe(true);
    await store.set('conn-1', PASSWORD);
    await store.set('conn-2', 'another-pw');
    const text = readFileSync(file, 'utf8');
    const json = JSON.parse(text) as Record<string, string>;
    expect(Object.keys(json).sort()).toEqual(['conn-1', 'conn-2']);
    expect(json['conn-1']).toMatch(/^[A-Za-z0-9+/]+=*$/);
    for (const needle of [
      PASSWORD,
      Buffer.from(PASSWORD).toString('base64'),
      Buffer.from(PASSWORD).toString('hex'),
    ])
      expect(text).not.toContain(needle);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Written atomically: no temporary file is left beside it.
    expect(readdirSync(dir)).toEqual(['live-secrets.json']);
    // A new store (the next app start) with the same key reads it back.
    expect(await store.get('conn-1')).toBe(PASSWORD);
    expect(await store.get('conn-2')).toBe('another-pw');
    expect(await store.get('conn-3')).toBeNull();
  });

  it('forgets one password and keeps the others', async () => {
    const store = new SecretStore(file, aesGcm());
    await Promise.all([store.set('a', 'pw-a'), store.set('b', 'pw-b'), store.set('c', 'pw-c')]);
    expect(await store.delete('b')).toBe(true);
    expect(await store.delete('b')).toBe(false);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object).sort()).toEqual([
      'a',
      'c',
    ]);
    expect(await store.get('a')).toBe('pw-a');
  });

  it('reports a damaged file instead of crashing, and starts over (keeping it) on the next save', async () => {
    const store = new SecretStore(file, aesGcm());
    writeFileSync(file, '{"conn-1": "AAAA", oops');
    await expect(store.get('conn-1')).rejects.toThrow(SecretStoreError);
    await expect(store.get('conn-1')).rejects.toThrow(
      `the password file ${file} is damaged (not JSON)`,
    );
    writeFileSync(file, JSON.stringify({ 'conn-1': 42 }));
    await expect(store.get('conn-1')).rejects.toThrow(/is damaged \(conn-1: .*\)/);
    await store.set('conn-2', PASSWORD);
    expect(readFileSync(`${file}.corrupt`, 'utf8')).toBe(JSON.stringify({ 'conn-1': 42 }));
    expect(await store.get('conn-2')).toBe(PASSWORD);
    expect(await store.get('conn-1')).toBeNull();
  });

  it('reports an entry that does not decrypt (tampered, or another key) by its id', async () => {
    await new SecretStore(file, aesGcm()).set('conn-1', PASSWORD);
    // Another key: what a different OS user or a reset keychain looks like.
    const other = new SecretStore(file, aesGcm());
    const err = await other.get('conn-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretStoreError);
    expect((err as SecretStoreError).code).toBe('undecryptable');
    expect((err as Error).message).toContain('connection conn-1');
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it('refuses to remember without an OS key store, and refuses bad ids', async () => {
    const store = new SecretStore(file, aesGcm(false));
    expect(store.canRemember()).toBe(false);
    await expect(store.set('conn-1', PASSWORD)).rejects.toThrow(/cannot encrypt passwords/);
    expect(readdirSync(dir)).toEqual([]);
    const ok = new SecretStore(file, aesGcm());
    await expect(ok.set('../etc/passwd', PASSWORD)).rejects.toThrow(/id must be 1–64 letters/);
    await expect(ok.set('conn-1', '')).rejects.toThrow('password must not be empty');
  });
});

describe('keyStoreEncryptor (safeStorage)', () => {
  it("does not count Linux's basic_text fallback as an OS key store", async () => {
    const withBackend = (backend: string) => ({
      ...aesGcm(),
      getSelectedStorageBackend: () => backend,
    });
    const linux = (b: string) => keyStoreEncryptor(withBackend(b), 'linux').isEncryptionAvailable();
    expect(linux('gnome_libsecret')).toBe(true);
    expect(linux('kwallet6')).toBe(true);
    expect(linux('basic_text')).toBe(false);
    expect(linux('unknown')).toBe(false);
    expect(keyStoreEncryptor(withBackend('basic_text'), 'darwin').isEncryptionAvailable()).toBe(
      true,
    );
    expect(keyStoreEncryptor(aesGcm(false), 'win32').isEncryptionAvailable()).toBe(false);
    const store = new SecretStore(file, keyStoreEncryptor(withBackend('basic_text'), 'linux'));
    expect(store.canRemember()).toBe(false);
    await expect(store.set('conn-1', PASSWORD)).rejects.toThrow(/cannot encrypt passwords/);
    const ok = new SecretStore(file, keyStoreEncryptor(withBackend('kwallet5'), 'linux'));
    await ok.set('conn-1', PASSWORD);
    expect(await ok.get('conn-1')).toBe(PASSWORD);
  });
});

/** The API as a window calls it, over `svc`: the reply, or the refusal as an ApiError. */
function windowApi(svc: LiveService) {
  const handler = createApiHandler({
    shell: 'electron',
    version: '0.0.0',
    store: new ProfileStore({ userDir: path.join(dir, 'profiles') }),
    live: svc,
  });
  const ctx = { emit: () => undefined };
  return async <C extends RequestChannel>(channel: C, payload: RequestOf<C>) => {
    const r = await handler.handle(channel, payload, ctx);
    if (!r.ok) throw new ApiError(r.error.code, r.error.message);
    return r.result as ReplyOf<C>;
  };
}

describe('remembered passwords in the live service', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis(['--requirepass', PASSWORD]);
  });
  afterAll(async () => {
    await redis?.stop();
    if (redis) removeDir(redis.dir);
  });

  it('on the desktop: saves the password encrypted and connects from it alone', async () => {
    const store = new SecretStore(file, aesGcm());
    const svc = new LiveService({ recordingsDir: path.join(dir, 'rec'), passwords: store });
    const api = windowApi(svc);
    try {
      expect(await api('live:secrets', {})).toEqual({ can_remember: true });
      await api('live:secret:save', { id: 'saved-1', password: PASSWORD });
      expect(readFileSync(file, 'utf8')).not.toContain(PASSWORD);
      const { id } = await api('live:connect', {
        kind: 'redis',
        url: `redis://127.0.0.1:${redis.port}`,
        secret_id: 'saved-1',
      });
      const s = await nextSample(svc, (x) => x.id === id && x.status === 'up');
      expect(s.metrics.connected_clients).toBeGreaterThanOrEqual(1);
      const info = (await api('live:list', {})).sources.find((x) => x.id === id)!;
      expect(info.has_password).toBe(true);
      expect(JSON.stringify(info)).not.toContain(PASSWORD);
      // A saved connection whose password was never remembered (or was forgotten) says so.
      expect(await api('live:secret:forget', { id: 'saved-1' })).toEqual({
        forgotten: true,
      });
      await expect(
        api('live:connect', {
          kind: 'redis',
          url: `redis://127.0.0.1:${redis.port}`,
          secret_id: 'saved-1',
        }),
      ).rejects.toThrow('no password is remembered for saved connection saved-1');
      // A damaged password file is an error for this request, and the service goes on.
      writeFileSync(file, 'not json');
      const err = await api('live:connect', {
        kind: 'redis',
        url: `redis://127.0.0.1:${redis.port}`,
        secret_id: 'saved-1',
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('unavailable');
      expect((err as Error).message).toMatch(/^live:connect: the password file .* is damaged/);
      expect((await api('live:list', {})).sources.map((x) => x.state)).toEqual(['up']);
    } finally {
      await svc.close();
    }
  });

  it('in the web console: never offers to remember and keeps no file', async () => {
    const svc = new LiveService({ recordingsDir: path.join(dir, 'rec') });
    const api = windowApi(svc);
    try {
      expect(await api('live:secrets', undefined)).toEqual({ can_remember: false });
      const err = await api('live:secret:save', { id: 'saved-1', password: PASSWORD }).catch(
        (e: unknown) => e,
      );
      expect((err as ApiError).code).toBe('unavailable');
      expect((err as Error).message).toMatch(/cannot remember passwords/);
      expect((err as Error).message).not.toContain(PASSWORD);
      await expect(
        api('live:connect', {
          kind: 'redis',
          url: `redis://127.0.0.1:${redis.port}`,
          secret_id: 'saved-1',
        }),
      ).rejects.toThrow(/cannot remember passwords/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await svc.close();
    }
  });
});
