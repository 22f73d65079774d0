import type { PortSpec } from '../../model/project.js';
import type { KeyPath } from '../positions.js';
import { isRecord, toInt, toStr, type Ctx } from './values.js';

/** orch binds to loopback unless told otherwise: a dev stack should not be reachable from the LAN. */
export const DEFAULT_HOST_IP = '127.0.0.1';

/** One `ports:` entry (short or long form) into one or more PortSpecs (ranges expand). */
export function parsePort(ctx: Ctx, path: KeyPath, v: unknown): PortSpec[] {
  if (isRecord(v)) return longPort(ctx, path, v);
  const text = String(v).trim();
  const parsed = shortPort(text);
  if (!parsed) {
    ctx.r.error(
      path,
      `invalid port \`${text}\``,
      'use [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], e.g. 8080:80',
    );
    return [];
  }
  const { hostIp, published, target, protocol } = parsed;
  const targets = range(target);
  const hosts = published === undefined ? undefined : range(published);
  if (!targets || (published !== undefined && !hosts)) {
    ctx.r.error(path, `invalid port \`${text}\``);
    return [];
  }
  if (hosts && targets.length > 1 && hosts.length !== targets.length) {
    ctx.r.error(path, `port ranges \`${text}\` have different lengths`);
    return [];
  }
  return targets.map((t, i) => {
    // A single container port with a host range lets the engine pick one port from the range.
    const pub = hosts === undefined ? undefined : targets.length > 1 ? String(hosts[i]) : published;
    return {
      target: t,
      ...(pub !== undefined ? { published: pub } : {}),
      hostIp: hostIp ?? DEFAULT_HOST_IP,
      protocol,
    };
  });
}

interface ShortPort {
  hostIp?: string;
  published?: string;
  target: string;
  protocol: 'tcp' | 'udp';
}

function shortPort(text: string): ShortPort | undefined {
  let rest = text;
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') return undefined;
    protocol = p;
    rest = rest.slice(0, slash);
  }
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (v6) {
    const hostIp = v6[1] ?? '';
    rest = v6[2] ?? '';
    const parts = rest.split(':');
    if (parts.length === 1) return { hostIp, target: parts[0] ?? '', protocol };
    return withPub({ hostIp, target: parts[1] ?? '', protocol }, parts[0]);
  }
  const parts = rest.split(':');
  if (parts.length === 1) return { target: parts[0] ?? '', protocol };
  if (parts.length === 2) return withPub({ target: parts[1] ?? '', protocol }, parts[0]);
  if (parts.length === 3)
    return withPub({ hostIp: parts[0] ?? '', target: parts[2] ?? '', protocol }, parts[1]);
  return undefined;
}

function withPub(p: ShortPort, pub: string | undefined): ShortPort {
  return pub ? { ...p, published: pub } : p;
}

/** `"8000"` → [8000]; `"8000-8002"` → [8000, 8001, 8002]; undefined when malformed. */
function range(s: string): number[] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s.trim());
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 65535 || hi < lo) return undefined;
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function longPort(ctx: Ctx, path: KeyPath, v: Record<string, unknown>): PortSpec[] {
  const target = toInt(ctx, [...path, 'target'], v['target'], 1);
  if (target === undefined) {
    if (v['target'] === undefined) ctx.r.error(path, 'port is missing `target` (the container port)');
    return [];
  }
  const proto = (toStr(v['protocol']) ?? 'tcp').toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp') {
    ctx.r.error([...path, 'protocol'], `unknown protocol \`${proto}\` (tcp or udp)`);
    return [];
  }
  const published = toStr(v['published']);
  if (published !== undefined && published !== '' && !range(published)) {
    ctx.r.error([...path, 'published'], `invalid host port \`${published}\``);
    return [];
  }
  const name = toStr(v['name']);
  const mode = toStr(v['mode']);
  const appProtocol = toStr(v['app_protocol']);
  return [
    {
      target,
      ...(published ? { published } : {}),
      hostIp: toStr(v['host_ip']) || DEFAULT_HOST_IP,
      protocol: proto,
      ...(name !== undefined ? { name } : {}),
      ...(mode !== undefined ? { mode } : {}),
      ...(appProtocol !== undefined ? { appProtocol } : {}),
    },
  ];
}

/** Host port numbers a published value covers, for clash detection. */
export function hostPorts(published: string | undefined): number[] {
  return published === undefined ? [] : (range(published) ?? []);
}
