#!/usr/bin/env node
// oclif entry. `orch --version`, a plain `orch ps` and `orch logs` without --follow are answered
// without oclif's start-up when they can be: --version here from package.json alone, the others
// through the fast path built as one file (dist/cli/fast-path.bundle.cjs, see
// scripts/bundle-fast-path.mjs); everything else, and any doubt, goes to oclif.
//
// This file is CommonJS (bin/package.json says so) although the package is ES modules: an ES
// module entry starts Node's ES module loader, ~17 M instructions (+20%) for an empty script,
// and the fast path needs none of it. Measured with bench/cli and, steadier on a shared machine,
// instruction counts (valgrind --tool=callgrind): see README, Performance.
'use strict';
const { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

/**
 * What oclif's `--version` prints (its `config.userAgent`); false (nothing printed) where oclif
 * would say something else: `wsl` for WSL, and any other unusual platform is left to it too.
 */
function printVersion() {
  if (process.platform !== 'linux' && process.platform !== 'darwin') return false;
  if (/microsoft/i.test(require('node:os').release())) return false;
  const pkg = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8'));
  const arch = process.arch === 'ia32' ? 'x86' : process.arch;
  process.stdout.write(`${pkg.name}/${pkg.version} ${process.platform}-${arch} node-${process.version}\n`);
  return true;
}

/**
 * Runs the fast path's bundle as a vm.Script with V8's code cache: compiling the bundle was ~26 M
 * of the ~130 M instructions `orch ps` spent above Node's own start (Node 20 has no module
 * compile cache; `module.enableCompileCache` is Node 22). The cache is made after the first answer, so it holds
 * the functions that answer compiled too, and kept per user (XDG_CACHE_HOME or ~/.cache/orch),
 * named by the bundle's content id (its first line, written by the build) and Node's version:
 * V8 checks only the source's length. Any trouble with the cache only costs the compile.
 */
async function fastPath(argv) {
  const vm = require('node:vm');
  const file = join(__dirname, '../dist/cli/fast-path.bundle.cjs');
  const source = readFileSync(file, 'utf8');
  const id = /^\/\/ orch fast path (\w+)/.exec(source)?.[1];
  const home = process.env.XDG_CACHE_HOME || (process.env.HOME && join(process.env.HOME, '.cache'));
  const dir = id && home ? join(home, 'orch') : undefined;
  const name = `fast-path-${id}-${process.version}-${process.arch}.v8`;
  let cachedData;
  try {
    if (dir) cachedData = readFileSync(join(dir, name));
  } catch {
    // Not made yet.
  }
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __import) {${source}\n})`,
    { filename: file, cachedData },
  );
  // The bundle's import()s (what is off the happy path: the project loader, dockerode) come here,
  // resolved from the bundle's folder: a vm.Script's own import() needs Node's experimental loader.
  const bundleDir = join(__dirname, '../dist/cli');
  const load = (specifier) =>
    import(specifier.startsWith('.') ? pathToFileURL(join(bundleDir, specifier)).href : specifier);
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require, mod, file, bundleDir, load);
  const answered = await mod.exports.fastPath(argv);
  if (answered && dir && (cachedData === undefined || script.cachedDataRejected)) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Older builds' and Node versions' caches go: one is kept.
      for (const old of readdirSync(dir)) if (old.startsWith('fast-path-')) unlinkSync(join(dir, old));
      const tmp = join(dir, `${name}.${process.pid}.tmp`);
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, join(dir, name));
    } catch {
      // A read-only home only costs the next command the compile.
    }
  }
  return answered;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.length === 1 && argv[0] === '--version' && printVersion()) return;
  if ((argv[0] === 'ps' || argv[0] === 'logs') && (await fastPath(argv).catch(() => false))) return;
  // The subpath, not the package root: the root's index also loads help, semver and the rest (~20 ms).
  const { execute } = await import('@oclif/core/execute');
  await execute({ dir: join(__dirname, '..') });
}

void main();
