import { isAbsolute, relative, resolve } from 'node:path';
import type { PortSpec, ProcessSpec } from '../../model/project.js';
import type { KeyPath } from '../positions.js';
import { isRecord, toInt, toStr, type Ctx } from './values.js';

/** What of the rest of the service decides a process service's shape. */
export interface ProcessContext {
  readonly service: string;
  readonly expose: readonly string[];
  readonly ports: readonly PortSpec[];
}

/**
 * `x-orch.process` (contract §7). Beside `image`/`build` it is how the service runs locally (as
 * an Aspire project runs on the host), while exports and Swarm deploys use the image: the two
 * are not exclusive. The declared port is the key's `port`, else the first `expose`,
 * else the first `ports:` target, so a service written like a container keeps its routes and
 * probes. Whether the command exists is checked when it starts (PATH is the host's at `up`).
 */
export function parseProcess(
  ctx: Ctx,
  path: KeyPath,
  raw: unknown,
  svc: ProcessContext,
): ProcessSpec | undefined {
  if (!isRecord(raw)) return undefined;
  const command = parseCommand(raw['command']);
  if (command === undefined) {
    ctx.r.error(
      [...path, 'command'],
      `the command of host process \`${svc.service}\` is empty`,
      'write the command to run, as a string (run by the shell) or a list (exec form)',
    );
  }
  const written = toStr(raw['cwd']) ?? '.';
  const cwd = resolve(ctx.projectDir, written);
  const rel = relative(ctx.projectDir, cwd);
  if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) {
    ctx.r.error(
      [...path, 'cwd'],
      `the cwd \`${written}\` of host process \`${svc.service}\` is outside the project directory`,
      `use a directory inside ${ctx.projectDir}`,
    );
  }
  const port = toInt(ctx, [...path, 'port'], raw['port'], 1) ?? declaredPort(svc);
  const reload = toStr(raw['reload']) as ProcessSpec['reload'];
  const shell = toStr(raw['shell']);
  return {
    command: command ?? [],
    cwd,
    ...(port !== undefined ? { port } : {}),
    ...(reload !== undefined ? { reload } : {}),
    ...(shell !== undefined ? { shell } : {}),
  };
}

function parseCommand(v: unknown): string | string[] | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (Array.isArray(v)) {
    const list = v.map(String);
    return list.length === 0 || list[0]?.trim() === '' ? undefined : list;
  }
  return undefined;
}

function declaredPort(svc: ProcessContext): number | undefined {
  const first = svc.expose[0];
  if (first !== undefined) {
    const n = Number.parseInt(first, 10);
    if (Number.isInteger(n) && n > 0) return n;
  }
  return svc.ports[0]?.target;
}
