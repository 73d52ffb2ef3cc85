// The File ▸ Recent profiles list: the last profiles loaded or saved, newest first, kept in a
// small JSON file in the user data folder.
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../write-file-atomic';

const RecentSchema = z.array(
  z.object({ name: z.string().min(1), source: z.enum(['user', 'shipped']) }),
);
export type RecentProfile = z.infer<typeof RecentSchema>[number];

/** Recent profiles, persisted. */
export class RecentProfiles {
  private items: RecentProfile[] = [];
  constructor(
    private readonly file: string,
    private readonly max = 10,
  ) {}

  /** Reads the list (a missing or damaged file is an empty list). */
  async load(): Promise<RecentProfile[]> {
    try {
      const r = RecentSchema.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      this.items = r.success ? r.data.slice(0, this.max) : [];
    } catch {
      this.items = [];
    }
    return this.list();
  }

  /** The list, newest first. */
  list(): RecentProfile[] {
    return this.items.map((i) => ({ ...i }));
  }

  /** Puts a profile first (once) and saves the list. */
  async add(item: RecentProfile): Promise<RecentProfile[]> {
    this.items = [
      item,
      ...this.items.filter((i) => !(i.name === item.name && i.source === item.source)),
    ].slice(0, this.max);
    await writeFileAtomic(this.file, `${JSON.stringify(this.items, null, 2)}\n`);
    return this.list();
  }
}
