// Atomic writes: the new content replaces the old in one step, and a failed write leaves no
// temporary file behind.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './write-file-atomic';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'peakline-atomic-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

it('writes atomically: no temporary file is left and the old content survives a failed write', async () => {
  const file = path.join(root, 'a.json');
  await writeFileAtomic(file, 'one');
  await writeFileAtomic(file, 'two');
  expect(await readFile(file, 'utf8')).toBe('two');
  expect(await readdir(root)).toEqual(['a.json']);
  await mkdir(path.join(root, 'dir.json'));
  await expect(writeFileAtomic(path.join(root, 'dir.json'), 'x')).rejects.toThrow();
  expect((await readdir(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});
