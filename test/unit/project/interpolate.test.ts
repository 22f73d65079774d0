import { describe, expect, it } from 'vitest';
import { interpolate } from '../../../src/project/index.js';
import { FILE, load, where } from './helpers.js';

const env: Record<string, string> = { SET: 'v', EMPTY: '', B: 'b' };
const lookup = (n: string) => env[n];

describe('interpolation grammar', () => {
  it.each([
    ['$SET', 'v'],
    ['${SET}', 'v'],
    ['a${SET}b', 'avb'],
    ['$SET-x', 'v-x'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:-d}', 'v'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${SET:?msg}', 'v'],
    ['${EMPTY?msg}', ''],
    ['${UNSET:-${B:-x}}', 'b'],
    ['${UNSET:-${ALSO_UNSET:-x}}', 'x'],
    ['${UNSET:-a-${B}-c}', 'a-b-c'],
    ['$$SET', '$SET'],
    ['$${SET}', '${SET}'],
    ['cost: 5$', 'cost: 5$'],
    ['no vars', 'no vars'],
  ])('%s → %s', (input, expected) => {
    const r = interpolate(input, lookup);
    expect(r.value).toBe(expected);
    expect(r.issues).toEqual([]);
  });

  it.each([
    ['$UNSET', 'unset', 'UNSET'],
    ['${UNSET}', 'unset', 'UNSET'],
    ['${UNSET:?must set it}', 'required', 'UNSET: must set it'],
    ['${EMPTY:?empty too}', 'required', 'EMPTY: empty too'],
    ['${UNSET?plain}', 'required', 'UNSET: plain'],
    ['${UNSET:?}', 'required', 'required variable UNSET is missing a value'],
    ['${', 'syntax', 'unterminated'],
    ['${1X}', 'syntax', 'invalid interpolation format'],
  ])('%s reports %s', (input, kind, text) => {
    const r = interpolate(input, lookup);
    if (kind !== 'syntax') expect(r.value).toBe('');
    expect(r.issues[0]?.kind).toBe(kind);
    expect(r.issues[0]?.message).toContain(text);
  });
});

describe('interpolation in a project file', () => {
  it('warns about an unset variable with file:line:col and uses ""', async () => {
    const r = await load('services:\n  web:\n    image: nginx\n    environment:\n      A: "x${NOPE}y"\n');
    expect(r.errors).toEqual([]);
    const w = r.warnings.find((d) => d.message.includes('NOPE'));
    expect(w && `${w.file}:${where(w)}`).toBe(`${FILE}:5:10`);
    expect(r.result?.project.services['web']?.environment['A']).toBe('xy');
  });

  it('makes `:?` an error showing the message', async () => {
    const r = await load('services:\n  web:\n    image: "nginx:${TAG:?set TAG}"\n');
    expect(r.errors.map((e) => [where(e), e.message])).toEqual([['3:12', 'TAG: set TAG']]);
  });

  it('takes the process env first, then .env beside the project file', async () => {
    const yaml = 'services:\n  web:\n    image: "nginx:${TAG}"\n    environment: { X: "${X}" }\n';
    const r = await load(
      yaml,
      { env: { TAG: 'fromenv' } },
      { '/proj/.env': 'TAG=fromfile\nX="quoted ${TAG}"\n' },
    );
    expect(r.result?.project.services['web']?.image).toBe('nginx:fromenv');
    expect(r.result?.project.services['web']?.environment['X']).toBe('quoted fromenv');
  });

  it('--env-file replaces .env', async () => {
    const yaml = 'services:\n  web:\n    image: "nginx:${TAG}"\n';
    const r = await load(
      yaml,
      { envFiles: ['ci.env'] },
      { '/proj/.env': 'TAG=dot', '/proj/ci.env': 'TAG=ci' },
    );
    expect(r.result?.project.services['web']?.image).toBe('nginx:ci');
  });

  it('lets replicas come from a variable', async () => {
    const r = await load('services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${N}\n', {
      env: { N: '3' },
    });
    expect(r.result?.project.services['web']?.replicas).toBe(3);
  });

  it('reports a non-numeric replicas value at its position', async () => {
    const r = await load('services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${N}\n', {
      env: { N: 'many' },
    });
    expect(r.errors.map(where)).toEqual(['5:17']);
  });
});
