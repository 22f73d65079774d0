// Build step: dist/cli/fast-path.bundle.js, the code `orch --version` and `orch ps` run before
// oclif (dist/cli/fast-path.js and what it imports) as one file. Node 20 has no module compile
// cache, and resolving, reading and linking ~40 modules one by one was ~50 ms of `orch ps` on this
// project's machine; one file is read and parsed once (bench/cli measures it). It sits beside
// fast-path.js so that paths taken from import.meta.url (package.json, the loader's stamp) mean
// the same in both. Only the fast path's own lazy steps are bundled: what those modules import
// lazily in turn (the project loader with yaml and ajv, dockerode, tar for copied files) is off the
// happy path and stays a module of its own, loaded from dist/ or node_modules if ever needed.
import { build } from 'esbuild';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entry = `${dist}cli/fast-path.js`;

/** Dynamic imports made by anything but the entry stay external, as paths from the bundle. */
const lazyStaysOut = {
  name: 'lazy-stays-out',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import' || args.importer === entry) return undefined;
      if (!args.path.startsWith('.')) return { path: args.path, external: true };
      const target = `${dirname(args.importer)}/${args.path}`;
      return { path: `./${relative(`${dist}cli`, target)}`.replace(/^\.\/\.\.\//, '../'), external: true };
    });
  },
};

await build({
  entryPoints: [entry],
  outfile: `${dist}cli/fast-path.bundle.js`,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [lazyStaysOut],
  logLevel: 'warning',
});
