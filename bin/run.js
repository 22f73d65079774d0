#!/usr/bin/env node
// oclif entry: nothing else lives here.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
