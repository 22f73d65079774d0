import { readFileSync } from 'node:fs';
import { release } from 'node:os';

/**
 * Prints what oclif's `--version` prints (its `config.userAgent`), from package.json alone; false
 * (nothing printed) where oclif would say something else: it says `wsl` for WSL, and any other
 * unusual platform is left to it too. Its own module so that `orch --version` loads nothing else.
 */
export function printVersion(): boolean {
  if (process.platform !== 'linux' && process.platform !== 'darwin') return false;
  if (/microsoft/i.test(release())) return false;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  const arch = process.arch === 'ia32' ? 'x86' : process.arch;
  process.stdout.write(`${pkg.name}/${pkg.version} ${process.platform}-${arch} node-${process.version}\n`);
  return true;
}
