// Remembered passwords of saved live connections on the desktop: a JSON file
// `{ "<connection id>": "<base64 of the encrypted password>" }` under the user data folder,
// written atomically (0600), encrypted by an injected encryptor — Electron's `safeStorage` in the
// app, any reversible cipher in tests. No Electron import here. A file that does not parse or an
// entry that does not decrypt is reported as a SecretStoreError naming the file, never a crash;
// the next `set` keeps the damaged file beside it (`.corrupt`) and starts a fresh one.
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../write-file-atomic';
import { SavedConnectionIdSchema as SecretIdSchema } from '../live/contract';
import type { PasswordVault } from '../live/service';

/** The shape of Electron's `safeStorage` that the store needs. */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** Electron's `safeStorage` as far as the store looks at it (the backend exists on Linux only). */
export interface SafeStorageLike extends Encryptor {
  getSelectedStorageBackend?(): string;
}

/**
 * `safeStorage` as an Encryptor that also says "unavailable" on Linux when it fell back to
 * `basic_text` (a key hard-coded in Electron, not an OS key store) or cannot tell yet.
 */
export function keyStoreEncryptor(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): Encryptor {
  return {
    isEncryptionAvailable() {
      if (!safeStorage.isEncryptionAvailable()) return false;
      if (platform !== 'linux' || !safeStorage.getSelectedStorageBackend) return true;
      const backend = safeStorage.getSelectedStorageBackend();
      return backend !== 'basic_text' && backend !== 'unknown';
    },
    encryptString: (s) => safeStorage.encryptString(s),
    decryptString: (b) => safeStorage.decryptString(b),
  };
}

/** Why a remembered password could not be kept or read. */
export class SecretStoreError extends Error {
  constructor(
    readonly code: 'unavailable' | 'corrupt' | 'undecryptable' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

const FileSchema = z.record(SecretIdSchema, z.base64({ error: 'value must be base64' }));

/** Encrypted passwords by saved-connection id, in one file. */
export class SecretStore implements PasswordVault {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly encryptor: Encryptor,
  ) {}

  /** Whether passwords can be remembered here (the OS key store is usable). */
  canRemember(): boolean {
    try {
      return this.encryptor.isEncryptionAvailable();
    } catch {
      return false;
    }
  }

  /** Runs `op` after every earlier operation (one read-modify-write at a time). */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The entries on disk; an absent file is empty, a damaged one a `corrupt` error. */
  private async read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new SecretStoreError(
        'corrupt',
        `cannot read the password file ${this.file}: ${(e as Error).message}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SecretStoreError(
        'corrupt',
        `the password file ${this.file} is damaged (not JSON); remembered passwords must be entered again`,
      );
    }
    const r = FileSchema.safeParse(json);
    if (!r.success) {
      const where = r.error.issues[0];
      throw new SecretStoreError(
        'corrupt',
        `the password file ${this.file} is damaged (${where.path.join('.') || 'top level'}: ${where.message}); remembered passwords must be entered again`,
      );
    }
    return r.data;
  }

  private async write(entries: Record<string, string>): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify(entries, null, 2)}\n`);
    await fs.chmod(this.file, 0o600).catch(() => undefined);
  }

  /** Encrypts and keeps `password` for connection `id` (replacing any earlier one). */
  set(id: string, password: string): Promise<void> {
    return this.serial(async () => {
      const key = this.checkId(id);
      if (!password) throw new SecretStoreError('invalid', 'password must not be empty');
      if (!this.canRemember())
        throw new SecretStoreError(
          'unavailable',
          'this computer cannot encrypt passwords (no OS key store); the password is kept in memory only',
        );
      let entries: Record<string, string>;
      try {
        entries = await this.read();
      } catch (e) {
        if (!(e instanceof SecretStoreError && e.code === 'corrupt')) throw e;
        // Keep the damaged file for inspection and start over.
        await fs.rename(this.file, `${this.file}.corrupt`).catch(() => undefined);
        entries = {};
      }
      entries[key] = this.encryptor.encryptString(password).toString('base64');
      await this.write(entries);
    });
  }

  /** The password remembered for `id`, or null when there is none. */
  get(id: string): Promise<string | null> {
    return this.serial(async () => {
      const key = this.checkId(id);
      const value = (await this.read())[key];
      if (value === undefined) return null;
      if (!this.canRemember())
        throw new SecretStoreError(
          'unavailable',
          'this computer cannot decrypt remembered passwords now (OS key store unavailable)',
        );
      try {
        return this.encryptor.decryptString(Buffer.from(value, 'base64'));
      } catch (e) {
        throw new SecretStoreError(
          'undecryptable',
          `the remembered password of connection ${key} in ${this.file} cannot be decrypted (${(e as Error).message}); enter it again`,
        );
      }
    });
  }

  /** Forgets the password of `id`; true when there was one. A damaged file is replaced. */
  delete(id: string): Promise<boolean> {
    return this.serial(async () => {
      const key = this.checkId(id);
      let entries: Record<string, string>;
      try {
        entries = await this.read();
      } catch (e) {
        if (!(e instanceof SecretStoreError && e.code === 'corrupt')) throw e;
        await fs.rename(this.file, `${this.file}.corrupt`).catch(() => undefined);
        return false;
      }
      if (!(key in entries)) return false;
      delete entries[key];
      await this.write(entries);
      return true;
    });
  }

  private checkId(id: string): string {
    const r = SecretIdSchema.safeParse(id);
    if (!r.success) throw new SecretStoreError('invalid', r.error.issues[0].message);
    return r.data;
  }
}
