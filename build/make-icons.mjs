#!/usr/bin/env node
// Draws the Peakline icon (a rising line with a peak over a dark rounded square) in plain Node and
// writes build/icon.png (1024 px), build/icons/<size>x<size>.png (Linux), build/icon.ico (Windows)
// and build/icon.icns (macOS). No image tools needed: PNG via zlib; ICO and ICNS hold PNGs.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));

// --- PNG -------------------------------------------------------------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** Encodes RGBA pixels as a PNG. */
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- Drawing ---------------------------------------------------------------------------------
// The line, in unit coordinates (0..1, y down): calm, a climb, the peak, a settle.
const LINE = [
  [0.16, 0.7],
  [0.3, 0.64],
  [0.42, 0.68],
  [0.55, 0.3],
  [0.64, 0.52],
  [0.74, 0.45],
  [0.86, 0.5],
];
function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
function lineYAt(x) {
  for (let i = 1; i < LINE.length; i++) {
    const [ax, ay] = LINE[i - 1];
    const [bx, by] = LINE[i];
    if (x >= ax && x <= bx) return ay + ((x - ax) / (bx - ax)) * (by - ay);
  }
  return null;
}
function insideRoundedSquare(x, y) {
  const m = 0.06; // margin
  const r = 0.2; // corner radius
  const cx = Math.min(Math.max(x, m + r), 1 - m - r);
  const cy = Math.min(Math.max(y, m + r), 1 - m - r);
  return Math.hypot(x - cx, y - cy) <= r && x >= m && x <= 1 - m && y >= m && y <= 1 - m;
}
const mix = (a, b, t) => a + (b - a) * t;

/** The colour (premultiplied-free RGBA 0..1) at a unit point. */
function shade(x, y) {
  if (!insideRoundedSquare(x, y)) return [0, 0, 0, 0];
  // Background: navy to indigo, top to bottom.
  let r = mix(0.06, 0.12, y);
  let g = mix(0.09, 0.16, y);
  let b = mix(0.16, 0.36, y);
  // Grid lines, faint.
  for (const gy of [0.35, 0.5, 0.65, 0.8])
    if (Math.abs(y - gy) < 0.004 && x > 0.14 && x < 0.88)
      [r, g, b] = [r + 0.05, g + 0.06, b + 0.08];
  // Area under the line.
  const ly = lineYAt(x);
  if (ly !== null && y > ly && y < 0.82) {
    const t = 0.35 * (1 - (y - ly) / (0.82 - ly));
    r = mix(r, 0.13, t);
    g = mix(g, 0.83, t);
    b = mix(b, 0.93, t);
  }
  // The line: cyan, the peak segment amber.
  let d = Infinity;
  let peak = false;
  for (let i = 1; i < LINE.length; i++) {
    const di = distToSegment(x, y, LINE[i - 1], LINE[i]);
    if (di < d) {
      d = di;
      peak = i === 3 || i === 4;
    }
  }
  if (d < 0.032) return peak ? [0.98, 0.66, 0.15, 1] : [0.13, 0.83, 0.93, 1];
  // The peak marker.
  if (Math.hypot(x - 0.55, y - 0.3) < 0.055) return [0.98, 0.66, 0.15, 1];
  return [r, g, b, 1];
}

/** Renders the icon at `size` px with 4×4 supersampling. */
function render(size) {
  const out = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < S; sy++)
        for (let sx = 0; sx < S; sx++) {
          const [cr, cg, cb, ca] = shade(
            (px + (sx + 0.5) / S) / size,
            (py + (sy + 0.5) / S) / size,
          );
          r += cr * ca;
          g += cg * ca;
          b += cb * ca;
          a += ca;
        }
      const i = (py * size + px) * 4;
      out[i] = a ? Math.round((255 * r) / a) : 0;
      out[i + 1] = a ? Math.round((255 * g) / a) : 0;
      out[i + 2] = a ? Math.round((255 * b) / a) : 0;
      out[i + 3] = Math.round((255 * a) / (S * S));
    }
  }
  return png(size, out);
}

// --- Containers ------------------------------------------------------------------------------
/** An ICO holding PNG images (Windows Vista and later read these). */
function ico(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const dir = images.map(({ size, data }) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    return e;
  });
  return Buffer.concat([header, ...dir, ...images.map((i) => i.data)]);
}
/** An ICNS holding PNG images (ic07 128, ic08 256, ic09 512, ic10 1024). */
function icns(images) {
  const types = { 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
  const entries = images.map(({ size, data }) => {
    const h = Buffer.alloc(8);
    h.write(types[size], 0, 'ascii');
    h.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([h, data]);
  });
  const body = Buffer.concat(entries);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'ascii');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const images = Object.fromEntries(sizes.map((s) => [s, render(s)]));
mkdirSync(path.join(here, 'icons'), { recursive: true });
writeFileSync(path.join(here, 'icon.png'), images[1024]);
for (const s of [16, 32, 48, 64, 128, 256, 512])
  writeFileSync(path.join(here, 'icons', `${s}x${s}.png`), images[s]);
writeFileSync(
  path.join(here, 'icon.ico'),
  ico([16, 24, 32, 48, 64, 128, 256].map((s) => ({ size: s, data: images[s] }))),
);
writeFileSync(
  path.join(here, 'icon.icns'),
  icns([128, 256, 512, 1024].map((s) => ({ size: s, data: images[s] }))),
);
console.log(`Wrote build/icon.png, build/icon.ico, build/icon.icns and build/icons/*.png`);
