// Build step: dist/cli/fast-path.bundle.cjs, the code `orch ps` and `orch logs` run before oclif
// (dist/cli/fast-path.js and what it imports) as one CommonJS file. Why one file: Node 20 has no
// module compile cache, and resolving, reading and linking ~40 modules one by one was ~50 ms of
// `orch ps` on this project's machine; one file is read and parsed once. Why CommonJS: bin/run.js
// loads it as a vm.Script with V8's code cache (bin/run.js says why), which ES modules cannot use
// on Node 20, and CommonJS output requires each Node built-in where the module that needs it is
// first run, where an ES module would link every one of them (node:http, node:crypto, ...) before
// anything runs. It sits beside fast-path.js so that paths taken from import.meta.url (package.json,
// the loader's stamp) mean the same in both. Of what is imported lazily, only the cli layer's own
// modules (the fast path's steps) are bundled; the rest (the project loader with yaml and ajv,
// dockerode, tar for copied files) is off the happy path and stays a module of its own, loaded
// from dist/ or node_modules with import() if ever needed.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entry = `${dist}cli/fast-path.js`;

/**
 * The entry's dynamic imports and those of the cli layer's own modules (the fast path's lazy
 * steps) are bundled; any other stays external, as a path from the bundle.
 */
const lazyStaysOut = {
  name: 'lazy-stays-out',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import' || args.importer === entry) return undefined;
      if (!args.path.startsWith('.')) return { path: args.path, external: true };
      const target = resolve(dirname(args.importer), args.path);
      if (dirname(target) === `${dist}cli`) return undefined;
      return { path: `./${relative(`${dist}cli`, target)}`.replace(/^\.\/\.\.\//, '../'), external: true };
    });
  },
};

// The ES module bundle earlier builds made.
rmSync(`${dist}cli/fast-path.bundle.js`, { force: true });

const out = await build({
  entryPoints: [entry],
  outfile: `${dist}cli/fast-path.bundle.cjs`,
  write: false,
  metafile: true,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // CommonJS has no import.meta: the bundle's own URL stands in, as it did in the ES module bundle.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: '"use strict";\nvar __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [lazyStaysOut],
  logLevel: 'warning',
});

// bin/run.js runs the bundle as a vm.Script, where import() needs a loader of its own (Node 20's
// is experimental and warns): each external import() becomes a call of `__import`, which bin/run.js
// passes in.
const externalImports = Object.values(out.metafile.outputs)
  .flatMap((o) => o.imports)
  .filter((i) => i.kind === 'dynamic-import' && i.external).length;

for (const file of out.outputFiles) {
  let calls = 0;
  const text = file.text.replace(/\bimport\(("[^"]+")\)/g, (_, spec) => {
    calls++;
    return `__import(${spec})`;
  });
  if (calls !== externalImports)
    throw new Error(`bundle: ${calls} import() calls rewritten, ${externalImports} external imports`);
  // The first line names the build by its content: bin/run.js keys V8's code cache by it (V8
  // itself checks only the source's length).
  const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
  writeFileSync(file.path, `// orch fast path ${id}\n${text}`);
}
