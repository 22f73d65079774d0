// Build step: orch's compose schema compiled once, at build time, into plain JavaScript
// (ajv standalone code), so no command pays ajv's compilation (~0.5s) at start-up; and V8's code
// cache for that file, so no command pays for parsing and compiling it either (~40 ms).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { parse } from 'yaml';
import { makeCodeCache } from '../dist/project/schema/code-cache.js';
import { composeSchema, ajvOptions } from '../dist/project/schema/top-level.js';

const ajv = new Ajv({ ...ajvOptions, code: { source: true } });
const validate = ajv.compile(composeSchema);
const out = fileURLToPath(new URL('../dist/project/schema/compiled.cjs', import.meta.url));
writeFileSync(out, standaloneCode.default(ajv, validate));

// Warmed on the example projects (when present), so the compiled validator, not only its parsed
// text, is in the cache.
const examples = new URL('../examples/', import.meta.url);
const readIfThere = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};
const dirs = existsSync(examples) ? readdirSync(examples) : [];
const samples = dirs
  .flatMap((dir) =>
    ['orch.yaml', 'compose.yaml', 'docker-compose.yml'].map((name) => new URL(`${dir}/${name}`, examples)),
  )
  .map(readIfThere)
  .filter((text) => text !== undefined)
  .map((text) => parse(text));
const cache = makeCodeCache(out, (validateFn) => {
  for (const doc of [{}, ...samples]) validateFn(doc);
});
writeFileSync(`${out}.cache`, cache);
