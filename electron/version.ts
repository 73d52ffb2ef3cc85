// The package's version, as package.json says: `peakline --version` and the web console's
// `app:info` (the desktop shell asks Electron, which reads the same file).
import { readFileSync } from 'node:fs';

/** The version in package.json ("0.0.0" when it cannot be read). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}
