#!/usr/bin/env node
// oclif entry: nothing else lives here.
// The subpath, not the package root: the root's index also loads help, semver and the rest (~20 ms).
import { execute } from '@oclif/core/execute';

await execute({ dir: import.meta.url });
