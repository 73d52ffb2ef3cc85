import { describe, expect, it } from 'vitest';
import { Environment, EventList } from './engine';
import { Rng } from './random';

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

describe('environment', () => {
  it('runs handlers in time order up to a horizon, SimPy-style', () => {
    const seen: [number, number][] = [];
    const env = new Environment((e, kind, payload) => {
      seen.push([e.now, payload]);
      if (kind === 0 && payload < 5) e.schedule(10, 0, payload + 1);
    });
    env.schedule(0, 0, 0);
    env.run(35);
    expect(seen).toEqual([
      [0, 0],
      [10, 1],
      [20, 2],
      [30, 3],
    ]);
    expect(env.now).toBe(35);
    expect(env.peek()).toBe(40);
    expect(env.step()).toBe(true);
    expect(env.now).toBe(40);
  });
});
