import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DockerPort } from '../core/ports.js';

/** The image `orch deploy --target swarm` builds to run orch's gateway as a Swarm service. */
export function gatewayImageName(version: string, contentTag?: string): string {
  return `orch-gateway:${contentTag ?? version}`;
}

const BASE_IMAGE = 'node:20-slim';
const DOCKERFILE = `FROM ${BASE_IMAGE}
WORKDIR /orch
COPY . /orch
ENV NODE_ENV=production
ENTRYPOINT ["node", "/orch/bin/run.js"]
`;
const TOP_FILES = ['package.json', 'oclif.manifest.json'];
const TOP_DIRS = ['bin', 'dist'];

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function* files(dir: string): AsyncGenerator<string> {
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

/** Where `name` resolves from `fromDir`, as Node does: the nearest node_modules up to `root`. */
async function resolvePackage(root: string, fromDir: string, name: string): Promise<string | undefined> {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (await exists(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** The top-level node_modules folders orch's production dependencies need (nested ones come along). */
async function productionPackages(root: string): Promise<string[]> {
  const top = new Set<string>();
  const seen = new Set<string>();
  const visit = async (dir: string): Promise<void> => {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const found = await resolvePackage(root, dir, name);
      if (!found || seen.has(found)) continue;
      seen.add(found);
      if (
        dirname(found) === join(root, 'node_modules') ||
        dirname(dirname(found)) === join(root, 'node_modules')
      )
        top.add(found.slice(root.length + 1));
      await visit(found);
    }
  };
  await visit(root);
  return [...top].sort();
}

/**
 * The gateway's image: node:20-slim with orch's dist and production node_modules, tagged by the
 * content of orch's own files, so a deploy reuses it until orch itself changes. Built locally:
 * no registry is needed (push it with --push for a multi-node swarm).
 */
export async function ensureGatewayImage(root: string, docker: DockerPort): Promise<string> {
  const hash = createHash('sha256');
  for (const f of [...TOP_FILES, 'package-lock.json']) {
    const text = await readFile(join(root, f)).catch(() => undefined);
    if (text) hash.update(f).update(text);
  }
  for (const d of TOP_DIRS)
    for await (const f of files(join(root, d))) hash.update(f.slice(root.length)).update(await readFile(f));
  hash.update(DOCKERFILE);
  const ref = gatewayImageName('', hash.digest('hex').slice(0, 12));
  if ((await docker.imageId(ref)) !== undefined) return ref;
  const ctx = await mkdtemp(join(tmpdir(), 'orch-gateway-image-'));
  try {
    for (const f of TOP_FILES) if (await exists(join(root, f))) await cp(join(root, f), join(ctx, f));
    for (const d of TOP_DIRS) await cp(join(root, d), join(ctx, d), { recursive: true });
    for (const p of await productionPackages(root))
      await cp(join(root, p), join(ctx, p), { recursive: true, verbatimSymlinks: true });
    await writeFile(join(ctx, 'Dockerfile'), DOCKERFILE);
    await docker.buildImage({ context: ctx, dockerfile: 'Dockerfile', tag: ref, args: {}, labels: {} });
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
  return ref;
}
