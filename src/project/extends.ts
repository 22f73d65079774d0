import { dirname, resolve } from 'node:path';
import type { SourcePos } from '../model/project.js';
import { closest } from './diagnostics.js';
import type { FileLoader } from './file-loader.js';
import type { Lookup } from './interpolate.js';
import { isRecord, mergeService, type Located } from './merge.js';
import { keyPos, posNode, valuePos, type PosNode } from './positions.js';
import { resolveServicePaths } from './relative-paths.js';

interface Frame {
  readonly key: string;
  readonly file: string;
  readonly service: string;
  /** Where this service's `extends:` is written. */
  readonly at: SourcePos;
}

/**
 * Resolves every `extends:` in one file's tree, as the Compose Specification's `extends` section
 * says: the base service (same file, or `file:` relative to the declaring file) is merged under
 * the local definition with the override rules, chains are followed, cycles are reported at each
 * `extends:` in the cycle. A base from another file has its relative paths made absolute first,
 * against that file's directory.
 */
export async function applyExtends(
  tree: Located,
  file: string,
  loader: FileLoader,
  lookup: Lookup,
): Promise<Located> {
  if (!isRecord(tree.v) || !isRecord(tree.v['services'])) return tree;
  const services = tree.v['services'];
  if (!Object.values(services).some((s) => isRecord(s) && s['extends'] !== undefined)) return tree;
  const ext = new Extender(loader, lookup, file, tree);
  const outV: Record<string, unknown> = {};
  const servicesPos = tree.p.children.get('services') ?? tree.p;
  const outP = posNode(servicesPos.pos, servicesPos.keyPos);
  for (const [name, svc] of Object.entries(services)) {
    const own = servicePos(tree.p, name);
    const done =
      isRecord(svc) && svc['extends'] !== undefined ? await ext.service(file, name, []) : undefined;
    outV[name] = done ? done.v : svc;
    outP.children.set(name, done ? done.p : own);
  }
  const p = posNode(tree.p.pos, tree.p.keyPos);
  for (const [k, n] of tree.p.children) p.children.set(k, n);
  p.children.set('services', outP);
  return { ...tree, v: { ...tree.v, services: outV }, p };
}

function servicePos(root: PosNode, name: string): PosNode {
  return root.children.get('services')?.children.get(name) ?? root;
}

class Extender {
  constructor(
    private readonly loader: FileLoader,
    private readonly lookup: Lookup,
    private readonly mainFile: string,
    private readonly mainTree: Located,
  ) {}

  private async tree(file: string): Promise<Located | undefined | null> {
    return file === this.mainFile ? this.mainTree : this.loader.load(file, this.lookup);
  }

  /** The service fully extended, or undefined when it cannot be found (already reported). */
  async service(file: string, name: string, stack: readonly Frame[]): Promise<Located | undefined> {
    const key = `${file}\0${name}`;
    const seen = stack.findIndex((f) => f.key === key);
    if (seen >= 0) {
      this.reportCycle(stack.slice(seen));
      return undefined;
    }
    // Not memoized: chains are a few links long, and each caller needs its own stack.
    return this.compute(file, name, key, stack);
  }

  private async compute(file: string, name: string, key: string, stack: readonly Frame[]) {
    const tree = await this.tree(file);
    if (!tree || !isRecord(tree.v)) return undefined;
    const services = isRecord(tree.v['services']) ? tree.v['services'] : {};
    const svc = services[name];
    if (!isRecord(svc)) return undefined;
    const own: Located = { v: svc, p: servicePos(tree.p, name) };
    const ext = svc['extends'];
    if (ext === undefined) return own;
    const at = ['extends'];
    const spec = isRecord(ext) ? ext : { service: ext };
    const baseName = String(spec['service']);
    const baseFile = typeof spec['file'] === 'string' ? resolve(dirname(file), spec['file']) : file;
    const local = withoutExtends(own);
    const frame: Frame = { key, file, service: name, at: keyPos(own.p, at) };
    const baseTree = await this.tree(baseFile);
    if (baseTree === null) {
      this.error(
        valuePos(own.p, [...at, 'file']),
        `\`services.${name}.extends.file\`: ${baseFile} does not exist`,
        'check the path; it is relative to the file that declares it',
      );
      return local;
    }
    if (!baseTree) return local;
    const baseServices =
      isRecord(baseTree.v) && isRecord(baseTree.v['services']) ? baseTree.v['services'] : {};
    if (!(baseName in baseServices)) {
      const near = closest(baseName, Object.keys(baseServices));
      this.error(
        valuePos(own.p, isRecord(ext) ? [...at, 'service'] : at),
        `\`services.${name}\` extends \`${baseName}\`, which ${baseFile === file ? 'this file' : baseFile} does not define`,
        near ? `did you mean \`${near}\`?` : undefined,
      );
      return local;
    }
    const base = await this.service(baseFile, baseName, [...stack, frame]);
    if (!base) return local;
    const moved =
      baseFile === file || !isRecord(base.v)
        ? base
        : { v: resolveServicePaths(base.v, dirname(baseFile)), p: base.p };
    return mergeService(moved, local);
  }

  private reportCycle(cycle: readonly Frame[]): void {
    if (
      !this.loader.firstReport(
        'extends',
        cycle.map((f) => f.key),
      )
    )
      return;
    // Start at the same member whichever service the cycle was met from, so it reads the same.
    const first = cycle.reduce((best, f, i) => (f.key < (cycle[best]?.key ?? '') ? i : best), 0);
    const ring = [...cycle.slice(first), ...cycle.slice(0, first)];
    const chain = [...ring, ring[0] as Frame]
      .map((f) => `${f.service} (${this.loader.where(f.at)})`)
      .join(' → ');
    for (const f of cycle) {
      this.error(
        f.at,
        `\`extends\` cycle: ${chain}`,
        'a service cannot extend itself, directly or through others',
      );
    }
  }

  private error(pos: SourcePos, message: string, hint?: string): void {
    this.loader.diags.error(pos, message, undefined, hint);
  }
}

function withoutExtends(x: Located): Located {
  const { extends: _gone, ...v } = x.v as Record<string, unknown>;
  const p = posNode(x.p.pos, x.p.keyPos);
  for (const [k, n] of x.p.children) if (k !== 'extends') p.children.set(k, n);
  return { v, p };
}
