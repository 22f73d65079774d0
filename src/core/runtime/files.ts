import type { Project, ServiceSpec } from '../../model/project.js';
import { OrchError } from '../../errors/index.js';

/** Where the contents of `secrets:` and `configs:` come from. */
export interface FileSources {
  readonly readFile: (path: string) => Promise<Buffer>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface ReplicaFile {
  readonly path: string;
  readonly content: Buffer;
  readonly mode: number;
}

/** The service's secrets and configs, as the files a replica gets before it starts. */
export async function serviceFiles(
  project: Project,
  service: ServiceSpec,
  sources: FileSources,
): Promise<ReplicaFile[]> {
  const out: ReplicaFile[] = [];
  const kinds = [
    { mounts: service.secrets, defs: project.secrets, kind: 'secret' },
    { mounts: service.configs, defs: project.configs, kind: 'config' },
  ] as const;
  for (const { mounts, defs, kind } of kinds) {
    for (const m of mounts) {
      const def = defs[m.source];
      if (!def) continue;
      let content: Buffer;
      if (def.file) {
        try {
          content = await sources.readFile(def.file);
        } catch {
          throw new OrchError(
            'STACK_FAILED',
            `${kind} "${m.source}" of service "${service.name}": cannot read ${def.file}`,
            {
              hint: `create the file, or fix \`${kind}s.${m.source}.file\` in the project file`,
            },
          );
        }
      } else if (def.environment) {
        content = Buffer.from(sources.env[def.environment] ?? '');
      } else if (def.content !== undefined) {
        content = Buffer.from(def.content);
      } else {
        throw new OrchError(
          'STACK_FAILED',
          `${kind} "${m.source}" is external; orch only mounts file, environment or content ${kind}s`,
        );
      }
      out.push({ path: m.target, content, mode: m.mode ?? 0o444 });
    }
  }
  return out;
}
