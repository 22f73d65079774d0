import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Runtimes } from '../core/runtime/port.js';
import { listAll, runtimeOf } from '../core/runtime/runtimes.js';
import { Label } from '../model/labels.js';
import type { ReplicaRow, SmokeResult } from '../core/smoke/index.js';

export interface ArtifactInput {
  readonly project: string;
  readonly runtimes: Runtimes;
  /** `ps` rows at the end of the run. */
  readonly rows: readonly ReplicaRow[];
  /** The gateway's access log, one rendered line per request. */
  readonly accessLines: readonly string[];
  readonly result: SmokeResult;
}

/**
 * Everything a CI run needs to explain itself after the containers are gone:
 * `result.json`, `gateway-access.log`, and per service `services/<name>/` with each replica's
 * full log (`<container>.log`), its `ps` row (`ps.json`) and inspect summary (`inspect.json`).
 * Must run before `down`: the logs live in the containers. Returns the absolute directory.
 */
export async function writeArtifacts(dir: string, input: ArtifactInput): Promise<string> {
  const root = resolve(dir);
  await mkdir(join(root, 'services'), { recursive: true });
  await writeFile(join(root, 'result.json'), `${JSON.stringify(input.result, null, 2)}\n`);
  await writeFile(join(root, 'gateway-access.log'), input.accessLines.map((l) => `${l}\n`).join(''));

  const containers = await listAll(input.runtimes, input.project).catch(() => []);
  const services = new Set([
    ...input.result.services.map((s) => s.service),
    ...containers.map((c) => c.labels[Label.service] ?? 'unknown'),
  ]);
  for (const service of services) {
    const sdir = join(root, 'services', safeName(service));
    await mkdir(sdir, { recursive: true });
    const mine = containers.filter((c) => (c.labels[Label.service] ?? 'unknown') === service);
    await writeFile(
      join(sdir, 'ps.json'),
      `${JSON.stringify(
        input.rows.filter((r) => r.service === service),
        null,
        2,
      )}\n`,
    );
    const inspected = await Promise.all(
      mine.map((c) =>
        runtimeOf(input.runtimes, c)
          .inspect(c.id)
          .catch(() => c),
      ),
    );
    await writeFile(join(sdir, 'inspect.json'), `${JSON.stringify(inspected, null, 2)}\n`);
    for (const c of mine) {
      const lines: string[] = [];
      try {
        for await (const batch of runtimeOf(input.runtimes, c).logs(c.id, {
          follow: false,
          timestamps: true,
        }))
          for (const l of batch) lines.push(`${l.ts} ${l.stream === 'stderr' ? 'E' : 'O'} ${l.line}\n`);
      } catch (e) {
        lines.push(`(logs unavailable: ${e instanceof Error ? e.message : String(e)})\n`);
      }
      await writeFile(join(sdir, `${safeName(c.name)}.log`), lines.join(''));
    }
  }
  return root;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_');
}
