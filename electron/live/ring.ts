// A bounded ring buffer: the newest `capacity` items, oldest first when read.

/** Fixed-capacity FIFO that overwrites its oldest item when full. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error('ring capacity must be >= 1');
    this.items = new Array<T | undefined>(capacity);
  }

  /** Number of items held. */
  get length(): number {
    return this.size;
  }

  /** Append, dropping the oldest item when full. */
  push(item: T): void {
    const end = (this.start + this.size) % this.capacity;
    this.items[end] = item;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Items oldest first, optionally only those `keep` accepts. */
  toArray(keep?: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) {
      const item = this.items[(this.start + i) % this.capacity] as T;
      if (!keep || keep(item)) out.push(item);
    }
    return out;
  }
}
