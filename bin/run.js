#!/usr/bin/env node
// oclif entry. `orch --version` and a plain `orch ps` are answered without oclif's start-up when
// they can be (dist/cli/fast-path.js); everything else, and any doubt, goes to oclif.
import { fastPath } from '../dist/cli/fast-path.js';

if (!(await fastPath(process.argv.slice(2)))) {
  // The subpath, not the package root: the root's index also loads help, semver and the rest (~20 ms).
  const { execute } = await import('@oclif/core/execute');
  await execute({ dir: import.meta.url });
}
