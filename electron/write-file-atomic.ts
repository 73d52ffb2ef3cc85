// Atomic file writes for everything the Node side keeps on disk (profiles, the desktop's recent
// list, window state, remembered passwords, exports): a crash leaves the old file or the new one.
import { promises as fs, constants as fsc } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/**
 * Writes `data` to `file` atomically: a temporary file in the same folder, fsync, rename over the
 * target, fsync of the folder. A crash leaves either the old file or the new one, never half.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const fh = await fs.open(tmp, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  try {
    const dh = await fs.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Some platforms (Windows) cannot fsync a folder; the rename is still atomic there.
  }
}

/** Temporary files of writeFileAtomic: `.NAME.PID.HEX.tmp`. */
const TEMP = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/** Whether process `pid` is alive on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what writes cut short by a crash (kill -9, power loss) left in `dir`: writeFileAtomic's
 * temporary files older than `maxAgeMs` whose writing process is gone. A write in progress (its
 * process alive, or the file recent) is left alone. Returns how many were removed.
 */
export async function removeStaleTemp(dir: string, maxAgeMs = 60_000): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  const now = Date.now();
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const file = path.join(dir, name);
    try {
      const st = await fs.stat(file);
      if (!st.isFile() || now - st.mtimeMs < maxAgeMs) continue;
      await fs.rm(file, { force: true });
      removed++;
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}
