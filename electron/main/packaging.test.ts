// The packaging set-up a release engineer relies on: electron-builder accepts the configuration
// (checked with its own schema validator), it targets AppImage, deb, dmg and NSIS, associates
// scenario files, and the icons it points at are real images of the sizes each platform wants.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const build = pkg.build;

/** Width and height of a PNG, from its IHDR chunk (throws when it is not a PNG). */
function pngSize(buf: Buffer): [number, number] {
  if (
    buf.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a' ||
    buf.subarray(12, 16).toString() !== 'IHDR'
  )
    throw new Error('not a PNG');
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

describe('packaging', () => {
  it('electron-builder accepts the configuration', async () => {
    const req = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
    const { validateConfiguration } = req('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = req('builder-util/out/DebugLogger.js');
    await expect(validateConfiguration(build, new DebugLogger(false))).resolves.toBeUndefined();
    // The validator does reject a wrong key, so the pass above means something.
    await expect(
      validateConfiguration({ ...build, linux: { colour: 'red' } }, new DebugLogger(false)),
    ).rejects.toThrow(/Invalid configuration object/);
  });

  it('builds AppImage, deb, dmg and NSIS from the compiled app: main, preload, UI, profiles', () => {
    expect(build.linux.target).toEqual(['AppImage', 'deb']);
    expect(build.mac.target).toEqual(['dmg']);
    expect(build.win.target).toEqual(['nsis']);
    // The build (run first by `npm run dist`) writes what the package points at.
    expect(pkg.scripts.dist).toBe('node build/build.mjs && electron-builder');
    expect(pkg.main).toBe('out/main/index.js');
    expect(existsSync(path.join(root, pkg.main))).toBe(true);
    expect(existsSync(path.join(root, 'out/preload/index.cjs'))).toBe(true);
    expect(existsSync(path.join(root, 'out/renderer/index.html'))).toBe(true);
    expect(build.files).toEqual([
      'package.json',
      'out/main/**/*',
      'out/preload/**/*',
      'out/renderer/**/*',
      '!out/**/*.map',
      'profiles/**/*',
      'build/icon.png',
    ]);
    // Nothing is transpiled at run time: no sources, no tsx, no Vite in the package.
    expect(pkg.dependencies).not.toHaveProperty('tsx');
    expect(pkg.dependencies).not.toHaveProperty('vite');
  });

  it('associates scenario files, with the same MIME type as the desktop entry', () => {
    const [assoc] = build.fileAssociations;
    expect(assoc).toMatchObject({
      ext: 'peakline.json',
      mimeType: 'application/x-peakline-scenario+json',
    });
    const desktop = readFileSync(path.join(root, 'build', 'peakline.desktop'), 'utf8');
    expect(desktop).toContain(`MimeType=${assoc.mimeType};`);
    expect(desktop).toMatch(/^Exec=peakline %F$/m);
  });

  it('ships real icons: 1024 px PNG, Linux sizes, an ICO and an ICNS of PNGs', () => {
    expect(pngSize(readFileSync(path.join(root, 'build', 'icon.png')))).toEqual([1024, 1024]);
    for (const s of [16, 32, 48, 64, 128, 256, 512])
      expect(pngSize(readFileSync(path.join(root, 'build', 'icons', `${s}x${s}.png`)))).toEqual([
        s,
        s,
      ]);
    const ico = readFileSync(path.join(root, build.win.icon));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    const sizes = Array.from({ length: count }, (_, i) => {
      const e = 6 + 16 * i;
      const img = ico.subarray(
        ico.readUInt32LE(e + 12),
        ico.readUInt32LE(e + 12) + ico.readUInt32LE(e + 8),
      );
      return pngSize(img)[0];
    });
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
    const icns = readFileSync(path.join(root, build.mac.icon));
    expect(icns.subarray(0, 4).toString()).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let off = 8; off < icns.length; off += icns.readUInt32BE(off + 4))
      types.push(icns.subarray(off, off + 4).toString());
    expect(types).toEqual(['ic07', 'ic08', 'ic09', 'ic10']);
    expect(readFileSync(path.join(root, build.mac.entitlements), 'utf8')).toContain(
      'com.apple.security.cs.allow-jit',
    );
  });
});
