import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventList } from './engine';
import { Rng } from './random';

/** The obvious event list: a linear scan for the least (time, priority, seq). */
class Reference {
  private readonly ev: [number, number, number, number][] = []; // time, priority, seq, id
  private seq = 0;
  get size(): number {
    return this.ev.length;
  }
  push(time: number, priority: number, id: number): void {
    this.ev.push([time, priority, this.seq++, id]);
  }
  private least(): number {
    let m = 0;
    for (let i = 1; i < this.ev.length; i++) {
      const a = this.ev[i];
      const b = this.ev[m];
      if (a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) m = i;
    }
    return m;
  }
  peekTime(): number {
    return this.ev.length > 0 ? this.ev[this.least()][0] : Infinity;
  }
  pop(): [number, number] {
    const m = this.least();
    const e = this.ev[m];
    this.ev[m] = this.ev[this.ev.length - 1];
    this.ev.pop();
    return [e[0], e[3]];
  }
}

/** How a stream picks the delay of the next event after the current time. */
interface Phase {
  ops: number; // operations in this phase
  pushBias: number; // probability that an operation is a push (the rest pop)
  scale: number; // mean delay
  far: number; // probability of a delay 10^3–10^6 × scale (overflow, big jumps)
  zero: number; // probability of a delay of 0 (ties at the current time)
  grid: number; // probability of a time on a coarse grid (ties at later times)
  control: number; // probability of priority 0 (else 1)
}

/**
 * Drives an EventList and the reference with the same stream and compares every peek and pop
 * (time and payload): the order must be exactly (time, priority, first in first out).
 */
function runStream(seed: number, phases: Phase[], capacity = 2): { pops: number; widths: number } {
  const r = new Rng(seed, 3);
  const ev = new EventList(capacity);
  const ref = new Reference();
  const widths = new Set<number>(); // bucket widths seen (1/Δ; 0 = plain heap)
  let now = 0;
  let id = 0;
  let pops = 0;
  const fail = (what: string, got: unknown, want: unknown): never => {
    throw new Error(`seed ${seed}, pop ${pops}: ${what} ${String(got)}, want ${String(want)}`);
  };
  const popBoth = (): void => {
    if (ev.peekTime() !== ref.peekTime()) fail('peekTime', ev.peekTime(), ref.peekTime());
    if (!ev.pop()) fail('pop', false, true);
    const [t, want] = ref.pop();
    const got = ev.payload * 16 + ev.kind;
    if (ev.time !== t || got !== want) fail('(time, id)', [ev.time, got], [t, want]);
    now = t;
    pops++;
    widths.add((ev as unknown as { inv: number }).inv);
  };
  for (const ph of phases) {
    for (let o = 0; o < ph.ops; o++) {
      if (ref.size === 0 || r.float() < ph.pushBias) {
        const u = r.float();
        let t: number;
        if (u < ph.zero) t = now;
        else if (u < ph.zero + ph.far) t = now + ph.scale * 10 ** (3 + 3 * r.float());
        else if (u < ph.zero + ph.far + ph.grid)
          t = Math.ceil(now / ph.scale + 3 * r.float()) * ph.scale;
        else t = now - ph.scale * Math.log(1 - r.float());
        const pri = r.float() < ph.control ? 0 : 1;
        ev.push(t, id & 15, id >>> 4, pri);
        ref.push(t, pri, id);
        id = (id + 1) % (1 << 27);
      } else popBoth();
      if (ev.size !== ref.size) fail('size', ev.size, ref.size);
    }
  }
  while (ref.size > 0) popBoth();
  expect(ev.pop()).toBe(false);
  expect(ev.peekTime()).toBe(Infinity);
  widths.delete(0);
  return { pops, widths: widths.size };
}

const steady = (o: Partial<Phase>): Phase => ({
  ops: 20_000,
  pushBias: 0.5,
  scale: 1,
  far: 0.002,
  zero: 0.01,
  grid: 0.05,
  control: 0.05,
  ...o,
});

describe('event list', () => {
  it('pops in time order, then priority, then first-in first-out', () => {
    const ev = new EventList(2); // grows
    ev.push(5, 1, 0, 0);
    ev.push(1, 2, 0, 0);
    ev.push(5, 3, 0, 1);
    ev.push(5, 4, 0, 0);
    ev.push(3, 5, 0, 0);
    ev.push(5, 6, 0, 0);
    const kinds: number[] = [];
    while (ev.pop()) kinds.push(ev.kind);
    expect(kinds).toEqual([2, 5, 1, 4, 6, 3]);
  });

  it('sorts many random events exactly like a stable sort', () => {
    const r = new Rng(1, 1);
    const ev = new EventList(16);
    const items: [number, number][] = [];
    for (let i = 0; i < 20_000; i++) {
      const t = Math.floor(r.float() * 1000);
      items.push([t, i]);
      ev.push(t, 0, i, 0);
    }
    const out: number[] = [];
    while (ev.pop()) out.push(ev.payload);
    expect(out).toEqual([...items].sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[1]));
  });
});

