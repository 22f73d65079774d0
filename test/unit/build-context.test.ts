import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildContext } from '../../src/adapters/docker/build-context.js';
import { tarBuffer, tarStream, type TarItem } from '../../src/adapters/docker/tar.js';

const root = mkdtempSync(join(tmpdir(), 'orch-ctx-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Every entry of an archive, read back by tar-stream: name, type and content. */
async function entries(
  archive: Buffer,
): Promise<{ name: string; type: string; body: Buffer; linkname?: string }[]> {
  const out: { name: string; type: string; body: Buffer; linkname?: string }[] = [];
  const ex = tar.extract();
  ex.end(archive);
  for await (const entry of ex) {
    const body = await collect(entry as AsyncIterable<Buffer>);
    const { name, type, linkname } = entry.header;
    out.push({ name, type, body, ...(linkname ? { linkname } : {}) });
  }
  return out;
}

/** GNU tar's listing, an independent reader of the same bytes (null when it is not installed). */
function gnuTarList(archive: Buffer): string[] | null {
  const r = spawnSync('tar', ['-tf', '-'], { input: archive, encoding: 'utf8' });
  if (r.error) return null;
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

function files(base: string, paths: readonly string[]): void {
  for (const p of paths) {
    mkdirSync(dirname(join(base, p)), { recursive: true });
    writeFileSync(join(base, p), p);
  }
}

describe('build context: .dockerignore as Docker applies it', () => {
  // What `docker build` (Docker CLI 28, classic builder) sent for this very tree and file: the
  // files a `COPY . /ctx` saw. The patterns cover negation (also below an excluded directory),
  // `**` at the start, middle and end, a leading `/`, a trailing `/`, and case.
  const tree = [
    'app.log',
    'sub/app.log',
    'keep.log',
    'dist/index.js',
    'docs/readme.md',
    'docs/a/b/c.md',
    'docs/readme.txt',
    'tmp/t',
    'x/tmp/t',
    'node_modules/pkg/i.js',
    'node_modules/keep.js',
    'src/a.js',
    'Foo.txt',
    'build/o',
    'a/b/f',
    'a/c/b/f',
    'keepdir/inner/k.txt',
    'keepdir/drop.txt',
    'README.md',
    'Dockerfile',
  ];
  const dockerignore = [
    '# comment',
    '*.log',
    '!keep.log',
    '/dist',
    'docs/**/*.md',
    '**/tmp',
    'node_modules',
    '!node_modules/keep.js',
    'foo.txt',
    'build/',
    'a/**/b',
    'keepdir',
    '!keepdir/inner/*.txt',
    '**/*.md',
    '!README.md',
  ].join('\n');
  const sentByDocker = [
    '.dockerignore',
    'Dockerfile',
    'Foo.txt',
    'README.md',
    'docs/readme.txt',
    'keep.log',
    'keepdir/inner/k.txt',
    'node_modules/keep.js',
    'src/a.js',
    'sub/app.log',
  ];

  it('sends exactly the files docker build sends', async () => {
    const dir = join(root, 'ignore');
    files(dir, tree);
    writeFileSync(join(dir, '.dockerignore'), dockerignore);
    const ctx = await buildContext(dir, 'Dockerfile');
    expect(ctx.dockerfile).toBe('Dockerfile');
    const got = await entries(await collect(ctx.stream));
    const sent = got.filter((e) => e.type === 'file').map((e) => e.name);
    expect(sent.sort()).toEqual(sentByDocker);
    expect(got.find((e) => e.name === 'src/a.js')?.body.toString()).toBe('src/a.js');
  });

  it('adds a Dockerfile the context excludes under a generated name', async () => {
    const dir = join(root, 'excluded-dockerfile');
    files(dir, ['Dockerfile', 'a.txt']);
    writeFileSync(join(dir, '.dockerignore'), 'Dockerfile\n');
    const ctx = await buildContext(dir, 'Dockerfile');
    expect(ctx.dockerfile).toMatch(/^\.orch-dockerfile-/);
    const names = (await entries(await collect(ctx.stream))).map((e) => e.name);
    expect(names).toEqual(['.dockerignore', 'a.txt', ctx.dockerfile]);
  });
});

describe('tar archives (tar-stream)', () => {
  it('directories, files, symlinks, long and non-ASCII names read back by GNU tar and tar-stream', async () => {
    const long = `${'deep/'.repeat(30)}file.txt`;
    const items: TarItem[] = [
      { entry: { name: 'dir', type: 'dir', mode: 0o755 } },
      { entry: { name: 'dir/ünïcödé ✓.txt', type: 'file', mode: 0o644, size: 2 }, body: Buffer.from('hi') },
      { entry: { name: long, type: 'file', mode: 0o600, size: 1 }, body: Buffer.from('x') },
      { entry: { name: 'dir/link', type: 'symlink', mode: 0o777, linkname: `../${'t'.repeat(120)}` } },
    ];
    const archive = await tarBuffer(items);
    const back = await entries(archive);
    expect(back.map((e) => [e.name, e.type])).toEqual([
      ['dir/', 'directory'],
      ['dir/ünïcödé ✓.txt', 'file'],
      [long, 'file'],
      ['dir/link', 'symlink'],
    ]);
    expect(back[3]?.linkname).toBe(`../${'t'.repeat(120)}`);
    const listed = gnuTarList(archive);
    if (listed) expect(listed).toEqual(['dir/', 'dir/ünïcödé ✓.txt', long, 'dir/link']);
  });

  it('a file that grows or shrinks while it is read keeps the size announced (cut, or padded with zeros)', async () => {
    async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
      for (const p of parts) yield Buffer.from(p);
    }
    const archive = await tarBuffer([
      { entry: { name: 'grew', type: 'file', mode: 0o644, size: 4 }, body: chunks('ab', 'cd', 'ef') },
      { entry: { name: 'shrank', type: 'file', mode: 0o644, size: 4 }, body: chunks('ab') },
      { entry: { name: 'after', type: 'file', mode: 0o644, size: 2 }, body: Buffer.from('ok') },
    ]);
    const back = await entries(archive);
    expect(back.map((e) => e.body.toString('latin1'))).toEqual(['abcd', 'ab\0\0', 'ok']);
  });

  it('streams a large body through a slow reader intact (backpressure, nothing held whole)', async () => {
    const size = 8 * 1024 * 1024;
    const block = Buffer.alloc(64 * 1024, 7);
    async function* body(): AsyncGenerator<Buffer> {
      for (let n = 0; n < size; n += block.length) yield block;
    }
    const want = createHash('sha256');
    for (let n = 0; n < size; n += block.length) want.update(block);
    const ex = tar.extract();
    const got = createHash('sha256');
    const read = (async () => {
      for await (const entry of ex) for await (const c of entry as AsyncIterable<Buffer>) got.update(c);
    })();
    for await (const chunk of tarStream([
      { entry: { name: 'big', type: 'file', mode: 0o644, size }, body: body() },
    ])) {
      if (!ex.write(chunk)) await new Promise<void>((r) => ex.once('drain', () => r()));
    }
    ex.end(undefined);
    await read;
    expect(got.digest('hex')).toBe(want.digest('hex'));
  });

  it('a body that fails ends the stream with that error', async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from('a');
      throw new Error('EIO: read failed');
    }
    await expect(
      collect(tarStream([{ entry: { name: 'f', type: 'file', mode: 0o644, size: 5 }, body: broken() }])),
    ).rejects.toThrow('EIO: read failed');
  });

  it('a symlink in a build context stays a link', async () => {
    const dir = join(root, 'links');
    files(dir, ['Dockerfile', 'target.txt']);
    symlinkSync('target.txt', join(dir, 'alias'));
    const ctx = await buildContext(dir, 'Dockerfile');
    const back = await entries(await collect(ctx.stream));
    expect(back.find((e) => e.name === 'alias')).toMatchObject({ type: 'symlink', linkname: 'target.txt' });
  });
});
