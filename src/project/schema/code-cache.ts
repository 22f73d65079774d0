import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * The build's precompiled schema validator is 750 KB of JavaScript: V8 spends ~40 ms of every
 * command's start-up parsing it and compiling the one big function on first use. The build also
 * writes V8's code cache for it (after a few validations, so the compiled function is in it), and
 * this loads the file through that cache. V8 checks the cache against the source and its own
 * version and flags: a stale or foreign cache is simply not used (then it compiles as `require`
 * would). The build (scripts/compile-schema.mjs) and the loader share `wrap`, as the cache is
 * keyed by the exact source.
 */

/** A CommonJS file's source as Node's loader wraps it. */
export function wrap(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

type ModuleFunction = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

function run(script: Script, file: string): unknown {
  const module = { exports: {} as unknown };
  (script.runInThisContext() as ModuleFunction)(
    module.exports,
    createRequire(file),
    module,
    file,
    dirname(file),
  );
  return module.exports;
}

/** `require(file)` through the code cache beside it; undefined when there is no cache. */
export function requireWithCodeCache(file: string, cacheFile: string): unknown {
  let cachedData: Buffer;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  return run(new Script(wrap(readFileSync(file, 'utf8')), { filename: file, cachedData }), file);
}

/** For the build: loads `file`, lets `warm` use what it exports, and returns V8's code cache. */
export function makeCodeCache(file: string, warm: (exports: unknown) => void): Buffer {
  const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file });
  warm(run(script, file));
  return script.createCachedData();
}
