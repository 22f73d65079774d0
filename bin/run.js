#!/usr/bin/env node
// oclif entry. `orch --version`, a plain `orch ps` and `orch logs` without --follow are answered
// without oclif's start-up when they can be: --version from package.json alone
// (dist/cli/version.js), the others through the fast path built as one file
// (dist/cli/fast-path.bundle.js, see scripts/bundle-fast-path.mjs); everything else, and any
// doubt, goes to oclif.
const argv = process.argv.slice(2);
const answered =
  argv.length === 1 && argv[0] === '--version'
    ? (await import('../dist/cli/version.js')).printVersion()
    : (argv[0] === 'ps' || argv[0] === 'logs') &&
      (await (await import('../dist/cli/fast-path.bundle.js')).fastPath(argv));

if (!answered) {
  // The subpath, not the package root: the root's index also loads help, semver and the rest (~20 ms).
  const { execute } = await import('@oclif/core/execute');
  await execute({ dir: import.meta.url });
}
