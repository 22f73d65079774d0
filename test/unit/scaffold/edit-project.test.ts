import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  editProjectText,
  renderTemplate,
  resolveVars,
  type EditResult,
} from '../../../src/core/scaffold/index.js';
import { OrchError } from '../../../src/errors/index.js';
import { builtin, fixtures } from './helpers.js';

// Golden files: `UPDATE_GOLDEN=1 npx vitest run test/unit/scaffold` rewrites expected.yaml; review the diff.
const cases = readdirSync(join(fixtures, 'edit'));

async function payments() {
  const t = await builtin('node-http');
  return renderTemplate(t, resolveVars(t, 'payments', './payments', {}));
}

/** Taking the insertions out again must give the original, byte for byte. */
function withoutInsertions(r: EditResult): string {
  let out = r.text;
  for (const ins of r.insertions) {
    const at = ins.offset;
    expect(out.slice(at, at + ins.text.length)).toBe(ins.text);
    out = out.slice(0, at) + out.slice(at + ins.text.length);
  }
  return out;
}

describe('editProjectText (golden files)', () => {
  it.each(cases)('%s', async (name) => {
    const dir = join(fixtures, 'edit', name);
    const input = readFileSync(join(dir, 'input.yaml'), 'utf8');
    const r = await payments();
    const result = editProjectText(
      input,
      { services: [{ name: 'payments', block: r.service }], ...(r.route ? { route: r.route } : {}) },
      'orch.yaml',
    );
    const expectedPath = join(dir, 'expected.yaml');
    if (process.env['UPDATE_GOLDEN'] || !existsSync(expectedPath)) writeFileSync(expectedPath, result.text);
    expect(result.text).toBe(readFileSync(expectedPath, 'utf8'));
    expect(withoutInsertions(result)).toBe(input);
    // The result is valid YAML holding the service and, last, the route.
    const doc = parseDocument(result.text, { merge: true });
    expect(doc.errors).toEqual([]);
    const js = doc.toJS() as {
      services: Record<string, unknown>;
      'x-orch': { gateway: { routes: unknown[] } };
    };
    expect(js.services['payments']).toEqual(r.service);
    expect(js['x-orch'].gateway.routes.at(-1)).toEqual({
      path: '/payments',
      service: 'payments',
      port: 3000,
      strip_prefix: true,
    });
  });
});

describe('editProjectText refusals', () => {
  const block = { image: 'busybox:latest' };
  it.each([
    ['services:\n  payments:\n    image: x\n    profiles: [later]\n', /service `payments` already exists/],
    ['x-s: &s {a: {image: x}}\nservices: *s\n', /`services` is an alias/],
    ['services: [a, b]\n', /`services` is not a mapping/],
    ['services: {}\nx-orch:\n  gateway: 8080\n', /`x-orch.gateway` is not a mapping/],
    ['services:\n  a: [\n', /YAML errors/],
  ])('%j', (text, why) => {
    const route = { path: '/payments', service: 'payments', port: 3000, strip_prefix: true };
    const run = (): unknown =>
      editProjectText(text, { services: [{ name: 'payments', block }], route }, 'orch.yaml');
    expect(run).toThrow(OrchError);
    expect(run).toThrow(why);
  });

  it('adds no route when none is asked for', () => {
    const r = editProjectText('services:\n  a:\n    image: x\n', { services: [{ name: 'b', block }] }, 'f');
    expect(r.text).toBe('services:\n  a:\n    image: x\n  b:\n    image: busybox:latest\n');
  });
});
