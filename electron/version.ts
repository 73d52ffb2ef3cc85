// The package's version, as package.json says: `peakline --version` and the web console's
// `app:info` (the desktop shell asks Electron, which reads the same file). Found by walking up
// from this module, so it reads the same file from the sources (electron/) and from the build
// (out/main/).
import { readFileSync } from 'node:fs';

/** The version in package.json ("0.0.0" when it cannot be read). */
export function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'peakline' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: one folder up
    }
  }
  return '0.0.0';
}