describe('event list: calendar tiers against a reference', () => {
  it('keeps the exact order through growth, ring mode, overflow and retuning', () => {
    // grow to ~400 events, hold (ring mode after a few thousand pops), speed up 100× and slow
    // down 1000× (the bucket width is retuned both ways), then drain
    const { pops, widths } = runStream(1, [
      steady({ ops: 2_000, pushBias: 0.6 }),
      steady({ ops: 60_000 }),
      steady({ ops: 30_000, scale: 0.01 }),
      steady({ ops: 30_000, scale: 10 }),
      steady({ ops: 8_000, pushBias: 0.2 }),
    ]);
    expect(pops).toBeGreaterThan(50_000);
    expect(widths).toBeGreaterThanOrEqual(3); // ring mode, retuned at least twice
  });

  it('orders ties across priorities, at the current time and in later buckets', () => {
    const { widths } = runStream(2, [
      steady({ ops: 4_000, pushBias: 0.55 }),
      steady({ ops: 40_000, zero: 0.3, grid: 0.4, control: 0.5 }),
    ]);
    expect(widths).toBeGreaterThanOrEqual(1);
  });

  it('handles big jumps in time: only far events left, and a sparse stream', () => {
    runStream(3, [
      steady({ ops: 30_000 }),
      steady({ ops: 20_000, far: 0.5 }),
      steady({ ops: 20_000, pushBias: 0.3, far: 0.3 }),
      steady({ ops: 30_000, pushBias: 0.51 }),
    ]);
  });

  it('accepts events earlier than the current bucket (after a peek moved ahead)', () => {
    const ev = new EventList(4);
    const ref = new Reference();
    let id = 0;
    const push = (t: number, pri = 1): void => {
      ev.push(t, id & 15, id >>> 4, pri);
      ref.push(t, pri, id++);
    };
    const check = (): void => {
      expect(ev.peekTime()).toBe(ref.peekTime());
      ev.pop();
      const [t, want] = ref.pop();
      expect([ev.time, ev.payload * 16 + ev.kind]).toEqual([t, want]);
    };
    // ring mode: keep ~100 events at unit spacing for many pops
    for (let i = 0; i < 100; i++) push(i);
    for (let i = 100; i < 20_000; i++) {
      push(i);
      check();
    }
    // the next events are far ahead: peek moves the current bucket there; then earlier ones come
    while (ref.size > 0) check();
    push(1e6);
    push(1e6 + 50);
    expect(ev.peekTime()).toBe(1e6);
    push(30_000); // earlier than the current bucket
    push(1e6 - 0.5, 0);
    push(1e6, 0); // same time, lower priority value: first
    push(1e6 + 1);
    while (ref.size > 0) check();
  });

  it('copes with infinite times and clear()', () => {
    const ev = new EventList(2);
    for (let i = 0; i < 5_000; i++) ev.push(i, 1, i, 1);
    for (let i = 0; i < 4_500; i++) {
      ev.pop();
      ev.push(5_000 + i, 1, i, 1);
    }
    ev.push(Infinity, 2, 1, 1);
    ev.push(Infinity, 2, 0, 0);
    ev.push(-Infinity, 3, 0, 1);
    ev.pop();
    expect([ev.time, ev.kind]).toEqual([-Infinity, 3]);
    let last = -Infinity;
    let n = 0;
    while (ev.peekTime() < Infinity) {
      ev.pop();
      expect(ev.time).toBeGreaterThanOrEqual(last);
      last = ev.time;
      n++;
    }
    expect(n).toBe(5_000);
    ev.push(7, 4, 0, 1); // a finite event after the infinite ones reached the front
    ev.pop();
    expect([ev.time, ev.kind]).toEqual([7, 4]);
    ev.pop();
    expect([ev.time, ev.kind, ev.payload]).toEqual([Infinity, 2, 0]); // priority 0 first
    ev.pop();
    expect([ev.time, ev.kind, ev.payload]).toEqual([Infinity, 2, 1]);
    expect(ev.pop()).toBe(false);
    for (let i = 0; i < 100; i++) ev.push(i, 1, i, 1);
    ev.clear();
    expect(ev.size).toBe(0);
    expect(ev.pop()).toBe(false);
    ev.push(3, 1, 0, 1);
    ev.push(2, 5, 0, 1);
    ev.pop();
    expect(ev.kind).toBe(5);
  });

  it('matches the reference on random streams (property)', () => {
    const phase = fc.record({
      ops: fc.integer({ min: 1, max: 10_000 }),
      pushBias: fc.double({ min: 0.3, max: 0.7, noNaN: true }),
      scale: fc.constantFrom(1e-6, 0.001, 0.3, 1, 7, 1e4),
      far: fc.double({ min: 0, max: 0.2, noNaN: true }),
      zero: fc.double({ min: 0, max: 0.3, noNaN: true }),
      grid: fc.double({ min: 0, max: 0.3, noNaN: true }),
      control: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.array(phase, { minLength: 1, maxLength: 4 }),
        (seed, phases) => {
          runStream(seed, phases);
        },
      ),
      { numRuns: 25, seed: 20261124 },
    );
  }, 60_000);
});
