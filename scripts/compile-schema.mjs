// Build step: orch's compose schema compiled once, at build time, into plain JavaScript
// (ajv standalone code), so no command pays ajv's compilation (~0.5s) at start-up.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { composeSchema, ajvOptions } from '../dist/project/schema/top-level.js';

const ajv = new Ajv({ ...ajvOptions, code: { source: true } });
const validate = ajv.compile(composeSchema);
const out = fileURLToPath(new URL('../dist/project/schema/compiled.cjs', import.meta.url));
writeFileSync(out, standaloneCode.default(ajv, validate));
