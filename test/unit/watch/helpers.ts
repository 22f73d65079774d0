import type { Project, ServiceSpec, WatchRule } from '../../../src/model/project.js';
import type { FsChange, HostFile, HostFilesPort, WatchPort } from '../../../src/core/watch/index.js';
import { project as baseProject, service as baseService } from '../supervisor/helpers.js';

export function rule(r: Partial<WatchRule> & Pick<WatchRule, 'action' | 'path'>): WatchRule {
  return { ignore: [], initialSync: false, ...r };
}

export function service(name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return { ...baseService(name), ...extra };
}

export function project(...services: ServiceSpec[]): Project {
  return baseProject(...services);
}

/** An in-memory WatchPort: tests emit changes by hand, as chokidar would after its ignore check. */
export class FakeWatcher implements WatchPort {
  readonly subs: {
    paths: readonly string[];
    ignored: (p: string) => boolean;
    onChange: (c: FsChange) => void;
    closed: boolean;
  }[] = [];

  watch(
    paths: readonly string[],
    opts: { ignored: (p: string) => boolean; onChange: (c: FsChange) => void; onError: (e: Error) => void },
  ): { ready: Promise<void>; close(): Promise<void> } {
    const sub = { paths, ignored: opts.ignored, onChange: opts.onChange, closed: false };
    this.subs.push(sub);
    return {
      ready: Promise.resolve(),
      close: () => {
        sub.closed = true;
        return Promise.resolve();
      },
    };
  }

  /** Delivers a change to every open subscription that watches above it and does not ignore it. */
  emit(kind: FsChange['kind'], path: string): void {
    for (const s of this.subs)
      if (!s.closed && s.paths.some((p) => path === p || path.startsWith(`${p}/`)) && !s.ignored(path))
        s.onChange({ kind, path });
  }
}

export class FakeFiles implements HostFilesPort {
  readonly files = new Map<string, string>();
  readFile(path: string): Promise<HostFile | undefined> {
    const t = this.files.get(path);
    return Promise.resolve(t === undefined ? undefined : { content: Buffer.from(t), mode: 0o644 });
  }
  readText(path: string): Promise<string | undefined> {
    return Promise.resolve(this.files.get(path));
  }
  listFiles(dir: string, ignored: (p: string) => boolean): Promise<string[]> {
    return Promise.resolve(
      [...this.files.keys()].filter((f) => f.startsWith(`${dir}/`) && !ignored(f)).sort(),
    );
  }
}
